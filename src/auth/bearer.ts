/**
 * Reading an access token from an HTTP request (RFC 6750 §2.1, RFC 9449 §7.1, MCP 2025-11-25
 * basic/authorization.mdx). Owns the `Authorization: Bearer <b64token>` and `Authorization: DPoP
 * <token68>` grammar, which requests carry no usable credentials (RFC 6750 §3.1: `missing`) and
 * which are malformed (`malformed`), and the "no token in the query" rule. The header is scanned
 * once, left to right, with no regular expression: its cost is linear in its length whatever it
 * holds. It does not verify tokens or proofs (see okta-verifier.ts, dpop.ts) nor write HTTP answers
 * (the transport maps AuthFailure kinds to statuses).
 */
import { AuthFailure, type AuthScheme } from './principal.ts';

const HTAB = 0x09;
const SPACE = 0x20;
const EQUALS = 0x3d;

/** RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
const B64TOKEN_CHAR = asciiTable('-._~+/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');
/** RFC 9110 §5.6.2: auth-scheme = token = 1*tchar. */
const TCHAR = asciiTable("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

function asciiTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const c of chars) table[c.charCodeAt(0)] = 1;
  return table;
}

/** Index after the run of characters of `table` starting at `i`. */
function run(s: string, i: number, table: Uint8Array): number {
  while (i < s.length && table[s.charCodeAt(i)] === 1) i++;
  return i;
}

const isOws = (c: number): boolean => c === SPACE || c === HTAB;

/** The client-safe description for a Bearer header that breaks the b64token grammar. */
export const MALFORMED_DESCRIPTION = 'Malformed Authorization header';
/** The client-safe description when a request carries no Bearer credentials at all. */
export const MISSING_DESCRIPTION = 'No access token was provided';

/** An access token and the scheme it came with. */
export interface Credentials {
  readonly scheme: AuthScheme;
  readonly token: string;
}

/** RFC 9110 §11.1: the auth-scheme is case-insensitive. */
function schemeOf(name: string): AuthScheme | undefined {
  const lower = name.toLowerCase();
  return lower === 'bearer' ? 'Bearer' : lower === 'dpop' ? 'DPoP' : undefined;
}

/**
 * Returns the token from an `Authorization` header value.
 * @throws AuthFailure `missing` when the header is absent, empty or uses another scheme than Bearer
 *   (RFC 6750 §3.1: no credentials, or "an unsupported authentication method", gets no `error`);
 *   `malformed` for a Bearer header without exactly one b64token, or a scheme that is not a token.
 */
export function extractBearer(authorization: string | undefined): string {
  const credentials = extractCredentials(authorization);
  if (credentials.scheme !== 'Bearer') throw missing('Authorization header does not use the Bearer scheme');
  return credentials.token;
}

/**
 * Returns the token and scheme from an `Authorization` header value: Bearer (RFC 6750 §2.1) or
 * DPoP (RFC 9449 §7.1, whose token68 has b64token's grammar).
 * @throws AuthFailure `missing` when the header is absent, empty or uses another scheme;
 *   `malformed` (in the scheme used) for credentials that are not exactly one token.
 */
export function extractCredentials(authorization: string | undefined): Credentials {
  if (authorization === undefined) throw missing('no Authorization header');
  // RFC 9110 §5.5: a field value carries no leading or trailing whitespace (SP / HTAB).
  let start = 0;
  let end = authorization.length;
  while (start < end && isOws(authorization.charCodeAt(start))) start++;
  while (end > start && isOws(authorization.charCodeAt(end - 1))) end--;
  if (start === end) throw missing('empty Authorization header');
  const value = authorization.slice(start, end);
  // RFC 9110 §11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ].
  const schemeEnd = run(value, 0, TCHAR);
  if (schemeEnd === 0 || (schemeEnd < value.length && value.charCodeAt(schemeEnd) !== SPACE)) {
    // Never echo the value: a mistyped header may well hold a secret.
    throw malformed('Authorization header does not start with an auth-scheme token');
  }
  const scheme = schemeOf(value.slice(0, schemeEnd));
  if (scheme === undefined) throw missing('Authorization header uses neither the Bearer nor the DPoP scheme');
  // RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; RFC 9449 §7.1: "DPoP" 1*SP token68.
  let i = schemeEnd;
  while (value.charCodeAt(i) === SPACE) i++;
  const tokenStart = i;
  i = run(value, i, B64TOKEN_CHAR);
  if (i === tokenStart) throw malformed(`${scheme} credentials carry no token`, scheme);
  while (value.charCodeAt(i) === EQUALS) i++;
  if (i !== value.length) throw malformed(`${scheme} credentials are not a single token`, scheme);
  return { scheme, token: value.slice(tokenStart) };
}

function missing(detail: string): AuthFailure {
  return new AuthFailure('missing', MISSING_DESCRIPTION, detail);
}

function malformed(detail: string, scheme: AuthScheme = 'Bearer'): AuthFailure {
  return new AuthFailure('malformed', MALFORMED_DESCRIPTION, detail, undefined, scheme);
}

/** True when the query string carries `access_token` (RFC 6750 §2.3). */
export function hasQueryToken(searchParams: URLSearchParams): boolean {
  return searchParams.has('access_token');
}

/**
 * The refusal of a request with `access_token` in its query. MCP 2025-11-25 basic/authorization.mdx:
 * access tokens MUST NOT be in the URI query string, so that method is unsupported: alone, the
 * request has no usable credentials (`missing`, RFC 6750 §3.1); beside an Authorization header it
 * "uses more than one method for including an access token" (`malformed`, RFC 6750 §3.1).
 */
export function queryTokenFailure(authorization: string | undefined): AuthFailure {
  const hasHeader = authorization !== undefined && authorization.trim() !== '';
  return hasHeader
    ? new AuthFailure('malformed', 'Send the token in the Authorization header only', 'access token in both the header and the query string')
    : new AuthFailure('missing', MISSING_DESCRIPTION, 'access token in the query string only');
}
