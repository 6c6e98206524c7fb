/**
 * The verifier seam: what the transport asks of authentication, and what it gets back.
 * A Principal is the identity proven by a validated access token (Bearer, or DPoP with its proof);
 * the transport binds sessions to it and checks scopes against it. How tokens and proofs are
 * checked lives behind BearerVerifier.
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
  /** RFC 9449 §6.1: the token's `cnf.jkt`, when it is DPoP-bound (usable only with a proof by that key). */
  readonly jkt?: string | undefined;
}

/** RFC 9110 §11.1 auth-schemes this server accepts: RFC 6750 Bearer and RFC 9449 §7.1 DPoP. */
export type AuthScheme = 'Bearer' | 'DPoP';

/** Why a request was not authenticated; the transport maps each kind to its HTTP answer. */
export type AuthFailureKind =
  /** RFC 6750 §3.1: no usable credentials (none, another scheme, query only) → 401 without `error`. */
  | 'missing'
  /** RFC 6750 §3.1: a malformed Bearer header, or header and query at once → 400 `invalid_request`. */
  | 'malformed'
  /** RFC 6750 §3.1: bad, expired, wrong-audience… token → 401 `invalid_token`. */
  | 'invalid'
  /** RFC 9449 §7.1: a DPoP proof that is missing, malformed, replayed or not for this request → 401 `invalid_dpop_proof`. */
  | 'proof'
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
  /** The scheme the request used: the challenge answers in it (RFC 9449 §7.1). */
  readonly scheme: AuthScheme;

  constructor(kind: AuthFailureKind, description: string, detail = description, clientId?: string, scheme: AuthScheme = 'Bearer') {
    super(description);
    this.name = 'AuthFailure';
    this.kind = kind;
    this.description = description;
    this.detail = detail;
    this.clientId = clientId;
    this.scheme = scheme;
  }

  /** The same failure, as met by a request that used `scheme`. */
  inScheme(scheme: AuthScheme): AuthFailure {
    return scheme === this.scheme ? this : new AuthFailure(this.kind, this.description, this.detail, this.clientId, scheme);
  }
}

/** What a verifier needs of the HTTP request to check a DPoP proof (RFC 9449 §4.3). */
export interface RequestFacts {
  /** The request method, for `htm`. */
  readonly method: string;
  /** The public URL of the endpoint, without query or fragment, for `htu`. */
  readonly url: string;
  /** Every `DPoP` header field value of the request (none: undefined). */
  readonly proofs: readonly string[] | undefined;
}

/** How a verifier takes DPoP (RFC 9449): the proof algorithms it accepts, and whether Bearer is refused. */
export interface DpopPolicy {
  readonly algorithms: readonly string[];
  /** OKTA_REQUIRE_DPOP: only DPoP-bound tokens, with a proof (RFC 9728 §2 dpop_bound_access_tokens_required). */
  readonly required: boolean;
}

/**
 * Authenticates one HTTP request from its `Authorization` header value (undefined when absent).
 * Resolves to the principal or rejects with an AuthFailure; never accepts a token it could not
 * verify.
 */
export interface BearerVerifier {
  /** `request` carries what DPoP needs; without it a DPoP-scheme request is refused. */
  verify(authorization: string | undefined, request?: RequestFacts): Promise<Principal>;
  /** Present when the verifier accepts the DPoP scheme: challenges and metadata advertise it. */
  readonly dpop?: DpopPolicy | undefined;
}

/** What the transport needs to build challenges (RFC 6750 §3, RFC 9728 §5.1). */
export interface ChallengeInfo {
  /** Absolute URL of the Protected Resource Metadata document. */
  readonly resourceMetadataUrl: string;
  /** Scopes named in a 401 challenge: the minimal set to use the server. */
  readonly defaultScopes: readonly string[];
}
