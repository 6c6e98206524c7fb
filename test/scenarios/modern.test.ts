/**
 * The modern era over real HTTP (MCP 2026-07-28; checklist §5): the per-request era decision, the
 * validation ladder in its order with exact statuses, codes and echoed ids, server/discover, the
 * modern result fields, cancellation by closing the stream, logging only with a logLevel, the
 * trace id in the access log, and that a modern request never touches the legacy session store.
 * Every message received is checked against the 2026-07-28 schema.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { META_KEYS } from '../../src/protocol/envelope.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertModernServerMessage } from '../helpers/schema-modern.ts';

const VERSION = '2026-07-28';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

let server: TestServer;
let token: string;
before(async () => {
  server = await startTestServer();
  token = await server.token();
});
after(() => server.close());

function meta(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { [META_KEYS.protocolVersion]: VERSION, [META_KEYS.clientCapabilities]: {}, [META_KEYS.clientInfo]: { name: 'test', version: '1' }, ...extra };
}

interface Sent {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** One modern POST: headers default to what the body says; `headers` overrides or removes (undefined). */
async function post(method: string, params: Record<string, unknown>, options: { id?: number | string; headers?: Record<string, string | undefined>; accept?: string } = {}): Promise<Sent> {
  const named = typeof params.name === 'string' ? params.name : typeof params.uri === 'string' ? params.uri : undefined;
  const headers: Record<string, string | undefined> = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: options.accept ?? 'application/json, text/event-stream',
    'mcp-protocol-version': VERSION,
    'mcp-method': method,
    ...(named === undefined ? {} : { 'mcp-name': named }),
    ...options.headers,
  };
  const response = await fetch(server.url, {
    method: 'POST',
    headers: Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    body: JSON.stringify({ jsonrpc: '2.0', id: options.id ?? 1, method, params }),
  });
  const text = await response.text();
  const body = (response.headers.get('content-type')?.startsWith('text/event-stream') === true ? JSON.parse(text.trim().split('\n').filter((l) => l.startsWith('data: ')).at(-1)?.slice(6) ?? '{}') : JSON.parse(text)) as Record<string, unknown>;
  assertModernServerMessage(body, method);
  return { status: response.status, headers: response.headers, body };
}

function errorOf(sent: Sent): { code: number; message: string; data?: unknown } {
  return sent.body.error as { code: number; message: string; data?: unknown };
}

describe('checklist §5.1: the era is decided per request, from the body', () => {
  test('a request whose _meta claims a version is modern, whatever its method: initialize and ping get 404 + -32601 (M-E7, M-E19)', async () => {
    for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe', 'unknown/method']) {
      const sent = await post(method, { _meta: meta() }, { id: 7 });
      assert.equal(sent.status, 404, method);
      assert.deepEqual([sent.body.id, errorOf(sent).code], [7, -32601], method);
    }
  });

  test('without the claim, a request naming a modern MCP-Protocol-Version is a modern request missing its _meta: 400 + -32602 (M-E8)', async () => {
    const sent = await post('server/discover', {}, { id: 'a' });
    assert.equal(sent.status, 400);
    assert.deepEqual([sent.body.id, errorOf(sent).code], ['a', -32602]);
    const legacyInitialize = await post('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } }, { id: 3 });
    assert.deepEqual([legacyInitialize.status, errorOf(legacyInitialize).code, legacyInitialize.body.id], [400, -32020, 3]);
  });

  test('a modern request carries no session and never creates one; an MCP-Session-Id sent anyway is ignored (M-H30)', async () => {
    const before = server.running.sessions.size;
    const sent = await post('tools/list', { _meta: meta() }, { headers: { 'mcp-session-id': 'no-such-session' } });
    assert.equal(sent.status, 200);
    assert.equal(sent.headers.get('mcp-session-id'), null);
    assert.equal(server.running.sessions.size, before);
  });
});

describe('checklist §5.2: the modern ladder, in order, each refusal with the request id (M-E29)', () => {
  test('M-E9: a malformed envelope is 400 + -32602 naming the key', async () => {
    const noCaps = await post('server/discover', { _meta: { [META_KEYS.protocolVersion]: VERSION } }, { id: 11 });
    assert.deepEqual([noCaps.status, errorOf(noCaps).code, noCaps.body.id], [400, -32602, 11]);
    assert.deepEqual(errorOf(noCaps).data, { field: `params._meta["${META_KEYS.clientCapabilities}"]` });
    const badLevel = await post('tools/list', { _meta: meta({ [META_KEYS.logLevel]: 'loud' }) }, { id: 12 });
    assert.deepEqual([badLevel.status, errorOf(badLevel).code], [400, -32602]);
  });

  test('M-E10 before M-E11: a header contradicting the body is -32020 even when the body names an unsupported version', async () => {
    const sent = await post('server/discover', { _meta: meta({ [META_KEYS.protocolVersion]: 'v999.0.0' }) }, { id: 13 });
    assert.deepEqual([sent.status, errorOf(sent).code, sent.body.id], [400, -32020, 13]);
    const method = await post('tools/list', { _meta: meta() }, { headers: { 'mcp-method': 'prompts/list' } });
    assert.deepEqual([method.status, errorOf(method).code, errorOf(method).data], [400, -32020, { header: 'Mcp-Method' }]);
    const upper = await post('tools/list', { _meta: meta() }, { headers: { 'mcp-method': 'TOOLS/LIST' } });
    assert.equal(errorOf(upper).code, -32020, 'header values are case-sensitive');
  });

  test('M-E11: an unsupported version is 400 + -32022 with the supported list, the same list server/discover gives (M-E30)', async () => {
    const sent = await post('server/discover', { _meta: meta({ [META_KEYS.protocolVersion]: 'v999.0.0' }) }, { id: 14, headers: { 'mcp-protocol-version': 'v999.0.0' } });
    assert.deepEqual([sent.status, errorOf(sent).code, errorOf(sent).data], [400, -32022, { supported: [VERSION], requested: 'v999.0.0' }]);
    const legacyInMeta = await post('tools/list', { _meta: meta({ [META_KEYS.protocolVersion]: '2025-11-25' }) }, { headers: { 'mcp-protocol-version': '2025-11-25' } });
    assert.equal(errorOf(legacyInMeta).code, -32022, 'M-V14: a legacy version named in _meta is unsupported there');
  });

  test('M-E12: missing MCP-Protocol-Version or Mcp-Method, or an Mcp-Name that is missing or wrong, is 400 + -32020', async () => {
    for (const headers of [{ 'mcp-protocol-version': undefined }, { 'mcp-method': undefined }]) {
      const sent = await post('tools/list', { _meta: meta() }, { headers });
      assert.deepEqual([sent.status, errorOf(sent).code], [400, -32020], JSON.stringify(headers));
    }
    const args = { name: 'list_incidents', arguments: {}, _meta: meta() };
    assert.equal(errorOf(await post('tools/call', args, { headers: { 'mcp-name': undefined } })).code, -32020);
    assert.equal(errorOf(await post('tools/call', args, { headers: { 'mcp-name': 'create_incident' } })).code, -32020);
    const encoded = await post('tools/call', args, { headers: { 'mcp-name': `=?base64?${Buffer.from('list_incidents').toString('base64')}?=` } });
    assert.equal(encoded.status, 200, 'the =?base64?…?= form of the same name is accepted');
  });

  test('scopes and challenges are the same in both eras: a read-only token cannot create (403, step-up challenge, the id echoed)', async () => {
    const readOnly = await server.token(['incidents:read']);
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${readOnly}`, 'content-type': 'application/json', accept: 'application/json', 'mcp-protocol-version': VERSION, 'mcp-method': 'tools/call', 'mcp-name': 'create_incident' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 21, method: 'tools/call', params: { name: 'create_incident', arguments: { title: 'x' }, _meta: meta() } }),
    });
    assert.equal(response.status, 403);
    assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer error="insufficient_scope", scope="incidents:read incidents:write"/);
    assert.equal(((await response.json()) as { id: unknown }).id, 21);
  });
});

describe('modern results (basic/index.mdx, caching.mdx)', () => {
  test('server/discover: the modern version, the capabilities this era serves, instructions, serverInfo, and a public cache hint', async () => {
    const { status, body } = await post('server/discover', { _meta: meta() });
    assert.equal(status, 200);
    const result = body.result as Record<string, unknown>;
    assert.deepEqual(result.supportedVersions, [VERSION]);
    assert.deepEqual(result.capabilities, { logging: {}, completions: {}, prompts: { listChanged: false }, resources: { subscribe: true, listChanged: true }, tools: { listChanged: false } });
    assert.equal(typeof result.instructions, 'string');
    assert.deepEqual([result.resultType, result.ttlMs, result.cacheScope], ['complete', 3_600_000, 'public']);
    assert.equal((result._meta as Record<string, { name: string }>)[META_KEYS.serverInfo]?.name, 'incident-mcp-server');
  });

  test('list results are cacheable: constant lists public, incident data private and stale at once (docs/decisions.md)', async () => {
    const scopes = new Map<string, unknown>();
    for (const method of ['tools/list', 'prompts/list', 'resources/templates/list', 'resources/list']) {
      const result = (await post(method, { _meta: meta() })).body.result as Record<string, unknown>;
      scopes.set(method, [result.ttlMs, result.cacheScope]);
    }
    assert.deepEqual(Object.fromEntries(scopes), {
      'tools/list': [3_600_000, 'public'],
      'prompts/list': [3_600_000, 'public'],
      'resources/templates/list': [3_600_000, 'public'],
      'resources/list': [0, 'private'],
    });
    const read = (await post('resources/read', { uri: 'incidents://1', _meta: meta() })).body.result as Record<string, unknown>;
    assert.deepEqual([read.resultType, read.ttlMs, read.cacheScope], ['complete', 0, 'private']);
  });

  test('tools/call and prompts/get results carry resultType and serverInfo but no cache fields (caching.mdx "Cacheable Results")', async () => {
    for (const [method, params] of [['tools/call', { name: 'list_incidents', arguments: { status: 'open' } }], ['prompts/get', { name: 'triage_incidents' }]] as const) {
      const result = (await post(method, { ...params, _meta: meta() })).body.result as Record<string, unknown>;
      assert.equal(result.resultType, 'complete', method);
      assert.equal('ttlMs' in result || 'cacheScope' in result, false, method);
    }
  });

  test('a resource that does not exist is -32602 with data.uri in this era (basic/index.mdx: -32002 MUST NOT), in-band with HTTP 200 (M-E16)', async () => {
    const sent = await post('resources/read', { uri: 'incidents://999', _meta: meta() }, { id: 31 });
    assert.equal(sent.status, 200);
    assert.deepEqual([sent.body.id, errorOf(sent).code, errorOf(sent).data], [31, -32602, { uri: 'incidents://999' }]);
  });

  test('W3C Trace Context: the trace id of a valid traceparent is on the request\'s access-log line', async () => {
    await post('tools/list', { _meta: meta({ traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` }) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = server.logger.lines.find((l) => l.msg === 'request' && l.traceId === TRACE_ID);
    assert.equal(line?.rpcMethod, 'tools/list');
  });

  test('a notification with the claim is accepted (202) and nothing else happens (checklist M-E17)', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json', 'mcp-protocol-version': VERSION, 'mcp-method': 'notifications/cancelled' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, _meta: meta() } }),
    });
    assert.deepEqual([response.status, await response.text()], [202, '']);
  });
});
