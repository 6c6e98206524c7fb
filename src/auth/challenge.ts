/**
 * `WWW-Authenticate` values for the Bearer scheme (RFC 6750 §3, RFC 9728 §5.1, MCP 2025-11-25
 * basic/authorization.mdx). Owns the attribute order and the quoting; each builder is pure and
 * returns one line (RFC 9112 forbids obsolete line folding). It does not pick statuses or decide
 * which challenge applies: the transport maps AuthFailure kinds to these builders.
 */
import type { ChallengeInfo } from './principal.ts';

/** Anything outside SP and VCHAR (controls, CR, LF, DEL, non-ASCII): dropped from header text. */
const NOT_HEADER_TEXT = /[^\x20-\x7E]/g;
/** RFC 9110 §5.6.4: inside a quoted-string, `"` and `\` travel as quoted-pairs. */
const NEEDS_QUOTED_PAIR = /["\\]/g;
/** RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E. */
const NOT_DESCRIPTION_TEXT = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;
/** RFC 6750 §3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** RFC 9110 §5.6.4 quoted-string, after removing what a header value may not carry. */
function quote(value: string): string {
  return `"${value.replace(NOT_HEADER_TEXT, '').replace(NEEDS_QUOTED_PAIR, '\\$&')}"`;
}

/** RFC 6750 §3 error_description text: `"` becomes `'`, other disallowed characters go. */
function description(text: string): string {
  return quote(text.replace(/"/g, "'").replace(NOT_DESCRIPTION_TEXT, ''));
}

/** RFC 6750 §3 scope attribute: space-delimited scope-tokens; invalid tokens are left out. */
function scopeList(scopes: readonly string[]): string {
  return quote(scopes.filter((scope) => SCOPE_TOKEN.test(scope)).join(' '));
}

function challenge(params: ReadonlyArray<readonly [string, string]>): string {
  return `Bearer ${params.map(([name, value]) => `${name}=${value}`).join(', ')}`;
}

function scopeParam(scopes: readonly string[]): ReadonlyArray<readonly [string, string]> {
  return scopes.length === 0 ? [] : [['scope', scopeList(scopes)]];
}

/**
 * 401 for a request without usable credentials (none, another scheme, a token only in the query).
 * RFC 6750 §3.1: no `error` attribute; MCP: the `resource_metadata` URL (RFC 9728 §5.1) and the
 * scopes to request, so the client can discover how to get a token.
 */
export function missingTokenChallenge(info: ChallengeInfo): string {
  return challenge([['resource_metadata', quote(info.resourceMetadataUrl)], ...scopeParam(info.defaultScopes)]);
}

/** 401 `invalid_token` (RFC 6750 §3.1): expired, revoked, malformed JWT, wrong audience… */
export function invalidTokenChallenge(info: ChallengeInfo, text: string): string {
  return challenge([
    ['error', '"invalid_token"'],
    ['error_description', description(text)],
    ['resource_metadata', quote(info.resourceMetadataUrl)],
    ...scopeParam(info.defaultScopes),
  ]);
}

/** 400 `invalid_request` (RFC 6750 §3.1): a malformed Bearer header, or a token sent by two methods. */
export function malformedRequestChallenge(info: ChallengeInfo, text: string): string {
  return challenge([
    ['error', '"invalid_request"'],
    ['error_description', description(text)],
    ['resource_metadata', quote(info.resourceMetadataUrl)],
  ]);
}

/**
 * 403 `insufficient_scope` (RFC 6750 §3.1; MCP basic/authorization.mdx "Runtime Insufficient Scope
 * Errors"): `scopes` are those the current request needs.
 */
export function insufficientScopeChallenge(info: ChallengeInfo, scopes: readonly string[], text: string): string {
  return challenge([
    ['error', '"insufficient_scope"'],
    ...scopeParam(scopes),
    ['resource_metadata', quote(info.resourceMetadataUrl)],
    ['error_description', description(text)],
  ]);
}
