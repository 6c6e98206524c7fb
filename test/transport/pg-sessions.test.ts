/**
 * Tests of src/transport/pg-sessions.ts and session-store-sync.ts (issue 13 "Legacy sessions on
 * any replica") on a real PostgreSQL (test/helpers/postgres.ts): stores and session tables of two
 * "replicas" on one database. Records round-trip, the table holds no usable session id, changes
 * are written as differences and announced, ends and expiry reach every replica, the table's
 * creation is safe when replicas start together, and a lost notice connection rereads the copies.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { openPgSessionStore, SESSIONS_CHANNEL, type PgSessionStore } from '../../src/transport/pg-sessions.ts';
import type { SessionRecord, SessionStoreEvents } from '../../src/transport/session-store.ts';
import { SessionTable, type SessionLimits } from '../../src/transport/sessions.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
import { memoryLogger } from '../helpers/server.ts';

const postgres = await startTestPostgres();
const LIMITS: SessionLimits = { maxSessions: 10, maxSessionsPerOwner: 10, idleMs: 60_000, keptStreams: 2, replayEvents: 16, maxQueuedBytes: 1 << 20 };

const RECORD: SessionRecord = {
  id: 'a-session-id-of-at-least-thirty-two-chars',
  owner: '["https://issuer","user","client"]',
  protocolVersion: '2025-06-18',
  clientCapabilities: { roots: { listChanged: true }, elicitation: { form: {} } },
  clientInfo: { name: 'client', version: '2.0' },
  initialized: true,
  logLevel: 'warning',
  subscriptions: ['incidents://1'],
};

async function open(url: string, t: { after(fn: () => Promise<void>): void }, idleMs = 60_000): Promise<PgSessionStore> {
  const store = await openPgSessionStore({ url }, { idleMs, logger: memoryLogger() });
  t.after(() => store.close());
  return store;
}

async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Events of a store not attached to a table, each as the promise of its next occurrence. */
function recorder(): SessionStoreEvents & { next(kind: 'ended' | 'changed'): Promise<string> } {
  const waiting = new Map<string, (id: string) => void>();
  const fire = (kind: string, id: string): void => {
    waiting.get(kind)?.(id);
    waiting.delete(kind);
  };
  return {
    ended: (id) => fire('ended', id),
    changed: (id) => fire('changed', id),
    missed: () => undefined,
    next: (kind) => new Promise((resolve) => waiting.set(kind, resolve)),
  };
}

async function eventually(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `${what}: not reached in time`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a record written by one replica is found whole by another; the table keeps a digest of the id, never the id', async (t) => {
  const url = await postgres.createDatabase();
  const [a, b] = [await open(url, t), await open(url, t)];
  await a.create(RECORD);
  const found = await b.find([RECORD.id, 'unknown']);
  assert.deepEqual([...found.keys()], [RECORD.id]);
  assert.deepEqual(found.get(RECORD.id), RECORD);
  const rows = await sql(url, 'SELECT * FROM mcp_sessions');
  assert.equal(rows.length, 1);
  assert.ok(!JSON.stringify(rows).includes(RECORD.id), 'the session id is not stored');
  assert.match(String(rows[0]?.key), /^[A-Za-z0-9_-]{43}$/);
});

test('a row this replica cannot serve (a protocol version it does not speak) is treated as unknown, and bounded values are bounded again', async (t) => {
  const url = await postgres.createDatabase();
  const store = await open(url, t);
  await store.create(RECORD);
  await store.create({ ...RECORD, id: 'second' });
  await sql(url, `UPDATE mcp_sessions SET protocol_version = '2099-01-01' WHERE owner = $1 AND key <> (SELECT min(key) FROM mcp_sessions)`, [RECORD.owner]);
  await sql(url, `UPDATE mcp_sessions SET client_capabilities = '{"roots":{"listChanged":true,"x":1},"experimental":{}}', log_level = 'loud'`);
  const found = await store.find([RECORD.id, 'second']);
  assert.equal(found.size, 1);
  const record = [...found.values()][0];
  assert.deepEqual(record?.clientCapabilities, { roots: { listChanged: true } });
  assert.equal(record?.logLevel, undefined);
});

test('changes are written as differences, so two replicas changing one session keep both, and each hears of the other’s changes only', async (t) => {
  const url = await postgres.createDatabase();
  const [a, b] = [await open(url, t), await open(url, t)];
  const onA = recorder();
  a.listen(onA);
  await a.create(RECORD);
  await a.create({ ...RECORD, id: 'held-by-a-only' });
  await b.find([RECORD.id]);
  const changed = onA.next('changed');
  // A's own notice is sent first (notices arrive in commit order), and A does not hear it.
  await a.update('held-by-a-only', { logLevel: 'debug', initialized: false, subscribed: [], unsubscribed: [] });
  await Promise.all([
    a.update(RECORD.id, { logLevel: undefined, initialized: false, subscribed: ['incidents://2'], unsubscribed: [] }),
    b.update(RECORD.id, { logLevel: 'error', initialized: false, subscribed: ['incidents://3'], unsubscribed: ['incidents://1'] }),
  ]);
  assert.equal(await changed, RECORD.id);
  const record = (await a.find([RECORD.id])).get(RECORD.id);
  assert.deepEqual([...(record?.subscriptions ?? [])].sort(), ['incidents://2', 'incidents://3']);
  assert.equal(record?.logLevel, 'error');
});

test('an end on one replica reaches the other; expiry ends a session for every replica, the one that expired it too', async (t) => {
  const url = await postgres.createDatabase();
  const [a, b] = [await open(url, t), await open(url, t)];
  const [onA, onB] = [recorder(), recorder()];
  a.listen(onA);
  b.listen(onB);
  await a.create(RECORD);
  await b.find([RECORD.id]);
  const ended = onA.next('ended');
  await b.end(RECORD.id);
  assert.equal(await ended, RECORD.id);
  assert.equal((await a.find([RECORD.id])).size, 0);

  await a.create({ ...RECORD, id: 'expiring' });
  await b.find(['expiring']);
  // The idle period passes (the database's clock decides expiry).
  await sql(url, `UPDATE mcp_sessions SET expires_at = now() - interval '1 second'`);
  assert.equal((await b.find(['expiring'])).size, 0, 'an expired session is unknown at once');
  const [expiredA, expiredB] = [onA.next('ended'), onB.next('ended')];
  await a.expire();
  assert.deepEqual([await expiredA, await expiredB], ['expiring', 'expiring']);
  assert.equal((await sql(url, 'SELECT count(*)::int AS n FROM mcp_sessions'))[0]?.n, 0);
});

test('activity pushes the expiry an idle period ahead and never pulls it back', async (t) => {
  const url = await postgres.createDatabase();
  const [short, long] = [await open(url, t, 0), await open(url, t, 3_600_000)];
  await long.create(RECORD);
  await short.touch([RECORD.id]);
  assert.equal((await short.find([RECORD.id])).size, 1, 'a shorter idle period does not shorten it');
  await sql(url, `UPDATE mcp_sessions SET expires_at = now() - interval '1 second'`);
  await long.touch([RECORD.id]);
  const [row] = await sql(url, `SELECT expires_at > now() + interval '59 minutes' AS ahead FROM mcp_sessions`);
  assert.equal(row?.ahead, true);
});

test('replicas starting together on a new database create the table once, without an error', async () => {
  const url = await postgres.createDatabase();
  const stores = await Promise.all(Array.from({ length: 6 }, () => openPgSessionStore({ url }, { idleMs: 1000, logger: memoryLogger() })));
  await Promise.all(stores.map((store) => store.close()));
  assert.equal((await sql(url, `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'mcp_sessions'`))[0]?.n, 1);
});

test('session tables on two stores: adoption, write-through, the other copy refreshed by its notice, and DELETE everywhere', async (t) => {
  const url = await postgres.createDatabase();
  const tableA = new SessionTable(LIMITS, Date.now, await open(url, t));
  const tableB = new SessionTable(LIMITS, Date.now, await open(url, t));
  const session = tableA.prepare('owner');
  session.open('2025-11-25', { sampling: {} }, { name: 'n', version: 'v' });
  await tableA.register(session);
  assert.equal(await tableB.find('nope'), undefined);
  const copy = await tableB.find(session.id);
  assert.ok(copy && copy !== session);
  assert.equal(await tableB.find(session.id), copy, 'adopted once');
  assert.deepEqual([copy.owner, copy.protocolVersion, copy.clientCapabilities, copy.opened], ['owner', '2025-11-25', { sampling: {} }, true]);

  copy.subscriptions.add('incidents://9');
  copy.logLevel = 'critical';
  await tableB.settle(copy);
  await eventually(() => session.subscriptions.has('incidents://9') && session.logLevel === 'critical', 'A refreshed by B’s notice');
  await tableB.settle(copy);

  await tableA.end(session.id);
  await eventually(() => tableB.get(session.id) === undefined, 'B drops its copy');
  assert.equal(await tableB.find(session.id), undefined);
});

test('a lost notice connection is reconnected, and then every copy is read again: one ended meanwhile goes', async (t) => {
  const url = await postgres.createDatabase();
  const tableA = new SessionTable(LIMITS, Date.now, await open(url, t));
  const store = await open(url, t);
  await store.create(RECORD);
  assert.ok(await tableA.find(RECORD.id));
  // Ended without a notice (as if sent while the connection was down): A cannot know yet.
  await sql(url, 'DELETE FROM mcp_sessions');
  assert.ok(tableA.get(RECORD.id), 'nothing told A');
  const cut = await sql(url, `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE query = $1`, [`LISTEN ${SESSIONS_CHANNEL}`]);
  assert.equal(cut.length, 2, 'both stores listen');
  await eventually(() => tableA.get(RECORD.id) === undefined, 'A rereads its copies after reconnecting');
});
