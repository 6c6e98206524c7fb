/**
 * Legacy sessions in PostgreSQL (issue 13 "Legacy sessions on any replica"): the SessionStore a
 * server uses when DATABASE_URL is set, so any replica can serve a session another opened. One
 * row per live session in `mcp_sessions`, keyed by a SHA-256 of the session id (a dump of the
 * table holds no usable id), with its expiry in the row. Ending, expiring and changing a session
 * NOTIFY `mcp_sessions` (`<replica> ended|changed <key>`), delivered on commit; each replica
 * LISTENs (session-store-notices.ts) and tells its table about the sessions it holds. Its own
 * small pool, apart from the incident store's. Failures become SessionStoreUnavailableError with
 * a code for a reason, logged here; no driver message or URL leaves this module.
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../log.ts';
import { createPool, withClient } from '../pg-pool.ts';
import { clientIdentity, declaredCapabilities } from '../protocol/client-declaration.ts';
import { isJsonObject, LOG_LEVELS, type LogLevel } from '../protocol/definitions.ts';
import { isSupportedVersion } from '../protocol/versions.ts';
import { NoticeListener } from './session-store-notices.ts';
import { SessionStoreUnavailableError, type SessionChange, type SessionRecord, type SessionStore, type SessionStoreEvents } from './session-store.ts';

/** The NOTIFY channel of session notices, and the table. */
export const SESSIONS_CHANNEL = 'mcp_sessions';
/** pg_advisory_xact_lock key of the sessions table's creation ("mcps"; the incident schema's is another). */
const SCHEMA_LOCK_KEY = '1835233395';
const POOL_SIZE = 2;
const CONNECT_TIMEOUT_MS = 5000;
const QUERY_TIMEOUT_MS = 5000;
/** Expired rows ended per sweep, so one sweep stays one short statement. */
const EXPIRE_BATCH = 500;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS mcp_sessions (
    key text PRIMARY KEY,
    owner text NOT NULL,
    protocol_version text NOT NULL,
    client_capabilities jsonb NOT NULL,
    client_name text NOT NULL,
    client_version text NOT NULL,
    initialized boolean NOT NULL,
    log_level text,
    subscriptions text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
  );
  CREATE INDEX IF NOT EXISTS mcp_sessions_expires_at ON mcp_sessions (expires_at)`;

const COLUMNS = 'key, owner, protocol_version, client_capabilities, client_name, client_version, initialized, log_level, subscriptions';
/** The expiry a write gives: an idle period from the database's clock, never shortened. */
const EXPIRY = `now() + $2::float8 * interval '1 millisecond'`;
/** The origin of expiry notices: none, so every replica drops its copies, this one too. */
const ANY_REPLICA = '-';

interface Row {
  key: string;
  owner: string;
  protocol_version: string;
  client_capabilities: unknown;
  client_name: string;
  client_version: string;
  initialized: boolean;
  log_level: string | null;
  subscriptions: string[];
}

export interface PgSessionOptions {
  /** How long a session lives without a request (SESSION_IDLE_SECONDS). */
  readonly idleMs: number;
  readonly logger: Logger;
}

/** The row key of a session id: the id itself is never stored. */
function keyOf(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('base64url');
}

/** A short, safe reason: a SQLSTATE, an errno code, or the kind of a driver error (its text is never passed on). */
function reasonOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return `SQLSTATE ${code}`;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  return error instanceof Error && /timeout/i.test(error.message) ? 'timeout' : 'connection lost';
}

const isLogLevel = (value: unknown): value is LogLevel => (LOG_LEVELS as readonly unknown[]).includes(value);

/** A row as a record, or undefined when this replica cannot serve it (a version it does not speak). */
function fromRow(id: string, row: Row): SessionRecord | undefined {
  if (!isSupportedVersion(row.protocol_version)) return undefined;
  return {
    id,
    owner: row.owner,
    protocolVersion: row.protocol_version,
    // Bounded again as on initialize: a row is data, not a promise of its shape.
    clientCapabilities: declaredCapabilities(isJsonObject(row.client_capabilities) ? row.client_capabilities : {}),
    clientInfo: clientIdentity({ name: row.client_name, version: row.client_version }),
    initialized: row.initialized,
    logLevel: isLogLevel(row.log_level) ? row.log_level : undefined,
    subscriptions: row.subscriptions,
  };
}

/**
 * Opens the pool, creates the table if it is missing (under an advisory lock: replicas start
 * together) and starts listening. Rejects with an Error naming DATABASE_URL, never its value.
 */
export async function openPgSessionStore(database: { readonly url: string }, options: PgSessionOptions): Promise<PgSessionStore> {
  const pool = createPool({ url: database.url, max: POOL_SIZE, connectTimeoutMs: CONNECT_TIMEOUT_MS, statementTimeoutMs: QUERY_TIMEOUT_MS, applicationName: 'incident-mcp-server sessions' });
  const store = new PgSessionStore(pool, database.url, options);
  try {
    await withClient(pool, async (client) => {
      // PostgreSQL "Advisory Locks": concurrent CREATE … IF NOT EXISTS can still collide; the lock serialises them.
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
      await client.query(SCHEMA);
      await client.query('COMMIT');
    });
    await store.listening.start();
  } catch (error) {
    await store.close();
    throw new Error(`legacy sessions cannot be kept in the database named by DATABASE_URL (${reasonOf(error)}); check that PostgreSQL is reachable and that its user may create tables`);
  }
  return store;
}

/** See openPgSessionStore. */
export class PgSessionStore implements SessionStore {
  readonly shared = true;
  /** The LISTEN connection (started by openPgSessionStore). */
  readonly listening: NoticeListener;
  /** Tells this replica's notices from the others'. */
  readonly #origin = randomBytes(8).toString('hex');
  /** Row keys of the sessions the table holds, to their ids: the only notices of interest. */
  readonly #held = new Map<string, string>();
  readonly #pending = new Set<Promise<unknown>>();
  #events: SessionStoreEvents | undefined;

  constructor(private readonly pool: pg.Pool, url: string, private readonly options: PgSessionOptions) {
    this.listening = new NoticeListener({
      url,
      channel: SESSIONS_CHANNEL,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      onNotice: (payload) => this.#notice(payload),
      onMissed: () => {
        options.logger.info('session notices listened to again; rereading the sessions held here');
        this.#events?.missed();
      },
      onLost: (error) => options.logger.warn('session notice connection lost; reconnecting', { detail: reasonOf(error) }),
    });
  }

  listen(events: SessionStoreEvents): void {
    this.#events = events;
  }

  #notice(payload: string): void {
    const [origin, what, key] = payload.split(' ');
    if (origin === this.#origin || key === undefined) return;
    const id = this.#held.get(key);
    if (id === undefined) return;
    if (what === 'ended') this.#events?.ended(id);
    else if (what === 'changed') this.#events?.changed(id);
  }

  /** Runs one statement; every failure is logged by its code and becomes SessionStoreUnavailableError. */
  async #query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    const work = this.pool.query<R>(text, values);
    this.#pending.add(work);
    try {
      return (await work).rows;
    } catch (error) {
      const reason = reasonOf(error);
      this.options.logger.error('session store unavailable', { detail: reason });
      throw new SessionStoreUnavailableError(reason);
    } finally {
      this.#pending.delete(work);
    }
  }

  async create(record: SessionRecord): Promise<void> {
    const key = keyOf(record.id);
    await this.#query(
      `INSERT INTO mcp_sessions (${COLUMNS}, expires_at) VALUES ($1, $3, $4, $5, $6, $7, $8, $9, $10, ${EXPIRY})`,
      [key, this.options.idleMs, record.owner, record.protocolVersion, JSON.stringify(record.clientCapabilities), record.clientInfo.name,
        record.clientInfo.version, record.initialized, record.logLevel ?? null, record.subscriptions],
    );
    this.#held.set(key, record.id);
  }

  async find(ids: readonly string[]): Promise<Map<string, SessionRecord>> {
    const byKey = new Map(ids.map((id) => [keyOf(id), id]));
    const rows = await this.#query<Row>(`SELECT ${COLUMNS} FROM mcp_sessions WHERE key = ANY($1) AND expires_at > now()`, [[...byKey.keys()]]);
    const found = new Map<string, SessionRecord>();
    for (const row of rows) {
      const id = byKey.get(row.key);
      const record = id === undefined ? undefined : fromRow(id, row);
      if (record === undefined) {
        this.options.logger.warn('a stored session has a protocol version this replica does not serve; treated as unknown', { version: row.protocol_version });
        continue;
      }
      found.set(record.id, record);
      this.#held.set(row.key, record.id);
    }
    return found;
  }

  async update(id: string, change: SessionChange): Promise<void> {
    // Additions and removals, not the whole set: two replicas changing one session keep both changes.
    await this.#query(
      `WITH changed AS (
         UPDATE mcp_sessions SET
           log_level = coalesce($3, log_level),
           initialized = initialized OR $4,
           subscriptions = ARRAY(SELECT DISTINCT uri FROM unnest(subscriptions || $5::text[]) AS uri WHERE uri <> ALL ($6::text[])),
           expires_at = greatest(expires_at, ${EXPIRY})
         WHERE key = $1 RETURNING key)
       SELECT pg_notify('${SESSIONS_CHANNEL}', $7::text || ' changed ' || key) FROM changed`,
      [keyOf(id), this.options.idleMs, change.logLevel ?? null, change.initialized, change.subscribed, change.unsubscribed, this.#origin],
    );
  }

  async touch(ids: readonly string[]): Promise<void> {
    await this.#query(`UPDATE mcp_sessions SET expires_at = greatest(expires_at, ${EXPIRY}) WHERE key = ANY($1)`, [ids.map(keyOf), this.options.idleMs]);
  }

  async end(id: string): Promise<void> {
    await this.#query(
      `WITH gone AS (DELETE FROM mcp_sessions WHERE key = $1 RETURNING key)
       SELECT pg_notify('${SESSIONS_CHANNEL}', $2::text || ' ended ' || key) FROM gone`,
      [keyOf(id), this.#origin],
    );
  }

  async expire(): Promise<void> {
    // basic/transports.mdx: the server MAY terminate a session; here, one idle on every replica.
    await this.#query(
      `WITH gone AS (DELETE FROM mcp_sessions WHERE key IN (
         SELECT key FROM mcp_sessions WHERE expires_at <= now() LIMIT ${EXPIRE_BATCH} FOR UPDATE SKIP LOCKED) RETURNING key)
       SELECT pg_notify('${SESSIONS_CHANNEL}', $1::text || ' ended ' || key) FROM gone`,
      [ANY_REPLICA],
    );
  }

  forget(id: string): void {
    this.#held.delete(keyOf(id));
  }

  /** Stops listening, lets statements in flight finish, closes the pool. */
  async close(): Promise<void> {
    await this.listening.close();
    await Promise.allSettled([...this.#pending]);
    await this.pool.end().catch(() => undefined);
  }
}
