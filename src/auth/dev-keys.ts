/**
 * Signing keys and token minting for the development issuer (dev-issuer.ts), shaped like an Okta
 * custom authorization server's (okta.md): RS256 keys with `kid`, `alg` and `use` in the JWKS, and
 * access tokens with `ver`, `jti`, `iss`, `aud`, `iat`, `exp`, `cid`, `sub` and an `scp` array.
 * The JWS is assembled by hand so tests can build any bad token (alg "none" in the header, a
 * foreign kid, a missing exp…). Development and tests only: it does not serve HTTP.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';

/** One RS256 key pair; `publicJwk` is what the JWKS publishes. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** An RFC 7517 §5 JWK Set. */
export interface JsonWebKeySet {
  keys: JWK[];
}

/** What a token says unless a test overrides it. */
export interface TokenDefaults {
  readonly issuer: string;
  readonly audience: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

/** Overrides for one minted token; enough to build every bad token the verifier must refuse. */
export interface MintOptions {
  /** Granted scopes, sent as `scp` (default: all the issuer's scopes). */
  readonly scopes?: readonly string[];
  /** `exp` = `iat` + this many seconds (default 3600, Okta's default lifetime). */
  readonly expiresIn?: number;
  /** Sets `nbf` = `iat` + this many seconds (no `nbf` by default, as Okta). */
  readonly notBefore?: number;
  /** The issue time (default: the real clock). */
  readonly now?: Date;
  /** Claims merged over the defaults; a value of `undefined` deletes the claim. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Header members merged over `{kid, alg: 'RS256'}`; `undefined` deletes one. Signing stays RS256. */
  readonly header?: Readonly<Record<string, unknown>>;
}

/** RFC 7515 §7.1: the compact serialisation's parts are base64url without padding. */
export function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function withOverrides(base: Record<string, unknown>, overrides: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base, ...overrides };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return merged;
}

async function newSigningKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(16).toString('base64url');
  // RFC 7517 §4: publish use and alg so clients select the key unambiguously.
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

/** The issuer's keys: the newest signs, older ones stay published until dropped. */
export class KeyRing {
  #keys: SigningKey[];

  private constructor(first: SigningKey) {
    this.#keys = [first];
  }

  static async create(): Promise<KeyRing> {
    return new KeyRing(await newSigningKey());
  }

  /** The key new tokens are signed with. */
  get current(): SigningKey {
    const key = this.#keys[this.#keys.length - 1];
    if (key === undefined) throw new Error('the key ring is empty');
    return key;
  }

  /** Adds a key and signs with it from now on; returns its kid. */
  async rotate(): Promise<string> {
    const key = await newSigningKey();
    this.#keys.push(key);
    return key.kid;
  }

  /** Unpublishes every key but the current one. */
  dropOldKeys(): void {
    this.#keys = [this.current];
  }

  /** The published JWK Set (public keys only). */
  jwks(): JsonWebKeySet {
    return { keys: this.#keys.map((key) => ({ ...key.publicJwk })) };
  }
}

/** Mints an Okta-shaped access token signed RS256 with `key`, whatever the header claims. */
export async function mintToken(key: SigningKey, defaults: TokenDefaults, options: MintOptions = {}): Promise<string> {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const claims: Record<string, unknown> = {
    ver: 1,
    jti: `AT.${randomUUID()}`,
    iss: defaults.issuer,
    aud: defaults.audience,
    iat,
    exp: iat + (options.expiresIn ?? 3600),
    cid: defaults.clientId,
    // okta.md: for client credentials, sub is the client id.
    sub: defaults.clientId,
    scp: [...(options.scopes ?? defaults.scopes)],
  };
  if (options.notBefore !== undefined) claims['nbf'] = iat + options.notBefore;
  const header = withOverrides({ kid: key.kid, alg: 'RS256' }, options.header);
  const signingInput = `${base64urlJson(header)}.${base64urlJson(withOverrides(claims, options.claims))}`;
  // RFC 7518 §3.3: RS256 is RSASSA-PKCS1-v1_5 with SHA-256.
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key.privateKey, new TextEncoder().encode(signingInput));
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
}
