/**
 * The incident store's schema in PostgreSQL, as versioned migrations applied at start-up. Every
 * replica runs `migrate` when it starts; all of it happens in one transaction that first takes a
 * transaction-level advisory lock, so replicas starting together apply each migration exactly
 * once, one after the other, and a replica that dies half-way leaves nothing half-done (DDL is
 * transactional in PostgreSQL; the lock ends with the transaction). Applied versions are kept in
 * `incident_schema_migrations`. Migration 1 seeds the new table from the incidents file.
 */
import type { PoolClient } from 'pg';
import { readFileIfExists } from './atomic-file.ts';
import { parseIncidentFile } from './json-format.ts';
import { journalPathFor, readJournal } from './journal.ts';
import type { Incident } from './model.ts';

/** pg_advisory_xact_lock key of the incident schema: any fixed bigint no other code uses ("incd"). */
export const MIGRATION_LOCK_KEY = '1768842084';

/** Largest id: ids are decimal strings that must stay safe integers in JavaScript (model.ts). */
const MAX_ID = '9007199254740991';

export interface Migration {
  readonly version: number;
  readonly description: string;
  /** Runs inside the migration transaction, under the advisory lock. */
  up(client: PoolClient, seed: () => Promise<readonly Incident[]>): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'incidents table, id sequence, seeded from the incidents file',
    async up(client, seed) {
      // Timestamps stay text: the file store keeps them exactly as written (ISO 8601, any offset).
      await client.query(`
        CREATE SEQUENCE incident_ids AS bigint MINVALUE 1 MAXVALUE ${MAX_ID};
        CREATE TABLE incidents (
          id bigint PRIMARY KEY DEFAULT nextval('incident_ids'),
          title text NOT NULL,
          severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
          status text NOT NULL CHECK (status IN ('open', 'investigating', 'resolved')),
          description text,
          created_at text,
          updated_at text,
          created_by text,
          revision bigint NOT NULL DEFAULT 1
        );
        ALTER SEQUENCE incident_ids OWNED BY incidents.id;`);
      // The table is new, hence empty: it starts with what the file store would have started with.
      const records = await seed();
      const column = (pick: (incident: Incident) => string | undefined): (string | null)[] => records.map((incident) => pick(incident) ?? null);
      await client.query(
        `INSERT INTO incidents (id, title, severity, status, description, created_at, updated_at, created_by)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
        [column((i) => i.id), column((i) => i.title), column((i) => i.severity), column((i) => i.status),
          column((i) => i.description), column((i) => i.createdAt), column((i) => i.updatedAt), column((i) => i.createdBy)],
      );
      // The next id follows the highest seeded one, as in the file store.
      await client.query(`SELECT setval('incident_ids', coalesce(max(id), 1), max(id) IS NOT NULL) FROM incidents`);
    },
  },
];

/**
 * Applies the migrations not yet applied, in version order, in one transaction under the
 * advisory lock; returns the versions it applied (none when another replica got there first).
 * `seed` is called only by the migration that creates the table.
 */
export async function migrate(client: PoolClient, seed: () => Promise<readonly Incident[]>, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    // PostgreSQL "Advisory Locks": held until the transaction ends, whatever ends it.
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS incident_schema_migrations (
      version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM incident_schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await migration.up(client, seed);
      await client.query('INSERT INTO incident_schema_migrations (version, description) VALUES ($1, $2)', [migration.version, migration.description]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return applied;
}

/**
 * The incidents the file store would start with at `path`: the file with its journal replayed,
 * ascending by id; none when there is no file. Read only, without the file's lock: a snapshot.
 */
export async function readSeedFile(path: string): Promise<Incident[]> {
  const bytes = await readFileIfExists(path);
  const records = bytes === undefined ? new Map<string, Incident>() : parseIncidentFile(bytes, path);
  const journal = await readFileIfExists(journalPathFor(path));
  if (journal !== undefined) readJournal(journal, records, journalPathFor(path));
  return Array.from(records.values()).sort((a, b) => Number(a.id) - Number(b.id));
}
