/**
 * Tests of src/transport/modern-headers.ts (MCP 2026-07-28 basic/transports/streamable-http.mdx
 * "Server Validation", "Value Encoding", "Custom Headers"), including every header case the
 * conformance alpha's http-header-validation and http-custom-header-server-validation send.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contradiction, decodeHeaderValue, missingOrMisnamed, paramHeaderMismatch, type StandardHeaders } from '../../src/transport/modern-headers.ts';

const HEADERS: StandardHeaders = { protocolVersion: '2026-07-28', method: 'tools/call', name: 'create_incident' };

test('"Value Encoding": =?base64?…?= is decoded strictly; a value missing either marker is a literal', () => {
  assert.equal(decodeHeaderValue('=?base64?SGVsbG8=?='), 'Hello');
  assert.equal(decodeHeaderValue('=?base64?SGVsbG8?='), undefined, 'bad padding');
  assert.equal(decodeHeaderValue('=?base64?SGVs!!!bG8=?='), undefined, 'bad alphabet');
  assert.equal(decodeHeaderValue('SGVsbG8='), 'SGVsbG8=');
  assert.equal(decodeHeaderValue('=?base64?SGVsbG8='), '=?base64?SGVsbG8=');
  assert.equal(decodeHeaderValue('=?BASE64?SGVsbG8=?='), '=?BASE64?SGVsbG8=?=', 'markers are exact and lower-case');
  assert.equal(decodeHeaderValue('=?base64?5pel5pys?='), '日本');
  assert.equal(decodeHeaderValue('=?base64?/w==?='), undefined, 'not UTF-8');
  assert.equal(decodeHeaderValue('=?base64??='), '');
});

test('checklist M-E10: a present header that contradicts the body is a mismatch; absent ones are judged later', () => {
  assert.equal(contradiction(HEADERS, '2026-07-28', 'tools/call'), undefined);
  assert.deepEqual(contradiction(HEADERS, 'v999.0.0', 'tools/call'), { header: 'MCP-Protocol-Version', problem: 'does not match params._meta["io.modelcontextprotocol/protocolVersion"]' });
  assert.deepEqual(contradiction({ ...HEADERS, method: 'prompts/list' }, '2026-07-28', 'tools/call'), { header: 'Mcp-Method', problem: 'does not match the method' });
  assert.deepEqual(contradiction({ ...HEADERS, method: 'TOOLS/CALL' }, '2026-07-28', 'tools/call')?.header, 'Mcp-Method', 'values are case-sensitive');
  assert.equal(contradiction({ protocolVersion: undefined, method: undefined, name: undefined }, '2026-07-28', 'tools/call'), undefined);
});

test('checklist M-E12: MCP-Protocol-Version and Mcp-Method are required; Mcp-Name mirrors params.name or params.uri', () => {
  const params = { name: 'create_incident' };
  assert.equal(missingOrMisnamed(HEADERS, 'name', params), undefined);
  assert.deepEqual(missingOrMisnamed({ ...HEADERS, protocolVersion: undefined }, 'name', params), { header: 'MCP-Protocol-Version', problem: 'is required' });
  assert.deepEqual(missingOrMisnamed({ ...HEADERS, method: undefined }, 'name', params), { header: 'Mcp-Method', problem: 'is required' });
  assert.deepEqual(missingOrMisnamed({ ...HEADERS, name: undefined }, 'name', params), { header: 'Mcp-Name', problem: 'is required' });
  assert.deepEqual(missingOrMisnamed({ ...HEADERS, name: 'wrong_tool_name' }, 'name', params), { header: 'Mcp-Name', problem: 'does not match params.name' });
  assert.equal(missingOrMisnamed({ ...HEADERS, name: '=?base64?Y3JlYXRlX2luY2lkZW50?=' }, 'name', params), undefined);
  assert.deepEqual(missingOrMisnamed({ ...HEADERS, name: '=?base64?Y3JlYXRl!?=' }, 'name', params)?.problem, 'is not valid =?base64?…?= encoding');
  assert.equal(missingOrMisnamed({ ...HEADERS, method: 'resources/read', name: 'incidents://1' }, 'uri', { uri: 'incidents://1' }), undefined);
  assert.deepEqual(missingOrMisnamed({ ...HEADERS, method: 'resources/read', name: 'incidents://2' }, 'uri', { uri: 'incidents://1' })?.problem, 'does not match params.uri');
  // Methods without a named target need no Mcp-Name; a body without a name leaves its error to the params check.
  assert.equal(missingOrMisnamed({ ...HEADERS, method: 'tools/list', name: undefined }, undefined, {}), undefined);
  assert.equal(missingOrMisnamed({ ...HEADERS, name: undefined }, 'name', {}), undefined);
});

test('"Server Behavior for Custom Headers": Mcp-Param-* must match the argument it mirrors, decoded; absent or null arguments expect none', () => {
  const declared = [
    { header: 'mcp-param-region', property: 'region', type: 'string' },
    { header: 'mcp-param-count', property: 'count', type: 'integer' },
    { header: 'mcp-param-dry', property: 'dry', type: 'boolean' },
  ] as const;
  const ok = (args: Record<string, unknown>, headers: Record<string, string>): void => assert.equal(paramHeaderMismatch(declared, args, headers), undefined, JSON.stringify([args, headers]));
  const bad = (args: Record<string, unknown>, headers: Record<string, string>, problem: string): void => assert.equal(paramHeaderMismatch(declared, args, headers)?.problem, problem);
  ok({ region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVsbG8=?=' });
  bad({ region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVsbG8?=' }, 'is not valid =?base64?…?= encoding');
  bad({ region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVs!!!bG8=?=' }, 'is not valid =?base64?…?= encoding');
  ok({ region: 'SGVsbG8=' }, { 'mcp-param-region': 'SGVsbG8=' });
  ok({ region: '=?base64?SGVsbG8=' }, { 'mcp-param-region': '=?base64?SGVsbG8=' });
  bad({ region: 'test-value' }, {}, 'is required when the argument is given');
  ok({ region: null }, {});
  ok({}, {});
  ok({ count: 42 }, { 'mcp-param-count': '42.0' });
  bad({ count: 42 }, { 'mcp-param-count': '43' }, 'does not match arguments.count');
  bad({ count: 0 }, { 'mcp-param-count': ' ' }, 'does not match arguments.count');
  ok({ dry: false }, { 'mcp-param-dry': 'false' });
  bad({ dry: true }, { 'mcp-param-dry': 'True' }, 'does not match arguments.dry');
});
