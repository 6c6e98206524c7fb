/**
 * Who is asking, as the protocol core and the features see it: the plain facts they use (who,
 * through which client, with which scopes), owned here so that protocol/ and features never
 * depend on how a caller was authenticated. The transport passes its verified principal, which
 * has these fields among others (auth/principal.ts), so no conversion happens per request.
 * Tokens, issuers and expiry stay with the transport and auth/.
 */

/** The caller of one request. */
export interface Identity {
  /** The authenticated subject (a user's login, or a client id for machine callers). */
  readonly subject: string;
  /** The OAuth client the caller uses, when the credential names one. */
  readonly clientId: string | undefined;
  /** Scopes granted to the caller; what it may read and change is decided from these. */
  readonly scopes: ReadonlySet<string>;
}
