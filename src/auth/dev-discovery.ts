/**
 * The development issuer's discovery documents, shaped like an Okta custom authorization server's
 * `{issuer}/.well-known/oauth-authorization-server` (RFC 8414) and
 * `{issuer}/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §3), but listing only
 * endpoints, grants and modes this issuer implements (no registration, device, PAR or CIBA
 * endpoints; no implicit, password or token-exchange grants). Development and tests only,
 * loopback only; it serves no HTTP.
 */
import { DEV_SCOPES, OIDC_SCOPES } from './dev-clients.ts';

/** The access-token claims Okta's custom authorization servers list (okta.md). */
const ACCESS_TOKEN_CLAIMS = ['ver', 'jti', 'iss', 'aud', 'iat', 'exp', 'cid', 'uid', 'scp', 'sub'];

/** The ID-token and userinfo claims this issuer can produce, from Okta's OIDC list. */
const OIDC_CLAIMS = ['iss', 'ver', 'sub', 'aud', 'iat', 'exp', 'jti', 'auth_time', 'amr', 'idp', 'nonce', 'name', 'preferred_username', 'email', 'email_verified'];

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'];

/** RFC 9449 §5.1: the algorithms Okta lists for DPoP proofs. */
export const DPOP_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

/** The endpoints of an issuer, all under `{issuer}/v1/` as in Okta. */
export function endpointsOf(issuer: string) {
  return {
    authorization_endpoint: `${issuer}/v1/authorize`,
    token_endpoint: `${issuer}/v1/token`,
    jwks_uri: `${issuer}/v1/keys`,
    introspection_endpoint: `${issuer}/v1/introspect`,
    revocation_endpoint: `${issuer}/v1/revoke`,
    end_session_endpoint: `${issuer}/v1/logout`,
    userinfo_endpoint: `${issuer}/v1/userinfo`,
  } as const;
}

/** RFC 8414 §2: `{issuer}/.well-known/oauth-authorization-server`. */
export function authorizationServerMetadata(issuer: string): Record<string, unknown> {
  const { userinfo_endpoint: _userinfo, ...endpoints } = endpointsOf(issuer);
  return {
    issuer,
    authorization_endpoint: endpoints.authorization_endpoint,
    token_endpoint: endpoints.token_endpoint,
    jwks_uri: endpoints.jwks_uri,
    response_types_supported: ['code'],
    // Okta also lists fragment, form_post and okta_post_message; this issuer answers in the query only.
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    subject_types_supported: ['public'],
    scopes_supported: [...OIDC_SCOPES, ...DEV_SCOPES],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    claims_supported: ACCESS_TOKEN_CLAIMS,
    // RFC 7636 §4.2 / OAuth 2.1: S256 only, as Okta.
    code_challenge_methods_supported: ['S256'],
    introspection_endpoint: endpoints.introspection_endpoint,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint: endpoints.revocation_endpoint,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    end_session_endpoint: endpoints.end_session_endpoint,
    // Okta accepts a `request` object; this issuer reads plain parameters only.
    request_parameter_supported: false,
    // RFC 9207 §3: authorization responses carry `iss`.
    authorization_response_iss_parameter_supported: true,
    dpop_signing_alg_values_supported: DPOP_ALGORITHMS,
  };
}

/** OpenID Connect Discovery 1.0 §3: `{issuer}/.well-known/openid-configuration`. */
export function openIdConfiguration(issuer: string): Record<string, unknown> {
  const base = authorizationServerMetadata(issuer);
  return {
    ...base,
    userinfo_endpoint: endpointsOf(issuer).userinfo_endpoint,
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: [...new Set([...OIDC_CLAIMS, ...ACCESS_TOKEN_CLAIMS])],
  };
}
