/**
 * Replay detection for DPoP proofs (RFC 9449 §11.1, §4.3 step 10: a `jti` is accepted once while
 * its proof could still be accepted). A bounded time-ordered map: each key lives `ttlSeconds`
 * from when it was first seen; expired keys are swept from the oldest end on every insert, and when
 * `maxEntries` unexpired keys are held the oldest goes first (a bound on memory, never unbounded).
 * Keys are SHA-256 digests, so an entry's size does not depend on what the client sent.
 */
import { createHash } from 'node:crypto';

export interface ReplayCacheOptions {
  /** Most keys held at once (default 100000: about 10 MB). */
  readonly maxEntries?: number | undefined;
  /** How long a key is remembered, in seconds: at least the proof's acceptance window. */
  readonly ttlSeconds: number;
}

/** Remembers proof identifiers for a bounded time and count. */
export class ReplayCache {
  readonly #maxEntries: number;
  readonly #ttlSeconds: number;
  /** Digest → expiry (seconds). Insertion order is expiry order, the clock never going back. */
  readonly #seen = new Map<string, number>();
  #evicted = 0;
  #newestExpiry = 0;

  constructor(options: ReplayCacheOptions) {
    this.#maxEntries = Math.max(1, options.maxEntries ?? 100_000);
    this.#ttlSeconds = options.ttlSeconds;
  }

  /** Keys held now. */
  get size(): number {
    return this.#seen.size;
  }

  /** Unexpired keys dropped to stay within maxEntries since start (a replay window, logged by callers). */
  get evicted(): number {
    return this.#evicted;
  }

  /**
   * Records `parts` (e.g. the key thumbprint and the jti) as seen at `nowSeconds`.
   * @returns false when they were already seen and have not expired: a replay.
   */
  remember(parts: readonly string[], nowSeconds: number): boolean {
    const key = createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
    this.#sweep(nowSeconds);
    const expiry = this.#seen.get(key);
    if (expiry !== undefined && expiry > nowSeconds) return false;
    // A re-insert moves the key to the newest end, keeping insertion order = expiry order.
    this.#seen.delete(key);
    if (this.#seen.size >= this.#maxEntries) {
      const oldest = this.#seen.keys().next();
      if (oldest.done !== true) this.#seen.delete(oldest.value);
      this.#evicted += 1;
    }
    // Never before the newest expiry: the order holds even if the clock steps back.
    this.#newestExpiry = Math.max(nowSeconds + this.#ttlSeconds, this.#newestExpiry);
    this.#seen.set(key, this.#newestExpiry);
    return true;
  }

  #sweep(nowSeconds: number): void {
    for (const [key, expiry] of this.#seen) {
      if (expiry > nowSeconds) return;
      this.#seen.delete(key);
    }
  }
}
