/**
 * Black-box scenarios for the log the real server writes through src/log.ts (issue 15): client
 * text that reaches a record (JSON-RPC method, tool name, error detail) is cut centrally, so one
 * request of any size writes log lines of a bounded size. Real server, real issuer, real HTTP.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, MAX_LOGGED_CHARS } from '../../src/log.ts';
import { withClient } from '../helpers/http.ts';

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
