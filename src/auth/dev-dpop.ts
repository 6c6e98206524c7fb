/**
 * DPoP at the development issuer's token endpoint (RFC 9449 §5): a token request that carries a
 * `DPoP` proof gets a token bound to the proof's key (`cnf.jkt`, §6.1) and `token_type: "DPoP"`.
 * The proof is checked as §4.3 says for the token endpoint (dpop-proof.ts: typ, alg, public jwk,
 * signature, htm POST, htu the token endpoint, iat window; here: one header, jti not replayed).
 * Okta's `use_dpop_nonce` round trip is not reproduced. Development and tests only, loopback only.
 */
import type { IncomingMessage } from 'node:http';
import { refuse } from './dev-http.ts';
import type { OAuthRefusal } from './dev-http.ts';
import { checkProof, hasOneProof } from './dpop-proof.ts';
import { ReplayCache } from './dpop-replay.ts';
import { AuthFailure } from './principal.ts';

/** How far a proof's iat may be from the issuer's clock, either way (Okta allows about a minute). */
const WINDOW_SECONDS = 60;

/** What a token request proved: the key to bind to, or nothing (a Bearer token). */
export interface Binding {
  readonly jkt: string | undefined;
}

const UNBOUND: Binding = Object.freeze({ jkt: undefined });

/** The token endpoint's DPoP check for one issuer. */
export class DevDpop {
  readonly #now: () => Date;
  readonly #tokenEndpoint: () => string;
  readonly #replay = new ReplayCache({ ttlSeconds: 2 * WINDOW_SECONDS + 1, maxEntries: 10_000 });

  constructor(now: () => Date, tokenEndpoint: () => string) {
    this.#now = now;
    this.#tokenEndpoint = tokenEndpoint;
  }

  /** The binding a token request asks for, or its RFC 9449 §5 refusal (400 invalid_dpop_proof). */
  async bind(req: IncomingMessage): Promise<Binding | OAuthRefusal> {
    const proofs = req.headersDistinct['dpop'];
    if (proofs === undefined) return UNBOUND;
    // RFC 9449 §4.3 step 1: exactly one DPoP header field.
    if (!hasOneProof(proofs)) return refuse('invalid_dpop_proof', 'Send exactly one DPoP proof.');
    const now = this.#now();
    try {
      const proof = await checkProof(proofs[0] as string, { method: 'POST', url: this.#tokenEndpoint(), now, windowSeconds: WINDOW_SECONDS });
      // RFC 9449 §11.1: a proof is used once.
      if (!this.#replay.remember([proof.jkt, proof.jti], Math.floor(now.getTime() / 1000))) return refuse('invalid_dpop_proof', 'The DPoP proof was already used.');
      return { jkt: proof.jkt };
    } catch (error) {
      if (error instanceof AuthFailure) return refuse('invalid_dpop_proof', `${error.description}.`);
      throw error;
    }
  }
}
