/**
 * Interoperability of subscriptions/listen with the official MCP TypeScript SDK v2 client
 * (`@modelcontextprotocol/client` 2.4.0, pinned to 2026-07-28) against the real incident server:
 * `Client.listen()` for resource updates on incidents://all and on one incident, then a create and
 * an update through the same client, and the notifications reaching its handlers (MCP 2026-07-28
 * basic/patterns/subscriptions.mdx). A validating fetch reads every message the server sends, as
 * it streams, against the 2026-07-28 schema; listen streams stay open, so it never waits for them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { SseParser } from '../../src/transport/sse.ts';
import { assertModernServerMessage } from '../helpers/schema-modern.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const MODERN = '2026-07-28';
const SUB = 'io.modelcontextprotocol/subscriptionId';

/** Validates each message as it arrives; problems are kept, not thrown inside the SDK's stream. */
function validatingFetch(problems: string[]): typeof fetch {
  const check = (method: string | undefined, text: string): void => {
    try {
      assertModernServerMessage(JSON.parse(text), method);
    } catch (error) {
      problems.push(`${method ?? '?'}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const watch = async (stream: ReadableStream<Uint8Array>, method: string | undefined): Promise<void> => {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) if (event.data !== undefined && event.data !== '') check(method, event.data);
    }
  };
  return async (input, init) => {
    const response = await fetch(input, init);
    const method = typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string }).method : undefined;
    if (response.body === null) return response;
    if (response.headers.get('content-type')?.startsWith('text/event-stream') === true) {
      const [mine, theirs] = response.body.tee();
      void watch(mine, method);
      return new Response(theirs, { status: response.status, statusText: response.statusText, headers: response.headers });
    }
    const text = await response.clone().text();
    if (text !== '') check(method, text);
    return response;
  };
}

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

test('SDK v2 Client.listen(): updates on incidents://all and on one incident reach its handlers after a create and an update through the same client (subscriptions.mdx)', async (t) => {
  const problems: string[] = [];
  const transport = new StreamableHTTPClientTransport(new URL(server.url), {
    fetch: validatingFetch(problems),
    requestInit: { headers: { Authorization: `Bearer ${await server.token()}` } },
  });
  const client = new Client({ name: 'sdk-v2-listen-test', version: '1.0.0' }, { capabilities: {}, versionNegotiation: { mode: { pin: MODERN } } });
  await client.connect(transport);
  t.after(() => client.close());
  assert.deepEqual(client.getServerCapabilities()?.resources, { subscribe: true, listChanged: true });

  const updated: Array<{ uri: string; id: unknown }> = [];
  let listChanged = 0;
  client.setNotificationHandler('notifications/resources/updated', (n) => {
    updated.push({ uri: n.params.uri, id: n.params._meta?.[SUB] });
  });
  client.setNotificationHandler('notifications/resources/list_changed', () => {
    listChanged++;
  });

  const all = await client.listen({ resourceSubscriptions: ['incidents://all'], resourcesListChanged: true });
  const one = await client.listen({ resourceSubscriptions: ['incidents://3'] });
  assert.deepEqual(all.honoredFilter, { resourcesListChanged: true, resourceSubscriptions: ['incidents://all'] });
  assert.deepEqual(one.honoredFilter, { resourceSubscriptions: ['incidents://3'] });

  const created = await client.callTool({ name: 'create_incident', arguments: { title: 'Heard through listen', severity: 'high' } });
  assert.notEqual(created.isError, true);
  await until(() => listChanged >= 1 && updated.some((u) => u.uri === 'incidents://all'));

  await client.callTool({ name: 'update_incident', arguments: { id: '3', status: 'investigating' } });
  await until(() => updated.some((u) => u.uri === 'incidents://3'));
  await until(() => updated.filter((u) => u.uri === 'incidents://all').length >= 2);
  // Each copy rode its own stream, tagged with that stream's id (M-S6); nothing else arrived (M-S3).
  assert.equal(new Set(updated.map((u) => u.uri)).size, 2, JSON.stringify(updated));
  const idOf = (uri: string): Set<unknown> => new Set(updated.filter((u) => u.uri === uri).map((u) => u.id));
  assert.equal(idOf('incidents://all').size, 1);
  assert.equal(idOf('incidents://3').size, 1);
  assert.notDeepEqual([...idOf('incidents://all')], [...idOf('incidents://3')]);

  await one.close();
  assert.equal(await one.closed, 'local');
  await until(() => server.running.core.subscriptions.size === 1);
  await all.close();
  await until(() => server.running.core.subscriptions.size === 0);
  assert.deepEqual(problems, []);
});

test('SDK v2 Client.listen(): the server ending the stream at shutdown is a graceful close (subscriptions.mdx "Graceful Closure")', async () => {
  const own = await startTestServer();
  const transport = new StreamableHTTPClientTransport(new URL(own.url), { requestInit: { headers: { Authorization: `Bearer ${await own.token()}` } } });
  const client = new Client({ name: 'sdk-v2-listen-test', version: '1.0.0' }, { capabilities: {}, versionNegotiation: { mode: { pin: MODERN } } });
  await client.connect(transport);
  const subscription = await client.listen({ resourcesListChanged: true });
  const closing = own.close();
  assert.equal(await subscription.closed, 'graceful');
  await closing;
  await client.close();
});

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, 'the notification did not arrive in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
