/**
 * Black-box scenarios for the log the real server writes through src/log.ts (issue 15): client
 * text that reaches a record (JSON-RPC method, tool name, error detail) is cut centrally, so one
 * request of any size writes log lines of a bounded size; every refused request's line names why
 * (issue 11: the reason comes from the one refusal mapping, not from each stage remembering).
 * Real server, real issuer, real HTTP.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, MAX_LOGGED_CHARS } from '../../src/log.ts';
import { withClient } from '../helpers/http.ts';
import { TestClient } from '../helpers/server.ts';

/** Longest line any request below may produce: well under what its 400 KB of client text would make. */
const LINE_LIMIT = 4096;
const HUGE = 400_000;

function capturingLogger(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, logger: createLogger('debug', (line) => void lines.push(line)) };
}

test('a 400 KB JSON-RPC method name gives an access-log line under 4 KB, its method cut with a marker (issue 15)', async () => {
  const { lines, logger } = capturingLogger();
  await withClient({ start: { logger } }, async (client) => {
    const method = `x/${'m'.repeat(HUGE)}`;
    const reply = await client.request(method);
    assert.equal(reply.status, 200);
    assert.equal((reply.body.error as { code: number }).code, -32601);
    const access = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => record.msg === 'request' && typeof record.rpcMethod === 'string' && record.rpcMethod.startsWith('x/'));
    assert.equal(access.length, 1);
    for (const line of lines) assert.ok(line.length < LINE_LIMIT, `a ${line.length}-character log line`);
    assert.equal(access[0]?.rpcMethod, `${method.slice(0, MAX_LOGGED_CHARS)}…(+${method.length - MAX_LOGGED_CHARS} chars)`);
  });
});

test('400 KB tool names, arguments and ids never make a log line over 4 KB (issue 15)', async () => {
  const { lines, logger } = capturingLogger();
  await withClient({ start: { logger } }, async (client) => {
    const huge = 't'.repeat(HUGE);
    await client.request('tools/call', { name: huge, arguments: {} });
    await client.request('tools/call', { name: 'create_incident', arguments: { title: huge, [huge]: huge } });
    await client.request('resources/read', { uri: `incidents://${huge}` });
    await client.post({ jsonrpc: '2.0', id: huge, method: 'ping' });
    await client.post({ jsonrpc: '2.0', id: 1, method: 'ping', params: { [huge]: [huge] } });
    assert.ok(lines.length >= 5);
    for (const line of lines) assert.ok(line.length < LINE_LIMIT, `a ${line.length}-character log line`);
  });
});

/** Waits (bounded) for the access-log line of each request, written when its response closes. */
async function accessLines(lines: ReadonlyArray<Record<string, unknown>>, count: number): Promise<Array<Record<string, unknown>>> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const access = lines.filter((line) => line.msg === 'request');
    if (access.length >= count || Date.now() > deadline) return access;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('issue 11: every refused request\'s access-log line carries its reason, including those no stage used to record', async () => {
  await withClient({}, async (client, server) => {
    const stranger = new TestClient(server.url, client.token);
    stranger.sessionId = 'no-such-session';
    const before = server.logger.lines.filter((line) => line.msg === 'request').length;
    const refused = [
      [(await stranger.request('ping')).status, 404, 'unknownSession'],
      [(await client.request('ping', undefined, { 'content-type': 'text/plain' })).status, 415, 'unsupportedMediaType'],
      [(await client.request('ping', undefined, { 'mcp-protocol-version': '1999-01-01' })).status, 400, 'unsupportedVersion'],
      [(await fetch(server.url, { method: 'PUT', headers: client.headers() })).status, 405, 'methodNotAllowed'],
      [(await fetch(new URL('/nowhere', server.url), { headers: client.headers() })).status, 404, 'notFound'],
      [(await fetch(server.url, { method: 'POST', headers: client.headers({ origin: 'https://evil.example' }), body: '{}' })).status, 403, 'originForbidden'],
    ] as const;
    for (const [status, expected] of refused) assert.equal(status, expected);
    const access = (await accessLines(server.logger.lines, before + refused.length)).slice(before);
    assert.deepEqual(access.map((line) => [line.status, line.reason]), refused.map(([, status, reason]) => [status, reason]));
  });
});
