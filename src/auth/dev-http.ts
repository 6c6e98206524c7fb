/**
 * HTTP plumbing shared by the development issuer's endpoints (dev-issuer.ts): JSON and OAuth error
 * answers, a bounded form reader, client credentials from a Basic header, and CORS for loopback
 * origins the way Okta answers its trusted origins. Development and tests only, loopback only: it
 * routes nothing and knows no client.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackHost } from '../config.ts';

const MAX_FORM_BYTES = 16 * 1024;

/** Writes a JSON answer that no cache keeps. */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** RFC 6749 §5.2 error response; 401 carries the Basic challenge §5.2 requires. */
export function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  const challenge: Record<string, string> = status === 401 ? { 'www-authenticate': 'Basic realm="dev-issuer"' } : {};
  send(res, status, { error, error_description: description }, challenge);
}

/** A refusal from a grant or endpoint: one value, written by the router. */
export interface OAuthRefusal {
  readonly status: 400 | 401;
  readonly error: string;
  readonly description: string;
}

export const refuse = (error: string, description: string, status: 400 | 401 = 400): OAuthRefusal => ({ status, error, description });

/** The media type of a request, lower-cased, without parameters. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/** Reads an application/x-www-form-urlencoded body; undefined when it is another type or too large. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  if (mediaType(req) !== 'application/x-www-form-urlencoded') return undefined;
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
export function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(header ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const id = formDecode(decoded.slice(0, Math.max(colon, 0)));
  const secret = formDecode(decoded.slice(colon + 1));
  return colon < 0 || id === undefined || secret === undefined ? { id: '', secret: '' } : { id, secret };
}

/** An `Origin` that is http(s) on a loopback host, the only trusted origins here; else undefined. */
export function loopbackOrigin(req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  try {
    const url = new URL(origin);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(host) && url.origin === origin ? origin : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 9110 §5.6.2 tokens, comma-separated: what a preflight may ask for. */
const HEADER_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?: *, *[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;

/**
 * Fetch standard §3.2 CORS headers for a trusted (loopback) origin, as Okta sends them for its
 * trusted origins; none for other origins, so the browser refuses the answer.
 */
export function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = loopbackOrigin(req);
  if (origin === undefined) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'WWW-Authenticate, DPoP-Nonce',
    vary: 'Origin',
  };
}

/** Fetch standard §3.2.2: a preflight is answered 204 with what may follow, or 403 for a foreign origin. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  if (loopbackOrigin(req) === undefined) {
    res.writeHead(403, { vary: 'Origin', 'content-length': '0' });
    return void res.end();
  }
  const requested = req.headers['access-control-request-headers']?.trim() ?? '';
  const headers: Record<string, string> = {
    ...corsHeaders(req),
    'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS',
    'access-control-max-age': '86400',
    'content-length': '0',
  };
  if (requested !== '' && HEADER_LIST.test(requested)) headers['access-control-allow-headers'] = requested;
  res.writeHead(204, headers);
  res.end();
}

/** RFC 6750 §2.1: the token of an `Authorization: Bearer` header, else undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header ?? '');
  return match?.[1];
}
