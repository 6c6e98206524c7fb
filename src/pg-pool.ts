/**
 * PostgreSQL connection pools as the incident store and the session store use them (node-postgres):
 * bounded, with connect and statement timeouts, and every connection error heard. node-postgres
 * emits a connection's fatal error (a server restart's "terminating connection due to administrator
 * command") on the client itself when no statement is running; pg-pool listens for it only while
 * the client is idle in the pool. So a connection checked out between two statements of a
 * transaction needs a listener of its own for as long as it is held, or the process ends on an
 * unhandled 'error' event. `withClient` holds one that way, and destroys a connection whose work
 * failed (its state is unknown) rather than return it to the pool.
 */
import pg from 'pg';
import type { PoolClient } from 'pg';

export interface PoolOptions {
  /** A postgres:// URL; it may carry a password and is never logged. */
  readonly url: string;
  readonly max: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /** Shown in pg_stat_activity. */
  readonly applicationName: string;
}

const ignore = (): void => undefined;

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max,
    connectionTimeoutMillis: options.connectTimeoutMs,
    query_timeout: options.statementTimeoutMs,
    keepAlive: true,
    application_name: options.applicationName,
  });
  // An idle connection the server cuts is dropped by the pool: heard here, it cannot end the process.
  pool.on('error', ignore);
  return pool;
}

/**
 * Runs `work` on a connection of `pool`: connection errors while it is held are heard (the failing
 * statement rejects on its own), the connection is released after success and destroyed after a failure.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  client.on('error', ignore);
  try {
    const result = await work(client);
    client.off('error', ignore);
    client.release();
    return result;
  } catch (error) {
    // Destroyed, not reused: the listener stays for whatever the closing connection still emits.
    client.release(true);
    throw error;
  }
}
