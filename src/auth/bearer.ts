/**
 * Reading a bearer token from an HTTP request (RFC 6750 §2.1, MCP 2025-11-25 basic/authorization.mdx).
 * Owns the `Authorization: Bearer <b64token>` grammar and the "no token in the query" rule.
 * It does not verify tokens (see okta-verifier.ts) nor write HTTP answers (the transport does,
 * mapping AuthFailure kinds to statuses).
 */
import { AuthFailure } from './principal.ts';

/**
 * RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token
 *   b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 * RFC 9110 §11.1: the auth-scheme is case-insensitive.
 */
const BEARER_CREDENTIALS = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** RFC 9110 §5.5: a field value carries no leading or trailing whitespace (SP / HTAB). */
const OUTER_WHITESPACE = /^[ \t]+|[ \t]+$/g;

/** The client-safe description for every header that is present but not bearer credentials. */
export const MALFORMED_DESCRIPTION = 'Malformed Authorization header';

/**
 * Returns the token from an `Authorization` header value.
 * @throws AuthFailure `missing` when the header is absent or empty (RFC 6750 §3.1: no `error`),
 *   `malformed` for another scheme, an empty token, several tokens or any character outside b64token.
 */
export function extractBearer(authorization: string | undefined): string {
  const value = authorization?.replace(OUTER_WHITESPACE, '') ?? '';
  if (value === '') throw new AuthFailure('missing', 'No access token was provided');
  const match = BEARER_CREDENTIALS.exec(value);
  const token = match?.[1];
  if (token === undefined) {
    // Never echo the value: a mistyped header may well hold a secret.
    const detail = /^bearer( |$)/i.test(value)
      ? 'Bearer credentials are not a single b64token'
      : 'Authorization header does not use the Bearer scheme';
    throw new AuthFailure('malformed', MALFORMED_DESCRIPTION, detail);
  }
  return token;
}

/**
 * True when the query string carries `access_token` (RFC 6750 §2.3).
 * MCP 2025-11-25 basic/authorization.mdx: access tokens MUST NOT be in the URI query string, so the
 * transport answers such a request as `malformed` (400 `invalid_request`) whatever else it carries.
 */
export function hasQueryToken(searchParams: URLSearchParams): boolean {
  return searchParams.has('access_token');
}
