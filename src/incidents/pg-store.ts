/**
 * The incident store in PostgreSQL (issue 13), chosen when DATABASE_URL is set. Each write is one
 * transaction on a bounded pool and resolves only after COMMIT answered; ids come from a sequence.
 * The store contract reads synchronously, so this store keeps the committed rows in memory,
 * loaded at open and advanced by every committed row it sees: its own writes now, and (next step)
 * rows announced by other replicas, through `resync` or one row at a time. Each row carries a
 * revision; the memory only moves forward, and each move is announced to listeners exactly as
 * the file store announces its writes. Filters, query and the keyset cursor are store.ts's
 * selectPage over that memory, so they behave as on the file store. Failures become
 * StoreUnavailableError (pg-errors.ts); the pool reconnects by itself when the database returns.
 */
import pg from 'pg';
import type { PoolClient } from 'pg';
import type { Incident } from './model.ts';
import { compareNewestFirst, isIncidentId } from './model.ts';
import { openFailure, unavailable, type Phase } from './pg-errors.ts';
import { migrate, MIGRATIONS, readSeedFile, type Migration } from './pg-migrations.ts';
import { COLUMNS, fromRow, patched, type IncidentRow as Row } from './pg-rows.ts';
import type {
  ChangeListener, IncidentFilter, IncidentPage, IncidentPatch, IncidentStore, NewIncident, PageRequest, UpdateOutcome,
} from './store.ts';
import { StoreLoadError, selectPage } from './store.ts';

/** What the store needs of config.database; the URL may carry a password and is never logged. */
export interface PgStoreConfig {
  readonly url: string;
  /** The pool's bound. */
  readonly maxConnections: number;
}

export interface PgStoreOptions {
  /** The incidents file that seeds a new database: what the file store would start with. None: empty. */
  seedFile?: string;
  /** The clock for createdAt/updatedAt; tests pass a fixed one. */
  now?: () => Date;
  /** The schema's migrations (default MIGRATIONS); tests add some. */
  migrations?: readonly Migration[];
}

/** A connection (or a pooled one) not had within this is a failure, not a wait without end. */
const CONNECT_TIMEOUT_MS = 5000;
/** A statement the server has not answered within this is a failure (the network may be gone). */
const QUERY_TIMEOUT_MS = 10_000;
/**
 * Connects, applies pending migrations under the advisory lock (seeding a new table from
 * `seedFile`), and loads every incident. A database that cannot be opened rejects with a
 * StoreLoadError saying what to fix in DATABASE_URL, never with a driver message or the URL.
 */
export async function openPgStore(config: PgStoreConfig, options: PgStoreOptions = {}): Promise<PgIncidentStore> {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.maxConnections,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'incident-mcp-server',
  });
  // An idle connection cut by the server (a restart) is dropped by the pool; without a listener it would crash the process.
  pool.on('error', () => undefined);
  const seedFile = options.seedFile;
  const seed = async () => (seedFile === undefined ? [] : readSeedFile(seedFile));
  let client: PoolClient | undefined;
  let rows: Row[];
  try {
    client = await pool.connect();
    await migrate(client, seed, options.migrations ?? MIGRATIONS);
    rows = (await client.query<Row>(`SELECT ${COLUMNS} FROM incidents ORDER BY id`)).rows;
    client.release();
  } catch (error) {
    client?.release(true);
    await pool.end().catch(() => undefined);
    // A seed file that cannot be read carries its own explanation.
    throw error instanceof StoreLoadError ? error : openFailure(error);
  }
  const store = new PgIncidentStore(pool, options.now ?? (() => new Date()));
  for (const row of rows) store.advance(row);
  return store;
}

/** See openPgStore. */
export class PgIncidentStore implements IncidentStore {
  readonly #pool: pg.Pool;
  readonly #now: () => Date;
  /** Committed incidents by id, in no particular order, and the revision of each. */
  readonly #records = new Map<string, Incident>();
  readonly #revisions = new Map<string, number>();
  /** #records newest first, rebuilt after a change on the next read. */
  #newestFirst: Incident[] | undefined;
  readonly #listeners = new Set<ChangeListener>();
  readonly #pending = new Set<Promise<unknown>>();
  #closed = false;
  /** A commit whose answer was lost may have happened: read the table again before the next write. */
  #stale = false;

  /** Use openPgStore. */
  constructor(pool: pg.Pool, now: () => Date) {
    this.#pool = pool;
    this.#now = now;
  }

  get(id: string): Incident | undefined {
    return this.#records.get(id);
  }

  list(filter: IncidentFilter, page: PageRequest): IncidentPage {
    return selectPage(this.#sorted(), filter, page);
  }

  all(): Incident[] {
    return this.#sorted().slice();
  }

  create(input: NewIncident, createdBy?: string): Promise<Incident> {
    return this.#track(async () => {
      const at = this.#now().toISOString();
      const description = input.description === '' ? undefined : input.description;
      const row = await this.#transaction(async (client) => (await client.query<Row>(
        `INSERT INTO incidents (title, severity, status, description, created_at, updated_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING ${COLUMNS}`,
        [input.title, input.severity, input.status, description ?? null, at, createdBy ?? null],
      )).rows[0] as Row);
      return this.advance(row);
    });
  }

  update(id: string, patch: IncidentPatch): Promise<UpdateOutcome | undefined> {
    // Only a canonical id can name an incident (as a Map lookup in the file store).
    if (!isIncidentId(id)) return this.#track(async () => undefined);
    return this.#track(async () => {
      const outcome = await this.#transaction(async (client) => {
        // Row lock: concurrent updates of one incident apply one after the other, each to the last committed state.
        const current = (await client.query<Row>(`SELECT ${COLUMNS} FROM incidents WHERE id = $1 FOR UPDATE`, [id])).rows[0];
        if (current === undefined) return undefined;
        const next = patched(fromRow(current), patch, this.#now);
        if (next === undefined) return { row: current, changed: false };
        const { rows } = await client.query<Row>(
          `UPDATE incidents SET title = $2, severity = $3, status = $4, description = $5, updated_at = $6, revision = revision + 1
           WHERE id = $1 RETURNING ${COLUMNS}`,
          [id, next.title, next.severity, next.status, next.description ?? null, next.updatedAt],
        );
        return { row: rows[0] as Row, changed: true };
      });
      return outcome === undefined ? undefined : { incident: this.advance(outcome.row), changed: outcome.changed };
    });
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Waits for the writes in flight, refuses new ones, and closes the pool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled(this.#pending);
    this.#listeners.clear();
    await this.#pool.end();
  }

  /**
   * Reads the whole table and advances the memory to it, announcing each incident that is new or
   * changed since it was last seen. The way back after missed announcements (a lost commit
   * answer; for the replica change feed, a LISTEN connection that dropped).
   */
  async resync(): Promise<void> {
    let rows: Row[];
    try {
      rows = (await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM incidents ORDER BY id`)).rows;
    } catch (error) {
      throw unavailable(error, 'connect');
    }
    this.#stale = false;
    for (const row of rows) this.advance(row);
  }

  /**
   * Takes in a committed row: newer than what is held (a higher revision, or a new id), it
   * replaces it and is announced, `created` for an id not seen before; older or the same, it is
   * ignored. Returns the incident held for the row's revision or later, the row's own if older.
   */
  advance(row: Row): Incident {
    const revision = Number(row.revision);
    const held = this.#records.get(row.id);
    if (held !== undefined && (this.#revisions.get(row.id) ?? 0) >= revision) {
      return this.#revisions.get(row.id) === revision ? held : fromRow(row);
    }
    const incident = fromRow(row);
    this.#records.set(incident.id, incident);
    this.#revisions.set(incident.id, revision);
    this.#newestFirst = undefined;
    this.#emit(held === undefined ? 'created' : 'updated', incident);
    return incident;
  }

  #sorted(): Incident[] {
    this.#newestFirst ??= Array.from(this.#records.values()).sort(compareNewestFirst);
    return this.#newestFirst;
  }

  /** Runs a write unless closed, so close can wait for it. */
  #track<T>(write: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));
    const running = (async () => {
      if (this.#stale) await this.resync();
      return write();
    })();
    this.#pending.add(running);
    const forget = (): void => void this.#pending.delete(running);
    running.then(forget, forget);
    return running;
  }

  /** BEGIN, `work`, COMMIT on one pooled connection; any failure is a StoreUnavailableError. */
  async #transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    let phase: Phase = 'connect';
    let client: PoolClient | undefined;
    try {
      client = await this.#pool.connect();
      phase = 'work';
      await client.query('BEGIN');
      const result = await work(client);
      phase = 'commit';
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      // Its state is unknown (a transaction may be open): the connection is closed, not reused.
      client?.release(true);
      const failure = unavailable(error, phase);
      if (failure.outcome === 'unknown') this.#stale = true;
      throw failure;
    }
  }

  #emit(kind: 'created' | 'updated', incident: Incident): void {
    for (const listener of this.#listeners) {
      try {
        listener({ kind, incident });
      } catch (error) {
        process.emitWarning(`incident change listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
