/**
 * The change feed between replicas (src/incidents/pg-feed.ts, pg-store.ts) on a real PostgreSQL
 * (test/helpers/postgres.ts): two stores on one database, each LISTENing on its own connection.
 * A committed create or update in one reaches the other's change events exactly once, the
 * announcement carries the id and revision only, a LISTEN connection that is cut
 * (pg_terminate_backend) comes back, reads the table again and says changes may have been
 * missed, and so does a restart of PostgreSQL.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { CHANGES_CHANNEL, FEED_APPLICATION_NAME, parseAnnouncement } from '../../src/incidents/pg-feed.ts';
import { openPgStore, type PgIncidentStore, type PgStoreOptions } from '../../src/incidents/pg-store.ts';
import { StoreUnavailableError, type IncidentChange } from '../../src/incidents/store.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
import { SEED_PATH } from './helpers.ts';

const server = await startTestPostgres();
const SEED_FILE = fileURLToPath(SEED_PATH);
const NEW = { title: 'Disk full on db-2', severity: 'high', status: 'open' } as const;
/** Short reconnect delays, so a test waits for the feed in milliseconds. */
const QUICK = { minMs: 20, maxMs: 200 };

async function openOn(t: TestContext, url: string, options: PgStoreOptions = {}): Promise<PgIncidentStore> {
  const store = await openPgStore({ url, maxConnections: 3 }, { seedFile: SEED_FILE, feedDelays: QUICK, ...options });
  t.after(() => store.close());
  return store;
}

async function sql(url: string, text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

/** Resolves once `condition` holds; fails the test after `timeoutMs` with `what`. */
async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What a store's listeners hear: changes as `kind id title/status`, and `missed` for a missed-changes signal. */
function record(store: PgIncidentStore): string[] {
  const heard: string[] = [];
  store.onChange((change: IncidentChange) => heard.push(`${change.kind} ${change.incident.id} ${change.incident.title}/${change.incident.status}`));
  store.onMissedChanges((): void => void heard.push('missed'));
  return heard;
}

/** Cuts every LISTEN connection of the stores on `url`'s database, as an operator or a network would. */
async function terminateListeners(url: string): Promise<number> {
  const rows = await sql(url, `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
    WHERE application_name = $1 AND datname = current_database()`, [FEED_APPLICATION_NAME]);
  return rows.filter((row) => row.ended === true).length;
}

test('a create or update committed through one store reaches the other store\'s change events, once, and the writer\'s own once', async (t) => {
  const url = await server.createDatabase();
  const a = await openOn(t, url);
  const b = await openOn(t, url);
  const heardA = record(a);
  const heardB = record(b);

  const created = await a.create(NEW);
  await until('b hears the create', () => heardB.length === 1);
  assert.deepEqual(heardB, [`created ${created.id} Disk full on db-2/open`]);
  assert.deepEqual(b.get(created.id), created, 'the same committed record on both');

  await b.update(created.id, { status: 'investigating' });
  await until('a hears the update', () => heardA.length === 2);
  assert.deepEqual(heardA, [`created ${created.id} Disk full on db-2/open`, `updated ${created.id} Disk full on db-2/investigating`]);
  assert.deepEqual(a.all(), b.all());

  // An update that changes nothing commits nothing to announce.
  assert.equal((await b.update(created.id, { status: 'investigating' }))?.changed, false);
  // A round trip on each LISTEN connection delivers every notification committed before it.
  assert.equal(await a.reachable(2000), true);
  assert.equal(await b.reachable(2000), true);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(heardA.length, 2, 'the writer heard its own write once, the no-op not at all');
  assert.equal(heardB.length, 2);
});

test('the announcement is the id and revision only, sent on commit', async (t) => {
  const url = await server.createDatabase();
  const a = await openOn(t, url);
  const listener = new pg.Client({ connectionString: url });
  await listener.connect();
  t.after(() => listener.end());
  const payloads: string[] = [];
  listener.on('notification', (message) => payloads.push(`${message.channel} ${message.payload ?? ''}`));
  await listener.query(`LISTEN ${CHANGES_CHANNEL}`);

  const created = await a.create({ ...NEW, title: 'Secret title 7c1e', description: 'Secret description' });
  await a.update(created.id, { severity: 'low' });
  await until('two announcements', () => payloads.length === 2);
  assert.deepEqual(payloads, [`incidents ${created.id}:1`, `incidents ${created.id}:2`]);
  assert.deepEqual(parseAnnouncement(`${created.id}:2`), { id: created.id, revision: 2 });
  for (const bad of [undefined, '', '5', '5:', ':1', '05:1', '5:0', '5:1:2', 'x:1', '5:1 ']) assert.equal(parseAnnouncement(bad), undefined, String(bad));
});

test('a LISTEN connection that is cut reconnects, reads the table again and tells listeners they may have missed changes', async (t) => {
  const url = await server.createDatabase();
  const a = await openOn(t, url);
  const b = await openOn(t, url);
  const heardB = record(b);
  assert.equal(b.listening, true);

  // Written by no store, so announced by nobody: only a catch-up can bring it (as a write missed while cut off).
  const [row] = await sql(url, `INSERT INTO incidents (title, severity, status) VALUES ('written while b was deaf', 'low', 'open') RETURNING id::text AS id`);
  const id = String(row?.id);
  assert.equal(await b.reachable(2000), true);
  assert.equal(b.get(id), undefined);

  assert.equal(await terminateListeners(url), 2);

  await until('b caught up', () => heardB.includes('missed'));
  assert.equal(b.listening, true, 'listening again');
  assert.deepEqual(heardB, [`created ${id} written while b was deaf/open`, 'missed'], 'what changed, then the missed-changes signal');
  assert.equal(b.get(id)?.title, 'written while b was deaf');

  // The new LISTEN connection hears the next write made elsewhere.
  await until('a listening again', () => a.listening);
  const next = await a.create({ ...NEW, title: 'after the cut' });
  await until('b hears the next create', () => heardB.length === 3);
  assert.equal(heardB[2], `created ${next.id} after the cut/open`);
});

test('a restart of PostgreSQL: writes fail meanwhile, then both feeds come back, catch up, and changes cross again', async (t) => {
  const url = await server.createDatabase();
  const a = await openOn(t, url);
  const b = await openOn(t, url);
  const heardB = record(b);
  await server.stop();
  try {
    await until('both feeds notice', () => !a.listening && !b.listening);
    assert.equal(await b.reachable(500), false);
    const error = await a.create(NEW).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof StoreUnavailableError, String(error));
    assert.equal(error.outcome, 'not-kept');
  } finally {
    await server.start();
  }
  await until('b caught up after the restart', () => heardB.includes('missed'), 20_000);
  await until('a listening again', () => a.listening, 20_000);
  assert.equal(await b.reachable(2000), true);
  const created = await a.create({ ...NEW, title: 'after the restart' });
  await until('b hears the create', () => heardB.some((line) => line.startsWith(`created ${created.id}`)));
  assert.deepEqual(heardB, ['missed', `created ${created.id} after the restart/open`]);
});
