/**
 * Legacy sessions while PostgreSQL is down (issue 13; RFC 9110 §15.6.4): the real server with
 * DATABASE_URL on a real PostgreSQL that the test stops and starts. A lookup, an initialize and a
 * DELETE that need the database get 503 with Retry-After and no driver message; a session this
 * replica holds keeps being served; once the database is back, everything works again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertErrorBody } from '../helpers/http.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
import { startTestServer, TestClient, type Reply } from '../helpers/server.ts';

const INTERNAL_ERROR = -32603;
const postgres = await startTestPostgres();

/** 503, Retry-After, -32603 with a fixed message (the request id when the session stage had read it). */
function assertOutage(reply: Reply, id?: number): void {
  assert.equal(reply.status, 503, reply.text);
  assert.equal(reply.headers.get('retry-after'), '5');
  assertErrorBody(reply.text, INTERNAL_ERROR, id === undefined ? {} : { id });
  assert.doesNotMatch(reply.text, /ECONNREFUSED|127\.0\.0\.1|postgres|SQLSTATE|terminat/i);
  assert.ok(!reply.text.includes(postgres.password));
}

test('while the database is down: lookups, initialize and DELETE get 503 with Retry-After, a session held here is still served; then all recovers', async (t) => {
  const url = await postgres.createDatabase();
  const server = await startTestServer({ env: { DATABASE_URL: url } });
  t.after(() => server.close());
  const token = await server.token();
  const held = new TestClient(server.url, token);
  await held.connect();
  const elsewhere = new TestClient(server.url, token);
  elsewhere.sessionId = 'a-session-this-replica-does-not-hold';

  await postgres.stop();
  try {
    assertOutage(await elsewhere.request('ping'));
    assertOutage(await new TestClient(server.url, token).request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } }), 1);
    const del = await fetch(server.url, { method: 'DELETE', headers: held.headers() });
    assert.equal(del.status, 503);
    assert.equal(del.headers.get('retry-after'), '5');
    await del.arrayBuffer();
    // The local copy answers what needs no database; a change it cannot write yet is written later.
    assert.equal((await held.request('ping')).status, 200);
    assert.equal((await held.request('resources/subscribe', { uri: 'incidents://2' })).status, 200);
  } finally {
    await postgres.start();
  }

  const unknown = await elsewhere.request('ping');
  assert.equal(unknown.status, 404);
  assert.equal((await held.request('ping')).status, 200, 'the session outlived the outage');
  const logs = JSON.stringify(server.logger.lines);
  assert.ok(!logs.includes(postgres.password) && !logs.includes('postgres://'), 'no database URL in the logs');
  assert.ok(server.logger.lines.some((line) => line.msg === 'session store unavailable' && /^(E[A-Z]+|SQLSTATE \w{5}|connection lost|timeout)$/.test(String(line.detail))));
  assert.equal(await held.close(), 204);
  assert.equal((await held.request('ping')).status, 404);
});
