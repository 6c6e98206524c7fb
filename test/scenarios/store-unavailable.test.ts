/**
 * A write while the incident database is unreachable, over real HTTP (issue 13): the real server
 * on a real PostgreSQL (test/helpers/postgres.ts) that is stopped mid-test. A create answers
 * HTTP 503 with Retry-After and the JSON-RPC error -32603 "The incident store is unavailable; try
 * again shortly" with data {retryAfter}, in the legacy and the modern era, never a driver's text;
 * an answer already streaming carries the same error on its stream. Once PostgreSQL is back,
 * creates succeed again without a restart.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { META_KEYS } from '../../src/protocol/envelope.ts';
import { assertNoInternals } from '../helpers/http.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
import { assertModernServerMessage } from '../helpers/schema-modern.ts';
import { startTestServer, TestClient, type Reply, type TestServer } from '../helpers/server.ts';

const postgres = await startTestPostgres();
const MODERN = '2026-07-28';
const MESSAGE = 'The incident store is unavailable; try again shortly';

let server: TestServer;
let legacy: TestClient;
let token: string;
before(async () => {
  server = await startTestServer({ env: { DATABASE_URL: await postgres.createDatabase() } });
  token = await server.token();
  legacy = new TestClient(server.url, token);
  await legacy.connect();
});
after(() => server.close());

/** A modern tools/call create_incident; the raw response. */
function modernCreate(title: string, accept = 'application/json, text/event-stream'): Promise<Response> {
  return fetch(server.url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`, 'content-type': 'application/json', accept,
      'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'create_incident',
    },
    body: JSON.stringify({
      jsonrpc: '2.0', id: 'm1', method: 'tools/call',
      params: {
        name: 'create_incident', arguments: { title },
        _meta: { [META_KEYS.protocolVersion]: MODERN, [META_KEYS.clientCapabilities]: {}, [META_KEYS.clientInfo]: { name: 'outage-test', version: '1' } },
      },
    }),
  });
}

function legacyCreate(title: string, accept?: string): Promise<Reply> {
  return legacy.request('tools/call', { name: 'create_incident', arguments: { title } }, accept === undefined ? {} : { accept });
}

/** Nothing of the database (password, port, driver text) in what the client sees. */
function assertNoDatabase(text: string): void {
  assert.ok(!text.includes(postgres.password), 'the password leaked');
  assert.doesNotMatch(text, /postgres:\/\/|127\.0\.0\.1|ECONNREFUSED|terminat|SQLSTATE|connect/i);
  assertNoInternals(text);
}

test('with PostgreSQL stopped, a create answers 503 + Retry-After and the fixed -32603 in both eras; once it is back, creates succeed', async () => {
  await postgres.stop();
  try {
    const old = await legacyCreate('during the outage (legacy)');
    assert.equal(old.status, 503, old.text);
    assert.equal(old.headers.get('retry-after'), '5');
    assert.equal(old.headers.get('content-type'), 'application/json');
    assert.equal(typeof old.body.id, 'number', 'the request id is echoed');
    assert.deepEqual(old.body.error, { code: -32603, message: MESSAGE, data: { retryAfter: 5 } });
    assertNoDatabase(old.text);

    const response = await modernCreate('during the outage (modern)');
    const text = await response.text();
    assert.equal(response.status, 503, text);
    assert.equal(response.headers.get('retry-after'), '5');
    const body = JSON.parse(text) as Record<string, unknown>;
    assertModernServerMessage(body, 'tools/call');
    assert.deepEqual(body, { jsonrpc: '2.0', id: 'm1', error: { code: -32603, message: MESSAGE, data: { retryAfter: 5 } } });
    assertNoDatabase(text);

    // Reads are served from the rows held.
    const listed = await legacy.call('tools/call', { name: 'list_incidents', arguments: {} });
    assert.equal((listed.structuredContent as { incidents: unknown[] }).incidents.length, 4);
  } finally {
    await postgres.start();
  }
  const created = await legacy.call('tools/call', { name: 'create_incident', arguments: { title: 'after the outage (legacy)' } });
  assert.equal((created.structuredContent as { incident: { id: string } }).incident.id, '5');
  const modern = await modernCreate('after the outage (modern)');
  assert.equal(modern.status, 200);
  const result = (await modern.json()) as { result: { structuredContent: { incident: { id: string } } } };
  assert.equal(result.result.structuredContent.incident.id, '6');
});

test('an answer that already streams (the client accepts only an event stream) carries the same error on its stream, after the 200', async () => {
  await postgres.stop();
  try {
    const old = await legacyCreate('streamed (legacy)', 'text/event-stream');
    assert.equal(old.status, 200);
    assert.equal(old.headers.get('content-type'), 'text/event-stream');
    assert.equal(old.headers.get('retry-after'), null);
    assert.deepEqual((old.body as { error: unknown }).error, { code: -32603, message: MESSAGE, data: { retryAfter: 5 } });
    assertNoDatabase(old.text);

    const response = await modernCreate('streamed (modern)', 'text/event-stream');
    const text = await response.text();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    assert.match(text, /"code":-32603,"message":"The incident store is unavailable; try again shortly","data":\{"retryAfter":5\}/);
    assertNoDatabase(text);
  } finally {
    await postgres.start();
  }
});
