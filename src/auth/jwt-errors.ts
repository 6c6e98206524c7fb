/**
 * The one table from jose's error codes to AuthFailure (STYLE principle 3: one catalogue).
 * Owns the client-safe descriptions and the log-only details of every token rejection, and the
 * split between a bad token (`invalid`, RFC 6750 §3.1 invalid_token) and an issuer we cannot
 * reach (`unavailable`, the server's problem). It does not verify anything, and it rethrows
 * errors that are not jose's or ours: those are programming errors, not bad tokens.
 */
import { errors } from 'jose';
import { describeFetchFailure } from './fetch-errors.ts';
import { AuthFailure } from './principal.ts';

/** What the verifier expected, for log details such as `audience: expected X, got Y`. */
export interface Expected {
  readonly issuer: string;
  readonly audience: string;
}

export const UNAVAILABLE_DESCRIPTION = 'The token issuer cannot be reached';
export const UNKNOWN_KEY_DESCRIPTION = 'Unknown signing key';

/** Log details never carry more than this much of a claim value. */
const DETAIL_VALUE_LIMIT = 200;

function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > DETAIL_VALUE_LIMIT ? `${text.slice(0, DETAIL_VALUE_LIMIT)}…` : text;
}

function invalid(description: string, detail: string, clientId: string | undefined): AuthFailure {
  return new AuthFailure('invalid', description, detail, clientId);
}

function claimFailure(error: errors.JWTClaimValidationFailed, expected: Expected, clientId: string | undefined): AuthFailure {
  const got = error.payload[error.claim];
  if (error.reason === 'missing') {
    return invalid(`The access token has no "${error.claim}" claim`, error.message, clientId);
  }
  switch (error.claim) {
    // RFC 8707 §2 / MCP: only tokens issued for this server; okta.md: log both audiences.
    case 'aud':
      return invalid('The access token is not for this server', `audience: expected ${shown(expected.audience)}, got ${shown(got)}`, clientId);
    // RFC 9068 §4: iss must exactly match the authorization server's issuer.
    case 'iss':
      return invalid('The access token is from another issuer', `issuer: expected ${shown(expected.issuer)}, got ${shown(got)}`, clientId);
    // RFC 7519 §4.1.5: not before the nbf time, beyond the clock tolerance.
    case 'nbf':
      return invalid('The access token is not yet valid', `nbf ${shown(got)} is in the future`, clientId);
    default:
      return invalid('The access token has an invalid claim', `${error.claim}: ${error.message}`, clientId);
  }
}

/** A failure thrown while resolving the signing key: unknown kid is the token's fault, the rest the issuer's. */
export function keyResolutionFailure(error: unknown): AuthFailure {
  if (error instanceof AuthFailure) return error;
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    // okta.md: the kid is not in the issuer's key set, even after the rate-limited refresh.
    return invalid(UNKNOWN_KEY_DESCRIPTION, error.message, undefined);
  }
  // JWKSTimeout, non-200, non-JSON (generic JOSEError), JWKSInvalid, a refused connection (TypeError
  // from fetch): okta.md "Outage": not the client's problem, and never an accepted token.
  return new AuthFailure('unavailable', UNAVAILABLE_DESCRIPTION, `JWKS: ${describeFetchFailure(error)}`);
}

/**
 * Maps an error from `jwtVerify` to an AuthFailure carrying `clientId` (the unverified `cid`).
 * @throws the error itself when it is neither an AuthFailure nor a jose error.
 */
export function toAuthFailure(error: unknown, expected: Expected, clientId: string | undefined): AuthFailure {
  if (error instanceof AuthFailure) {
    return new AuthFailure(error.kind, error.description, error.detail, clientId);
  }
  if (error instanceof errors.JWTExpired) {
    // RFC 7519 §4.1.4; the description is the one MCP's examples show.
    return invalid('The access token expired', error.message, clientId);
  }
  if (error instanceof errors.JWTClaimValidationFailed) return claimFailure(error, expected, clientId);
  if (error instanceof errors.JOSEAlgNotAllowed) {
    // RFC 8725 §3.1: accept only the expected algorithm (no "none", no HMAC with a public key).
    return invalid('The access token is not signed with RS256', error.message, clientId);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return invalid('The access token signature is invalid', error.message, clientId);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return invalid('The access token is not a valid JWT', error.message, clientId);
  }
  if (error instanceof errors.JOSEError) {
    return invalid('The access token could not be verified', `${error.code}: ${error.message}`, clientId);
  }
  throw error;
}
