/**
 * Tests for src/protocol/request-state-codec.ts (MCP 2026-07-28 basic/patterns/mrtr.mdx; checklist
 * M-R7, M-R8): a sealed requestState opens only for the principal, method and target it was
 * sealed for, under the key that sealed it, before its expiry; anything else is a refusal value
 * (tampered, expired, foreign), never a throw. The clock is injected, never mocked.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  createRequestStateCodec,
  DEFAULT_TTL_MS,
  MAX_STATE_BYTES,
  MAX_TOKEN_LENGTH,
  type JsonValue,
  type RequestStateBinding,
} from '../../src/protocol/request-state-codec.ts';

const KEY = new Uint8Array(32).fill(7);
const OTHER_KEY = new Uint8Array(32).fill(8);
const T0 = Date.UTC(2026, 6, 28);
const BINDING: RequestStateBinding = { principal: JSON.stringify(['https://issuer.example', 'user-1', 'client-1']), method: 'tools/call', target: 'create_incident' };

function clockAt(start: number): { now: () => number; set: (ms: number) => void } {
  let current = start;
  return { now: () => current, set: (ms) => { current = ms; } };
}

const codec = (key: Uint8Array = KEY, now: () => number = () => T0) => createRequestStateCodec({ key, now });
const sealed = (state: JsonValue = { step: 1 }) => codec().seal({ ...BINDING, state });
const refusal = (token: string, binding: RequestStateBinding = BINDING, key: Uint8Array = KEY) => {
  const opened = codec(key).open(token, binding);
  return opened.ok ? 'opened' : opened.refusal;
};

describe('round trip', () => {
  test('a state opens for the binding it was sealed for (mrtr.mdx: the server recovers its state from the retry)', () => {
    assert.deepEqual(codec().open(sealed({ asked: ['name'], round: 2 }), BINDING), { ok: true, state: { asked: ['name'], round: 2 } });
  });

  test('the token is opaque base64url with a version byte first, and nothing of the binding readable in it (M-R7)', () => {
    const token = sealed({ secret: 'visible-state' });
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    const bytes = Buffer.from(token, 'base64url');
    assert.equal(bytes[0], 0x01);
    const text = bytes.toString('latin1');
    for (const part of ['user-1', 'client-1', 'tools/call', 'create_incident']) assert.ok(!text.includes(part), part);
  });

  test('JSON types are preserved: null, booleans, numbers, strings (any Unicode), arrays, nested objects', () => {
    const states: JsonValue[] = [null, true, false, 0, -1.5, 1e300, '', 'naïve 🚒 \u2028', [], [1, 'a', null, [false]], { a: { b: [{ c: 'd' }] }, '': 0 }];
    for (const state of states) assert.deepEqual(codec().open(sealed(state), BINDING), { ok: true, state });
  });

  test('the same state sealed twice opens twice (no single-use rule here: M-R8 leaves that to the caller)', () => {
    const token = sealed();
    assert.equal(refusal(token), 'opened');
    assert.equal(refusal(token), 'opened');
  });
});

describe('tampered (M-R7: reject state that fails verification)', () => {
  test('every character changed, anywhere in the token, is refused as tampered', () => {
    const token = sealed({ grant: 'read' });
    for (let i = 0; i < token.length; i++) {
      const c = token[i] === 'A' ? 'B' : 'A';
      assert.equal(refusal(token.slice(0, i) + c + token.slice(i + 1)), 'tampered', `at ${i}`);
    }
  });

  test('truncated, extended, or with the conformance suffix "-TAMPERED": tampered', () => {
    const token = sealed();
    for (const bad of [token.slice(0, -1), token.slice(1), token.slice(0, 10), `${token}A`, `${token}-TAMPERED`, `${token}=`, `A${token}`]) {
      assert.equal(refusal(bad), 'tampered', bad);
    }
  });

  test('garbage, the empty string, non-base64url characters and a token over the size bound: tampered', () => {
    for (const bad of ['', 'x', '====', 'not a token', '{"step":1}', 'AQ', '\u0000', '🚒', sealed().replace(/.$/, '+'), 'A'.repeat(MAX_TOKEN_LENGTH + 1)]) {
      assert.equal(refusal(bad), 'tampered', bad.slice(0, 20));
    }
  });

  test('another version byte is tampered, even with a valid-looking layout', () => {
    const bytes = Buffer.from(sealed(), 'base64url');
    bytes[0] = 0x02;
    assert.equal(refusal(bytes.toString('base64url')), 'tampered');
  });

  test('a state sealed under another key (another instance, or before a restart) is refused as tampered', () => {
    assert.equal(refusal(codec(OTHER_KEY).seal({ ...BINDING, state: 1 })), 'tampered');
    const perProcess = createRequestStateCodec();
    assert.equal(refusal(perProcess.seal({ ...BINDING, state: 1 })), 'tampered');
    assert.equal(createRequestStateCodec().open(perProcess.seal({ ...BINDING, state: 1 }), BINDING).ok, false);
  });

  test('a huge input is refused quickly, without decoding (linear in the input)', () => {
    const huge = 'A'.repeat(10_000_000);
    const start = performance.now();
    assert.equal(refusal(huge), 'tampered');
    assert.ok(performance.now() - start < 50, 'bounded before decoding');
  });
});

describe('expired (M-R8: a short expiry)', () => {
  test(`a state opens until its expiry (default ${DEFAULT_TTL_MS} ms) and is refused as expired from then on`, () => {
    const clock = clockAt(T0);
    const c = codec(KEY, clock.now);
    const token = c.seal({ ...BINDING, state: 'x' });
    clock.set(T0 + DEFAULT_TTL_MS - 1);
    assert.equal(c.open(token, BINDING).ok, true);
    clock.set(T0 + DEFAULT_TTL_MS);
    assert.deepEqual(c.open(token, BINDING), { ok: false, refusal: 'expired' });
  });

  test('ttlMs and the time of sealing are honoured', () => {
    const clock = clockAt(T0);
    const c = createRequestStateCodec({ key: KEY, now: clock.now, ttlMs: 1000 });
    const token = c.seal({ ...BINDING, state: 'x', now: T0 - 500 });
    clock.set(T0 + 499);
    assert.equal(c.open(token, BINDING).ok, true);
    clock.set(T0 + 500);
    assert.deepEqual(c.open(token, BINDING), { ok: false, refusal: 'expired' });
  });
});

describe('foreign (M-R8: bound to the principal and the originating request)', () => {
  test('another principal, method or target is refused as foreign', () => {
    const token = sealed();
    assert.equal(refusal(token, { ...BINDING, principal: JSON.stringify(['https://issuer.example', 'user-2', 'client-1']) }), 'foreign');
    assert.equal(refusal(token, { ...BINDING, principal: JSON.stringify(['https://issuer.example', 'user-1', 'client-2']) }), 'foreign');
    assert.equal(refusal(token, { ...BINDING, method: 'prompts/get' }), 'foreign');
    assert.equal(refusal(token, { ...BINDING, target: 'update_incident' }), 'foreign');
    assert.equal(refusal(token, { ...BINDING, target: 'create_incident ' }), 'foreign');
  });

  test('the binding fields cannot be shifted into one another', () => {
    const c = codec();
    const token = c.seal({ principal: 'a', method: 'b/c', target: 'd', state: 0 });
    assert.equal(refusal(token, { principal: 'a', method: 'b', target: '/c d' }), 'foreign');
    assert.equal(refusal(token, { principal: 'ab', method: '/c', target: 'd' }), 'foreign');
  });
});

describe('seal refuses programming errors with TypeError', () => {
  test(`state over ${MAX_STATE_BYTES} bytes of JSON, or not JSON at all`, () => {
    const c = codec();
    assert.doesNotThrow(() => c.seal({ ...BINDING, state: 'x'.repeat(MAX_STATE_BYTES - 2) }));
    assert.throws(() => c.seal({ ...BINDING, state: 'x'.repeat(MAX_STATE_BYTES - 1) }), TypeError);
    assert.throws(() => c.seal({ ...BINDING, state: undefined as unknown as JsonValue }), TypeError);
    assert.throws(() => c.seal({ ...BINDING, state: 1n as unknown as JsonValue }), TypeError);
  });

  test('a key that is not 32 bytes, or a bad ttlMs', () => {
    assert.throws(() => createRequestStateCodec({ key: new Uint8Array(16) }), TypeError);
    assert.throws(() => createRequestStateCodec({ ttlMs: 0 }), TypeError);
    assert.throws(() => createRequestStateCodec({ ttlMs: Number.NaN }), TypeError);
  });

  test('the largest state gives a token under the size bound open reads', () => {
    const token = sealed('\u0001'.repeat((MAX_STATE_BYTES - 2) / 6));
    assert.ok(token.length <= MAX_TOKEN_LENGTH, String(token.length));
    assert.equal(refusal(token), 'opened');
  });
});

describe('properties', () => {
  const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 64 });
  const anyString = fc.oneof(utf16, fc.string({ unit: 'binary' }), fc.base64String(), fc.stringMatching(/^[A-Za-z0-9_-]{0,200}$/));
  const small = fc.constantFrom('a', 'b', '');
  const binding = fc.record({ principal: small, method: small, target: small });
  const key = fc.constantFrom(KEY, OTHER_KEY);

  test('open never throws on any string, and only a token seal wrote opens', () => {
    const c = codec();
    fc.assert(fc.property(anyString, binding, (token, b) => {
      assert.equal(c.open(token, b).ok, false);
    }), { numRuns: 2000 });
  });

  test('open never throws on a sealed token with one character changed, dropped or added', () => {
    const c = codec();
    const token = sealed({ k: [1, 2, 3] });
    const edit = fc.tuple(fc.nat({ max: token.length - 1 }), fc.constantFrom('A', 'z', '-', '_', '0', '=', '.'), fc.constantFrom('replace', 'drop', 'insert'));
    fc.assert(fc.property(edit, ([at, ch, op]) => {
      const bad = op === 'drop' ? token.slice(0, at) + token.slice(at + 1) : token.slice(0, at) + ch + token.slice(op === 'insert' ? at : at + 1);
      const opened = c.open(bad, BINDING);
      assert.equal(opened.ok, bad === token);
      if (!opened.ok) assert.equal(opened.refusal, 'tampered');
    }), { numRuns: 1000 });
  });

  test('a token opens exactly when key, principal, method and target all match and it is not expired', () => {
    fc.assert(fc.property(key, binding, key, binding, fc.integer({ min: 0, max: 2 * DEFAULT_TTL_MS }), fc.jsonValue(), (k1, b1, k2, b2, elapsed, state) => {
      const clock = clockAt(T0);
      const token = createRequestStateCodec({ key: k1, now: clock.now }).seal({ ...b1, state: state as JsonValue });
      clock.set(T0 + elapsed);
      const opened = createRequestStateCodec({ key: k2, now: clock.now }).open(token, b2);
      const same = k1 === k2 && b1.principal === b2.principal && b1.method === b2.method && b1.target === b2.target;
      const expected = k1 !== k2 ? 'tampered' : !same ? 'foreign' : elapsed >= DEFAULT_TTL_MS ? 'expired' : 'opened';
      assert.equal(opened.ok ? 'opened' : opened.refusal, expected);
      // fc.jsonValue may hold -0, which JSON writes as 0.
      if (opened.ok) assert.deepEqual(opened.state, JSON.parse(JSON.stringify(state)));
    }), { numRuns: 500 });
  });
});
