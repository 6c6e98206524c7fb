/**
 * Tests for src/incidents/pg-store.ts and pg-migrations.ts against a real PostgreSQL
 * (test/helpers/postgres.ts): the store contract shared with the file store, the seed, the
 * versioned migrations under the advisory lock with several stores opening at once, and
 * catching up with rows another store (replica) committed. One database per test.
 */
import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test, type TestContext } from 'node:test';
import pg from 'pg';
import { journalPathFor } from '../../src/incidents/journal.ts';
import { MIGRATIONS, type Migration } from '../../src/incidents/pg-migrations.ts';
import { openPgStore, type PgIncidentStore, type PgStoreOptions } from '../../src/incidents/pg-store.ts';
import type { IncidentChange } from '../../src/incidents/store.ts';
import { StoreLoadError } from '../../src/incidents/store.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
import { SEED_PATH, tempDir } from './helpers.ts';
import { storeContract } from './store-contract.ts';

const server = await startTestPostgres();
const SEED_FILE = fileURLToPath(SEED_PATH);

/** Opens a store on `url`, closed when the test ends. */
async function openOn(t: TestContext, url: string, options: PgStoreOptions = {}, maxConnections = 5): Promise<PgIncidentStore> {
  const store = await openPgStore({ url, maxConnections }, options);
  t.after(() => store.close());
  return store;
}

/** Runs one query on `url` outside any store. */
async function sql<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

storeContract('PostgreSQL', async (t, options = {}) => {
  const url = await server.createDatabase();
  let current: PgIncidentStore | undefined;
  t.after(() => current?.close());
  current = await openPgStore({ url, maxConnections: 5 }, { seedFile: SEED_FILE, ...options });
  return {
    store: current,
    async reopen() {
      await current?.close();
      current = await openPgStore({ url, maxConnections: 5 }, { seedFile: SEED_FILE, ...options });
      return current;
    },
  };
});

describe('the seed', () => {
  test('a new database without a seed file starts empty, and the first incident is "1"', async (t) => {
    const store = await openOn(t, await server.createDatabase());
    assert.deepEqual(store.all(), []);
    assert.equal((await store.create({ title: 'first', severity: 'low', status: 'open' })).id, '1');
  });

  test('the seed is what the file store would start with: the file with its journal replayed', async (t) => {
    const path = join(await tempDir(t), 'incidents.json');
    await copyFile(SEED_PATH, path);
    await writeFile(journalPathFor(path), `${JSON.stringify({ id: '7', title: 'from the journal', severity: 'high', status: 'open', createdAt: '2025-11-25T12:00:00+02:00' })}\n`);
    const store = await openOn(t, await server.createDatabase(), { seedFile: path });
    assert.deepEqual(store.all().map((i) => i.id), ['7', '4', '3', '2', '1']);
    assert.equal(store.get('7')?.createdAt, '2025-11-25T12:00:00+02:00', 'timestamps are kept as written');
    assert.equal((await store.create({ title: 'next', severity: 'low', status: 'open' })).id, '8');
  });

  test('the seed is read only when the table is created: later starts leave the data alone', async (t) => {
    const url = await server.createDatabase();
    const first = await openPgStore({ url, maxConnections: 2 }, { seedFile: SEED_FILE });
    await first.update('1', { status: 'resolved' });
    await first.close();
    const path = join(await tempDir(t), 'incidents.json');
    await writeFile(path, '{}');
    const again = await openOn(t, url, { seedFile: path });
    assert.equal(again.all().length, 4);
    assert.equal(again.get('1')?.status, 'resolved');
  });

  test('a seed file that is not valid incident JSON refuses the start with its own StoreLoadError, and creates nothing', async (t) => {
    const path = join(await tempDir(t), 'incidents.json');
    await writeFile(path, '{\n  "1": {"id": "1"}\n}\n');
    const url = await server.createDatabase();
    await assert.rejects(openPgStore({ url, maxConnections: 2 }, { seedFile: path }), (error: unknown) =>
      error instanceof StoreLoadError && error.path === path && /"title"/.test(error.problem));
    const tables = await sql(url, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    assert.deepEqual(tables, [], 'the migration was rolled back whole');
  });
});

describe('migrations', () => {
  test('the first start applies every migration once; later starts apply none', async (t) => {
    const url = await server.createDatabase();
    await (await openPgStore({ url, maxConnections: 2 }, { seedFile: SEED_FILE })).close();
    await openOn(t, url, { seedFile: SEED_FILE });
    const applied = await sql<{ version: number }>(url, 'SELECT version FROM incident_schema_migrations ORDER BY version');
    assert.deepEqual(applied.map((row) => row.version), MIGRATIONS.map((m) => m.version));
    assert.equal((await sql(url, 'SELECT id FROM incidents')).length, 4);
  });

  test('eight stores opening a new database at once: one creates and seeds it, all of them open on it', async (t) => {
    const url = await server.createDatabase();
    let ran = 0;
    const counted: Migration = {
      version: 2, description: 'test: counts its runs',
      async up(client) {
        ran++;
        await client.query('CREATE TABLE migration_two (n int)');
      },
    };
    const stores = await Promise.all(Array.from({ length: 8 }, () => openOn(t, url, { seedFile: SEED_FILE, migrations: [...MIGRATIONS, counted] }, 2)));
    assert.equal(ran, 1);
    for (const store of stores) assert.deepEqual(store.all().map((i) => i.id), ['4', '3', '2', '1']);
    assert.equal((await sql(url, 'SELECT id FROM incidents')).length, 4, 'seeded once');
    assert.deepEqual((await sql<{ version: number }>(url, 'SELECT version FROM incident_schema_migrations ORDER BY version')).map((r) => r.version), [1, 2]);
    const ids = await Promise.all(stores.map((store, i) => store.create({ title: `from store ${i}`, severity: 'low', status: 'open' })));
    assert.deepEqual(ids.map((i) => Number(i.id)).sort((a, b) => a - b), [5, 6, 7, 8, 9, 10, 11, 12], 'one sequence for every store');
  });

  test('a migration that fails rolls back with the others of its start, and the next start applies them', async (t) => {
    const url = await server.createDatabase();
    const failing: Migration = { version: 2, description: 'test: fails', up: async (client) => void (await client.query('SELECT no_such_function()')) };
    await assert.rejects(openPgStore({ url, maxConnections: 2 }, { seedFile: SEED_FILE, migrations: [...MIGRATIONS, failing] }), (error: unknown) =>
      error instanceof StoreLoadError && error.path === 'DATABASE_URL' && /SQLSTATE 42883/.test(error.problem));
    assert.deepEqual(await sql(url, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`), []);
    const store = await openOn(t, url, { seedFile: SEED_FILE });
    assert.equal(store.all().length, 4);
  });
});

describe('rows committed by another store (replica)', () => {
  test('resync takes in what another store wrote and announces it as the file store would', async (t) => {
    const url = await server.createDatabase();
    // Without the change feed (test/incidents/pg-notify.test.ts has it): resync alone.
    const a = await openOn(t, url, { seedFile: SEED_FILE, changeFeed: false });
    const b = await openOn(t, url, { seedFile: SEED_FILE });
    const heard: [IncidentChange['kind'], string][] = [];
    a.onChange((change) => heard.push([change.kind, change.incident.id]));
    const created = await b.create({ title: 'made by b', severity: 'high', status: 'open' });
    await b.update('2', { status: 'resolved' });
    assert.equal(a.get(created.id), undefined, 'not seen before a resync (without the change feed)');
    await a.resync();
    assert.deepEqual(heard, [['updated', '2'], ['created', '5']]);
    assert.deepEqual(a.all(), b.all());
    await a.resync();
    assert.equal(heard.length, 2, 'nothing new, nothing announced');
  });

  test('an update through a store that had not seen the last change applies to the committed row and announces it', async (t) => {
    const url = await server.createDatabase();
    const a = await openOn(t, url, { seedFile: SEED_FILE, changeFeed: false });
    const b = await openOn(t, url, { seedFile: SEED_FILE });
    await b.update('3', { title: 'renamed by b' });
    const heard: string[] = [];
    a.onChange((change) => heard.push(`${change.kind} ${change.incident.id} ${change.incident.title}/${change.incident.status}`));
    const outcome = await a.update('3', { status: 'resolved' });
    assert.equal(outcome?.incident.title, 'renamed by b');
    assert.equal(outcome?.incident.status, 'resolved');
    assert.deepEqual(heard, ['updated 3 renamed by b/resolved']);
  });
});
