/**
 * Tests of src/transport/rate-limit.ts (MCP 2025-11-25 server/tools.mdx "Security
 * Considerations": servers MUST rate limit tool invocations) with an injected clock (STYLE
 * principle 14): a token bucket per key of `perMinute` tokens, refilled continuously.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../src/transport/rate-limit.ts';

function clock(start = 5_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

function takeMany(limiter: RateLimiter, key: string, n: number): number[] {
  return Array.from({ length: n }, () => limiter.take(key));
}

test('TOOL_RATE_LIMIT=0 turns the limiter off: every call is allowed', () => {
  const limiter = new RateLimiter(0, clock().now);
  assert.ok(takeMany(limiter, 'p', 10_000).every((wait) => wait === 0));
});

test('server/tools.mdx rate limiting: a bucket of N allows N calls at once, then asks to wait', () => {
  const limiter = new RateLimiter(3, clock().now);
  assert.deepEqual(takeMany(limiter, 'p', 3), [0, 0, 0]);
  // 3 a minute is one token every 20 s.
  assert.equal(limiter.take('p'), 20);
});

test('the wait is whole seconds and at least 1 (RFC 9110 §10.2.3 Retry-After is delay-seconds)', () => {
  const time = clock();
  const limiter = new RateLimiter(600, time.now);
  takeMany(limiter, 'p', 600);
  // 600 a minute is one token every 100 ms: rounded up to one second.
  const wait = limiter.take('p');
  assert.equal(wait, 1);
  assert.ok(Number.isInteger(wait));
  time.advance(99);
  assert.equal(limiter.take('p'), 1);
});

test('the bucket refills continuously: after the announced wait, one more call is allowed', () => {
  const time = clock();
  const limiter = new RateLimiter(3, time.now);
  takeMany(limiter, 'p', 3);
  const wait = limiter.take('p');
  time.advance(wait * 1000 - 1);
  assert.ok(limiter.take('p') >= 1, 'one millisecond early is still refused');
  time.advance(1);
  assert.equal(limiter.take('p'), 0);
  assert.equal(limiter.take('p'), 20);
});

test('refused calls do not consume tokens, so the wait shrinks as time passes', () => {
  const time = clock();
  const limiter = new RateLimiter(6, time.now);
  takeMany(limiter, 'p', 6);
  assert.equal(limiter.take('p'), 10);
  assert.equal(limiter.take('p'), 10);
  time.advance(4_000);
  assert.equal(limiter.take('p'), 6);
  time.advance(6_000);
  assert.equal(limiter.take('p'), 0);
});

test('a long pause refills the bucket only to its capacity', () => {
  const time = clock();
  const limiter = new RateLimiter(5, time.now);
  takeMany(limiter, 'p', 5);
  time.advance(24 * 3600 * 1000);
  assert.deepEqual(takeMany(limiter, 'p', 5), [0, 0, 0, 0, 0]);
  assert.ok(limiter.take('p') >= 1);
});

test('a full minute refills the whole bucket', () => {
  const time = clock();
  const limiter = new RateLimiter(4, time.now);
  takeMany(limiter, 'p', 4);
  time.advance(60_000);
  assert.deepEqual(takeMany(limiter, 'p', 5).map((w) => w === 0), [true, true, true, true, false]);
});

test('server/tools.mdx: limits are per principal; one key exhausting its bucket leaves others untouched', () => {
  const limiter = new RateLimiter(2, clock().now);
  assert.deepEqual(takeMany(limiter, 'alice', 2), [0, 0]);
  assert.ok(limiter.take('alice') >= 1);
  assert.deepEqual(takeMany(limiter, 'bob', 2), [0, 0]);
  assert.ok(limiter.take('bob') >= 1);
  assert.ok(limiter.take('alice') >= 1);
});

test('STYLE 6: keys are Map keys, so prototype names are ordinary principals', () => {
  const limiter = new RateLimiter(1, clock().now);
  for (const key of ['__proto__', 'constructor', 'toString']) {
    assert.equal(limiter.take(key), 0);
    assert.equal(limiter.take(key), 60);
  }
});

test('many distinct keys (past the pruning threshold) keep their own buckets correct', () => {
  const time = clock();
  const limiter = new RateLimiter(1, time.now);
  for (let i = 0; i < 10_050; i++) assert.equal(limiter.take(`k${i}`), 0);
  // Every bucket is empty: pruning must not have forgotten a bucket that is not full again.
  assert.equal(limiter.take('k0'), 60);
  assert.equal(limiter.take('k10049'), 60);
  time.advance(60_000);
  assert.equal(limiter.take('k0'), 0);
});
