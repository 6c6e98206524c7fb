/**
 * Legacy sessions on two replicas (issue 13 "Legacy sessions on any replica"; MCP 2025-11-25
 * basic/transports.mdx "Session Management"): two real servers (src/app.ts startServer) on one
 * real PostgreSQL (test/helpers/postgres.ts) and one development issuer. A session opened on A is
 * served by B, validated the same way (404, principal binding, version); what A changed in it
 * holds on B; DELETE on B ends it on A too, A's GET stream included; idle expiry crosses replicas.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer, type StartOptions } from '../../src/app.ts';
import { startDevIssuer, type DevIssuer } from '../../src/auth/dev-issuer.ts';
import { loadConfig } from '../../src/config.ts';
import { assertErrorBody, openStream } from '../helpers/http.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
import { memoryLogger, SEED, TestClient } from '../helpers/server.ts';

const INVALID_REQUEST = -32600;
const postgres = await startTestPostgres();
let issuer: DevIssuer;
let dir: string;

before(async () => {
  issuer = await startDevIssuer({ host: '127.0.0.1', port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'mcp-replicas-'));
  await writeFile(join(dir, 'incidents.json'), JSON.stringify(SEED));
});

after(async () => {
  await issuer.close();
  await rm(dir, { recursive: true, force: true });
});

interface Replica {
  readonly url: string;
  readonly running: RunningServer;
  readonly logger: ReturnType<typeof memoryLogger>;
}

async function startReplica(database: string, env: Record<string, string> = {}, start: StartOptions = {}): Promise<Replica> {
  const config = loadConfig({
    PORT: '0', OKTA_ISSUER: issuer.issuer, OKTA_AUDIENCE: issuer.audience, INCIDENTS_FILE: join(dir, 'incidents.json'),
    TOOL_RATE_LIMIT: '0', DATABASE_URL: database, ...env,
  });
  const logger = memoryLogger();
  const running = await startServer(config, { logger, ...start });
  return { url: running.url, running, logger };
}

/** Two replicas on a fresh database, closed when the test ends. */
async function twoReplicas(t: { after(fn: () => Promise<void>): void }, env: Record<string, string> = {}, start: StartOptions = {}): Promise<[Replica, Replica]> {
  const database = await postgres.createDatabase();
  const a = await startReplica(database, env, start);
  t.after(() => a.running.close(500));
  const b = await startReplica(database, env, start);
  t.after(() => b.running.close(500));
  return [a, b];
}

/** A client of `replica` speaking for the session `of` holds, with the same token. */
function sameSession(replica: Replica, of: TestClient, token = of.token): TestClient {
  const client = new TestClient(replica.url, token);
  client.sessionId = of.sessionId;
  client.protocolVersion = of.protocolVersion;
  return client;
}

/** Polls what a replica reaches on its own (a notice from the other), failing after `ms`. */
async function eventually(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `${what}: not reached in time`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a session opened on A serves tools/list, tools/call and notifications on B with the same MCP-Session-Id (issue 13)', async (t) => {
  const [a, b] = await twoReplicas(t);
  const onA = new TestClient(a.url, await issuer.mint());
  await onA.connect();
  const onB = sameSession(b, onA);

  const tools = await onB.call('tools/list');
  assert.deepEqual((tools.tools as { name: string }[]).map((tool) => tool.name).sort(), ['create_incident', 'list_incidents', 'update_incident']);
  const listed = await onB.call('tools/call', { name: 'list_incidents', arguments: { status: 'open' } });
  assert.deepEqual((listed.structuredContent as { incidents: { id: string }[] }).incidents.map((i) => i.id), ['3', '1']);
  assert.equal((await onB.notify('notifications/initialized')).status, 202);
  const adopted = b.running.sessions.get(onA.sessionId as string);
  assert.ok(adopted, 'B holds a copy now');
  assert.equal(adopted.protocolVersion, '2025-11-25');
  assert.deepEqual(adopted.clientInfo, { name: 'test-client', version: '1.0.0' });
  assert.equal(adopted.initialized, true);
  // And back on A: both copies serve it.
  assert.equal((await onA.request('ping')).status, 200);
});

test('B validates a session as A does: unknown 404, another principal 404 and a warning, another version 400 (basic/transports.mdx)', async (t) => {
  const [a, b] = await twoReplicas(t);
  const onA = new TestClient(a.url, await issuer.mint());
  await onA.connect();

  const unknown = sameSession(b, onA);
  unknown.sessionId = 'no-such-session-anywhere';
  const missing = await unknown.request('tools/list');
  assert.equal(missing.status, 404);
  assertErrorBody(missing.text, INVALID_REQUEST);

  const thief = sameSession(b, onA, await issuer.mint({ claims: { sub: 'someone-else', cid: 'other' } }));
  const onThief = await thief.request('tools/list');
  const onThiefA = await sameSession(a, onA, thief.token).request('tools/list');
  assert.equal(onThief.status, 404);
  assert.equal(onThiefA.status, 404);
  assert.deepEqual(onThief.body.error, onThiefA.body.error, 'the same answer as on A');
  assert.deepEqual(onThief.body.error, missing.body.error, 'indistinguishable from an unknown session');
  const warning = b.logger.lines.find((line) => line.level === 'warn' && line.msg === 'session presented by another principal');
  assert.equal(warning?.clientId, 'other');
  assert.equal(await thief.close(), 404, 'another principal cannot end it either');

  const wrongVersion = await sameSession(b, onA).request('ping', undefined, { 'mcp-protocol-version': '2025-06-18' });
  assert.equal(wrongVersion.status, 400);
  assertErrorBody(wrongVersion.text, INVALID_REQUEST);
  assert.equal((await sameSession(b, onA).request('ping')).status, 200, 'the owner still holds it');
});

test('logging/setLevel and resources/subscribe made on A hold on B, before and after B adopted the session (server/utilities/logging.mdx, server/resources.mdx)', async (t) => {
  const [a, b] = await twoReplicas(t);
  const onA = new TestClient(a.url, await issuer.mint());
  await onA.connect();
  const id = onA.sessionId as string;
  await onA.call('logging/setLevel', { level: 'error' });
  await onA.call('resources/subscribe', { uri: 'incidents://1' });

  // B adopts the session with A's changes, opens its GET stream there, and hears about incident 1.
  const onB = sameSession(b, onA);
  const stream = await openStream(onB);
  t.after(() => stream.cancel());
  const copy = b.running.sessions.get(id);
  assert.equal(copy?.logLevel, 'error');
  assert.deepEqual([...(copy?.subscriptions ?? [])], ['incidents://1']);
  await onB.call('tools/call', { name: 'update_incident', arguments: { id: '1', status: 'investigating' } });
  for (;;) {
    const { message } = await stream.nextMessage();
    if (message.method !== 'notifications/resources/updated') continue;
    assert.deepEqual(message.params, { uri: 'incidents://1' });
    break;
  }

  // B holds a copy now: a later change on A reaches it through the replicas' notices.
  await onA.call('resources/unsubscribe', { uri: 'incidents://1' });
  await onA.call('resources/subscribe', { uri: 'incidents://2' });
  await onA.call('logging/setLevel', { level: 'debug' });
  await eventually(() => copy?.subscriptions.has('incidents://2') === true && !copy.subscriptions.has('incidents://1') && copy.logLevel === 'debug', 'B sees A’s changes');
  // And B's own change reaches A.
  await onB.call('resources/subscribe', { uri: 'incidents://3' });
  const onACopy = a.running.sessions.get(id);
  await eventually(() => onACopy?.subscriptions.has('incidents://3') === true, 'A sees B’s subscription');
  assert.deepEqual([...(onACopy?.subscriptions ?? [])].sort(), ['incidents://2', 'incidents://3']);
});

test('DELETE on B ends the session on A too: A closes its GET stream and answers 404 (basic/transports.mdx "Session Management")', async (t) => {
  const [a, b] = await twoReplicas(t);
  const onA = new TestClient(a.url, await issuer.mint());
  await onA.connect();
  const stream = await openStream(onA);
  t.after(() => stream.cancel());

  assert.equal(await sameSession(b, onA).close(), 204);
  await stream.closed(10_000);
  const after = await onA.request('ping');
  assert.equal(after.status, 404);
  assertErrorBody(after.text, INVALID_REQUEST);
  assert.equal(await onA.close(), 404);
  assert.equal((await sameSession(b, onA).request('ping')).status, 404);
  assert.equal(a.running.sessions.size, 0);
  assert.equal(b.running.sessions.size, 0);
});

test('a session idle on every replica expires on every replica, then gets 404 (basic/transports.mdx: the server MAY terminate a session)', async (t) => {
  const [a, b] = await twoReplicas(t, { SESSION_IDLE_SECONDS: '1' }, { sweepMs: 50 });
  const onA = new TestClient(a.url, await issuer.mint());
  await onA.connect();
  assert.equal((await sameSession(b, onA).request('ping')).status, 200);
  await eventually(() => a.running.sessions.size === 0 && b.running.sessions.size === 0, 'both copies expire');
  const onB = await sameSession(b, onA).request('ping');
  assert.equal(onB.status, 404);
  assertErrorBody(onB.text, INVALID_REQUEST);
  assert.equal((await onA.request('ping')).status, 404);
});

test('no log line names a session id beyond the access log (issue 13)', async (t) => {
  const [a, b] = await twoReplicas(t);
  const onA = new TestClient(a.url, await issuer.mint());
  await onA.connect();
  const id = onA.sessionId as string;
  await sameSession(b, onA).call('resources/subscribe', { uri: 'incidents://1' });
  assert.equal(await sameSession(b, onA).close(), 204);
  for (const line of [...a.logger.lines, ...b.logger.lines]) {
    if (!JSON.stringify(line).includes(id)) continue;
    assert.equal(line.msg, 'request', JSON.stringify(line));
  }
  const logs = JSON.stringify([...a.logger.lines, ...b.logger.lines]);
  assert.ok(!logs.includes(postgres.password) && !logs.includes('postgres://'), 'no database URL in the logs');
});
