/**
 * subscriptions/listen over real HTTP (MCP 2026-07-28 basic/patterns/subscriptions.mdx; checklist
 * §6.2 and M-E23/M-E24): the acknowledgement first with the honoured subset, every message tagged
 * with the listen id, the filter honoured, one change source reaching both eras, a stream telling
 * only what its token may read, the end at token expiry (no result) and at shutdown (the result),
 * and the bounds. Every message received is checked against the 2026-07-28 schema.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { META_KEYS } from '../../src/protocol/envelope.ts';
import { SseParser } from '../../src/transport/sse.ts';
import { openStream } from '../helpers/http.ts';
import { assertModernServerMessage } from '../helpers/schema-modern.ts';
import { startTestServer, TestClient, type TestServer } from '../helpers/server.ts';

const VERSION = '2026-07-28';
const SUB = META_KEYS.subscriptionId;
type Message = Record<string, unknown> & { method?: string; params?: Record<string, unknown> & { _meta?: Record<string, unknown> }; id?: unknown; result?: Record<string, unknown> };

function meta(): Record<string, unknown> {
  return { [META_KEYS.protocolVersion]: VERSION, [META_KEYS.clientCapabilities]: {}, [META_KEYS.clientInfo]: { name: 'listen-test', version: '1' } };
}

/** A modern POST; returns the raw response. */
function post(server: TestServer, token: string, method: string, params: Record<string, unknown>, id: number | string = 1): Promise<Response> {
  const named = typeof params.name === 'string' ? params.name : typeof params.uri === 'string' ? params.uri : undefined;
  return fetch(server.url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream',
      'mcp-protocol-version': VERSION, 'mcp-method': method, ...(named === undefined ? {} : { 'mcp-name': named }),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: meta() } }),
  });
}

/**
 * A listen stream being read, each message validated. It keeps one read pending across timeouts
 * (a timed-out wait must not lose the chunk that arrives later).
 */
class Listen {
  raw = '';
  private readonly parser = new SseParser();
  private readonly decoder = new TextDecoder();
  private readonly queue: Message[] = [];
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private pending: ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]> | undefined;
  private ended = false;

  private constructor(readonly response: Response) {
    assert.ok(response.body);
    this.reader = response.body.getReader();
  }

  static async open(server: TestServer, token: string, notifications: Record<string, unknown>, id: number | string = 7): Promise<Listen> {
    const response = await post(server, token, 'subscriptions/listen', { notifications }, id);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    assert.equal(response.headers.get('x-accel-buffering'), 'no');
    return new Listen(response);
  }

  /** The next message, or undefined when the stream ended; rejects after `timeoutMs`. */
  async next(timeoutMs = 2000): Promise<Message | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0 && !this.ended) {
      this.pending ??= this.reader.read();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))));
      const read = await Promise.race([this.pending, timeout]).finally(() => clearTimeout(timer));
      if (read === 'timeout') throw new Error('timed out waiting for the listen stream');
      this.pending = undefined;
      if (read.done) this.ended = true;
      else this.take(this.decoder.decode(read.value, { stream: true }));
    }
    return this.queue.shift();
  }

  /** Asserts nothing arrives within `ms`. */
  async silent(ms = 300): Promise<void> {
    await assert.rejects(this.next(ms), /timed out/);
  }

  cancel(): Promise<void> {
    this.ended = true;
    return this.reader.cancel().catch(() => undefined);
  }

  private take(text: string): void {
    this.raw += text;
    for (const event of this.parser.push(text)) {
      if (event.data === undefined || event.data === '') continue;
      const message = JSON.parse(event.data) as Message;
      assertModernServerMessage(message, 'subscriptions/listen');
      this.queue.push(message);
    }
  }
}

async function callTool(server: TestServer, token: string, name: string, args: Record<string, unknown>): Promise<void> {
  const response = await post(server, token, 'tools/call', { name, arguments: args }, 99);
  const body = (await response.json()) as Message;
  assert.equal((body.result as { isError?: boolean } | undefined)?.isError, undefined, JSON.stringify(body));
}

let server: TestServer;
let token: string;
before(async () => {
  server = await startTestServer({ env: { MAX_LISTEN_STREAMS_PER_PRINCIPAL: '3', MAX_LISTEN_URIS: '4' } });
  token = await server.token();
});
after(() => server.close());

describe('subscriptions/listen (MCP 2026-07-28 basic/patterns/subscriptions.mdx)', () => {
  test('the acknowledgement comes first, tagged with the listen id, and omits what the server does not offer (M-S4, M-S5, M-S6)', async () => {
    const listen = await Listen.open(server, token, { toolsListChanged: true, resourcesListChanged: true, resourceSubscriptions: ['incidents://1', 'incidents://1', 'nowhere://x'] }, 'listen-a');
    const ack = await listen.next();
    assert.deepEqual(ack, { jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { _meta: { [SUB]: 'listen-a' }, notifications: { resourcesListChanged: true, resourceSubscriptions: ['incidents://1'] } } });
    await listen.cancel();
  });

  test('modern server/discover declares resources.subscribe and listChanged; tools and prompts stay without listChanged (M-S14)', async () => {
    const body = (await (await post(server, token, 'server/discover', {})).json()) as Message;
    const capabilities = body.result?.capabilities as Record<string, unknown>;
    assert.deepEqual(capabilities.resources, { subscribe: true, listChanged: true });
    assert.deepEqual(capabilities.tools, { listChanged: false });
  });

  test('a filter the server honours none of gets the ack, then the graceful-close result at once (M-S13, M-S11)', async () => {
    const listen = await Listen.open(server, token, { toolsListChanged: true }, 42);
    assert.deepEqual((await listen.next())?.params, { _meta: { [SUB]: 42 }, notifications: {} });
    const end = await listen.next();
    assert.equal(end?.id, 42);
    assert.equal(end?.result?.resultType, 'complete');
    assert.equal((end?.result?._meta as Record<string, unknown>)[SUB], 42);
    assert.equal(await listen.next(), undefined);
  });

  test('only the notifications the filter asked for arrive, each tagged; no progress or log message rides the stream (M-S3, M-S6, M-S7, M-E24)', async () => {
    const lists = await Listen.open(server, token, { resourcesListChanged: true }, 1);
    const one = await Listen.open(server, token, { resourceSubscriptions: ['incidents://2'] }, 2);
    await lists.next();
    await one.next();
    await callTool(server, token, 'update_incident', { id: '2', status: 'resolved' });
    assert.deepEqual(await one.next(), { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { _meta: { [SUB]: 2 }, uri: 'incidents://2' } });
    await lists.silent();
    await callTool(server, token, 'create_incident', { title: 'Listen filter check' });
    assert.deepEqual(await lists.next(), { jsonrpc: '2.0', method: 'notifications/resources/list_changed', params: { _meta: { [SUB]: 1 } } });
    await one.silent();
    assert.doesNotMatch(lists.raw + one.raw, /notifications\/(progress|message)/);
    await lists.cancel();
    await one.cancel();
  });

  test('one change source: a create made in either era reaches a listen stream and a legacy GET stream (M-E23)', async () => {
    const legacy = new TestClient(server.url, token);
    await legacy.connect();
    await legacy.call('resources/subscribe', { uri: 'incidents://all' });
    const get = await openStream(legacy);
    await get.next();
    const listen = await Listen.open(server, token, { resourcesListChanged: true, resourceSubscriptions: ['incidents://all'] });
    await listen.next();
    const expectBoth = async (): Promise<void> => {
      const modern = [await listen.next(), await listen.next()].map((m) => m?.method).sort();
      assert.deepEqual(modern, ['notifications/resources/list_changed', 'notifications/resources/updated']);
      const old = [(await get.nextMessage()).message.method, (await get.nextMessage()).message.method].sort();
      assert.deepEqual(old, ['notifications/resources/list_changed', 'notifications/resources/updated']);
    };
    // Made in the legacy era...
    await legacy.call('tools/call', { name: 'create_incident', arguments: { title: 'Made in 2025' } });
    await expectBoth();
    // ...and in the modern era.
    await callTool(server, token, 'create_incident', { title: 'Made in 2026' });
    await expectBoth();
    await listen.cancel();
    await get.cancel();
    await legacy.close();
  });

  test('a stream tells only what its token may read: no list change for a token without incidents:read, and no URI subscription for it (issue 12)', async () => {
    const readless = await server.token(['incidents:write']);
    const listen = await Listen.open(server, readless, { resourcesListChanged: true });
    assert.deepEqual((await listen.next())?.params?.notifications, { resourcesListChanged: true });
    await callTool(server, token, 'create_incident', { title: 'Not for the read-less' });
    await listen.silent(400);
    await listen.cancel();
    const refused = await post(server, readless, 'subscriptions/listen', { notifications: { resourceSubscriptions: ['incidents://1'] } });
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get('www-authenticate') ?? '', /insufficient_scope/);
    await refused.arrayBuffer();
  });

  test('a listen stream ends without a result when its token expires, so the client reconnects (M-S15)', async () => {
    const shortLived = await server.issuer.mint({ expiresIn: 2 });
    const listen = await Listen.open(server, shortLived, { resourcesListChanged: true });
    await listen.next();
    const started = Date.now();
    assert.equal(await listen.next(4000), undefined);
    assert.ok(Date.now() - started > 500, 'ended at expiry, not at once');
    assert.doesNotMatch(listen.raw, /"result"/);
  });

  test('bounds: streams per principal refused in-band with -32603 before the ack, URIs per stream with -32602 (M-S13)', async () => {
    const own = await server.issuer.mint({ claims: { sub: 'bounded@example.com' } });
    const open = [await Listen.open(server, own, { resourcesListChanged: true }, 1), await Listen.open(server, own, { resourcesListChanged: true }, 2), await Listen.open(server, own, { resourcesListChanged: true }, 3)];
    for (const listen of open) await listen.next();
    const full = await post(server, own, 'subscriptions/listen', { notifications: { resourcesListChanged: true } }, 4);
    assert.equal(full.status, 200);
    const fullBody = (await full.json()) as Message;
    assertModernServerMessage(fullBody);
    assert.deepEqual(fullBody.error, { code: -32603, message: 'Subscription limit reached', data: { limit: 3 } });
    assert.equal(fullBody.id, 4);
    // Closing a stream frees its place (M-S12).
    await open[0]?.cancel();
    await waitFor(() => server.running.core.subscriptions.size < 3);
    const again = await Listen.open(server, own, { resourcesListChanged: true }, 5);
    await again.next();
    const many = await post(server, own, 'subscriptions/listen', { notifications: { resourceSubscriptions: ['incidents://1', 'incidents://2', 'incidents://3', 'incidents://4', 'incidents://all'] } }, 6);
    const manyBody = (await many.json()) as Message;
    assert.equal((manyBody.error as { code: number }).code, -32602);
    for (const listen of [...open.slice(1), again]) await listen.cancel();
  });

  test('a missing filter is -32602 (schema SubscriptionsListenRequestParams: notifications is required, M-S2)', async () => {
    const response = await post(server, token, 'subscriptions/listen', {}, 8);
    const body = (await response.json()) as Message;
    assert.equal((body.error as { code: number }).code, -32602);
    assert.equal(body.id, 8);
  });
});

describe('listen streams at shutdown and under back-pressure', () => {
  test('at shutdown each listen stream gets the graceful-close result, then closes (subscriptions.mdx "Graceful Closure", M-S11)', async () => {
    const own = await startTestServer();
    const listen = await Listen.open(own, await own.token(), { resourcesListChanged: true }, 'bye');
    await listen.next();
    const closing = own.close();
    const end = await listen.next();
    assert.deepEqual([end?.id, end?.result?.resultType, (end?.result?._meta as Record<string, unknown>)[SUB]], ['bye', 'complete', 'bye']);
    assert.equal(await listen.next(), undefined);
    await closing;
  });

  test('a listen stream whose reader lets unsent bytes pile up is cut off, and its subscription freed (MAX_LISTEN_QUEUED_BYTES)', async () => {
    const own = await startTestServer({ env: { MAX_LISTEN_QUEUED_BYTES: '1024' } });
    try {
      const ownToken = await own.token();
      const response = await post(own, ownToken, 'subscriptions/listen', { notifications: { resourcesListChanged: true, resourceSubscriptions: ['incidents://all'] } });
      assert.equal(response.status, 200);
      // Never read: the socket buffers fill, then the server's queue.
      for (let i = 0; i < 400 && own.running.core.subscriptions.size > 0; i++) own.running.core.registry.listChanged();
      await waitFor(() => own.running.core.subscriptions.size === 0);
      await response.body?.cancel().catch(() => undefined);
    } finally {
      await own.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, 'condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
