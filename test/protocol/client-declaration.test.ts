/**
 * Tests of src/protocol/client-declaration.ts (MCP 2025-11-25 basic/lifecycle.mdx "Capability
 * Negotiation", schema.ts ClientCapabilities and Implementation; issue #15): what a session keeps
 * of `initialize` is the known capabilities declared, reduced to their known sub-capabilities, and
 * clientInfo's name and version cut to a bound, whatever the size of what the client sent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientIdentity, declaredCapabilities, MAX_CLIENT_INFO_LENGTH } from '../../src/protocol/client-declaration.ts';

test('schema.ts ClientCapabilities: each known capability is kept with its known sub-capabilities only', () => {
  const declared = declaredCapabilities({
    roots: { listChanged: true, extra: 1 },
    sampling: { context: { any: 'thing' }, tools: {}, other: {} },
    elicitation: { form: {}, url: { x: [1, 2, 3] } },
    tasks: { list: {}, cancel: {}, requests: { sampling: { createMessage: {} }, elicitation: { create: { y: 1 } } }, more: {} },
  });
  assert.deepEqual(declared, {
    roots: { listChanged: true },
    sampling: { context: {}, tools: {} },
    elicitation: { form: {}, url: {} },
    tasks: { list: {}, cancel: {}, requests: { sampling: { createMessage: {} }, elicitation: { create: {} } } },
  });
});

test('experimental and unknown capabilities are dropped; a declared capability stays declared even when empty', () => {
  assert.deepEqual(declaredCapabilities({ experimental: { big: { x: 'y'.repeat(1000) } }, custom: {}, sampling: {} }), { sampling: {} });
  assert.deepEqual(declaredCapabilities({}), {});
});

test('values of the wrong type are not kept: a non-object capability, a non-boolean flag, an array', () => {
  assert.deepEqual(declaredCapabilities({ roots: true, sampling: [], elicitation: null, tasks: 'yes' }), {});
  assert.deepEqual(declaredCapabilities({ roots: { listChanged: 'true' } }), { roots: {} });
  assert.deepEqual(declaredCapabilities({ roots: { listChanged: false } }), { roots: { listChanged: false } });
});

test('only own properties count: an inherited capability is not declared', () => {
  const inherited = Object.create({ sampling: {} }) as Record<string, unknown>;
  assert.deepEqual(declaredCapabilities(inherited), {});
  assert.deepEqual(declaredCapabilities(JSON.parse('{"__proto__": {"sampling": {}}, "roots": {}}') as Record<string, unknown>), { roots: {} });
});

test('nothing of the input is shared with what is kept', () => {
  const input = { roots: { listChanged: true } };
  const declared = declaredCapabilities(input);
  input.roots.listChanged = false;
  assert.deepEqual(declared, { roots: { listChanged: true } });
});

test('schema.ts Implementation: name and version are kept, cut to MAX_CLIENT_INFO_LENGTH; the rest is dropped', () => {
  assert.deepEqual(clientIdentity({ name: 'c', version: '1.0', title: 'C', icons: [] }), { name: 'c', version: '1.0' });
  const long = clientIdentity({ name: 'n'.repeat(10_000), version: 'v'.repeat(MAX_CLIENT_INFO_LENGTH) });
  assert.equal(long.name, 'n'.repeat(MAX_CLIENT_INFO_LENGTH));
  assert.equal(long.version, 'v'.repeat(MAX_CLIENT_INFO_LENGTH));
});

test('cutting never splits a surrogate pair (the kept text stays well-formed UTF-16)', () => {
  const name = `${'a'.repeat(MAX_CLIENT_INFO_LENGTH - 1)}😀tail`;
  const kept = clientIdentity({ name, version: '1' }).name;
  assert.equal(kept, 'a'.repeat(MAX_CLIENT_INFO_LENGTH - 1));
  assert.doesNotMatch(kept, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'a lone high surrogate at the cut');
});

test('a missing or non-string name or version is kept as the empty string', () => {
  assert.deepEqual(clientIdentity({}), { name: '', version: '' });
  assert.deepEqual(clientIdentity({ name: 5, version: null }), { name: '', version: '' });
});
