/**
 * The development issuer's registrations, made up front as in Okta (no open dynamic registration):
 * its clients (a confidential machine client, a public PKCE client for MCP Inspector and other
 * interactive clients), its users, its scopes, client authentication (RFC 6749 §2.3) and redirect
 * URI matching (exact, loopback on any port: RFC 8252 §7.3). Development and tests only, loopback
 * only; it serves no HTTP.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from '../config.ts';
import { basicCredentials, refuse } from './dev-http.ts';
import type { OAuthRefusal } from './dev-http.ts';

/** The scopes this project's authorization server defines. */
export const DEV_SCOPES: readonly string[] = ['incidents:read', 'incidents:write'];

/** Okta's reserved OIDC scopes, available on every custom authorization server. */
export const OIDC_SCOPES: readonly string[] = ['openid', 'profile', 'email', 'offline_access'];

/** MCP Inspector 2.x's web UI callback (clients/web: `${window.location.origin}/oauth/callback`, port 6274). */
export const INSPECTOR_REDIRECT_URI = 'http://localhost:6274/oauth/callback';

export type AuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/** One registered OAuth client. */
export interface DevClient {
  readonly clientId: string;
  /** Undefined for a public client (token_endpoint_auth_method none). */
  readonly clientSecret: string | undefined;
  readonly grantTypes: readonly string[];
  readonly redirectUris: readonly string[];
}

/** One development user, as an Okta user: `uid` is the user id, `login` becomes `sub`. */
export interface DevUser {
  readonly uid: string;
  readonly login: string;
  readonly name: string;
  /** Project scopes an access policy would grant this user. */
  readonly scopes: readonly string[];
}

export const DEV_USERS: readonly DevUser[] = [
  { uid: '00u1devada00000000x7', login: 'ada@example.com', name: 'Ada Lovelace', scopes: ['incidents:read', 'incidents:write'] },
  { uid: '00u1devreader000000x7', login: 'reader@example.com', name: 'Read Only', scopes: ['incidents:read'] },
];

export const PUBLIC_CLIENT_ID = 'dev-public';

/** The clients of one issuer: the machine client named in the options, and the public client. */
export function registerClients(clientId: string, clientSecret: string): ReadonlyMap<string, DevClient> {
  const clients: DevClient[] = [
    { clientId, clientSecret, grantTypes: ['client_credentials'], redirectUris: [] },
    {
      clientId: PUBLIC_CLIENT_ID,
      clientSecret: undefined,
      grantTypes: ['authorization_code', 'refresh_token'],
      // The Inspector's callback under each loopback name it may be opened at (it prints 127.0.0.1).
      redirectUris: [INSPECTOR_REDIRECT_URI, 'http://127.0.0.1:6274/oauth/callback', 'http://[::1]:6274/oauth/callback', 'http://127.0.0.1/callback', 'http://localhost/callback'],
    },
  ];
  return new Map(clients.map((client) => [client.clientId, client]));
}

export const findUser = (login: string | null): DevUser | undefined => DEV_USERS.find((user) => user.login === login);

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

/**
 * RFC 6749 §2.3: the calling client, authenticated by client_secret_basic, client_secret_post,
 * or (public clients) its bare client_id; a refusal otherwise.
 */
export function authenticateClient(req: IncomingMessage, form: URLSearchParams, clients: ReadonlyMap<string, DevClient>): DevClient | OAuthRefusal {
  const basic = basicCredentials(req.headers.authorization);
  const postSecret = form.get('client_secret');
  // RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request.
  if (basic !== undefined && postSecret !== null) return refuse('invalid_request', 'Use one client authentication method.');
  const id = basic?.id ?? form.get('client_id') ?? '';
  const secret = basic?.secret ?? postSecret;
  const client = clients.get(id);
  const failed = refuse('invalid_client', 'Client authentication failed.', 401);
  if (client === undefined) return failed;
  if (client.clientSecret === undefined) return secret === null || secret === '' ? client : failed;
  return secret !== null && sameSecret(secret, client.clientSecret) ? client : failed;
}

const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Whether `candidate` is one of the client's redirect URIs: exact string match, except that a
 * registered http loopback URI matches any port (RFC 8252 §7.3).
 */
export function redirectAllowed(client: DevClient, candidate: string): boolean {
  if (client.redirectUris.includes(candidate)) return true;
  let asked: URL;
  try {
    asked = new URL(candidate);
  } catch {
    return false;
  }
  if (asked.protocol !== 'http:' || !isLoopbackHost(hostOf(asked)) || asked.hash !== '' || asked.username !== '' || asked.password !== '') return false;
  return client.redirectUris.some((registered) => {
    const url = new URL(registered);
    // RFC 8252 §7.3: the port is variable; scheme, host, path and query are not.
    return url.protocol === 'http:' && url.hostname === asked.hostname && url.pathname === asked.pathname && url.search === asked.search;
  });
}
