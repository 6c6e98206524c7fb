/**
 * The README is part of the interface: its curl walk-through is run here, verbatim but for the
 * server's address, with bash and curl against the real server and development issuer on free
 * ports (`npm run --silent token` finds the issuer through DEV_ISSUER_URL). Each step's answer
 * is checked, including the notification that must arrive on the GET stream.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { startTestServer } from './helpers/server.ts';

/** The first ```sh block after `heading`. */
function shellBlock(heading: string): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const from = readme.indexOf(`\n${heading}\n`);
  assert.notEqual(from, -1, `README has no "${heading}" section`);
  const start = readme.indexOf('```sh\n', from);
  const end = readme.indexOf('\n```\n', start);
  return readme.slice(start + '```sh\n'.length, end + 1);
}

test('README "Walk-through, modern era" works as written: discover, list, call, read, and the refusals it shows (MCP 2026-07-28)', { timeout: 120_000 }, async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const script = shellBlock('## Walk-through, modern era (2026-07-28)');
  const { stdout: out } = await promisify(execFile)('bash', ['-c', script.replaceAll('http://127.0.0.1:9001/mcp', server.url)], {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, DEV_ISSUER_URL: server.issuer.issuer },
    encoding: 'utf8',
    timeout: 100_000,
  });
  const lines = out.trim().split('\n').map((line) => JSON.parse(line) as { id?: number; result?: Record<string, unknown>; error?: { code: number; data?: unknown } });
  assert.equal(lines.length, 7, out);
  const [discover, tools, call, read, missing, ping, version] = lines;
  assert.deepEqual(discover?.result?.supportedVersions, ['2026-07-28']);
  assert.deepEqual([discover?.result?.resultType, discover?.result?.cacheScope], ['complete', 'public']);
  assert.equal((tools?.result?.tools as unknown[]).length, 3);
  assert.match(JSON.stringify(call?.result), /Created incident #5/);
  assert.match(JSON.stringify(read?.result?.contents), /Database connection pool exhausted/);
  assert.deepEqual([missing?.error?.code, missing?.error?.data], [-32602, { uri: 'incidents://999' }]);
  assert.equal(ping?.error?.code, -32601);
  assert.deepEqual([version?.id, version?.error?.code, version?.error?.data], [2, -32022, { supported: ['2026-07-28'], requested: '2099-01-01' }]);
  assert.equal((await server.running.store.get('5'))?.title, 'Disk full on db-3');
});

test('README "Walk-through with curl" works as written: every step answers as its comment says', { timeout: 120_000 }, async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const script = shellBlock('## Walk-through with curl');
  assert.match(script, /http:\/\/127\.0\.0\.1:9001\/mcp/);
  // Asynchronously: the server answering the script runs in this process.
  const { stdout: out } = await promisify(execFile)('bash', ['-c', script.replaceAll('http://127.0.0.1:9001/mcp', server.url)], {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, DEV_ISSUER_URL: server.issuer.issuer },
    encoding: 'utf8',
    timeout: 100_000,
  });
  assert.match(out, /^HTTP\/1\.1 200 OK\r$/m, 'initialize');
  assert.match(out, /^mcp-session-id: [!-~]+\r$/im);
  assert.match(out, /^\{"jsonrpc":"2\.0","id":2,"result":\{\}\}$/m, 'ping');
  assert.match(out, /"id":3,"result":\{"tools":\[\{"name":"create_incident"/, 'tools/list');
  assert.match(out, /^\{"jsonrpc":"2\.0","id":4,"result":\{\}\}$/m, 'resources/subscribe');
  assert.match(out, /"id":5,"result":\{"content":\[\{"type":"text","text":"Created incident #5/, 'create_incident');
  // The GET stream, opened before the subscription, prints the change in SSE framing.
  assert.match(out, /^data: \{"jsonrpc":"2\.0","method":"notifications\/resources\/updated","params":\{"uri":"incidents:\/\/all"\}\}$/m, 'notification on the GET stream');
  assert.match(out, /"id":6,"result":\{"content":\[\{"type":"text","text":"#5 \\"Disk full on db-2\\" \(high, open\)/, 'list_incidents');
  assert.match(out, /"id":7,"result":\{"contents":\[\{"uri":"incidents:\/\/1"/, 'resources/read');
  assert.match(out, /"id":8,"result":\{"description":"/, 'prompts/get');
  assert.match(out, /^HTTP\/1\.1 403 Forbidden\r$/m, 'read-only token');
  assert.match(out, /^www-authenticate: Bearer error="insufficient_scope", scope="incidents:read incidents:write"/im);
  assert.match(out, /^HTTP\/1\.1 204 No Content\r$/m, 'DELETE');
  assert.equal((await server.running.store.get('5'))?.title, 'Disk full on db-2');
});
