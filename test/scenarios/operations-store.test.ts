/**
 * Readiness and metrics of the real server's parts (issue 13; src/app.ts): /readyz is not ready
 * until the issuer's keys were fetched ("keys") and, with DATABASE_URL, while the database does
 * not answer ("store"), and ready again by itself when they are back; /metrics counts key
 * fetches by outcome, times store writes by operation and outcome, and shows the database pool
 * and the change feed's connection. Real PostgreSQL (test/helpers/postgres.ts), real issuer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestPostgres } from '../helpers/postgres.ts';
import { startTestServer, TestClient, type TestServer } from '../helpers/server.ts';

const postgres = await startTestPostgres();

async function get(server: TestServer, path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(new URL(path, server.origin));
  return { status: response.status, text: await response.text() };
}

/** Asks /readyz until it answers `text`; fails after `timeoutMs`. */
async function readyzUntil(server: TestServer, status: number, text: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await get(server, '/readyz');
  while (last.status !== status || last.text !== text) {
    if (Date.now() > deadline) assert.fail(`/readyz still answers ${last.status} ${JSON.stringify(last.text)}, not ${status} ${JSON.stringify(text)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await get(server, '/readyz');
  }
}

test('/readyz says "not ready: store" while PostgreSQL is down and is ready again once it is back; /metrics shows store writes, key fetches and the pool', async (t) => {
  const server = await startTestServer({ env: { DATABASE_URL: await postgres.createDatabase(), MAX_DB_CONNECTIONS: '3' } });
  t.after(() => server.close());
  await readyzUntil(server, 200, 'ready\n');
  const client = new TestClient(server.url, await server.token());
  await client.connect();
  await client.call('tools/call', { name: 'create_incident', arguments: { title: 'Secret title 9d3b' } });
  await client.call('tools/call', { name: 'update_incident', arguments: { id: '5', status: 'resolved' } });

  await postgres.stop();
  try {
    const down = await get(server, '/readyz');
    assert.equal(down.status, 503);
    assert.equal(down.text, 'not ready: store\n');
    const refused = await client.request('tools/call', { name: 'create_incident', arguments: { title: 'during the outage' } });
    assert.equal(refused.status, 503);
    assert.equal((await get(server, '/healthz')).status, 200, 'alive all along');
  } finally {
    await postgres.start();
  }
  await readyzUntil(server, 200, 'ready\n');

  const { text } = await get(server, '/metrics');
  assert.match(text, /^mcp_jwks_fetches_total\{outcome="ok"\} [1-9]\d*$/m);
  assert.match(text, /^mcp_store_operation_seconds_count\{operation="create",outcome="ok"\} 1$/m);
  assert.match(text, /^mcp_store_operation_seconds_count\{operation="update",outcome="ok"\} 1$/m);
  assert.match(text, /^mcp_store_operation_seconds_count\{operation="create",outcome="failed"\} 1$/m);
  assert.match(text, /^mcp_store_operation_seconds_bucket\{le="10",operation="create",outcome="ok"\} 1$/m);
  assert.match(text, /^mcp_db_pool_connections [0-3]$/m);
  assert.match(text, /^mcp_db_pool_idle_connections [0-3]$/m);
  assert.match(text, /^mcp_db_pool_waiting 0$/m);
  assert.match(text, /^mcp_store_feed_connected 1$/m);
  assert.match(text, /^mcp_requests_total\{http="POST",rpc="tools\/call",status="503",era="legacy"\} 1$/m);
  assert.ok(!text.includes('Secret title 9d3b') && !text.includes(postgres.password), 'no incident text, no password');
  await client.close();
});

test('/readyz says "not ready: keys" until the issuer\'s keys were fetched, then ready without a restart; failed fetches are counted', async (t) => {
  const server = await startTestServer({ jwksMode: 'down', start: { verifierOptions: { failureBackoffMs: 50 } } });
  t.after(() => server.close());
  const before = await get(server, '/readyz');
  assert.equal(before.status, 503);
  assert.equal(before.text, 'not ready: keys\n');
  server.issuer.setJwksMode('ok');
  await readyzUntil(server, 200, 'ready\n');
  // Once had, the keys stay: an issuer outage later does not make the server unready.
  server.issuer.setJwksMode('down');
  assert.equal((await get(server, '/readyz')).status, 200);
  const { text } = await get(server, '/metrics');
  assert.match(text, /^mcp_jwks_fetches_total\{outcome="failed"\} [1-9]\d*$/m);
  assert.match(text, /^mcp_jwks_fetches_total\{outcome="ok"\} 1$/m);
  assert.doesNotMatch(text, /^mcp_db_pool/m, 'no pool without DATABASE_URL');
  assert.match(text, /^# TYPE mcp_store_operation_seconds histogram$/m);
});
