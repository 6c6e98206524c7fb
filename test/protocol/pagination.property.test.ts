/**
 * Property-based tests of the cursors in src/protocol/pagination.ts (issue 15; MCP 2025-11-25
 * server/utilities/pagination.mdx): every offset round-trips through its opaque cursor, any other
 * string reads as 'invalid' (never a throw), decodeCursor's only error is -32602, and walking a
 * list page by page visits every item once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ErrorCode, ProtocolError } from '../../src/protocol/errors.ts';
import { decodeCursor, encodeCursor, MAX_OFFSET, paginate, parseCursor } from '../../src/protocol/pagination.ts';

const offset = fc.integer({ min: 0, max: MAX_OFFSET });
/** Any UTF-16 string, lone surrogates included. */
const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 64 });
/** Strings near real cursors: base64url of text around the prefix, and cursors with a character changed. */
const nearCursor = fc.oneof(
  fc.string({ maxLength: 20 }).map((text) => Buffer.from(text, 'utf8').toString('base64url')),
  fc.tuple(fc.constantFrom('p1:', 'p2:', 'p1', ''), fc.string({ unit: 'binary-ascii', maxLength: 12 })).map(([prefix, rest]) => Buffer.from(prefix + rest, 'utf8').toString('base64url')),
  fc.tuple(offset, fc.nat(), fc.constantFrom('A', '-', '_', '=', '+', '/', ' ')).map(([n, at, c]) => {
    const cursor = encodeCursor(n);
    const i = at % cursor.length;
    return cursor.slice(0, i) + c + cursor.slice(i + 1);
  }),
);
const anyCursor = fc.oneof(utf16, fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii' }), nearCursor);

test('every offset round-trips through an opaque URL-safe cursor (pagination.mdx: cursors are opaque strings)', () => {
  fc.assert(fc.property(offset, (n) => {
    const cursor = encodeCursor(n);
    assert.match(cursor, /^[A-Za-z0-9_-]{1,40}$/);
    assert.equal(parseCursor(cursor), n);
    assert.equal(decodeCursor(cursor), n);
  }), { numRuns: 2000 });
});

test('any string is either a cursor encodeCursor wrote or reads as "invalid", never a throw', () => {
  fc.assert(fc.property(anyCursor, (cursor) => {
    const parsed = parseCursor(cursor);
    if (parsed !== 'invalid') assert.equal(encodeCursor(parsed), cursor);
  }), { numRuns: 5000 });
});

test('decodeCursor of any string returns an offset or throws exactly -32602 "Invalid cursor" (pagination.mdx: SHOULD)', () => {
  fc.assert(fc.property(anyCursor, (cursor) => {
    try {
      const n = decodeCursor(cursor);
      assert.ok(Number.isSafeInteger(n) && n >= 0 && n <= MAX_OFFSET);
    } catch (error) {
      assert.ok(error instanceof ProtocolError, String(error));
      assert.deepEqual(error.toJson(), { code: ErrorCode.InvalidParams, message: 'Invalid cursor', data: { field: '/cursor' } });
    }
  }), { numRuns: 5000 });
});

test('walking any list page by page visits each item exactly once, in order, and the last page has no nextCursor', () => {
  fc.assert(fc.property(fc.nat({ max: 500 }), fc.integer({ min: 1, max: 120 }), (length, pageSize) => {
    const items = Array.from({ length }, (_, i) => i);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const { page, nextCursor } = paginate(items, cursor, pageSize);
      assert.ok(page.length <= pageSize);
      seen.push(...page);
      cursor = nextCursor;
    } while (cursor !== undefined);
    assert.deepEqual(seen, items);
  }), { numRuns: 300 });
});
