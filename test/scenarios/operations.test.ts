/**
 * The operations endpoints over real HTTP (issue 13): /healthz and /readyz without a token for load
 * balancers, /metrics in the Prometheus text format whose labels never carry a token, a session
 * id, a client's string or an incident's text.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openVerifier } from '../../fixtures/conformance/open-verifier.ts';
import { startMcpServer } from '../../src/mcp-server.ts';
import { startTestServer, TestClient, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

async function get(path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(new URL(path, server.origin), init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

test('/healthz and /readyz answer without a token, as plain text that no cache keeps', async () => {
  for (const [path, text] of [['/healthz', 'ok\n'], ['/readyz', 'ready\n']] as const) {
    const reply = await get(path);
    assert.equal(reply.status, 200, path);
    assert.equal(reply.text, text);
    assert.equal(reply.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(reply.headers.get('cache-control'), 'no-store');
  }
  const post = await get('/healthz', { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
});

test('/metrics counts requests by method, status and era, and never names what a client sent', async () => {
  const token = await server.token();
  const client = new TestClient(server.url, token);
  await client.connect();
  await client.request('tools/list');
  await client.request('no/such/method-x7q');
  await client.request('tools/call', { name: 'create_incident', arguments: { title: 'Secret title 5f2a', severity: 'low' } });
  const unauthorized = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{}' });
  assert.equal(unauthorized.status, 401);
  const { status, headers, text } = await get('/metrics');
  assert.equal(status, 200);
  assert.match(headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  assert.match(text, /^mcp_requests_total\{http="POST",rpc="tools\/list",status="200",era="legacy"\} 1$/m);
  assert.match(text, /^mcp_requests_total\{http="POST",rpc="unknown",status="200",era="legacy"\} 1$/m);
  assert.match(text, /^mcp_refusals_total\{kind="missingToken"\} 1$/m);
  assert.match(text, /^mcp_sessions 1$/m);
  assert.match(text, /^mcp_request_duration_seconds_bucket\{le="0\.5",rpc="tools\/call",era="legacy"\} 1$/m);
  assert.match(text, /^process_resident_memory_bytes \d+/m);
  for (const secret of [token, client.sessionId ?? 'none', 'no/such/method-x7q', 'Secret title 5f2a']) assert.ok(!text.includes(secret), 'nothing a client sent is in the metrics');
  await client.close();
});

test('/readyz names what is missing with 503, and says draining while the server closes', async () => {
  let missing: string[] = ['store'];
  const own = await startMcpServer({
    identity: { name: 'readyz-test', version: '1' }, features: () => ({}), verifier: openVerifier, issuer: undefined, scopes: [], challengeScopes: [],
    host: '127.0.0.1', port: 0, publicUrl: undefined, allowedOrigins: [], maxBodyBytes: 1024, maxSessions: 1, sessionIdleMs: 1000, toolRateLimit: 0,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    readiness: () => Promise.resolve(missing),
  });
  const readyz = new URL('/readyz', own.url);
  const first = await fetch(readyz);
  assert.equal(first.status, 503);
  assert.equal(await first.text(), 'not ready: store\n');
  missing = [];
  assert.equal((await fetch(readyz)).status, 200);
  // A stream held open keeps the server closing long enough to ask.
  const held = await fetch(own.url, { method: 'GET', headers: { accept: 'text/event-stream' } });
  const closing = own.close(2000);
  const during = await fetch(readyz, { headers: { connection: 'close' } }).catch(() => undefined);
  if (during !== undefined) {
    assert.equal(during.status, 503);
    assert.equal(await during.text(), 'not ready: draining\n');
  }
  await held.body?.cancel();
  await closing;
});
