/**
 * Tests of src/auth/dpop-replay.ts (RFC 9449 §11.1): a jti is refused while remembered, forgotten
 * after its time, and the cache never holds more than its bound, whatever is sent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplayCache } from '../../src/auth/dpop-replay.ts';

test('RFC 9449 §11.1: a key seen once is a replay until its time is up, then accepted again', () => {
  const cache = new ReplayCache({ ttlSeconds: 61 });
  assert.equal(cache.remember(['jkt', 'a'], 1000), true);
  assert.equal(cache.remember(['jkt', 'a'], 1000), false);
  assert.equal(cache.remember(['jkt', 'a'], 1060), false);
  assert.equal(cache.remember(['other-jkt', 'a'], 1000), true, 'scoped by key: another key may use the same jti');
  assert.equal(cache.remember(['jkt', 'a'], 1061), true);
});

test('RFC 9449 §11.1: bounded in time: expired keys are swept on insert', () => {
  const cache = new ReplayCache({ ttlSeconds: 10 });
  for (let i = 0; i < 100; i++) cache.remember(['k', String(i)], 1000);
  assert.equal(cache.size, 100);
  cache.remember(['k', 'late'], 1010);
  assert.equal(cache.size, 1);
});

test('bounded in entries: at maxEntries the oldest key goes first, and the eviction is counted', () => {
  const cache = new ReplayCache({ ttlSeconds: 3600, maxEntries: 3 });
  for (const jti of ['a', 'b', 'c', 'd']) assert.equal(cache.remember(['k', jti], 1000), true);
  assert.equal(cache.size, 3);
  assert.equal(cache.evicted, 1);
  assert.equal(cache.remember(['k', 'd'], 1000), false);
  assert.equal(cache.remember(['k', 'a'], 1000), true, 'the evicted oldest key is no longer known');
});

test('an entry costs the same whatever the jti: keys are digests; a clock stepping back keeps the order', () => {
  const cache = new ReplayCache({ ttlSeconds: 10, maxEntries: 10 });
  assert.equal(cache.remember(['k', 'x'.repeat(10_000)], 1000), true);
  assert.equal(cache.remember(['k', 'y'], 900), true);
  assert.equal(cache.remember(['k', 'x'.repeat(10_000)], 905), false);
  cache.remember(['k', 'z'], 1011);
  assert.equal(cache.size, 1);
});
