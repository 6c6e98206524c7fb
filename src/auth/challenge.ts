/**
 * `WWW-Authenticate` values for the Bearer and DPoP schemes (RFC 6750 §3, RFC 9449 §7.1, RFC 9728
 * §5.1, MCP 2025-11-25 basic/authorization.mdx). Owns the attribute order and the quoting; each
 * builder is pure and returns one line (RFC 9112 forbids obsolete line folding), several challenges
 * comma-separated (RFC 9110 §11.6.1). A builder given a DpopPolicy answers in the DPoP scheme, with
 * `algs`. It does not pick statuses or decide which challenge applies: the transport does.
 */
import type { ChallengeInfo, DpopPolicy } from './principal.ts';

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

type Params = ReadonlyArray<readonly [string, string]>;

/** RFC 9449 §7.1: a DPoP challenge names the proof algorithms accepted in `algs`. */
function challenge(params: Params, dpop?: DpopPolicy): string {
  const all = dpop === undefined ? params : [...params, ['algs', quote(dpop.algorithms.join(' '))] as const];
  return `${dpop === undefined ? 'Bearer' : 'DPoP'} ${all.map(([name, value]) => `${name}=${value}`).join(', ')}`;
}

/** The challenge in the scheme of `dpop`, with the error attributes first (RFC 9449 §7.1 example). */
function errorChallenge(error: Params, rest: Params, dpop: DpopPolicy | undefined): string {
  return dpop === undefined ? challenge([...error, ...rest]) : `${challenge(error, dpop)}, ${rest.map(([name, value]) => `${name}=${value}`).join(', ')}`;
}

function scopeParam(scopes: readonly string[]): ReadonlyArray<readonly [string, string]> {
  return scopes.length === 0 ? [] : [['scope', scopeList(scopes)]];
}

/**
 * 401 for a request without usable credentials (none, another scheme, a token only in the query).
 * RFC 6750 §3.1: no `error` attribute; MCP: the `resource_metadata` URL (RFC 9728 §5.1) and the
 * scopes to request, so the client can discover how to get a token. RFC 9449 §7.1: a server that
 * takes DPoP challenges in that scheme too; Bearer is left out when only DPoP is accepted.
 */
export function missingTokenChallenge(info: ChallengeInfo, dpop?: DpopPolicy): string {
  const params: Params = [['resource_metadata', quote(info.resourceMetadataUrl)], ...scopeParam(info.defaultScopes)];
  if (dpop === undefined) return challenge(params);
  const dpopChallenge = `DPoP algs=${quote(dpop.algorithms.join(' '))}, ${params.map(([name, value]) => `${name}=${value}`).join(', ')}`;
  return dpop.required ? dpopChallenge : `${challenge(params)}, ${dpopChallenge}`;
}

/**
 * 401 `invalid_token` (RFC 6750 §3.1): expired, revoked, malformed JWT, wrong audience…, in the
 * DPoP scheme when the token came with it (`dpop` given; RFC 9449 §7.1).
 */
export function invalidTokenChallenge(info: ChallengeInfo, text: string, dpop?: DpopPolicy): string {
  return errorChallenge(
    [['error', '"invalid_token"'], ['error_description', description(text)]],
    [['resource_metadata', quote(info.resourceMetadataUrl)], ...scopeParam(info.defaultScopes)],
    dpop,
  );
}

/** 401 `invalid_dpop_proof` (RFC 9449 §7.1): the DPoP proof is missing, invalid or replayed. */
export function invalidProofChallenge(info: ChallengeInfo, text: string, dpop: DpopPolicy): string {
  return errorChallenge(
    [['error', '"invalid_dpop_proof"'], ['error_description', description(text)]],
    [['resource_metadata', quote(info.resourceMetadataUrl)], ...scopeParam(info.defaultScopes)],
    dpop,
  );
}

/** 400 `invalid_request` (RFC 6750 §3.1): a malformed Authorization header, or a token sent by two methods. */
export function malformedRequestChallenge(info: ChallengeInfo, text: string, dpop?: DpopPolicy): string {
  return errorChallenge(
    [['error', '"invalid_request"'], ['error_description', description(text)]],
    [['resource_metadata', quote(info.resourceMetadataUrl)]],
    dpop,
  );
}

/**
 * 403 `insufficient_scope` (RFC 6750 §3.1; MCP basic/authorization.mdx "Runtime Insufficient Scope
 * Errors"): `scopes` are those the current request needs.
 */
export function insufficientScopeChallenge(info: ChallengeInfo, scopes: readonly string[], text: string, dpop?: DpopPolicy): string {
  return errorChallenge(
    [['error', '"insufficient_scope"'], ...scopeParam(scopes)],
    [['resource_metadata', quote(info.resourceMetadataUrl)], ['error_description', description(text)]],
    dpop,
  );
}
