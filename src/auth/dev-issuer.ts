/**
 * A development and test issuer that behaves like an Okta custom authorization server (okta.md),
 * served over real HTTP on loopback only: discovery documents, `{issuer}/v1/keys` and a
 * client-credentials `{issuer}/v1/token` (RFC 6749 §4.4). It owns the routes and the simulated
 * outages of the JWKS endpoint; keys and minting live in dev-keys.ts. It implements no
 * authorization endpoint, no refresh tokens and no user login: never expose it beyond loopback.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost, urlHost } from '../config.ts';
import { KeyRing, mintToken } from './dev-keys.ts';
import type { JsonWebKeySet, MintOptions } from './dev-keys.ts';

/** The scopes this project's authorization server defines. */
export const DEV_SCOPES: readonly string[] = ['incidents:read', 'incidents:write'];

/** How the JWKS endpoint answers: normally, 503, after `slowMs`, or 200 with non-JSON. */
export type JwksMode = 'ok' | 'down' | 'slow' | 'garbage';

export interface DevIssuerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly audience?: string;
  readonly authServerId?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Delay of the JWKS answer in 'slow' mode (default 10000 ms). */
  readonly slowMs?: number;
}

/** A running development issuer. */
export interface DevIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly tokenEndpoint: string;
  readonly audience: string;
  readonly clientId: string;
  readonly clientSecret: string;
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

const MAX_FORM_BYTES = 16 * 1024;
const LIFETIME_SECONDS = 3600;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** RFC 6749 §5.2 error response. */
function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  const challenge: Record<string, string> = status === 401 ? { 'www-authenticate': 'Basic realm="dev-issuer"' } : {};
  send(res, status, { error, error_description: description }, challenge);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** application/x-www-form-urlencoded decoding of one value; undefined when malformed. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** RFC 6749 §2.3.1: Basic credentials carry the form-encoded client id and secret. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(header ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const id = formDecode(decoded.slice(0, Math.max(colon, 0)));
  const secret = formDecode(decoded.slice(colon + 1));
  return colon < 0 || id === undefined || secret === undefined ? { id: '', secret: '' } : { id, secret };
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

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
  const keys = await KeyRing.create();
  const timers = new Set<NodeJS.Timeout>();
  let mode: JwksMode = 'ok';
  let fetchCount = 0;
  let issuer = '';
  let discovery: unknown;
  let basePath = '';

  const mint = (mintOptions?: MintOptions): Promise<string> =>
    mintToken(keys.current, { issuer, audience, clientId, scopes: DEV_SCOPES }, mintOptions);

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

  const issueToken = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return send(res, 405, { error: 'invalid_request' }, { allow: 'POST' });
    const mediaType = (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase();
    if (mediaType !== 'application/x-www-form-urlencoded') return oauthError(res, 400, 'invalid_request', 'Send the request as application/x-www-form-urlencoded.');
    const form = await readForm(req);
    if (form === undefined) return oauthError(res, 400, 'invalid_request', 'The request body is too large.');
    const basic = basicCredentials(req.headers.authorization);
    const postSecret = form.get('client_secret');
    // RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request.
    if (basic !== undefined && postSecret !== null) return oauthError(res, 400, 'invalid_request', 'Use one client authentication method.');
    const caller = basic ?? { id: form.get('client_id') ?? '', secret: postSecret ?? '' };
    if (caller.id !== clientId || !sameSecret(caller.secret, clientSecret)) {
      return oauthError(res, 401, 'invalid_client', 'Client authentication failed.');
    }
    const grantType = form.get('grant_type');
    if (grantType === null) return oauthError(res, 400, 'invalid_request', 'grant_type is required.');
    if (grantType !== 'client_credentials') return oauthError(res, 400, 'unsupported_grant_type', 'Only client_credentials is supported.');
    // RFC 6749 §3.3: scope is a space-delimited list; absent means the default (all scopes).
    const requested = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
    const unknown = requested.filter((s) => !DEV_SCOPES.includes(s));
    if (unknown.length > 0) return oauthError(res, 400, 'invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
    const scopes = requested.length > 0 ? [...new Set(requested)] : DEV_SCOPES;
    const accessToken = await mint({ scopes, expiresIn: LIFETIME_SECONDS });
    // RFC 6749 §5.1: the token response is not cached.
    send(res, 200, { token_type: 'Bearer', expires_in: LIFETIME_SECONDS, access_token: accessToken, scope: scopes.join(' ') }, { pragma: 'no-cache' });
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://dev-issuer').pathname;
    if (path === `${basePath}/v1/token`) return issueToken(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
    if (path === `${basePath}/v1/keys`) return serveKeys(res);
    if (path === `${basePath}/.well-known/openid-configuration` || path === `${basePath}/.well-known/oauth-authorization-server`) {
      return send(res, 200, discovery, { 'cache-control': 'max-age=300' });
    }
    send(res, 404, { errorCode: 'E0000022', errorSummary: 'The endpoint does not exist.' });
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
  basePath = `/oauth2/${authServerId}`;
  issuer = `http://${urlHost(host)}:${port}${basePath}`;
  // RFC 8414 §2: list only what is implemented (no authorization endpoint, so no response types).
  discovery = {
    issuer,
    jwks_uri: `${issuer}/v1/keys`,
    token_endpoint: `${issuer}/v1/token`,
    grant_types_supported: ['client_credentials'],
    response_types_supported: [],
    scopes_supported: DEV_SCOPES,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  };

  return {
    issuer,
    jwksUri: `${issuer}/v1/keys`,
    tokenEndpoint: `${issuer}/v1/token`,
    audience,
    clientId,
    clientSecret,
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
