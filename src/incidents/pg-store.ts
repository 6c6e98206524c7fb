/**
 * The incident store in PostgreSQL (issue 13), chosen when DATABASE_URL is set. Each write is one
 * transaction on a bounded pool and resolves only after COMMIT answered; ids come from a sequence.
 * The store contract reads synchronously, so this store keeps the committed rows in memory,
 * loaded at open and advanced by every committed row it sees: its own writes, and rows other
 * replicas announce (pg-feed.ts: NOTIFY inside each write transaction, LISTEN on a connection of
 * its own), fetched as they are announced, or all at once by `resync` after the LISTEN connection was lost
 * (listeners are then told they may have missed changes). Each row carries a revision; the
 * memory only moves forward, and each move is announced to listeners exactly as the file store
 * announces its writes. Filters, query and the keyset cursor are store.ts's
 * selectPage over that memory, so they behave as on the file store. Failures become
 * StoreUnavailableError (pg-errors.ts); the pool reconnects by itself when the database returns.
 */
import type pg from 'pg';
import type { PoolClient } from 'pg';
import { createPool, withClient } from '../pg-pool.ts';
import type { Incident } from './model.ts';
import { compareNewestFirst, isIncidentId } from './model.ts';
import { openFailure, unavailable, type Phase } from './pg-errors.ts';
import { announce, ChangeFeed, type FeedOptions } from './pg-feed.ts';
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
  /** Reconnect delays of the LISTEN connection (default 100 ms doubling to 5 s); tests shorten them. */
  feedDelays?: { minMs: number; maxMs: number };
  /** False: no LISTEN connection, rows of other stores arrive by `resync` only (tests of resync alone). Default true. */
  changeFeed?: boolean;
}

/** The pool's use, for the metrics (node-postgres counts). */
export interface PoolUse {
  /** Connections open, idle or not. */
  readonly total: number;
  readonly idle: number;
  /** Callers waiting for a connection. */
  readonly waiting: number;
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
  const pool = createPool({ url: config.url, max: config.maxConnections, connectTimeoutMs: CONNECT_TIMEOUT_MS, statementTimeoutMs: QUERY_TIMEOUT_MS, applicationName: 'incident-mcp-server' });
  const seedFile = options.seedFile;
  const seed = async () => (seedFile === undefined ? [] : readSeedFile(seedFile));
  let rows: Row[];
  const feed: FeedOptions = { url: config.url, connectTimeoutMs: CONNECT_TIMEOUT_MS, minDelayMs: options.feedDelays?.minMs, maxDelayMs: options.feedDelays?.maxMs };
  const store = new PgIncidentStore(pool, options.now ?? (() => new Date()), feed);
  try {
    rows = await withClient(pool, async (client) => {
      await migrate(client, seed, options.migrations ?? MIGRATIONS);
      // LISTEN before the rows are read: a row committed in between is then announced, not missed.
      if (options.changeFeed !== false) await store.listen();
      return (await client.query<Row>(`SELECT ${COLUMNS} FROM incidents ORDER BY id`)).rows;
    });
  } catch (error) {
    await store.close().catch(() => undefined);
    // A seed file that cannot be read carries its own explanation.
    throw error instanceof StoreLoadError ? error : openFailure(error);
  }
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
  readonly #missedListeners = new Set<() => void>();
  readonly #pending = new Set<Promise<unknown>>();
  #closed = false;
  /** A commit whose answer was lost may have happened: read the table again before the next write. */
  #stale = false;
  readonly #feed: ChangeFeed;
  /** Ids announced by the feed and not fetched yet; one fetch at a time takes them all. */
  readonly #wanted = new Set<string>();
  #fetching: Promise<void> | undefined;

  /** Use openPgStore. */
  constructor(pool: pg.Pool, now: () => Date, feed: FeedOptions) {
    this.#pool = pool;
    this.#now = now;
    this.#feed = new ChangeFeed(feed, {
      announced: (id, revision) => this.#announced(id, revision),
      catchUp: async () => {
        await this.resync();
        this.#emitMissed();
      },
    });
  }

  /** Starts the change feed (openPgStore, before the rows are read). */
  listen(): Promise<void> {
    return this.#feed.start();
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
      )).rows[0] as Row, (row) => row);
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
      }, (outcome) => (outcome?.changed === true ? outcome.row : undefined));
      return outcome === undefined ? undefined : { incident: this.advance(outcome.row), changed: outcome.changed };
    });
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Called after the LISTEN connection came back and the table was read again: changes may have
   * been missed meanwhile (each one found is announced too). Returns the unsubscribe function.
   */
  onMissedChanges(listener: () => void): () => void {
    this.#missedListeners.add(listener);
    return () => this.#missedListeners.delete(listener);
  }

  /**
   * True when the database answers within `timeoutMs` on the LISTEN connection (readiness; never
   * behind the pool's queue). Without the change feed: false.
   */
  reachable(timeoutMs: number): Promise<boolean> {
    return this.#feed.reachable(timeoutMs);
  }

  /** True while the LISTEN connection is up. */
  get listening(): boolean {
    return this.#feed.connected;
  }

  /** The pool's connections and waiting callers right now (metrics). */
  poolUse(): PoolUse {
    return { total: this.#pool.totalCount, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount };
  }

  /** Waits for the writes in flight, refuses new ones, stops the feed and closes the pool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled(this.#pending);
    await this.#feed.close();
    await this.#fetching;
    this.#listeners.clear();
    this.#missedListeners.clear();
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

  /**
   * BEGIN, `work`, COMMIT on one pooled connection; any failure is a StoreUnavailableError. The
   * row `changed` picks from the result is announced to every replica's feed on commit.
   */
  async #transaction<T>(work: (client: PoolClient) => Promise<T>, changed: (result: T) => Row | undefined): Promise<T> {
    let phase: Phase = 'connect';
    try {
      // withClient: a connection whose transaction failed is closed, not reused (its state is unknown).
      return await withClient(this.#pool, async (client) => {
        phase = 'work';
        await client.query('BEGIN');
        const result = await work(client);
        const row = changed(result);
        if (row !== undefined) await announce(client, row.id, row.revision);
        phase = 'commit';
        await client.query('COMMIT');
        return result;
      });
    } catch (error) {
      const failure = unavailable(error, phase);
      if (failure.outcome === 'unknown') this.#stale = true;
      throw failure;
    }
  }

  /** A row another store (or this one) committed: fetched unless held at that revision already. */
  #announced(id: string, revision: number): void {
    if (this.#closed || (this.#revisions.get(id) ?? 0) >= revision) return;
    this.#wanted.add(id);
    this.#fetching ??= this.#fetchWanted().finally(() => {
      this.#fetching = undefined;
    });
  }

  /** Fetches the wanted rows, all of them per query, until none is left; a failure leaves the rest to a catch-up. */
  async #fetchWanted(): Promise<void> {
    while (this.#wanted.size > 0 && !this.#closed) {
      const ids = [...this.#wanted];
      this.#wanted.clear();
      let rows: Row[];
      try {
        rows = (await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM incidents WHERE id = ANY($1::bigint[])`, [ids])).rows;
      } catch {
        // Announced but not fetched: the feed reads the whole table once it can.
        this.#feed.owe();
        return;
      }
      for (const row of rows) this.advance(row);
    }
  }

  #emitMissed(): void {
    for (const listener of this.#missedListeners) {
      try {
        listener();
      } catch (error) {
        process.emitWarning(`incident missed-changes listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
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
