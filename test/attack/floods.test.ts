/**
 * Floods against the real server on port 0 (issue #7 "Floods", issue #15): sessions past
 * MAX_SESSIONS and past MAX_SESSIONS_PER_PRINCIPAL, initialize params a session must not keep, idle
 * sessions that expire, hundreds of open SSE streams, clients that send
 * headers or bodies a byte at a time, a reader that never reads, and thousands of concurrent
 * requests on one session. Timeouts and the SSE queue limit are injected small so each flood
 * ends in seconds; npm run test:stress runs heavier ones.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { openStream, type SseReader } from '../helpers/http.ts';
import { TestClient, type TestServer } from '../helpers/server.ts';
import { withServer } from '../helpers/http.ts';
import { buildRequest, exchange, pool, settledHeap, until } from './helpers.ts';

const INIT = (capabilities: object = {}): object => ({ protocolVersion: '2025-11-25', capabilities, clientInfo: { name: 'flood', version: '1.0.0' } });
const SHORT = { headersMs: 500, requestMs: 1000, keepAliveMs: 500 };
const MiB = 1024 * 1024;

async function initialize(server: TestServer, token: string, capabilities?: object): Promise<{ status: number; retryAfter: string | null; message?: string; session: string | null }> {
  const reply = await new TestClient(server.url, token).request('initialize', INIT(capabilities));
  const error = reply.body.error as { message: string } | undefined;
  return { status: reply.status, retryAfter: reply.headers.get('retry-after'), session: reply.headers.get('mcp-session-id'), ...(error === undefined ? {} : { message: error.message }) };
}

test('a flood of 300 initialize against MAX_SESSIONS=100 opens exactly 100 sessions; the rest get 503, Retry-After and a clear message (basic/transports.mdx)', async () => {
  await withServer({ env: { MAX_SESSIONS: '100', MAX_SESSIONS_PER_PRINCIPAL: '1000' } }, async (server) => {
    const token = await server.token();
    const results = await Promise.all(Array.from({ length: 300 }, () => initialize(server, token)));
    const opened = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 503);
    assert.equal(opened.length, 100);
    assert.equal(refused.length, 200);
    assert.equal(server.running.sessions.size, 100);
    for (const r of refused) {
      assert.equal(r.retryAfter, '60');
      assert.equal(r.session, null);
      assert.match(r.message ?? '', /too many sessions/i);
    }
    // The sessions that got in all work.
    const client = new TestClient(server.url, token);
    client.sessionId = opened[0]?.session ?? undefined;
    assert.equal((await client.request('ping')).status, 200);
  });
});

test('issue #15: sessions initialized with 100 KB of capabilities each keep none of it, and idle ones expire (basic/lifecycle.mdx; basic/transports.mdx)', async () => {
  await withServer({ env: { SESSION_IDLE_SECONDS: '3', MAX_SESSIONS: '200', MAX_SESSIONS_PER_PRINCIPAL: '200' }, start: { sweepMs: 100 } }, async (server) => {
    const token = await server.token();
    const before = await settledHeap();
    // 20 MB sent in all, in capabilities and clientInfo a session has no use for.
    const ballast = 'x'.repeat(50_000);
    const heavy = { roots: { listChanged: true, ballast }, experimental: { ballast: { text: ballast } } };
    const results = await Promise.all(Array.from({ length: 200 }, () => initialize(server, token, heavy)));
    assert.deepEqual(new Set(results.map((r) => r.status)), new Set([200]));
    const full = await settledHeap();
    assert.ok(full - before < 4 * MiB, `200 sessions weigh ${full - before} bytes: the initialize params were kept`);
    const session = server.running.sessions.get(results[0]?.session as string);
    assert.deepEqual(session?.clientCapabilities, { roots: { listChanged: true } });

    await until(() => server.running.sessions.size === 0, 10_000, 'idle sessions to expire');
    assert.equal((await initialize(server, token)).status, 200, 'expired sessions free their places');
  });
});

test('issue #15: one principal cannot fill MAX_SESSIONS: past MAX_SESSIONS_PER_PRINCIPAL it gets 429 while others still get in', async () => {
  await withServer({ env: { MAX_SESSIONS: '300', MAX_SESSIONS_PER_PRINCIPAL: '100' } }, async (server) => {
    const token = await server.token(['incidents:read']);
    const results = await Promise.all(Array.from({ length: 250 }, () => initialize(server, token)));
    assert.equal(results.filter((r) => r.status === 200).length, 100);
    const refused = results.filter((r) => r.status === 429);
    assert.equal(refused.length, 150);
    for (const r of refused) {
      assert.equal(r.retryAfter, '60');
      assert.equal(r.session, null);
      assert.match(r.message ?? '', /too many sessions for this client/i);
    }
    assert.equal(server.running.sessions.size, 100);
    const other = await server.issuer.mint({ claims: { sub: 'another-user' } });
    assert.equal((await initialize(server, other)).status, 200);
  });
});

test('250 sessions each hold an SSE stream; one change reaches every stream, and closing them detaches every one (basic/transports.mdx "Listening for Messages")', async () => {
  await withServer({ env: { MAX_SESSIONS: '300', MAX_SESSIONS_PER_PRINCIPAL: '300' } }, async (server) => {
    const token = await server.token();
    const clients = await Promise.all(Array.from({ length: 250 }, async () => {
      const client = new TestClient(server.url, token);
      await client.connect();
      return client;
    }));
    const readers: SseReader[] = await Promise.all(clients.map((client) => openStream(client)));
    const sessions = clients.map((client) => server.running.sessions.get(client.sessionId as string));
    assert.ok(sessions.every((s) => s?.standalone?.attached === true));

    const writer = clients[0] as TestClient;
    await writer.call('tools/call', { name: 'create_incident', arguments: { title: 'Everyone hears this' } });
    await Promise.all(readers.map(async (reader) => {
      const { message } = await reader.nextMessage(10_000);
      assert.equal(message.method, 'notifications/resources/list_changed');
    }));

    await Promise.all(readers.map((reader) => reader.cancel()));
    await until(() => sessions.every((s) => s?.standalone?.attached === false), 5000, 'every stream to detach');
    assert.deepEqual(new Set(await Promise.all(clients.map((c) => c.close()))), new Set([204]));
    assert.equal(server.running.sessions.size, 0);
  });
});

test('clients sending headers a byte at a time are answered 408 and dropped at the headers timeout, while others are served (Node http headersTimeout)', async () => {
  await withServer({ start: { timeouts: SHORT } }, async (server) => {
    const token = await server.token();
    const head = buildRequest({ headers: [['Host', `127.0.0.1:${server.running.port}`], ['Authorization', `Bearer ${token}`], ['Content-Type', 'application/json'], ['Accept', 'application/json']], body: '{}' });
    const started = Date.now();
    const slow = Array.from({ length: 40 }, () => exchange(server.running.port, head, { dripMs: 25, timeoutMs: 5000 }));
    // Meanwhile an ordinary client is served at once.
    const client = new TestClient(server.url, token);
    await client.connect();
    assert.equal((await client.request('ping')).status, 200);
    for (const answer of await Promise.all(slow)) assert.equal(answer.status, 408);
    const elapsed = Date.now() - started;
    // The whole head would take 25 ms × its length (~20 s); the server cut them all at ~500 ms.
    assert.ok(elapsed < 2500, `slow clients were dropped after ${elapsed} ms`);
  });
});

test('a body sent a byte at a time is cut off at the request timeout with 408, and nothing of it runs (Node http requestTimeout)', async () => {
  await withServer({ start: { timeouts: SHORT } }, async (server) => {
    const token = await server.token();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: INIT() });
    const head = buildRequest({ headers: [['Host', `127.0.0.1:${server.running.port}`], ['Authorization', `Bearer ${token}`], ['Content-Type', 'application/json'], ['Accept', 'application/json']], contentLength: body.length });
    // The head goes at once, then the body drips: the request never completes.
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 20 }, () => new Promise<number | undefined>((resolve, reject) => {
      const socket = connect(server.running.port, '127.0.0.1');
      let got = '';
      let i = 0;
      const drip = setInterval(() => {
        if (i < body.length && !socket.destroyed) socket.write(body[i++] as string);
      }, 25);
      socket.on('connect', () => socket.write(head));
      socket.on('data', (chunk: Buffer) => (got += chunk.toString('latin1')));
      // The server closes while this client still drips: a write after its FIN may fail. Only an
      // error before any answer arrived is a failure.
      socket.on('end', () => clearInterval(drip));
      socket.on('error', (error) => (got === '' ? reject(error) : undefined));
      socket.on('close', () => {
        clearInterval(drip);
        resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1]));
      });
    })));
    const elapsed = Date.now() - started;
    assert.deepEqual(new Set(answers), new Set([408]));
    assert.ok(elapsed < 3000, `slow bodies were dropped after ${elapsed} ms`);
    assert.equal(server.running.sessions.size, 0, 'no dripped initialize opened a session');
  });
});

test('a reader that never reads is cut off once maxQueuedBytes are queued, while a reader that reads gets every event (basic/transports.mdx; issue #7 back-pressure)', async () => {
  await withServer({ incidents: null, start: { maxQueuedBytes: 256 * 1024 } }, async (server) => {
    const token = await server.token();
    const port = server.running.port;
    const lazy = new TestClient(server.url, token);
    await lazy.connect();
    await lazy.call('resources/subscribe', { uri: 'incidents://all' });
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(buildRequest({ method: 'GET', headers: [['Host', `127.0.0.1:${port}`], ['Authorization', `Bearer ${token}`], ['Accept', 'text/event-stream'], ['MCP-Session-Id', lazy.sessionId as string]], contentLength: 'omit' }));
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause();

    const eager = new TestClient(server.url, token);
    await eager.connect();
    await eager.call('resources/subscribe', { uri: 'incidents://all' });
    const reader = await openStream(eager);
    let received = 0;
    const reading = (async () => {
      for (;;) {
        const event = await reader.next(30_000).catch(() => undefined);
        if (event === undefined) return;
        if (event.data !== undefined && event.data !== '') received++;
      }
    })();

    const lazySession = server.running.sessions.get(lazy.sessionId as string);
    const eagerSession = server.running.sessions.get(eager.sessionId as string);
    // Other users' changes, in group commits of 500 (each a burst smaller than the limit): 2 events each.
    let created = 0;
    while (lazySession?.standalone?.attached === true && created < 60_000) {
      await Promise.all(Array.from({ length: 500 }, () => server.running.store.create({ title: 'flood', severity: 'low', status: 'open' })));
      created += 500;
    }
    assert.equal(lazySession?.standalone?.attached, false, `the lazy reader was never cut off (${created} incidents)`);
    assert.equal(eagerSession?.standalone?.attached, true, 'the reading client must not be cut off');
    await until(() => received === created * 2, 10_000, `the reading client to get all ${created * 2} events (has ${received})`);

    // The lazy client finds its connection ended once it reads, and may open a new stream.
    socket.resume();
    await until(() => socket.destroyed || socket.readableEnded, 5000, 'the cut connection to end');
    const again = await openStream(lazy);
    await again.cancel();
    await reader.cancel();
    await reading;
  });
});

test('2,000 requests on one session, 400 in flight at once, are all answered, each with its own id and a valid result (basic/transports.mdx; basic/index.mdx ids)', { timeout: 60_000 }, async () => {
  await withServer({}, async (server) => {
    const client = new TestClient(server.url, await server.token());
    await client.connect();
    const calls: Array<[string, object]> = [
      ['ping', {}],
      ['tools/list', {}],
      ['tools/call', { name: 'list_incidents', arguments: { limit: 5 } }],
      ['tools/call', { name: 'create_incident', arguments: { title: 'concurrent' } }],
      ['resources/read', { uri: 'incidents://1' }],
      ['prompts/get', { name: 'triage_incidents', arguments: { focus: 'severity' } }],
    ];
    const ids = Array.from({ length: 2000 }, (_, i) => i + 1000);
    const created = new Set<string>();
    // At most 400 connections opening at once: beyond the listen backlog (511) a loaded machine
    // drops SYNs, and the client's connect timeout, not the server, would fail the test.
    await pool(ids, 400, async (id) => {
      const [method, params] = calls[id % calls.length] as [string, object];
      const reply = await client.post({ jsonrpc: '2.0', id, method, params }, {}, method);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.id, id);
      assert.ok('result' in reply.body, reply.text);
      const incident = (reply.body.result as { structuredContent?: { incident?: { id: string } } }).structuredContent?.incident;
      if (method === 'tools/call' && incident !== undefined) created.add(incident.id);
    });
    const creates = ids.filter((id) => id % calls.length === 3).length;
    assert.equal(created.size, creates, 'every create got its own incident');
    for (const id of created) assert.ok(server.running.store.get(id), `incident ${id} is in the store`);
  });
});
