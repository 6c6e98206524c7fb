/**
 * Checking one DPoP proof JWT (RFC 9449 §4.3), with jose for every JOSE step: its grammar and
 * size, `typ`, an allowed asymmetric `alg`, a public `jwk` whose key verifies the signature, `jti`,
 * `htm`, `htu` (query and fragment ignored), `iat` within a window and, beside an access token,
 * `ath`. Returns the key's RFC 7638 thumbprint. Used by the resource server (dpop.ts) and by the
 * development issuer's token endpoint. It keeps no state: replay (`jti`) is dpop-replay.ts's.
 */
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, errors, jwtVerify } from 'jose';
import type { JWK, JWTPayload } from 'jose';
import { AuthFailure } from './principal.ts';

/** RFC 9449 §5.1 / §11.6: the asymmetric algorithms accepted for proofs (Okta's list). */
export const DPOP_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

/** Longer proofs are refused unparsed (an RSA-4096 jwk makes a proof of about 1.5 KB). */
const MAX_PROOF_BYTES = 8192;
const MAX_JTI_LENGTH = 256;
/** RFC 7515 §7.1: three base64url parts; '.' is outside the class, so matching is linear. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** What the proof must match. */
export interface ProofExpectations {
  /** The request method (`htm`). */
  readonly method: string;
  /** The URL the request was sent to (`htu`), as this server publishes it. */
  readonly url: string;
  /** The access token sent with the proof (`ath`); undefined at the token endpoint. */
  readonly accessToken?: string | undefined;
  readonly now: Date;
  /** How far `iat` may be from now, either way, in seconds. */
  readonly windowSeconds: number;
  readonly algorithms?: readonly string[];
}

/** A proof that passed every stateless check. */
export interface CheckedProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's `jwk` (compared with `cnf.jkt`, RFC 9449 §6.1). */
  readonly jkt: string;
  readonly jti: string;
}

function refuse(description: string, detail = description): never {
  throw new AuthFailure('proof', description, detail, undefined, 'DPoP');
}

/** RFC 9449 §4.3 step 10 + RFC 3986 §6.2.2-6.2.3: the URL normalised, without query and fragment. */
export function normaliseHtu(value: string): string | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  return `${url.origin}${url.pathname}`;
}

/** RFC 9449 §4.1: ath = base64url(SHA-256(ASCII access token)). */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

/**
 * RFC 9449 §4.3 step 1: "not more than one DPoP HTTP request header field". Field lines are
 * joined with commas (RFC 9110 §5.3) and a compact JWS has none, so a comma means two proofs.
 */
export function hasOneProof(values: readonly string[]): boolean {
  return values.length === 1 && !(values[0] as string).includes(',');
}

/** jose's refusals as client-safe descriptions; the detail (jose's message) goes to the log only. */
function describeJoseError(error: unknown): never {
  if (error instanceof errors.JOSEAlgNotAllowed) refuse('The DPoP proof uses an algorithm this server does not accept', error.message);
  if (error instanceof errors.JWSSignatureVerificationFailed) refuse('The DPoP proof signature is invalid', error.message);
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'typ') refuse('The DPoP proof must have typ dpop+jwt', error.message);
  if (error instanceof errors.JWSInvalid && /jwk|Embedded/i.test(error.message)) refuse('The DPoP proof must carry a public signing key in jwk', error.message);
  if (error instanceof errors.JOSEError) refuse('The DPoP proof is not a valid JWT', error.message);
  throw error;
}

/** The claim checks of RFC 9449 §4.3 steps 9-12 that jose leaves to the caller. */
function checkClaims(payload: JWTPayload, expected: ProofExpectations): string {
  const { jti, iat } = payload;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) refuse('The DPoP proof needs a jti', 'jti missing, empty or too long');
  // RFC 9449 §4.3 step 8: htm matches the request method.
  if (payload['htm'] !== expected.method) refuse('The DPoP proof is for another HTTP method', `htm is not ${expected.method}`);
  // RFC 9449 §4.3 step 9: htu matches the request URI, ignoring query and fragment.
  const htu = payload['htu'];
  if (typeof htu !== 'string' || htu.length > 2048 || normaliseHtu(htu) !== normaliseHtu(expected.url)) refuse('The DPoP proof is for another URL', 'htu does not match');
  // RFC 9449 §4.3 step 11: iat within an acceptable window (§11.1: limits how long a proof lives).
  const now = Math.floor(expected.now.getTime() / 1000);
  if (typeof iat !== 'number' || !Number.isFinite(iat) || Math.abs(now - iat) > expected.windowSeconds) {
    refuse('The DPoP proof is too old or from the future', `iat outside ±${expected.windowSeconds} s`);
  }
  // RFC 9449 §4.3 step 12: beside an access token, ath is the hash of that token.
  if (expected.accessToken !== undefined && payload['ath'] !== accessTokenHash(expected.accessToken)) {
    refuse('The DPoP proof is for another access token', 'ath does not match the access token');
  }
  return jti;
}

/**
 * Checks a proof as RFC 9449 §4.3 steps 2-12 say (step 1, one header field, is the caller's).
 * @throws AuthFailure `proof` (scheme DPoP) with a client-safe description; never echoes the proof.
 */
export async function checkProof(proof: string, expected: ProofExpectations): Promise<CheckedProof> {
  // RFC 9449 §4.3 step 2: a well-formed JWT.
  if (proof.length > MAX_PROOF_BYTES || !COMPACT_JWS.test(proof)) refuse('The DPoP proof is not a valid JWT', 'not a compact JWS of bounded size');
  let verified: Awaited<ReturnType<typeof jwtVerify>>;
  try {
    // Steps 3-7: typ dpop+jwt, an allowed asymmetric alg (never none or HMAC), the signature by the
    // public key in the jwk header (EmbeddedJWK refuses a private key).
    verified = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...(expected.algorithms ?? DPOP_ALGORITHMS)], currentDate: expected.now });
  } catch (error) {
    describeJoseError(error);
  }
  const jwk = verified.protectedHeader.jwk as JWK;
  // RFC 9449 §4.3 step 6: the jwk holds no private key (belt and braces beside EmbeddedJWK).
  if ('d' in jwk || 'k' in jwk) refuse('The DPoP proof must carry a public signing key in jwk', 'jwk carries private key material');
  const jti = checkClaims(verified.payload, expected);
  return { jkt: await calculateJwkThumbprint(jwk, 'sha256'), jti };
}
