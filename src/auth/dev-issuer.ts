/**
 * A development and test issuer that behaves like an Okta custom authorization server (okta.md),
 * served over real HTTP on loopback only. This file starts the server, routes requests and owns
 * the CORS rules and the simulated JWKS outages. Discovery (dev-discovery.ts), registrations
 * (dev-clients.ts), grants (dev-oauth.ts), the sign-in page (dev-signin.ts), introspection and
 * revocation (dev-tokens.ts) and keys (dev-keys.ts) live beside it. Development and tests only:
 * no passwords, no persistence; never expose it beyond loopback.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost, urlHost } from '../config.ts';
import { DEV_SCOPES, PUBLIC_CLIENT_ID, registerClients } from './dev-clients.ts';
import { authorizationServerMetadata, openIdConfiguration } from './dev-discovery.ts';
import { answerPreflight, corsHeaders, oauthError, send } from './dev-http.ts';
import type { OAuthRefusal } from './dev-http.ts';
import { KeyRing, mintToken } from './dev-keys.ts';
import type { JsonWebKeySet, MintOptions } from './dev-keys.ts';
import { DevDpop } from './dev-dpop.ts';
import { DevGrants } from './dev-oauth.ts';
import { DevSignIn } from './dev-signin.ts';
import { DevTokenEndpoints } from './dev-tokens.ts';

export { DEV_SCOPES, DEV_USERS, INSPECTOR_REDIRECT_URI, PUBLIC_CLIENT_ID } from './dev-clients.ts';
export type { DevUser } from './dev-clients.ts';

/** How the JWKS endpoint answers: normally, 503, after `slowMs`, or 200 with non-JSON. */
export type JwksMode = 'ok' | 'down' | 'slow' | 'garbage';

export interface DevIssuerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly audience?: string;
  readonly authServerId?: string;
  /** The confidential machine client (client_credentials only); default dev-client / dev-secret. */
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Delay of the JWKS answer in 'slow' mode (default 10000 ms). */
  readonly slowMs?: number;
  /** The clock of the endpoints: token iat/exp, code and refresh-token expiry (default: real time). */
  readonly now?: () => Date;
}

/** A running development issuer. */
export interface DevIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly tokenEndpoint: string;
  readonly authorizationEndpoint: string;
  readonly audience: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The public client (no secret, authorization code + PKCE, refresh tokens). */
  readonly publicClientId: string;
  /** JWKS requests received so far, in every mode. */
  readonly fetchCount: number;
  /** The kid new tokens are signed with. */
  readonly currentKid: string;
  /** A signed Okta-shaped access token; see MintOptions for building bad ones. */
  mint(options?: MintOptions): Promise<string>;
  /** Publishes a new key and signs with it from now on; returns its kid. */
  rotate(): Promise<string>;
  /** Unpublishes every key but the current one. */
  dropOldKeys(): void;
  /** The JWK Set currently published. */
  jwks(): JsonWebKeySet;
  setJwksMode(mode: JwksMode): void;
  close(): Promise<void>;
}

type Answer = Record<string, unknown> | OAuthRefusal;

/** Writes a JSON answer or an RFC 6749 §5.2 refusal. */
function reply(res: ServerResponse, answer: Answer, headers: Record<string, string> = {}): void {
  if ('error' in answer && typeof answer.status === 'number') {
    return oauthError(res, answer.status, String(answer.error), String(answer.description));
  }
  send(res, 200, answer, headers);
}

/**
 * Starts the issuer. Issuer: `http://{host}:{port}/oauth2/{authServerId}`.
 * @throws TypeError for a non-loopback host or an authServerId that is not alphanumeric.
 */
export async function startDevIssuer(options: DevIssuerOptions = {}): Promise<DevIssuer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    throw new TypeError(`the development issuer listens on loopback only (127.0.0.1, ::1, localhost); got host ${JSON.stringify(host)}`);
  }
  const authServerId = options.authServerId ?? 'default';
  if (!/^[A-Za-z0-9]+$/.test(authServerId)) throw new TypeError(`authServerId must be alphanumeric; got ${JSON.stringify(authServerId)}`);
  const audience = options.audience ?? 'api://default';
  const clientId = options.clientId ?? 'dev-client';
  const clientSecret = options.clientSecret ?? 'dev-secret';
  const slowMs = options.slowMs ?? 10_000;
  const now = options.now ?? (() => new Date());
  const clients = registerClients(clientId, clientSecret);
  const keys = await KeyRing.create();
  const timers = new Set<NodeJS.Timeout>();
  let mode: JwksMode = 'ok';
  let fetchCount = 0;
  let issuer = '';

  const mint = (mintOptions?: MintOptions): Promise<string> =>
    mintToken(keys.current, { issuer, audience, clientId, scopes: DEV_SCOPES }, mintOptions);
  const dpop = new DevDpop(now, () => `${issuer}/v1/token`);
  const grants = new DevGrants({ now, clients, mint, dpop });
  // The issuer URL is known once listening; the endpoints read it through these getters.
  const context = { get issuer() { return issuer; }, audience, now, clients, grants, jwks: () => keys.jwks() };
  const signIn = new DevSignIn(context);
  const tokens = new DevTokenEndpoints(context);

  const serveKeys = (res: ServerResponse): void => {
    fetchCount += 1;
    if (mode === 'down') return send(res, 503, { errorCode: 'E0000009', errorSummary: 'Service unavailable' });
    if (mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('<html>upstream error</html>');
    }
    if (mode === 'ok') return send(res, 200, keys.jwks(), { 'cache-control': 'max-age=3600' });
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(res, 200, keys.jwks());
    }, slowMs);
    timers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  };

  /** POST-only endpoints: token (RFC 6749 §3.2), introspection, revocation. */
  const posts = new Map<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>([
    // RFC 6749 §5.1: the token response is not cached.
    ['/v1/token', async (req, res) => reply(res, await grants.token(req), { pragma: 'no-cache' })],
    ['/v1/introspect', async (req, res) => reply(res, await tokens.introspect(req))],
    ['/v1/revoke', async (req, res) => reply(res, await tokens.revoke(req))],
  ]);
  const gets = new Map<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>>([
    ['/v1/keys', (_req, res) => serveKeys(res)],
    ['/.well-known/oauth-authorization-server', (_req, res) => send(res, 200, authorizationServerMetadata(issuer), { 'cache-control': 'max-age=300' })],
    ['/.well-known/openid-configuration', (_req, res) => send(res, 200, openIdConfiguration(issuer), { 'cache-control': 'max-age=300' })],
    ['/v1/logout', (req, res) => tokens.logout(req, res)],
  ]);

  const userinfo = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const claims = await tokens.userinfo(req);
    // OpenID Connect Core §5.3.3 + RFC 6750 §3.1.
    if (claims === undefined) return send(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    send(res, 200, claims);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const basePath = `/oauth2/${authServerId}`;
    const fullPath = new URL(req.url ?? '/', 'http://dev-issuer').pathname;
    const path = fullPath.startsWith(`${basePath}/`) ? fullPath.slice(basePath.length) : '';
    const method = req.method ?? 'GET';
    if (path === '/v1/authorize') {
      if (method !== 'GET' && method !== 'POST') return send(res, 405, { error: 'invalid_request' }, { allow: 'GET, POST' });
      return signIn.handle(req, res);
    }
    const post = posts.get(path);
    const get = gets.get(path);
    if (post === undefined && get === undefined && path !== '/v1/userinfo') {
      return send(res, 404, { errorCode: 'E0000022', errorSummary: 'The endpoint does not exist.' });
    }
    // Okta answers its trusted origins' CORS requests on every API endpoint; here: loopback origins.
    if (method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) return answerPreflight(req, res);
    for (const [name, value] of Object.entries(corsHeaders(req))) res.setHeader(name, value);
    if (path === '/v1/userinfo') {
      if (method !== 'GET' && method !== 'POST') return send(res, 405, { error: 'invalid_request' }, { allow: 'GET, POST' });
      return userinfo(req, res);
    }
    if (post !== undefined) return method === 'POST' ? post(req, res) : send(res, 405, { error: 'invalid_request' }, { allow: 'POST' });
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
    return get?.(req, res);
  };

  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'server_error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  issuer = `http://${urlHost(host)}:${port}/oauth2/${authServerId}`;

  return {
    issuer,
    jwksUri: `${issuer}/v1/keys`,
    tokenEndpoint: `${issuer}/v1/token`,
    authorizationEndpoint: `${issuer}/v1/authorize`,
    audience,
    clientId,
    clientSecret,
    publicClientId: PUBLIC_CLIENT_ID,
    get fetchCount() {
      return fetchCount;
    },
    get currentKid() {
      return keys.current.kid;
    },
    mint,
    rotate: () => keys.rotate(),
    dropOldKeys: () => keys.dropOldKeys(),
    jwks: () => keys.jwks(),
    setJwksMode: (next) => {
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
