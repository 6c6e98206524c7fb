/**
 * Tests for src/incidents/pg-store.ts and pg-errors.ts when PostgreSQL fails: the server stopped
 * mid-test (StoreUnavailableError, reads still served, recovery once it is back), a connection
 * that dies while COMMIT runs (outcome unknown, the table read again before the next write),
 * start-up refusals that say what to fix, the pool's bound, and never a password, host or
 * driver message in what callers see.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { openPgStore, type PgIncidentStore } from '../../src/incidents/pg-store.ts';
import type { IncidentChange } from '../../src/incidents/store.ts';
import { StoreLoadError, StoreUnavailableError, StoreWriteError } from '../../src/incidents/store.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
import { SEED_PATH } from './helpers.ts';

const server = await startTestPostgres();
const SEED_FILE = fileURLToPath(SEED_PATH);
const NEW = { title: 'Disk full on db-2', severity: 'high', status: 'open' } as const;

async function openOn(t: TestContext, url: string, maxConnections = 5): Promise<PgIncidentStore> {
  const store = await openPgStore({ url, maxConnections }, { seedFile: SEED_FILE });
  t.after(() => store.close());
  return store;
}

async function sql(url: string, text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

/** Nothing a caller or log sees may carry the password, the port or a driver's text. */
function assertNothingSecret(text: string): void {
  assert.ok(!text.includes(server.password), `the password leaked: ${text}`);
  assert.ok(!text.includes(new URL(server.url()).port), `the port leaked: ${text}`);
  assert.ok(!/127\.0\.0\.1|postgres:\/\/|terminat|Connection|connect ECONN/i.test(text), `driver text leaked: ${text}`);
}

test('with PostgreSQL stopped, writes fail with StoreUnavailableError (nothing kept), reads are served, and writes work again once it is back', async (t) => {
  const store = await openOn(t, await server.createDatabase());
  await store.create(NEW);
  await server.stop();
  try {
    for (const write of [() => store.create(NEW), () => store.update('1', { status: 'resolved' })]) {
      const error = await write().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof StoreUnavailableError, String(error));
      assert.ok(error instanceof StoreWriteError, 'callers that handle write errors handle it');
      assert.equal(error.code, 'ERR_INCIDENT_STORE_UNAVAILABLE');
      assert.equal(error.outcome, 'not-kept');
      assert.equal(error.retryAfterSeconds, 5);
      assert.match(error.reason, /^(ECONNREFUSED|SQLSTATE 57P01|connection lost)$/);
      assert.equal(error.message, 'the incident database is unavailable; the change was not kept; try again shortly');
      assertNothingSecret(`${error.message} ${error.reason} ${String(error.stack)}`);
    }
    assert.deepEqual(store.all().map((i) => i.id), ['5', '4', '3', '2', '1'], 'reads come from the committed rows held');
    assert.equal(store.get('1')?.status, 'open');
  } finally {
    await server.start();
  }
  // pg's pool drops the dead connections and opens new ones: no restart of ours needed.
  assert.equal((await store.create(NEW)).id, '6');
  assert.equal((await store.update('1', { status: 'resolved' }))?.changed, true);
});

test('a connection that dies during COMMIT gives outcome "unknown", and the store reads the table again before its next write', async (t) => {
  const url = await server.createDatabase();
  const store = await openOn(t, url);
  const other = await openOn(t, url);
  // A deferred constraint trigger runs inside COMMIT; this one ends its own session there.
  await sql(url, `
    CREATE FUNCTION end_session() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$;
    CREATE CONSTRAINT TRIGGER end_at_commit AFTER INSERT ON incidents DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW WHEN (NEW.title = 'doomed') EXECUTE FUNCTION end_session();`);
  const error = await store.create({ ...NEW, title: 'doomed' }).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof StoreUnavailableError, String(error));
  assert.equal(error.outcome, 'unknown');
  assert.match(error.message, /may have been kept; check with list_incidents/);
  assertNothingSecret(`${error.message} ${error.reason}`);

  await other.create({ ...NEW, title: 'made elsewhere meanwhile' });
  const heard: [IncidentChange['kind'], string][] = [];
  store.onChange((change) => heard.push([change.kind, change.incident.title]));
  const next = await store.create({ ...NEW, title: 'after' });
  assert.deepEqual(heard, [['created', 'made elsewhere meanwhile'], ['created', 'after']], 'read again first, then written');
  assert.deepEqual(store.all().map((i) => i.title).slice(0, 2), ['after', 'made elsewhere meanwhile']);
  assert.equal(store.get(next.id)?.title, 'after');
});

test('start-up refusals say what to fix in DATABASE_URL and never show the password or the driver', async () => {
  const wrongPassword = server.url().replace(server.password, 'not-the-password');
  const cases: [string, string, RegExp][] = [
    ['a wrong password', wrongPassword, /PostgreSQL refused the login \(SQLSTATE 28P01\); check the user and password in DATABASE_URL/],
    ['a database that does not exist', server.url('no_such_database'), /the database named in DATABASE_URL does not exist \(SQLSTATE 3D000\)/],
    ['no server at that address', 'postgres://postgres:secret-pw@127.0.0.1:1/postgres', /the PostgreSQL server cannot be reached \(ECONNREFUSED\); check that it is running/],
  ];
  for (const [what, url, problem] of cases) {
    const error = await openPgStore({ url, maxConnections: 2 }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof StoreLoadError, `${what}: ${String(error)}`);
    assert.equal(error.path, 'DATABASE_URL');
    assert.match(error.message, problem, what);
    assert.ok(error.message.startsWith('cannot load incidents from DATABASE_URL: '), error.message);
    assert.ok(!error.message.includes('not-the-password') && !error.message.includes('secret-pw'), `${what}: ${error.message}`);
    assertNothingSecret(error.message.replace(/\(SQLSTATE \w+\)|\(ECONNREFUSED\)/, ''));
  }
});

test('the pool never holds more connections than maxConnections, even with 100 writes at once', async (t) => {
  const url = await server.createDatabase();
  const store = await openOn(t, url, 3);
  const created = await Promise.all(Array.from({ length: 100 }, (_, i) => store.create({ ...NEW, title: `burst ${i}` })));
  assert.equal(new Set(created.map((i) => i.id)).size, 100);
  const database = new URL(url).pathname.slice(1);
  const [row] = await sql(url, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${database}' AND application_name = 'incident-mcp-server'`);
  assert.ok(typeof row?.n === 'number' && row.n >= 1 && row.n <= 3, `connections: ${String(row?.n)}`);
});
