/**
 * Tests for src/protocol/messages.ts: the wire-message corpus in fixtures/messages/ run through
 * parseAndClassify, generated deep nesting, non-plain objects, and the response builders.
 * Every accepted message must also be valid against the official schema; every rejection must
 * turn into an error response the official schema accepts (checklist B8: no `"id": null`).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { classify, constantResult, errorResponse, idKey, parseAndClassify, resultResponse, serializeMessage, type RequestId } from '../../src/protocol/messages.ts';
import { assertSchema, assertServerMessage } from '../helpers/schema.ts';

interface Case {
  description: string;
  spec: string;
  message: string;
  expect: { kind: 'request' | 'notification' | 'response' | 'invalid'; code?: number; id?: RequestId; hasId?: boolean };
}

const DIR = new URL('../../fixtures/messages/', import.meta.url);
const FILES = readdirSync(DIR).filter((name) => name.endsWith('.json')).sort();
const corpus = new Map(FILES.map((name) => [name, JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as Case[]]));

/** The members classify keeps, as the raw message has them. */
function wireMembers(raw: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of ['jsonrpc', 'id', 'method', 'params', 'result', 'error']) if (Object.hasOwn(raw, key)) kept[key] = raw[key];
  return kept;
}

function checkCase(c: Case): void {
  const classified = parseAndClassify(c.message);
  assert.equal(classified.kind, c.expect.kind);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
  if (classified.kind === 'invalid') {
    assert.equal(classified.error.code, c.expect.code);
    assert.equal(typeof classified.error.message, 'string');
    assert.equal(Object.hasOwn(classified, 'id'), c.expect.hasId === true, 'id presence');
    if (c.expect.id !== undefined) assert.equal(classified.id, c.expect.id);
    const response = errorResponse(classified.error, classified.id);
    assert.equal(Object.hasOwn(response, 'id'), c.expect.hasId === true);
    assertServerMessage(response);
    return;
  }
  assert.equal(c.expect.code, undefined, 'an accepted case expects no code');
  const raw = JSON.parse(c.message) as Record<string, unknown>;
  assertSchema('JSONRPCMessage', raw);
  assert.deepEqual(classified.message, wireMembers(raw));
  if (c.expect.id !== undefined) assert.equal((classified.message as { id?: RequestId }).id, c.expect.id);
  if (c.expect.hasId === false) assert.equal(Object.hasOwn(classified.message, 'id'), false);
}

for (const [name, cases] of corpus) {
  describe(`fixtures/messages/${name}`, () => {
    for (const c of cases) test(`${c.description} (${c.spec})`, () => checkCase(c));
  });
}

describe('the corpus', () => {
  test('holds at least 40 cases, each with a description, a spec reference and a raw body (STYLE principle 14)', () => {
    const all = [...corpus.values()].flat();
    assert.ok(all.length >= 40, `only ${all.length} cases`);
    for (const c of all) {
      assert.ok(c.description.length > 0 && c.spec.length > 0);
      assert.equal(typeof c.message, 'string');
      assert.ok(['request', 'notification', 'response', 'invalid'].includes(c.expect.kind));
    }
  });

  test('covers every kind, both error codes, and rejections with and without an id', () => {
    const all = [...corpus.values()].flat();
    for (const kind of ['request', 'notification', 'response', 'invalid']) assert.ok(all.some((c) => c.expect.kind === kind), kind);
    assert.ok(all.some((c) => c.expect.code === ErrorCode.ParseError));
    assert.ok(all.some((c) => c.expect.code === ErrorCode.InvalidRequest && c.expect.hasId === true));
    assert.ok(all.some((c) => c.expect.code === ErrorCode.InvalidRequest && c.expect.hasId === false));
  });
});

describe('deep nesting (generated)', () => {
  const DEPTH = 100_000;

  test('a deeply nested array is rejected as a batch without an id, and nothing throws (basic/transports.mdx)', () => {
    const classified = parseAndClassify('['.repeat(DEPTH) + ']'.repeat(DEPTH));
    assert.deepEqual(classified, { kind: 'invalid', error: { code: ErrorCode.InvalidRequest, message: 'Batch requests are not supported' } });
  });

  test('a deeply nested object without jsonrpc is -32600 with no id (JSON-RPC 2.0 §4)', () => {
    const classified = parseAndClassify('{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH));
    assert.equal(classified.kind, 'invalid');
    assert.equal(classified.kind === 'invalid' && classified.error.code, ErrorCode.InvalidRequest);
    assert.equal(Object.hasOwn(classified, 'id'), false);
  });

  test('deep params are classified without recursing into them (STYLE principle 4)', () => {
    const params = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);
    const classified = parseAndClassify(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${params}}`);
    assert.equal(classified.kind, 'request');
  });
});

describe('classify on values that did not come from JSON.parse', () => {
  const fields = { jsonrpc: '2.0', id: 1, method: 'ping' };

  test('class instances, Maps and Dates are not plain objects: -32600 (STYLE principle 4)', () => {
    class Message { jsonrpc = '2.0'; id = 1; method = 'ping'; }
    for (const value of [new Message(), new Map(Object.entries(fields)), new Date(0), Object.assign(Object.create({ x: 1 }) as object, fields)]) {
      const classified = classify(value);
      assert.equal(classified.kind, 'invalid');
      assert.equal(classified.kind === 'invalid' && classified.error.code, ErrorCode.InvalidRequest);
    }
  });

  test('an object with a null prototype is a plain object (JSON-RPC 2.0 §4)', () => {
    assert.equal(classify(Object.assign(Object.create(null) as object, fields)).kind, 'request');
  });

  test('the typed message keeps only the members JSON-RPC defines (basic/index.mdx)', () => {
    const classified = classify({ jsonrpc: '2.0', id: 'x', method: 'ping', params: { a: 1 }, extra: true });
    assert.deepEqual(classified, { kind: 'request', message: { jsonrpc: '2.0', id: 'x', method: 'ping', params: { a: 1 } } });
  });

  test('an error response keeps data only when it was sent (schema.ts Error)', () => {
    const withData = classify({ jsonrpc: '2.0', id: 1, error: { code: 1, message: 'm', data: null, other: 1 } });
    assert.deepEqual(withData, { kind: 'response', message: { jsonrpc: '2.0', id: 1, error: { code: 1, message: 'm', data: null } } });
    const without = classify({ jsonrpc: '2.0', id: 1, error: { code: 1, message: 'm' } });
    assert.deepEqual(without, { kind: 'response', message: { jsonrpc: '2.0', id: 1, error: { code: 1, message: 'm' } } });
  });
});

describe('response builders', () => {
  test('an error response without a readable id has no id member at all (checklist B8)', () => {
    const response = errorResponse({ code: ErrorCode.ParseError, message: 'Parse error' });
    assert.deepEqual(response, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' } });
    assert.equal(JSON.stringify(response).includes('"id"'), false);
    assertServerMessage(response);
  });

  test('an error response echoes the request id, string or integer (basic/index.mdx)', () => {
    for (const id of [0, 'a']) {
      const response = errorResponse({ code: ErrorCode.InvalidRequest, message: 'Invalid' }, id);
      assert.deepEqual(response, { jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid' } });
      assertServerMessage(response);
    }
  });

  test('a result response carries the id and the result object (basic/index.mdx)', () => {
    const response = resultResponse(7, {});
    assert.deepEqual(response, { jsonrpc: '2.0', id: 7, result: {} });
    assertServerMessage(response, 'ping');
  });

  test('idKey tells 1 and "1" apart, and no string collides with a number (basic/index.mdx RequestId)', () => {
    assert.notEqual(idKey(1), idKey('1'));
    assert.notEqual(idKey(1), idKey('n:1'));
    assert.equal(idKey(1), idKey(1));
    assert.equal(idKey('a'), idKey('a'));
  });
});

describe('serializeMessage (one encoding per message, constants encoded once)', () => {
  test('a constant result is spliced byte for byte as JSON.stringify would write it, for string and integer ids', () => {
    const result = constantResult({ tools: [{ name: 'a', inputSchema: { type: 'object' } }], note: 'é"\\' });
    for (const id of [7, 'x"7'] as RequestId[]) {
      const response = resultResponse(id, result);
      assert.equal(serializeMessage(response), JSON.stringify(response));
    }
    assert.ok(Object.isFrozen(result));
  });

  test('other messages are encoded with JSON.stringify', () => {
    const response = errorResponse({ code: -32601, message: 'Method not found: x' }, 3);
    assert.equal(serializeMessage(response), JSON.stringify(response));
    const fresh = resultResponse(1, { a: 1 });
    assert.equal(serializeMessage(fresh), '{"jsonrpc":"2.0","id":1,"result":{"a":1}}');
  });
});
