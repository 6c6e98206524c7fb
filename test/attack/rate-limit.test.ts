/**
 * Tool-call rate limiting against the real server (server/tools.mdx "Security Considerations":
 * servers MUST rate-limit tool invocations; issue #7 "Rate limits"): TOOL_RATE_LIMIT calls per
 * minute per principal, then HTTP 429 with Retry-After and a JSON-RPC error carrying the request
 * id; other principals and non-tool requests are untouched, and the bucket refills.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertErrorBody, withServer } from '../helpers/http.ts';
import { TestClient, type Reply, type TestServer } from '../helpers/server.ts';
import { assertSchema } from '../helpers/schema.ts';
import { sleep } from './helpers.ts';

const LIMIT = 60;
const INVALID_REQUEST = -32600;

async function clientFor(server: TestServer, claims: Record<string, unknown> = {}, scopes?: readonly string[]): Promise<TestClient> {
  const client = new TestClient(server.url, await server.issuer.mint({ claims, ...(scopes === undefined ? {} : { scopes }) }));
  await client.connect();
  return client;
}

const list = (client: TestClient): Promise<Reply> => client.request('tools/call', { name: 'list_incidents', arguments: { limit: 1 } }, {});

function assertLimited(reply: Reply): void {
  assert.equal(reply.status, 429, reply.text);
  const wait = Number(reply.headers.get('retry-after'));
  // 60 calls a minute refill one a second.
  assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 60 / LIMIT + 1, `Retry-After ${String(reply.headers.get('retry-after'))}`);
  assertSchema('JSONRPCErrorResponse', JSON.parse(reply.text));
  assertErrorBody(reply.text, INVALID_REQUEST, { id: (JSON.parse(reply.text) as { id: number }).id });
}

/** Calls that may pass in `elapsedMs`: the full bucket plus what refilled meanwhile (one a second at 60). */
const mayPass = (elapsedMs: number): number => LIMIT + Math.ceil((elapsedMs / 60_000) * LIMIT) + 1;

/** Sends `n` calls at once from each client; the statuses, and how long it took. */
async function burst(clients: readonly TestClient[], n: number): Promise<{ replies: Reply[]; elapsedMs: number }> {
  const started = Date.now();
  const replies = await Promise.all(clients.flatMap((client) => Array.from({ length: n }, () => list(client))));
  return { replies, elapsedMs: Date.now() - started };
}

const passed = (replies: readonly Reply[]): number => replies.filter((r) => r.status === 200).length;

test(`past TOOL_RATE_LIMIT=${LIMIT} tool calls a principal gets 429 with Retry-After, and a refused call does not run (server/tools.mdx "Security Considerations")`, async () => {
  await withServer({ env: { TOOL_RATE_LIMIT: String(LIMIT) } }, async (server) => {
    const alice = await clientFor(server, { sub: 'alice', cid: 'client-a' });
    const { replies, elapsedMs } = await burst([alice], LIMIT + 40);
    assert.ok(passed(replies) >= LIMIT && passed(replies) <= mayPass(elapsedMs), `${passed(replies)} calls passed in ${elapsedMs} ms`);
    for (const reply of replies.filter((r) => r.status !== 200)) assertLimited(reply);
    // Only creates that were answered 200 exist; the refused ones never ran.
    const before = server.running.store.all().length;
    const creates = await Promise.all(Array.from({ length: 10 }, () => alice.request('tools/call', { name: 'create_incident', arguments: { title: 'maybe' } })));
    for (const reply of creates.filter((r) => r.status !== 200)) assertLimited(reply);
    assert.ok(passed(creates) < creates.length, 'the drained bucket refused creates');
    assert.equal(server.running.store.all().length, before + passed(creates));
  });
});

test('the limit is per principal: other principals keep their full allowance, even during a flood (issue #7)', async () => {
  await withServer({ env: { TOOL_RATE_LIMIT: String(LIMIT) } }, async (server) => {
    const alice = await clientFor(server, { sub: 'alice', cid: 'client-a' });
    const bob = await clientFor(server, { sub: 'bob', cid: 'client-a' });
    const carol = await clientFor(server, { sub: 'alice', cid: 'client-c' });
    const flood = burst([alice], 400);
    const others = await burst([bob, carol], LIMIT);
    const { replies, elapsedMs } = await flood;
    assert.ok(passed(replies) >= LIMIT && passed(replies) <= mayPass(elapsedMs), `alice: ${passed(replies)} calls passed in ${elapsedMs} ms`);
    assert.equal(passed(others.replies), 2 * LIMIT, 'bob, and alice through another client, are principals of their own');
  });
});

test('a principal is limited across its sessions and tokens, and the bucket refills after Retry-After (server/tools.mdx)', async () => {
  await withServer({ env: { TOOL_RATE_LIMIT: String(LIMIT) } }, async (server) => {
    const first = await clientFor(server, { sub: 'alice', cid: 'client-a' });
    const second = await clientFor(server, { sub: 'alice', cid: 'client-a' }, ['incidents:read']);
    // Per session or per token, 2 × LIMIT would pass; per principal, LIMIT (and what refilled).
    const { replies, elapsedMs } = await burst([first, second], LIMIT);
    assert.ok(passed(replies) <= mayPass(elapsedMs), `${passed(replies)} of ${2 * LIMIT} passed in ${elapsedMs} ms`);
    const refused = replies.find((r) => r.status === 429) as Reply;
    assertLimited(refused);
    await sleep(Number(refused.headers.get('retry-after')) * 1000 + 100);
    assert.equal((await list(first)).status, 200, 'a call is allowed again after Retry-After');
  });
});

test('only tool calls and completions are rate-limited: other requests pass for a principal over its limit (tools.mdx, completion.mdx)', async () => {
  await withServer({ env: { TOOL_RATE_LIMIT: String(LIMIT) } }, async (server) => {
    const alice = await clientFor(server, { sub: 'alice', cid: 'client-a' });
    await Promise.all(Array.from({ length: LIMIT }, () => list(alice)));
    assertLimited(await list(alice));
    const calls: Array<[string, object]> = [
      ['ping', {}], ['tools/list', {}], ['resources/list', {}], ['resources/read', { uri: 'incidents://all' }],
      ['prompts/get', { name: 'triage_incidents', arguments: {} }],
    ];
    const replies = await Promise.all(Array.from({ length: 120 }, (_, i) => {
      const [method, params] = calls[i % calls.length] as [string, object];
      return alice.request(method, params);
    }));
    for (const reply of replies) assert.equal(reply.status, 200, reply.text);
    assert.ok(replies.every((r) => 'result' in r.body));
    // completion.mdx "Security Considerations": completions MUST be rate-limited too (same bucket).
    // The bucket refills one call a second, so on a slow machine it is emptied again first.
    for (let tries = 0; tries < 2 * LIMIT && (await list(alice)).status !== 429; tries++);
    const completion = await alice.request('completion/complete', { ref: { type: 'ref/prompt', name: 'triage_incidents' }, argument: { name: 'focus', value: '' } });
    assert.equal(completion.status, 429);
  });
});
