/**
 * Changes cross replicas end to end (issue 13): two real servers (src/app.ts startServer) on one
 * PostgreSQL database, each with its own development issuer. A create made through server A
 * reaches, on server B, a legacy GET stream of a session subscribed to incidents://all and a
 * modern subscriptions/listen stream, as list_changed plus updated, exactly as a create made on B
 * itself would.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { META_KEYS } from '../../src/protocol/envelope.ts';
import { openStream, SseReader } from '../helpers/http.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
import { assertModernServerMessage } from '../helpers/schema-modern.ts';
import { startTestServer, TestClient, type TestServer } from '../helpers/server.ts';

const postgres = await startTestPostgres();
const MODERN = '2026-07-28';

/** A modern subscriptions/listen POST to `server`; its SSE stream. */
async function listen(server: TestServer, token: string): Promise<SseReader> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN, 'mcp-method': 'subscriptions/listen',
    },
    body: JSON.stringify({
      jsonrpc: '2.0', id: 'feed', method: 'subscriptions/listen',
      params: {
        notifications: { resourcesListChanged: true, resourceSubscriptions: ['incidents://all'] },
        _meta: { [META_KEYS.protocolVersion]: MODERN, [META_KEYS.clientCapabilities]: {}, [META_KEYS.clientInfo]: { name: 'replica-test', version: '1' } },
      },
    }),
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/event-stream');
  return new SseReader(response);
}

/** The next message with data on a modern stream, checked against the 2026-07-28 schema. */
async function nextModern(stream: SseReader, timeoutMs = 5000): Promise<Record<string, unknown>> {
  for (;;) {
    const event = await stream.next(timeoutMs);
    assert.ok(event, 'the listen stream ended');
    if (event.data === undefined || event.data === '') continue;
    const message = JSON.parse(event.data) as Record<string, unknown>;
    assertModernServerMessage(message, 'subscriptions/listen');
    return message;
  }
}

test('a create through server A reaches a legacy GET stream and a modern listen stream on server B (same database)', async (t) => {
  const url = await postgres.createDatabase();
  const a = await startTestServer({ env: { DATABASE_URL: url } });
  t.after(() => a.close());
  const b = await startTestServer({ env: { DATABASE_URL: url }, incidents: null });
  t.after(() => b.close());

  // On B: a legacy session subscribed to the collection with its GET stream, and a modern listen stream.
  const tokenB = await b.token();
  const legacy = new TestClient(b.url, tokenB);
  await legacy.connect();
  await legacy.call('resources/subscribe', { uri: 'incidents://all' });
  const get = await openStream(legacy);
  await get.next();
  const modern = await listen(b, tokenB);
  assert.equal((await nextModern(modern)).method, 'notifications/subscriptions/acknowledged');

  // On A: a create.
  const writer = new TestClient(a.url, await a.token());
  await writer.connect();
  const created = await writer.call('tools/call', { name: 'create_incident', arguments: { title: 'Made on replica A', severity: 'high' } });
  const id = (created.structuredContent as { incident: { id: string } }).incident.id;

  const legacyHeard = [(await get.nextMessage(5000)).message, (await get.nextMessage(5000)).message];
  assert.deepEqual(legacyHeard.map((m) => m.method).sort(), ['notifications/resources/list_changed', 'notifications/resources/updated']);
  assert.deepEqual(legacyHeard.find((m) => m.method === 'notifications/resources/updated')?.params, { uri: 'incidents://all' });
  const modernHeard = [await nextModern(modern), await nextModern(modern)];
  assert.deepEqual(modernHeard.map((m) => m.method).sort(), ['notifications/resources/list_changed', 'notifications/resources/updated']);
  for (const message of modernHeard) assert.equal((message.params as { _meta: Record<string, unknown> })._meta[META_KEYS.subscriptionId], 'feed');

  // B serves what A wrote, and the notifications carried no incident text.
  const read = await legacy.call('resources/read', { uri: `incidents://${id}` });
  assert.equal((JSON.parse((read.contents as { text: string }[])[0]?.text ?? '{}') as { title: string }).title, 'Made on replica A');
  assert.doesNotMatch(get.raw + modern.raw, /Made on replica A/);

  await modern.cancel();
  await get.cancel();
  await legacy.close();
  await writer.close();
});
