/**
 * Hostile input against the real server on port 0 (issue #7 "Hostile input"): a seeded fuzzer
 * (fuzz-cases.ts) sends a few thousand malformed and odd requests over raw sockets. Every answer
 * is a well-formed HTTP response with the status that is right for the case (never a 5xx for a
 * client's fault); JSON-RPC bodies are valid against the official schema; no body holds a stack,
 * a path or the token; nothing pollutes Object.prototype; the server answers ping afterwards and
 * its heap comes back to where it was. Replay a failure with FUZZ_SEED=<seed printed>.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Logger } from '../../src/log.ts';
import { startTestServer, TestClient } from '../helpers/server.ts';
import { fuzzCases, type FuzzCase, type FuzzTarget } from './fuzz-cases.ts';
import { assertWellFormedBody, exchange, pool, Random, seedFrom, settledHeap } from './helpers.ts';

const SEED = seedFrom(0x5eed_0007);
const CASES = Number(process.env.FUZZ_CASES ?? 3000);
/** Heap the server may keep after the storm: incidents the fuzzer created, caches warmed (bytes). */
const HEAP_SLACK = 8 * 1024 * 1024;

/** Ends the sessions the fuzzer opened (DELETE, basic/transports.mdx), so the heap can be compared. */
async function endOpenedSessions(client: TestClient): Promise<void> {
  for (const id of opened.splice(0)) {
    const response = await fetch(client.url, { method: 'DELETE', headers: { ...client.headers(), 'mcp-session-id': id } });
    assert.equal(response.status, 204);
    await response.arrayBuffer();
  }
}

/** Keeps error lines only: an access log of thousands of lines would itself look like a leak. */
function errorLogger(): Logger & { errors: Array<Record<string, unknown>> } {
  const errors: Array<Record<string, unknown>> = [];
  const ignore = (): void => undefined;
  return { errors, debug: ignore, info: ignore, warn: ignore, error: (msg, fields) => void errors.push({ msg, ...fields }) };
}

/** Sessions the fuzzer's initialize cases opened, to end them afterwards. */
const opened: string[] = [];

async function runCase(target: FuzzTarget, c: FuzzCase, index: number, secrets: readonly string[]): Promise<number | undefined> {
  const where = `case ${index} (${c.kind}) of seed ${SEED}; replay with FUZZ_SEED=${SEED}`;
  const answer = await exchange(target.port, c.bytes, { halfClose: c.halfClose === true, timeoutMs: 15_000 }).catch((error: unknown) => {
    throw new Error(`${where}: ${(error as Error).message}`);
  });
  if (answer.status === undefined) {
    assert.ok(c.mayClose === true, `${where}: the connection closed without an answer`);
    return undefined;
  }
  assert.ok(c.expect.includes(answer.status), `${where}: status ${answer.status}, expected ${c.expect.join(' or ')}: ${answer.body.toString('utf8').slice(0, 300)}`);
  try {
    assertWellFormedBody(answer, secrets, c.rpcMethod);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
  const session = answer.headers.get('mcp-session-id');
  if (session !== undefined) opened.push(session);
  return answer.status;
}

test(`a few thousand hostile requests each get the right 4xx or a valid answer, and the server is unharmed (issue #7; basic/transports.mdx; seed ${SEED})`, { timeout: 120_000 }, async (t) => {
  const logger = errorLogger();
  const server = await startTestServer({
    start: { logger, timeouts: { headersMs: 2000, requestMs: 3000, keepAliveMs: 1000 } },
  });
  try {
    const token = await server.token();
    const client = new TestClient(server.url, token);
    await client.connect();
    const target: FuzzTarget = { port: server.running.port, token, sessionId: client.sessionId as string, version: client.protocolVersion };
    const secrets = [token, server.dir];
    const random = new Random(SEED);

    // Warm-up round, so compiled code and caches count in the baseline, not as growth.
    await pool(fuzzCases(new Random(SEED ^ 0xffff), target, 200), 8, async (c, i) => void (await runCase(target, c, -i, secrets)));
    await endOpenedSessions(client);
    const before = await settledHeap();

    const statuses = new Map<string, number>();
    const cases = fuzzCases(random, target, CASES);
    const started = Date.now();
    await pool(cases, 12, async (c, i) => {
      const status = await runCase(target, c, i, secrets);
      const key = `${c.kind.replace(/ #\d+$/, '')} → ${String(status ?? 'closed')}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    });
    const elapsed = Date.now() - started;

    assert.deepEqual(logger.errors, [], 'an unexpected failure was logged');
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    const ping = await client.request('ping');
    assert.equal(ping.status, 200);
    assert.deepEqual(ping.body, { jsonrpc: '2.0', id: ping.body.id, result: {} });

    // Once the sessions the fuzzer opened are ended, the heap is back near its start.
    await endOpenedSessions(client);
    assert.equal(server.running.sessions.size, 1);
    const after = await settledHeap();
    const mb = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;
    t.diagnostic(`fuzz seed ${SEED}: ${cases.length} requests in ${elapsed} ms, ${statuses.size} kinds of case and answer; heap ${mb(before)} → ${mb(after)}`);
    if (process.env.FUZZ_VERBOSE !== undefined) t.diagnostic([...statuses].sort().map(([k, n]) => `${k}: ${n}`).join('\n'));
    assert.ok(after - before < HEAP_SLACK, `heap grew from ${mb(before)} to ${mb(after)}`);
  } finally {
    await server.close();
  }
});
