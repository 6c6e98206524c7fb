/**
 * DNS-rebinding defences and CORS (MCP 2025-11-25 basic/transports.mdx "Security Warning"):
 * an Origin that is present and not allowed gets 403; a Host that is neither a loopback name
 * with our port nor the host of MCP_PUBLIC_URL is refused; allowed browser origins get CORS
 * headers exposing the MCP headers. Absent Origin is allowed (non-browser clients, checklist H4).
 */
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from '../config.ts';
import type { Headers } from './reply.ts';

export interface OriginPolicy {
  /** Extra allowed origins, normalised as `scheme://host[:port]`. */
  readonly allowedOrigins: readonly string[];
  /** The public URL's `host` (host[:port]), always served. */
  readonly publicHost: string;
  /** The port we listen on, for loopback Host values. */
  port(): number;
}

const EXPOSED = 'MCP-Session-Id, MCP-Protocol-Version, WWW-Authenticate';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Accept, MCP-Session-Id, MCP-Protocol-Version, Last-Event-ID';

// RFC 9110 §7.2: Host = uri-host [ ":" port ]; RFC 3986 §3.2.2: uri-host = IP-literal / IPv4address /
// reg-name, reg-name = *( unreserved / pct-encoded / sub-delims ); no userinfo, no second colon.
const AUTHORITY = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::([0-9]*))?$/;

/** The host and port of an authority (`Host` value or absolute-form target), or undefined when malformed. */
export function parseAuthority(authority: string): { name: string; port: string } | undefined {
  const match = AUTHORITY.exec(authority);
  return match === null ? undefined : { name: match[1] as string, port: match[2] ?? '' };
}

/**
 * True when `authority` names this server: the public host, or a loopback name with our port — or
 * with the public URL's port when that URL is itself on loopback (a local proxy in front: its
 * clients may call it localhost or 127.0.0.1 alike).
 */
export function isAllowedAuthority(authority: string, policy: OriginPolicy): boolean {
  const host = authority.toLowerCase();
  const publicHost = policy.publicHost.toLowerCase();
  if (host === publicHost) return true;
  const parsed = parseAuthority(host);
  if (parsed === undefined || parsed.name === '' || !isLoopbackHost(parsed.name)) return false;
  // RFC 9110 §7.2: a Host without a port means the scheme's default (80 for http).
  const port = parsed.port === '' ? '80' : parsed.port;
  if (port === String(policy.port())) return true;
  const front = parseAuthority(publicHost);
  return front !== undefined && isLoopbackHost(front.name) && (front.port === '' ? '80' : front.port) === port;
}

/** True when the Host header names this server (see isAllowedAuthority). */
export function isAllowedHost(req: IncomingMessage, policy: OriginPolicy): boolean {
  const host = req.headers.host;
  return host !== undefined && isAllowedAuthority(host, policy);
}

/** True for an allowed browser origin: loopback (any port), the public URL's, or configured. */
export function isAllowedOrigin(origin: string, policy: OriginPolicy): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  // RFC 6454 §6.2: an Origin header is exactly a serialised origin.
  if (url.origin !== origin.toLowerCase()) return false;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname)) return true;
  return url.host === policy.publicHost || policy.allowedOrigins.includes(url.origin);
}

/** Origin check for /mcp: 'absent', 'allowed' or 'forbidden'. */
export function checkOrigin(req: IncomingMessage, policy: OriginPolicy): 'absent' | 'allowed' | 'forbidden' {
  const origin = req.headers.origin;
  if (origin === undefined) return 'absent';
  return isAllowedOrigin(origin, policy) ? 'allowed' : 'forbidden';
}

/** CORS headers for a response to an allowed origin. */
export function corsHeaders(origin: string | undefined): Headers {
  if (origin === undefined) return {};
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED, vary: 'Origin' };
}

/** Answer to a CORS preflight (Fetch standard, CORS-preflight request). */
export function preflightHeaders(origin: string): Headers {
  return {
    ...corsHeaders(origin),
    'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': 600,
  };
}
