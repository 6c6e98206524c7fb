/**
 * Property-based tests of the JSON-RPC classifier in src/protocol/messages.ts (STYLE principle 4,
 * issue 15): `classify` is total on any value (it returns a tagged value, never throws), keeps an
 * id only when it is a valid RequestId, and every well-formed request, notification and response
 * round-trips through classify and serializeMessage unchanged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { classify, parseAndClassify, serializeMessage, type Classified } from '../../src/protocol/messages.ts';

const KINDS = new Set(['request', 'notification', 'response', 'invalid']);
/** JSON-RPC 2.0 §5.1 codes the classifier may answer with. */
const CLASSIFIER_CODES = new Set([-32700, -32600]);

/** schema.ts RequestId: a string or a (safe) integer. */
const requestId = fc.oneof(fc.string(), fc.maxSafeInteger(), fc.integer());
const params = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }));
const method = fc.string({ minLength: 1 });

function assertWellFormed(result: Classified): void {
  assert.ok(KINDS.has(result.kind), result.kind);
  if (result.kind !== 'invalid') return;
  assert.ok(CLASSIFIER_CODES.has(result.error.code), String(result.error.code));
  assert.equal(typeof result.error.message, 'string');
  // checklist B8: an unreadable id is absent, never null.
  if ('id' in result) assert.ok(typeof result.id === 'string' || Number.isSafeInteger(result.id));
}

test('classify is total on any JSON value: a known kind, classifier codes only, never a throw (JSON-RPC 2.0 §5)', () => {
  fc.assert(fc.property(fc.jsonValue(), (value) => assertWellFormed(classify(value))), { numRuns: 3000 });
});

test('classify is total on any JavaScript value, not only JSON (null prototypes, boxed values, Maps, BigInt, sparse arrays)', () => {
  const anything = fc.anything({ withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withObjectString: true, withSparseArray: true, withTypedArray: true });
  fc.assert(fc.property(anything, (value) => assertWellFormed(classify(value))), { numRuns: 3000 });
});

test('classify is total on message-shaped objects whose members have any JSON type', () => {
  const member = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
  const shaped = fc.record({ jsonrpc: fc.oneof(fc.constant('2.0'), member), id: member, method: member, params: member, result: member, error: member }, { requiredKeys: [] });
  fc.assert(fc.property(shaped, (value) => assertWellFormed(classify(value))), { numRuns: 3000 });
});

test('parseAndClassify is total on any text: -32700 for what JSON.parse refuses (JSON-RPC 2.0 §5.1)', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      const result = parseAndClassify(text);
      assertWellFormed(result);
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      assert.equal(result.kind === 'invalid' && result.error.code === -32700, !parses);
    }),
    { numRuns: 3000 },
  );
});

test('basic/index.mdx: a well-formed request or notification round-trips through the wire unchanged', () => {
  fc.assert(
    fc.property(fc.option(requestId, { nil: undefined }), method, fc.option(params, { nil: undefined }), (id, name, args) => {
      const message: Record<string, unknown> = { jsonrpc: '2.0', method: name };
      if (args !== undefined) message.params = args;
      if (id !== undefined) message.id = id;
      const wire = JSON.parse(JSON.stringify(message)) as unknown;
      const result = parseAndClassify(JSON.stringify(message));
      assert.equal(result.kind, id === undefined ? 'notification' : 'request');
      assert.ok(result.kind === 'request' || result.kind === 'notification');
      assert.deepEqual(JSON.parse(serializeMessage(result.message)), wire);
    }),
    { numRuns: 2000 },
  );
});

test('basic/index.mdx: a well-formed result or error response round-trips through the wire unchanged', () => {
  const error = fc.record({ code: fc.integer(), message: fc.string(), data: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: ['code', 'message'] });
  const body = fc.oneof(params.map((result) => ({ result })), error.map((e) => ({ error: e })));
  fc.assert(
    fc.property(requestId, body, (id, content) => {
      const message = { jsonrpc: '2.0', id, ...content };
      const wire = JSON.parse(JSON.stringify(message)) as unknown;
      const result = classify(wire);
      assert.equal(result.kind, 'response');
      assert.ok(result.kind === 'response');
      assert.deepEqual(JSON.parse(serializeMessage(result.message)), wire);
    }),
    { numRuns: 2000 },
  );
});
