/**
 * Black-box scenarios for server-sent events (MCP 2025-11-25 basic/transports.mdx "Listening for
 * Messages from the Server", "Resumability and Redelivery", "Multiple Connections"): the standalone
 * GET stream, priming events, resource notifications on it, resumption with Last-Event-ID, event
 * ids, and streams ending with their session. Streams are read as they arrive, never slept on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from '../helpers/server.ts';
import { assertErrorBody, openGet, openStream, SseReader, withClient, withServer } from '../helpers/http.ts';
import { SseParser } from '../../src/transport/sse.ts';

const INVALID_REQUEST = -32600;
const EVENT_ID = /^([A-Za-z0-9]+)-(\d+)$/;
const PRIMING = /^id: [A-Za-z0-9]+-\d+\ndata:\n\n/;

async function createIncident(client: TestClient, title: string): Promise<void> {
  const result = await client.call('tools/call', { name: 'create_incident', arguments: { title } });
  assert.equal(result.isError, undefined, JSON.stringify(result));
}

/** Reads the next `count` messages, returning them with their event ids. */
async function take(reader: SseReader, count: number): Promise<Array<{ id: string; message: Record<string, unknown> }>> {
  const out: Array<{ id: string; message: Record<string, unknown> }> = [];
  for (let i = 0; i < count; i++) {
    const { id, message } = await reader.nextMessage();
    assert.ok(id !== undefined && EVENT_ID.test(id), `event id ${String(id)}`);
    out.push({ id, message });
  }
  return out;
}

const UPDATED_ALL = { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'incidents://all' } };
const LIST_CHANGED = { jsonrpc: '2.0', method: 'notifications/resources/list_changed' };

test('GET without MCP-Session-Id is 400 (basic/transports.mdx)', async () => {
  await withClient({}, async (client) => {
    const response = await openGet(client, { 'mcp-session-id': '' });
    assert.equal(response.status, 400);
    assertErrorBody(await response.text(), INVALID_REQUEST);
  });
});

test('GET whose Accept lacks text/event-stream is 406 (basic/transports.mdx: the client MUST list text/event-stream)', async () => {
  await withClient({}, async (client) => {
    for (const accept of ['application/json', 'text/event-stream;q=0', 'text/html']) {
      const response = await openGet(client, { accept });
      assert.equal(response.status, 406, accept);
      assertErrorBody(await response.text(), INVALID_REQUEST);
    }
  });
});

test('GET opens text/event-stream with a priming event `id: …\\ndata:\\n\\n` for a 2025-11-25 session (basic/transports.mdx)', async () => {
  await withClient({}, async (client) => {
    const reader = await openStream(client);
    assert.equal(reader.response.headers.get('cache-control'), 'no-cache, no-transform');
    const priming = await reader.next();
    assert.ok(priming?.id !== undefined && EVENT_ID.test(priming.id));
    assert.equal(priming.data, '');
    assert.match(reader.raw, PRIMING);
    assert.ok(reader.raw.startsWith(`id: ${priming.id}\ndata:\n\n`));
    await reader.cancel();
  });
});

test('GET sends no priming event to a 2025-06-18 session: the first event is a real message (basic/transports.mdx; checklist H20)', async () => {
  await withClient({ version: '2025-06-18' }, async (client) => {
    const reader = await openStream(client);
    await createIncident(client, 'No priming for old clients');
    const first = await reader.next();
    assert.ok(first?.data !== undefined && first.data !== '', JSON.stringify(first));
    assert.deepEqual(JSON.parse(first.data), LIST_CHANGED);
    assert.ok(reader.raw.startsWith(`id: ${first.id as string}\ndata: {`), reader.raw);
    await reader.cancel();
  });
});

test('a POST answered as SSE is primed only for 2025-11-25, initialize included (basic/transports.mdx; checklist H20)', async () => {
  await withClient({}, async (client) => {
    for (const [version, primed] of [['2025-11-25', true], ['2025-06-18', false]] as const) {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 't', version: '1' } } });
      const headers = client.headers({ accept: 'text/event-stream' });
      delete headers['mcp-session-id'];
      const response = await fetch(client.url, { method: 'POST', headers, body });
      assert.equal(response.status, 200);
      assert.ok(response.headers.get('mcp-session-id'));
      const text = await response.text();
      assert.equal(PRIMING.test(text), primed, `${version}: ${text}`);
      const events = new SseParser().push(text).filter((e) => e.data !== '');
      assert.equal(events.length, 1);
      assert.equal((JSON.parse(events[0]?.data as string) as { result: { protocolVersion: string } }).result.protocolVersion, version);
    }
  });
});

test('a second concurrent GET stream is 409; after the first disconnects a new one opens (basic/transports.mdx "Multiple Connections")', async () => {
  await withClient({}, async (client) => {
    const first = await openStream(client);
    await first.next();
    const second = await openGet(client);
    assert.equal(second.status, 409);
    assertErrorBody(await second.text(), INVALID_REQUEST);
    await first.cancel();
    // The server notices the disconnect asynchronously: retry until it has.
    const deadline = Date.now() + 5000;
    for (;;) {
      const again = await openGet(client);
      if (again.status === 200) {
        await new SseReader(again).cancel();
        break;
      }
      assert.equal(again.status, 409);
      await again.arrayBuffer();
      assert.ok(Date.now() < deadline, 'the first stream was never released');
    }
  });
});

test('after resources/subscribe, creating an incident sends resources/updated and list_changed on the GET stream (server/resources.mdx)', async () => {
  await withClient({}, async (client) => {
    const reader = await openStream(client);
    await reader.next(); // priming
    assert.deepEqual(await client.call('resources/subscribe', { uri: 'incidents://all' }), {});
    await createIncident(client, 'Subscribed creation');
    const [updated, changed] = await take(reader, 2);
    assert.deepEqual(updated?.message, UPDATED_ALL);
    assert.deepEqual(changed?.message, LIST_CHANGED);
    await reader.cancel();
  });
});

test('without a subscription only list_changed arrives, and never inside the POST answer (server/resources.mdx; basic/transports.mdx H24)', async () => {
  await withClient({}, async (client) => {
    const reader = await openStream(client);
    await reader.next();
    const reply = await client.request('tools/call', { name: 'create_incident', arguments: { title: 'Unsubscribed creation' } });
    assert.equal(reply.messages.length, 1, reply.text);
    const [changed] = await take(reader, 1);
    assert.deepEqual(changed?.message, LIST_CHANGED);
    await reader.cancel();
  });
});

test('reconnecting with Last-Event-ID replays exactly the missed events, then the stream continues (basic/transports.mdx "Resumability")', async () => {
  await withClient({}, async (client) => {
    let reader = await openStream(client);
    await reader.next();
    await client.call('resources/subscribe', { uri: 'incidents://all' });
    await createIncident(client, 'Seen live');
    const live = await take(reader, 2);
    const lastSeen = live[1]?.id as string;
    await reader.cancel();

    await createIncident(client, 'Missed while away');
    reader = await openStream(client, { 'last-event-id': lastSeen });
    const replayed = await take(reader, 2);
    assert.deepEqual(replayed.map((e) => e.message), [UPDATED_ALL, LIST_CHANGED]);
    const [stream, seq] = lastSeen.split('-');
    assert.deepEqual(replayed.map((e) => e.id), [`${stream}-${Number(seq) + 1}`, `${stream}-${Number(seq) + 2}`]);
    // basic/transports.mdx: no priming on a resumed stream; the next live event follows directly.
    await createIncident(client, 'Live again');
    const after = await take(reader, 2);
    assert.deepEqual(after.map((e) => e.id), [`${stream}-${Number(seq) + 3}`, `${stream}-${Number(seq) + 4}`]);
    assert.equal(reader.events.length, 0);
    await reader.cancel();
  });
});

test('a finished POST stream is resumed via GET with Last-Event-ID and replays its response (basic/transports.mdx: resumption is always via GET)', async () => {
  await withClient({}, async (client) => {
    const response = await fetch(client.url, { method: 'POST', headers: client.headers({ accept: 'text/event-stream' }), body: JSON.stringify({ jsonrpc: '2.0', id: 'p', method: 'ping' }) });
    const events = new SseParser().push(await response.text());
    const primingId = events[0]?.id as string;
    assert.equal(events[0]?.data, '');
    const reader = await openStream(client, { 'last-event-id': primingId });
    const { id, message } = await reader.nextMessage();
    assert.equal(id, events[1]?.id);
    assert.deepEqual(message, { jsonrpc: '2.0', id: 'p', result: {} });
    await reader.closed();
  });
});

test('a Last-Event-ID that names no stream of this session is 400 (basic/transports.mdx; checklist H26)', async () => {
  await withClient({}, async (client) => {
    for (const id of ['garbage', '', '1-', '-1', '1-2-3', '99-1', 'x'.repeat(100)]) {
      const response = await openGet(client, { 'last-event-id': id });
      assert.equal(response.status, 400, JSON.stringify(id));
      assertErrorBody(await response.text(), INVALID_REQUEST);
    }
  });
});

test('event ids are unique across every stream of a session and of the form <stream>-<seq> (basic/transports.mdx "Resumability")', async () => {
  await withClient({}, async (client) => {
    const ids: string[] = [];
    const reader = await openStream(client);
    const priming = await reader.next();
    ids.push(priming?.id as string);
    for (let i = 0; i < 3; i++) {
      const response = await fetch(client.url, { method: 'POST', headers: client.headers({ accept: 'text/event-stream' }), body: JSON.stringify({ jsonrpc: '2.0', id: 100 + i, method: 'ping' }) });
      for (const event of new SseParser().push(await response.text())) ids.push(event.id as string);
    }
    await createIncident(client, 'One more event');
    ids.push(...(await take(reader, 1)).map((e) => e.id));
    for (const id of ids) assert.match(id, EVENT_ID);
    assert.equal(new Set(ids).size, ids.length, ids.join(' '));
    // Each POST got a stream of its own, distinct from the GET stream (basic/transports.mdx: ids encode the stream).
    assert.equal(new Set(ids.map((id) => EVENT_ID.exec(id)?.[1])).size, 4);
    await reader.cancel();
  });
});

test('DELETE of the session ends the open GET stream (basic/transports.mdx "Session Management")', async () => {
  await withClient({}, async (client) => {
    const reader = await openStream(client);
    await reader.next();
    assert.equal(await client.close(), 204);
    await reader.closed();
    assert.equal(await reader.next(), undefined);
  });
});

test('a GET stream ends when its token expires, and the expired token then gets 401 (basic/authorization.mdx "Token Handling"; issue #15)', async () => {
  await withServer({}, async (server) => {
    const client = new TestClient(server.url, await server.issuer.mint({ expiresIn: 2 }));
    await client.connect();
    const reader = await openStream(client);
    const priming = await reader.next();
    // Ended by the server at `exp`; the wait is bounded, not measured.
    await reader.closed(10_000);
    const reply = await client.request('ping');
    assert.equal(reply.status, 401);
    assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer .*error="invalid_token"/);
    // The stream itself lives on: a fresh token resumes it from the last event id.
    client.token = await server.token();
    const resumed = await openStream(client, { 'last-event-id': priming?.id as string });
    await resumed.cancel();
  });
});

test('a stream whose token lacks incidents:read hears no list_changed; one with it does (server/resources.mdx; basic/authorization.mdx; issue #15)', async () => {
  await withServer({}, async (server) => {
    const writer = new TestClient(server.url, await server.token(['incidents:write']));
    await writer.connect();
    const reader = new TestClient(server.url, await server.token(['incidents:read']));
    await reader.connect();
    const blind = await openStream(writer);
    const seeing = await openStream(reader);
    await blind.next();
    await seeing.next();
    await createIncident(writer, 'Told only to readers');
    const [changed] = await take(seeing, 1);
    assert.deepEqual(changed?.message, LIST_CHANGED);
    // Notifications are written before the tools/call answer: ending the session now shows all it got.
    assert.equal(await writer.close(), 204);
    await blind.closed();
    assert.deepEqual(blind.events, [], blind.raw);
    await seeing.cancel();
  });
});
