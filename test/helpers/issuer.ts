/**
 * Shared test helpers for authentication: a real development issuer on port 0, an AuthConfig
 * pointing at it, an OktaVerifier on an injected clock, and hand-built JWS for forged tokens.
 * Nothing here is mocked: keys, JWKS and HTTP are real.
 */
import { createPublicKey } from 'node:crypto';
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
