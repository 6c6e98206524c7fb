/**
 * The request gate in front of the router: message-level hygiene every path shares (the MCP
 * endpoint, the metadata documents, unknown paths). It classifies a request into its target URL
 * or one refusal (STYLE principle 5) from the header count, header fields that must appear once,
 * the Host header and an absolute-form target's authority, and the transfer coding. It writes
 * nothing and does not look at Origin, tokens or bodies.
 */
import type { IncomingMessage } from 'node:http';
import { isAllowedAuthority, parseAuthority, type OriginPolicy } from './origin.ts';
import type { Refusal } from './refusal.ts';

/** More header fields than any real client sends; 16 KiB (maxHeaderSize) bounds them anyway. */
export const MAX_HEADER_FIELDS = 100;

/**
 * Headers that must appear at most once (duplicates are ambiguous, RFC 9110 §5.3). Origin is not
 * here: two Origin lines join into a value that is no origin, refused with 403 on /mcp
 * (docs/decisions.md) and irrelevant to the open metadata documents.
 */
const SINGLE_HEADERS = new Set(['authorization', 'mcp-session-id', 'mcp-protocol-version', 'content-type', 'content-length', 'host', 'last-event-id']);

// RFC 9112 §3.2.2: absolute-form = absolute-URI; only http(s) URIs name resources of this server.
// The path part must start at "/" or "?": `([^#]*)` after `([^/?#]*)` backtracked quadratically (issue 15).
const ABSOLUTE_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([/?][^#]*)?$/;
// RFC 9112 §7: transfer-coding names are case-insensitive; "chunked" alone is the one we implement.
const CHUNKED_ONLY = /^[ \t]*chunked[ \t]*$/i;
const CHUNKED_LAST = /(?:^|,)[ \t]*chunked[ \t]*$/i;

/** A request the router may serve, with its effective target; or the refusal that answers it. */
export type GateVerdict = { readonly url: URL } | Refusal;

function hasDuplicateHeader(raw: readonly string[]): boolean {
  const seen = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (!SINGLE_HEADERS.has(name)) continue;
    if (seen.has(name)) return true;
    seen.add(name);
  }
  return false;
}

/** The request-target as a URL on this server plus the authority it names, if absolute-form. */
function parseTarget(target: string): { url: URL; authority?: string } | undefined {
  // RFC 9112 §3.2.4: asterisk-form names no resource here; it is routed as the path "*" (404).
  const origin = target.startsWith('/') || target === '*' ? target : undefined;
  const absolute = origin === undefined ? ABSOLUTE_FORM.exec(target) : null;
  if (origin === undefined && absolute === null) return undefined;
  const scheme = absolute?.[1]?.toLowerCase();
  if (absolute !== null && scheme !== 'http' && scheme !== 'https') return undefined;
  const rest = origin ?? absolute?.[3] ?? '';
  try {
    // The path is read as given ("//x" stays a path, never an authority).
    const url = new URL(`http://target.invalid${rest.startsWith('/') || rest === '*' ? rest : `/${rest}`}`);
    return absolute === null ? { url } : { url, authority: absolute[2] as string };
  } catch {
    return undefined;
  }
}

/** Judges the message of `req` before any route sees it. */
export function admit(req: IncomingMessage, policy: OriginPolicy): GateVerdict {
  // RFC 6585 §5: 431 when the header fields are too large (here: too many).
  if (req.rawHeaders.length / 2 > MAX_HEADER_FIELDS) return { refusal: 'tooManyHeaders' };
  // RFC 9112 §3.2: more than one Host line is 400, like every other header that must appear once.
  if (hasDuplicateHeader(req.rawHeaders)) return { refusal: 'duplicateHeader' };
  const host = req.headers.host;
  // RFC 9112 §3.2: "a Host header field with an invalid field value" is 400 (userinfo included, RFC 9110 §4.2.4).
  if (host !== undefined && parseAuthority(host) === undefined) return { refusal: 'badHost' };
  const target = parseTarget(req.url ?? '');
  if (target === undefined) return { refusal: 'badTarget' };
  // RFC 9112 §3.2.2: the authority of an absolute-form target replaces Host.
  if (target.authority !== undefined && parseAuthority(target.authority) === undefined) return { refusal: 'badTarget' };
  const authority = target.authority ?? host;
  // Checklist H4 (DNS rebinding): an authority we do not serve is 403, whatever the path.
  if (authority === undefined || !isAllowedAuthority(authority, policy)) return { refusal: 'hostForbidden' };
  const coding = req.headers['transfer-encoding'];
  if (coding !== undefined && !CHUNKED_ONLY.test(coding)) {
    // RFC 9112 §6.3: chunked not final → the length cannot be determined: 400; RFC 9112 §6.1: a coding we do not implement → 501.
    return CHUNKED_LAST.test(coding) ? { refusal: 'unsupportedTransferCoding' } : { refusal: 'unframedBody' };
  }
  return { url: target.url };
}
