/**
 * Tests for src/protocol/pagination.ts: cursor round trips, every kind of invalid cursor answered
 * with -32602 (server/utilities/pagination.mdx: SHOULD), paging over a stable list, and the one
 * recipe for a list method over a constant list.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, ProtocolError } from '../../src/protocol/errors.ts';
import { constantListMethod, decodeCursor, encodeCursor, LIST_PARAMS, paginate } from '../../src/protocol/pagination.ts';
import { serializeMessage } from '../../src/protocol/messages.ts';
import type { RequestContext } from '../../src/protocol/context.ts';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

function assertInvalidCursor(fn: () => unknown, label: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ProtocolError, label);
    assert.equal(error.code, ErrorCode.InvalidParams, label);
    assert.deepEqual(error.toJson(), { code: -32602, message: 'Invalid cursor', data: { field: '/cursor' } }, label);
    return true;
  }, label);
}

describe('cursors (server/utilities/pagination.mdx)', () => {
  test('encodeCursor and decodeCursor round-trip every offset a list can have', () => {
    for (const offset of [0, 1, 99, 100, 12345, 999_999_999]) assert.equal(decodeCursor(encodeCursor(offset)), offset);
  });

  test('a cursor is an opaque string of URL-safe characters', () => {
    assert.match(encodeCursor(100), /^[A-Za-z0-9_-]+$/);
    assert.equal(encodeCursor(100).includes('100'), false);
  });

  test('no cursor means the first page', () => {
    assert.equal(decodeCursor(undefined), 0);
  });

  test('garbage, base64 of other text, negative, fractional, padded, leading-zero and oversized cursors are -32602 (SHOULD)', () => {
    const invalid: Record<string, string> = {
      empty: '',
      garbage: '!!not a cursor!!',
      'plain text': 'hello',
      'base64 of other text': b64('hello world'),
      'base64 of a bare number': b64('100'),
      'another version prefix': b64('p2:100'),
      negative: b64('p1:-1'),
      fractional: b64('p1:1.5'),
      'leading zero': b64('p1:01'),
      exponent: b64('p1:1e3'),
      'ten digits': b64('p1:1000000000'),
      'trailing text': b64('p1:5 '),
      'padded base64': Buffer.from('p1:100').toString('base64').replace(/=*$/, '=='),
      'standard base64 alphabet': `${encodeCursor(1)}+/`,
      'very long': 'A'.repeat(10_000),
      'forty-one characters': 'A'.repeat(41),
    };
    for (const [label, cursor] of Object.entries(invalid)) assertInvalidCursor(() => decodeCursor(cursor), label);
  });
});

describe('paginate', () => {
  const items = Array.from({ length: 250 }, (_, i) => i);

  test('walks a list in pages, the last page without nextCursor (pagination.mdx: a missing nextCursor ends the list)', () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    const sizes: number[] = [];
    do {
      const { page, nextCursor } = paginate(items, cursor, 100);
      seen.push(...page);
      sizes.push(page.length);
      cursor = nextCursor;
    } while (cursor !== undefined);
    assert.deepEqual(sizes, [100, 100, 50]);
    assert.deepEqual(seen, items);
  });

  test('the same cursor gives the same page (pagination.mdx: cursors SHOULD be stable)', () => {
    const { nextCursor } = paginate(items, undefined, 100);
    assert.deepEqual(paginate(items, nextCursor, 100), paginate(items, nextCursor, 100));
  });

  test('a list that fits one page, or an empty list, has no nextCursor', () => {
    assert.deepEqual(paginate([1, 2], undefined, 100), { page: [1, 2] });
    assert.deepEqual(paginate([], undefined, 100), { page: [] });
    assert.deepEqual(paginate(items.slice(0, 100), undefined, 100), { page: items.slice(0, 100) });
  });

  test('a cursor past the end of the list is -32602; one exactly at the end is an empty last page', () => {
    assertInvalidCursor(() => paginate(items, encodeCursor(251), 100), 'beyond end');
    assertInvalidCursor(() => paginate([], encodeCursor(1), 100), 'beyond an empty list');
    assert.deepEqual(paginate(items, encodeCursor(250), 100), { page: [] });
  });
});

describe('constantListMethod', () => {
  const items = Array.from({ length: 150 }, (_, i) => ({ name: `t${i}` }));
  const descriptor = constantListMethod('things/list', 'things', items, { name: 'tools' });
  const run = (params: Record<string, unknown>) => descriptor.handler(params, {} as RequestContext);

  test('describes the method with the PaginatedRequestParams schema (schema.ts)', () => {
    assert.equal(descriptor.method, 'things/list');
    assert.equal(descriptor.params, LIST_PARAMS);
  });

  test('answers the first page with one frozen constant, encoded once (STYLE principle 11)', async () => {
    const first = await run({});
    assert.equal(await run({}), first);
    assert.ok(Object.isFrozen(first));
    assert.deepEqual(first, { things: items.slice(0, 100), nextCursor: encodeCursor(100) });
    const wire = serializeMessage({ jsonrpc: '2.0', id: 1, result: first });
    assert.deepEqual(JSON.parse(wire), { jsonrpc: '2.0', id: 1, result: first });
  });

  test('answers later pages per cursor, the last without nextCursor, and a bad cursor with -32602 (pagination.mdx)', async () => {
    assert.deepEqual(await run({ cursor: encodeCursor(100) }), { things: items.slice(100) });
    assertInvalidCursor(() => run({ cursor: 'nope' }), 'bad cursor');
  });
});
