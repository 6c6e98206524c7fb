/**
 * The verifier seam: what the transport asks of authentication, and what it gets back.
 * A Principal is the identity proven by a validated bearer token; the transport binds sessions
 * to it and checks scopes against it. How tokens are checked lives behind BearerVerifier.
 */

/** Who made a request, as proven by a validated access token. */
export interface Principal {
  /** The token's `iss`, exactly. */
  readonly issuer: string;
  /** The token's `sub` (a user's login, or the client id for client-credentials tokens). */
  readonly subject: string;
  /** Okta's `cid`: the OAuth client the token was issued to. */
  readonly clientId: string | undefined;
  /** Okta's `uid`, present on user tokens only. */
  readonly userId: string | undefined;
  /** Granted scopes, from `scp` (array) or, when absent, a space-separated `scope`. */
  readonly scopes: ReadonlySet<string>;
  /** `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
}

/** Why a request was not authenticated; the transport maps each kind to its HTTP answer. */
export type AuthFailureKind =
  /** RFC 6750 §3.1: no usable credentials (none, another scheme, query only) → 401 without `error`. */
  | 'missing'
  /** RFC 6750 §3.1: a malformed Bearer header, or header and query at once → 400 `invalid_request`. */
  | 'malformed'
  /** RFC 6750 §3.1: bad, expired, wrong-audience… token → 401 `invalid_token`. */
  | 'invalid'
  /** The issuer's keys could not be fetched: the server's problem → 503 with Retry-After. */
  | 'unavailable';

/** Thrown by a verifier; `description` may go to the client, `detail` only to the log. */
export class AuthFailure extends Error {
  readonly kind: AuthFailureKind;
  /** Short, safe text for `error_description` (never the token, never a key). */
  readonly description: string;
  /** Fuller reason for the server log (expected vs received audience…); never sent. */
  readonly detail: string;
  /** Client id read from the (unverified) token, for the log line only. */
  readonly clientId: string | undefined;

  constructor(kind: AuthFailureKind, description: string, detail = description, clientId?: string) {
    super(description);
    this.name = 'AuthFailure';
    this.kind = kind;
    this.description = description;
    this.detail = detail;
    this.clientId = clientId;
  }
}

/**
 * Authenticates one HTTP request from its `Authorization` header value (undefined when absent).
 * Resolves to the principal or rejects with an AuthFailure; never accepts a token it could not
 * verify.
 */
export interface BearerVerifier {
  verify(authorization: string | undefined): Promise<Principal>;
}

/** What the transport needs to build challenges (RFC 6750 §3, RFC 9728 §5.1). */
export interface ChallengeInfo {
  /** Absolute URL of the Protected Resource Metadata document. */
  readonly resourceMetadataUrl: string;
  /** Scopes named in a 401 challenge: the minimal set to use the server. */
  readonly defaultScopes: readonly string[];
}
