/**
 * Shared test helpers for authentication: a real development issuer on port 0, an AuthConfig
 * pointing at it, an OktaVerifier on an injected clock, hand-built JWS for forged tokens, and a
 * DPoP client key that signs proofs and gets DPoP-bound tokens. Nothing here is mocked: keys, JWKS,
 * proofs and HTTP are real.
 */
import { createHash, createPublicKey, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK, JWTHeaderParameters } from 'jose';
import type { AuthConfig } from '../../src/config.ts';
import { startDevIssuer } from '../../src/auth/dev-issuer.ts';
import type { DevIssuer, DevIssuerOptions } from '../../src/auth/dev-issuer.ts';
import { base64urlJson } from '../../src/auth/dev-keys.ts';
import { OktaVerifier } from '../../src/auth/okta-verifier.ts';
import type { OktaVerifierOptions } from '../../src/auth/okta-verifier.ts';

/** The fixed instant tests mint and verify at (seconds: NOW_SECONDS). */
export const NOW = new Date('2030-01-01T00:00:00Z');
export const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);

export function startIssuer(options: DevIssuerOptions = {}): Promise<DevIssuer> {
  return startDevIssuer({ host: '127.0.0.1', port: 0, ...options });
}

export function authConfigFor(issuer: DevIssuer, overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    issuer: issuer.issuer,
    jwksUri: issuer.jwksUri,
    audience: issuer.audience,
    clientIds: [],
    clockToleranceSeconds: 30,
    requireDpop: false,
    ...overrides,
  };
}

/** A settable clock for the verifier's `now` option. */
export class TestClock {
  seconds: number;
  constructor(seconds = NOW_SECONDS) {
    this.seconds = seconds;
  }
  readonly now = (): Date => new Date(this.seconds * 1000);
}

export function verifierFor(
  issuer: DevIssuer,
  options: OktaVerifierOptions = {},
  config: Partial<AuthConfig> = {},
): OktaVerifier {
  return new OktaVerifier(authConfigFor(issuer, config), { now: () => NOW, fetchTimeoutMs: 2000, ...options });
}

export const bearer = (token: string): string => `Bearer ${token}`;

/** A compact JWS from raw parts: `signature` bytes are base64url-encoded as they are. */
export function compactJws(header: unknown, payload: unknown, signature: Uint8Array = new Uint8Array()): string {
  return `${base64urlJson(header)}.${base64urlJson(payload)}.${Buffer.from(signature).toString('base64url')}`;
}

/** The issuer's current public key as SPKI PEM: the secret of the classic RS256→HS256 attack. */
export function currentPublicKeyPem(issuer: DevIssuer): string {
  const jwk = issuer.jwks().keys.find((key) => key.kid === issuer.currentKid);
  if (jwk === undefined) throw new Error('current key not published');
  return createPublicKey({ key: { ...jwk }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
}

/** The payload of a token, decoded without verification. */
export function payloadOf(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A client's DPoP key (RFC 9449 §4): it signs proofs with its public key in the header. */
export class DpopKey {
  private constructor(
    readonly alg: string,
    readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
    /** RFC 7638 thumbprint: the `cnf.jkt` of tokens bound to this key. */
    readonly jkt: string,
  ) {}

  static async create(alg = 'ES256'): Promise<DpopKey> {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    return new DpopKey(alg, privateKey, publicJwk, await calculateJwkThumbprint(publicJwk, 'sha256'));
  }

  /** A proof for `htm` and `htu`; `ath` when a token is given; `header` and `claims` override (undefined drops). */
  async proof(htm: string, htu: string, options: ProofOptions = {}): Promise<string> {
    const claims: Record<string, unknown> = {
      jti: randomUUID(),
      htm,
      htu,
      iat: Math.floor((options.now ?? new Date()).getTime() / 1000),
      ...(options.accessToken === undefined ? {} : { ath: createHash('sha256').update(options.accessToken).digest('base64url') }),
      ...options.claims,
    };
    const header: Record<string, unknown> = { typ: 'dpop+jwt', alg: this.alg, jwk: this.publicJwk, ...options.header };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
    return new SignJWT(claims).setProtectedHeader(header as JWTHeaderParameters).sign(this.privateKey);
  }
}

export interface ProofOptions {
  readonly accessToken?: string;
  readonly now?: Date;
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly header?: Readonly<Record<string, unknown>>;
}

/** A client-credentials token request to the development issuer, with a DPoP proof when `proof` is given. */
export async function requestToken(issuer: DevIssuer, proof?: string, scope = 'incidents:read incidents:write'): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${issuer.clientId}:${issuer.clientSecret}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
    ...(proof === undefined ? {} : { dpop: proof }),
  };
  const response = await fetch(issuer.tokenEndpoint, { method: 'POST', headers, body: new URLSearchParams({ grant_type: 'client_credentials', scope }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A DPoP-bound access token for `key` from the development issuer's token endpoint. */
export async function dpopToken(issuer: DevIssuer, key: DpopKey, scope?: string): Promise<string> {
  const { status, body } = await requestToken(issuer, await key.proof('POST', issuer.tokenEndpoint), scope);
  if (status !== 200 || body['token_type'] !== 'DPoP') throw new Error(`no DPoP token: ${status} ${JSON.stringify(body)}`);
  return String(body['access_token']);
}
