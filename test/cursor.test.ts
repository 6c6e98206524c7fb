/**
 * Tests for src/cursor.ts, the one cursor codec: round trips, the golden wire form of both cursor
 * kinds that use it (list offsets, store positions: unchanged from before the codec was shared),
 * and every non-canonical or foreign string decoding to undefined, never a throw.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { cursorCodec, MAX_CURSOR_LENGTH } from '../src/cursor.ts';
import { selectPage } from '../src/incidents/store.ts';
import { makeIncident } from '../src/incidents/model.ts';
import { encodeCursor } from '../src/protocol/pagination.ts';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

const words = cursorCodec<string>({
  prefix: 'w1:',
  write: (word) => {
    if (!/^[a-z]+$/.test(word)) throw new TypeError('a word');
    return word;
  },
  read: (text) => (/^[a-z]+$/.test(text) ? text : undefined),
});

describe('cursorCodec', () => {
  test('a cursor is base64url, unpadded, of the prefix and the payload', () => {
    assert.equal(words.encode('abc'), b64('w1:abc'));
    assert.equal(words.decode(b64('w1:abc')), 'abc');
  });

  test('caller misuse is a TypeError: a value write refuses, or a cursor longer than MAX_CURSOR_LENGTH', () => {
    assert.throws(() => words.encode('ABC'), TypeError);
    assert.throws(() => words.encode('a'.repeat(40)), TypeError);
  });

  test('foreign, padded, non-canonical, over-long and another kind\'s cursors decode to undefined', () => {
    // 'dzE6YWJ' is 'dzE6YWI' (w1:ab) with a stray low bit set: the same bytes, but not the spelling encode writes.
    assert.equal(words.encode('ab'), 'dzE6YWI');
    const cases = ['', '!!', b64('w2:abc'), b64('w1:ABC'), b64('w1:'), `${b64('w1:abc')}=`, 'dzE6YWJ', 'A'.repeat(MAX_CURSOR_LENGTH + 1), encodeCursor(5), Buffer.from([0x77, 0x31, 0x3a, 0xff]).toString('base64url')];
    for (const cursor of cases) assert.equal(words.decode(cursor), undefined, cursor);
  });

  test('any string decodes to a value whose cursor it is, or to undefined; never a throw', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string().map(b64), fc.string().map((s) => b64(`w1:${s}`))), (cursor) => {
      const value = words.decode(cursor);
      if (value !== undefined) assert.equal(words.encode(value), cursor);
    }), { numRuns: 3000 });
  });
});

describe('the two cursor kinds keep their wire form', () => {
  test('list offsets are base64url("p1:<offset>") (protocol/pagination.ts)', () => {
    assert.equal(encodeCursor(0), b64('p1:0'));
    assert.equal(encodeCursor(100), 'cDE6MTAw');
  });

  test('store positions are base64url("before:<last id>") (incidents/store.ts)', () => {
    const incidents = ['3', '2', '1'].map((id) => makeIncident({ id, title: `t${id}`, severity: 'low', status: 'open' }));
    const first = selectPage(incidents, {}, { limit: 1 });
    assert.equal(first.nextCursor, b64('before:3'));
    assert.equal(first.nextCursor, 'YmVmb3JlOjM');
    assert.deepEqual(selectPage(incidents, {}, { limit: 1, cursor: 'YmVmb3JlOjM' }).incidents.map((i) => i.id), ['2']);
  });
});
