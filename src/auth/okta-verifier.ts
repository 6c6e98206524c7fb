/**
 * The BearerVerifier for Okta custom authorization servers (okta.md): RS256 JWTs from one issuer,
 * keys from `{issuer}/v1/keys` via jose's remote JWK set (fetch timeout, unknown-kid refresh
 * rate-limited by a cooldown, a back-off after a failed fetch), claims checked on an injected clock.
 * Verified tokens are cached by their exact string (bounded, oldest evicted first) so the RSA check
 * runs once per token; each hit rechecks `exp` against now() without tolerance, so a cached token
 * past `exp` is refused at once. A cached token outlives its key's removal from the JWKS until
 * `exp`. Tokens come as Bearer or, bound to a key, as DPoP with a proof (dpop.ts: checked on every
 * request, never cached); keys are fetched through the configured proxy (egress.ts). It does not
 * decide HTTP answers (see AuthFailureKind).
 */
import { createRemoteJWKSet, customFetch, decodeJwt, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey, FetchImplementation } from 'jose';
import type { AuthConfig, EgressConfig } from '../config.ts';
import { extractCredentials } from './bearer.ts';
import { DpopGuard } from './dpop.ts';
import { egressFetch, type EgressTls } from './egress.ts';
import { IssuerHttpStatus } from './fetch-errors.ts';
import { keyResolutionFailure, toAuthFailure } from './jwt-errors.ts';
import { AuthFailure } from './principal.ts';
import type { BearerVerifier, DpopPolicy, Principal, RequestFacts } from './principal.ts';

export interface OktaVerifierOptions {
  /** The clock for claim checks and cache hits (tests inject it; jose's `currentDate`). */
  readonly now?: () => Date;
  /** Abort a JWKS fetch after this long (default 5000). */
  readonly fetchTimeoutMs?: number;
  /** Least time between refreshes caused by unknown kids (default 30000; okta.md "Key rotation"). */
  readonly refreshCooldownMs?: number;
  /** After a failed JWKS fetch, answer `unavailable` without fetching for this long (default 1000). */
  readonly failureBackoffMs?: number;
  /** Refetch the keys when they are older than this (default 600000). */
  readonly keysMaxAgeMs?: number;
  /** Longer tokens are refused unparsed (default 8192). */
  readonly maxTokenBytes?: number;
  /** Verified tokens remembered (default 10000). */
  readonly cacheSize?: number;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY for the key fetches (default: direct). */
  readonly egress?: EgressConfig | undefined;
  /** TLS options for the key fetches (tests: a private CA); default: Node's trust store. */
  readonly tls?: EgressTls | undefined;
  /** DPoP proof identifiers remembered against replay (default 100000). */
  readonly maxDpopReplayEntries?: number | undefined;
  /** Told of each request for the keys that was sent: answered 200, or failed (the metrics). */
  readonly onKeyFetch?: ((outcome: 'ok' | 'failed') => void) | undefined;
}

/** RFC 8725 §3.1: the one algorithm Okta signs access tokens with. */
const ALGORITHMS = ['RS256'];
const CLIENT_ID_LOG_LIMIT = 128;

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** RFC 9449 §6.1: `cnf.jkt`, the thumbprint of the key a DPoP-bound token is bound to. */
function boundKey(payload: JWTPayload): string | undefined {
  const { cnf } = payload;
  if (typeof cnf !== 'object' || cnf === null) return undefined;
  const { jkt } = cnf as { jkt?: unknown };
  return typeof jkt === 'string' ? jkt : undefined;
}

/** `cid` read without verification, for the log line of a rejected token only. */
function unverifiedClientId(token: string): string | undefined {
  try {
    const { cid } = decodeJwt(token);
    return typeof cid === 'string' ? cid.slice(0, CLIENT_ID_LOG_LIMIT) : undefined;
  } catch {
    return undefined;
  }
}

/** okta.md: `scp` is an array; RFC 9068 §2.2.3.1's space-separated `scope` is accepted too. */
function scopesOf(payload: JWTPayload): ReadonlySet<string> {
  const { scp, scope } = payload;
  if (Array.isArray(scp) && scp.every((s): s is string => typeof s === 'string')) return new Set(scp);
  if (typeof scope === 'string') return new Set(scope.split(' ').filter((s) => s !== ''));
  return new Set();
}

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function reject(description: string, detail: string, clientId: string | undefined): never {
  throw new AuthFailure('invalid', description, detail, clientId);
}

/** Validates Okta access tokens for one issuer and audience. */
export class OktaVerifier implements BearerVerifier {
  readonly #config: AuthConfig;
  readonly #now: () => Date;
  readonly #maxTokenBytes: number;
  readonly #cacheSize: number;
  readonly #failureBackoffMs: number;
  readonly #cache = new Map<string, Principal>();
  readonly #keys: JWTVerifyGetKey;
  readonly #reloadKeys: () => Promise<void>;
  readonly #hasKeys: () => boolean;
  readonly #onKeyFetch: (outcome: 'ok' | 'failed') => void;
  readonly #fetch: FetchImplementation;
  readonly #dpop: DpopGuard;
  #fetchBlockedUntil = 0;

  constructor(config: AuthConfig, options: OktaVerifierOptions = {}) {
    this.#config = config;
    this.#now = options.now ?? (() => new Date());
    this.#maxTokenBytes = options.maxTokenBytes ?? 8192;
    this.#cacheSize = options.cacheSize ?? 10_000;
    this.#failureBackoffMs = options.failureBackoffMs ?? 1000;
    this.#fetch = egressFetch(new URL(config.jwksUri), options.egress, { tls: options.tls });
    this.#dpop = new DpopGuard({ required: config.requireDpop, windowSeconds: config.clockToleranceSeconds, now: this.#now, maxReplayEntries: options.maxDpopReplayEntries });
    const remote = createRemoteJWKSet(new URL(config.jwksUri), {
      timeoutDuration: options.fetchTimeoutMs ?? 5000,
      cooldownDuration: options.refreshCooldownMs ?? 30_000,
      cacheMaxAge: options.keysMaxAgeMs ?? 600_000,
      [customFetch]: this.#fetchKeys,
    });
    this.#reloadKeys = () => remote.reload();
    this.#hasKeys = () => remote.jwks() !== undefined;
    this.#onKeyFetch = options.onKeyFetch ?? (() => undefined);
    this.#keys = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        const failure = keyResolutionFailure(error);
        // A failure while suppressed must not extend the back-off, or a busy server never retries.
        const now = Date.now();
        if (failure.kind === 'unavailable' && now >= this.#fetchBlockedUntil) this.#fetchBlockedUntil = now + this.#failureBackoffMs;
        throw failure;
      }
    };
  }

  /** Suppresses JWKS requests for a while after one failed, so an outage is not hammered. */
  readonly #fetchKeys: FetchImplementation = async (url, init) => {
    if (Date.now() < this.#fetchBlockedUntil) {
      throw new Error(`fetch suppressed for ${this.#failureBackoffMs} ms after a failure`);
    }
    const response = await this.#fetch(url, init).catch((error: unknown) => {
      this.#onKeyFetch('failed');
      throw error;
    });
    // jose would only say "Expected 200 OK"; the status is what an operator needs.
    if (response.status !== 200) {
      this.#onKeyFetch('failed');
      await response.body?.cancel();
      throw new IssuerHttpStatus(response.status, url);
    }
    this.#onKeyFetch('ok');
    return response;
  };

  /**
   * Fetches the issuer's keys before the first request needs them (start-up). Resolves to the
   * reason when they cannot be had; verify() then answers 503 until they can.
   */
  async warmUp(): Promise<string | undefined> {
    try {
      await this.#reloadKeys();
      return undefined;
    } catch (error) {
      // The same back-off as a failed fetch during a request: the outage is not hammered.
      this.#fetchBlockedUntil = Date.now() + this.#failureBackoffMs;
      return keyResolutionFailure(error).detail;
    }
  }

  /** True once the issuer's keys have been fetched (kept through later failed refreshes): readiness. */
  keysReady(): boolean {
    return this.#hasKeys();
  }

  /** See BearerVerifier: this verifier takes DPoP (RFC 9449). */
  get dpop(): DpopPolicy {
    return this.#dpop.policy;
  }

  /** See BearerVerifier: resolves to the principal or rejects with an AuthFailure. */
  async verify(authorization: string | undefined, request?: RequestFacts): Promise<Principal> {
    const { scheme, token } = extractCredentials(authorization);
    this.#dpop.admit(scheme);
    let principal: Principal;
    try {
      principal = await this.#principalOf(token);
    } catch (error) {
      // RFC 9449 §7.1: a bad token sent with the DPoP scheme is challenged in that scheme.
      throw error instanceof AuthFailure ? error.inScheme(scheme) : error;
    }
    await this.#dpop.check(scheme, token, principal, request);
    return principal;
  }

  /** The principal of a token: from the cache, or verified and remembered. */
  async #principalOf(token: string): Promise<Principal> {
    if (token.length > this.#maxTokenBytes) {
      // b64token is ASCII, so its length is its size in bytes.
      throw new AuthFailure('invalid', 'The access token is too large', `${token.length} bytes, limit ${this.#maxTokenBytes}`);
    }
    const now = this.#now();
    const cached = this.#cache.get(token);
    if (cached !== undefined) {
      if (cached.expiresAt > epochSeconds(now)) return cached;
      this.#cache.delete(token);
      throw new AuthFailure('invalid', 'The access token expired', `cached token expired at ${cached.expiresAt}`, cached.clientId);
    }
    const principal = await this.#verifyToken(token, now);
    this.#remember(token, principal, now);
    return principal;
  }

  async #verifyToken(token: string, now: Date): Promise<Principal> {
    const { issuer, audience, clockToleranceSeconds } = this.#config;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#keys, {
        algorithms: ALGORITHMS,
        issuer,
        audience,
        clockTolerance: clockToleranceSeconds,
        currentDate: now,
        // okta.md: Okta sets both; a token without an expiry or a subject is not one of its tokens.
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw toAuthFailure(error, { issuer, audience }, unverifiedClientId(token));
    }
    return this.#toPrincipal(payload, now);
  }

  /** The checks jose leaves to the caller, then the frozen Principal. */
  #toPrincipal(payload: JWTPayload, now: Date): Principal {
    const clientId = optionalString(payload.cid);
    const { sub, exp, iat } = payload;
    if (typeof sub !== 'string' || sub === '') reject('The access token has no subject', 'sub is not a non-empty string', clientId);
    if (typeof exp !== 'number' || !Number.isFinite(exp)) reject('The access token has an invalid claim', 'exp is not a finite number', clientId);
    // RFC 7519 §4.1.6: jose checks iat's type but its value only with maxTokenAge; refuse the future here.
    if (typeof iat === 'number' && iat > epochSeconds(now) + this.#config.clockToleranceSeconds) {
      reject('The access token was issued in the future', `iat ${String(iat)} is beyond the clock tolerance`, clientId);
    }
    const allowed = this.#config.clientIds;
    if (allowed.length > 0 && (clientId === undefined || !allowed.includes(clientId))) {
      reject('Client not allowed', `cid ${JSON.stringify(clientId ?? null)} is not in OKTA_CLIENT_IDS`, clientId);
    }
    return Object.freeze({
      // jose has checked that iss equals the configured issuer exactly.
      issuer: this.#config.issuer,
      subject: sub,
      clientId,
      userId: optionalString(payload.uid),
      scopes: scopesOf(payload),
      expiresAt: exp,
      jkt: boundKey(payload),
    });
  }

  /** Caches a verified token while it is unexpired; the oldest entry goes first when full. */
  #remember(token: string, principal: Principal, now: Date): void {
    if (this.#cacheSize <= 0 || principal.expiresAt <= epochSeconds(now)) return;
    if (this.#cache.size >= this.#cacheSize) {
      const oldest = this.#cache.keys().next();
      if (oldest.done !== true) this.#cache.delete(oldest.value);
    }
    this.#cache.set(token, principal);
  }
}
