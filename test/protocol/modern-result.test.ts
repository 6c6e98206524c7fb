/**
 * Tests of src/protocol/modern-result.ts: a modern result carries resultType, serverInfo in _meta
 * and, when cacheable, ttlMs and cacheScope (MCP 2026-07-28 basic/index.mdx, caching.mdx), valid
 * against the 2026-07-28 schema; constant results are dressed once and stay pre-encoded.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { META_KEYS } from '../../src/protocol/envelope.ts';
import { constantResult, serializeMessage } from '../../src/protocol/messages.ts';
import { modernResult } from '../../src/protocol/modern-result.ts';
import { assertModernSchema } from '../helpers/schema-modern.ts';

const SERVER = { name: 'incident-mcp-server', version: '0.1.0' };

test('every modern result is complete and names the server in _meta; keys of its own _meta stay', () => {
  const result = modernResult({ content: [{ type: 'text', text: 'hi' }], _meta: { 'example.com/x': 1 } }, SERVER, undefined);
  assert.deepEqual(result, { resultType: 'complete', content: [{ type: 'text', text: 'hi' }], _meta: { 'example.com/x': 1, [META_KEYS.serverInfo]: SERVER } });
  assertModernSchema('CallToolResult', result);
  assert.equal('ttlMs' in result, false, 'tools/call is not cacheable');
});

test('caching.mdx: a cacheable result carries ttlMs and cacheScope and is valid as such', () => {
  const result = modernResult({ tools: [] }, SERVER, { ttlMs: 3_600_000, cacheScope: 'public' });
  assert.deepEqual(result, { resultType: 'complete', tools: [], ttlMs: 3_600_000, cacheScope: 'public', _meta: { [META_KEYS.serverInfo]: SERVER } });
  assertModernSchema('ListToolsResult', result);
});

test('a constant result is dressed once, stays frozen, and is spliced into responses pre-encoded', () => {
  const base = constantResult({ prompts: [] });
  const hint = { ttlMs: 0, cacheScope: 'public' } as const;
  const first = modernResult(base, SERVER, hint);
  assert.equal(modernResult(base, SERVER, hint), first);
  // One constant may answer several methods (EMPTY_RESULT): each hint gets its own dressing.
  assert.equal('ttlMs' in modernResult(base, SERVER, undefined), false);
  assert.ok(Object.isFrozen(first));
  assert.equal(serializeMessage({ jsonrpc: '2.0', id: 7, result: first }), JSON.stringify({ jsonrpc: '2.0', id: 7, result: first }));
  assert.deepEqual(base, { prompts: [] }, 'the legacy constant is untouched');
});
