/**
 * DPoP at the resource server (RFC 9449 §7): which scheme a token may come with, and the proof a
 * DPoP-scheme request must carry. A DPoP-bound token (`cnf.jkt`) is refused as Bearer (§7.2); with
 * OKTA_REQUIRE_DPOP every Bearer request is refused; a DPoP request needs exactly one proof, valid
 * for this method, URL and token (dpop-proof.ts), by the key the token is bound to, never seen
 * before (dpop-replay.ts). It does not verify access tokens (okta-verifier.ts) nor build challenges.
 */
import { checkProof, DPOP_ALGORITHMS, hasOneProof } from './dpop-proof.ts';
import { ReplayCache } from './dpop-replay.ts';
import { AuthFailure } from './principal.ts';
import type { AuthScheme, DpopPolicy, Principal, RequestFacts } from './principal.ts';
import { MISSING_DESCRIPTION } from './bearer.ts';

export interface DpopGuardOptions {
  readonly required: boolean;
  /** How far a proof's `iat` may be from now, either way (the configured clock tolerance). */
  readonly windowSeconds: number;
  readonly now: () => Date;
  /** Proof identifiers remembered at once (default 100000). */
  readonly maxReplayEntries?: number | undefined;
}

function proofFailure(description: string, detail = description): AuthFailure {
  return new AuthFailure('proof', description, detail, undefined, 'DPoP');
}

/** The resource server's DPoP rules for one verifier. */
export class DpopGuard {
  readonly policy: DpopPolicy;
  readonly #windowSeconds: number;
  readonly #now: () => Date;
  readonly #replay: ReplayCache;

  constructor(options: DpopGuardOptions) {
    this.policy = Object.freeze({ algorithms: DPOP_ALGORITHMS, required: options.required });
    this.#windowSeconds = options.windowSeconds;
    this.#now = options.now;
    // RFC 9449 §11.1: a jti must be remembered as long as its proof's iat is acceptable (±window).
    this.#replay = new ReplayCache({ ttlSeconds: 2 * options.windowSeconds + 1, maxEntries: options.maxReplayEntries });
  }

  /** Proof identifiers held by the replay cache now. */
  get replayEntries(): number {
    return this.#replay.size;
  }

  /**
   * Before the token is verified: refuses Bearer when DPoP is required.
   * @throws AuthFailure `missing`: RFC 6750 §3.1, an unsupported method gets the bare challenge.
   */
  admit(scheme: AuthScheme): void {
    if (scheme === 'Bearer' && this.policy.required) {
      throw new AuthFailure('missing', MISSING_DESCRIPTION, 'Bearer token refused: OKTA_REQUIRE_DPOP=1 accepts DPoP only');
    }
  }

  /**
   * After the token is verified: the binding between scheme, token and proof.
   * @throws AuthFailure `invalid` for a token in the wrong scheme, `proof` for a bad proof.
   */
  async check(scheme: AuthScheme, token: string, principal: Principal, request: RequestFacts | undefined): Promise<void> {
    if (scheme === 'Bearer') {
      // RFC 9449 §7.2: a DPoP-bound token sent as Bearer is refused.
      if (principal.jkt !== undefined) throw new AuthFailure('invalid', 'The access token is DPoP-bound: send it with the DPoP scheme and a DPoP proof', 'DPoP-bound token sent with the Bearer scheme', principal.clientId);
      return;
    }
    // RFC 9449 §7.1: the DPoP scheme is for DPoP-bound tokens.
    if (principal.jkt === undefined) throw new AuthFailure('invalid', 'The access token is not DPoP-bound: send it with the Bearer scheme', 'unbound token sent with the DPoP scheme', principal.clientId, 'DPoP');
    const proofs = request?.proofs ?? [];
    // RFC 9449 §4.3 step 1: exactly one DPoP header field.
    if (proofs.length === 0) throw proofFailure('A DPoP proof is required with the DPoP scheme', 'no DPoP header');
    if (!hasOneProof(proofs) || request === undefined) throw proofFailure('Send exactly one DPoP proof', 'several DPoP header values');
    const now = this.#now();
    const proof = await checkProof(proofs[0] as string, { method: request.method, url: request.url, accessToken: token, now, windowSeconds: this.#windowSeconds });
    // RFC 9449 §4.3 step 12: the proof's key is the one the token is bound to (§6.1 cnf.jkt).
    if (proof.jkt !== principal.jkt) throw proofFailure('The DPoP proof key does not match the key the access token is bound to', 'jwk thumbprint differs from cnf.jkt');
    // RFC 9449 §11.1: a proof is used once; checked last, so a refused proof does not burn its jti.
    if (!this.#replay.remember([proof.jkt, proof.jti], Math.floor(now.getTime() / 1000))) throw proofFailure('The DPoP proof was already used', 'jti replayed');
  }
}
