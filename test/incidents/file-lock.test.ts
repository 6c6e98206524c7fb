/**
 * Tests for src/incidents/file-lock.ts through openJsonStore: one live process per incidents
 * file (issue 13). A second process, and the real server started on the same file, are refused
 * with a message naming the holder; a lock left by a dead process (or a former run with our own
 * PID) is taken over; another host's lock is respected; stores in one process share the lock,
 * and the last close removes it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lockPathFor, StoreLockedError } from '../../src/incidents/file-lock.ts';
import { openJsonStore } from '../../src/incidents/json-store.ts';
import { StoreLoadError } from '../../src/incidents/store.ts';
import { SEED_PATH, tempDir } from './helpers.ts';

const TSX = import.meta.resolve('tsx');
const CHILD_ENV = { PATH: process.env.PATH ?? '', ...(process.env.NODE_V8_COVERAGE === undefined ? {} : { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE }) };

async function seeded(t: TestContext): Promise<string> {
  const path = join(await tempDir(t), 'incidents.json');
  await copyFile(SEED_PATH, path);
  return path;
}

/** A child holding the store's lock until `release` (or the test's end). */
async function holder(t: TestContext, path: string): Promise<{ child: ChildProcess; release(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', TSX, fileURLToPath(new URL('lock-holder-child.ts', import.meta.url)), path], { stdio: ['pipe', 'pipe', 'pipe'], env: CHILD_ENV });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(() => {
    child.kill('SIGKILL');
    return exited;
  });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', () => reject(new Error(`the holder exited: ${err}`)));
  });
  return { child, release: async () => { child.stdin?.end(); await exited; } };
}

/** The PID of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

test('a second process cannot open a file another live process serves: the error names that process; once it closes, it can', async (t) => {
  const path = await seeded(t);
  const before = await readFile(path);
  const { child, release } = await holder(t, path);
  const error = await openJsonStore(path).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof StoreLockedError, String(error));
  assert.ok(error instanceof StoreLoadError);
  assert.equal(error.owner.pid, child.pid);
  assert.equal(error.lockPath, lockPathFor(path));
  assert.match(error.message, new RegExp(`another server is using it: process ${String(child.pid)} on this host, since \\d{4}-`));
  assert.match(error.message, /Stop that server first, or set INCIDENTS_FILE to another file/);
  assert.ok(error.message.endsWith(`If no such server is running, delete ${lockPathFor(path)}`));
  assert.deepEqual(await readFile(path), before);

  await release();
  await assert.rejects(stat(lockPathFor(path)), { code: 'ENOENT' }, 'closing removed the lock');
  const store = await openJsonStore(path);
  assert.equal(JSON.parse(await readFile(lockPathFor(path), 'utf8')).pid, process.pid);
  await store.close();
  await assert.rejects(stat(lockPathFor(path)), { code: 'ENOENT' });
});

test('the real server refuses to start on a file another process serves: exit 1, the holder named, no stack', { timeout: 30_000 }, async (t) => {
  const path = await seeded(t);
  const { child } = await holder(t, path);
  const server = spawn(process.execPath, ['--import', TSX, fileURLToPath(new URL('../../src/server.ts', import.meta.url))], {
    cwd: join(path, '..'), stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...CHILD_ENV, PORT: '0', OKTA_ISSUER: 'http://127.0.0.1:9/oauth2/default', INCIDENTS_FILE: path },
  });
  let stderr = '';
  server.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const code = await new Promise((resolve) => server.once('exit', resolve));
  assert.equal(code, 1, stderr);
  assert.match(stderr, new RegExp(`could not start: cannot load incidents from ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: another server is using it: process ${String(child.pid)} on this host`));
  assert.ok(!/\n\s+at /.test(stderr), stderr);
});

test('a lock left by a process that is gone, by a former run with our own PID, or holding no owner is taken over', async (t) => {
  const path = await seeded(t);
  const leftovers = [
    JSON.stringify({ pid: await deadPid(), host: hostname(), since: '2025-01-01T00:00:00.000Z' }),
    JSON.stringify({ pid: process.pid, host: hostname(), since: '2025-01-01T00:00:00.000Z' }),
    '',
    'not a lock',
  ];
  for (const leftover of leftovers) {
    await writeFile(lockPathFor(path), leftover);
    const store = await openJsonStore(path);
    const owner = JSON.parse(await readFile(lockPathFor(path), 'utf8')) as { pid: number; host: string; since: string };
    assert.equal(owner.pid, process.pid, leftover);
    assert.equal(owner.host, hostname());
    assert.notEqual(owner.since, '2025-01-01T00:00:00.000Z');
    await store.close();
  }
});

test("another host's lock cannot be checked from here, so it is respected and named", async (t) => {
  const path = await seeded(t);
  await writeFile(lockPathFor(path), JSON.stringify({ pid: 1, host: 'replica-elsewhere', since: '2025-01-01T00:00:00.000Z' }));
  await assert.rejects(openJsonStore(path), (error: unknown) =>
    error instanceof StoreLockedError && /process 1 on host replica-elsewhere/.test(error.message));
});

test('stores in one process share the lock; the last close removes it', async (t) => {
  const path = await seeded(t);
  const first = await openJsonStore(path);
  const second = await openJsonStore(path);
  await first.close();
  await first.close();
  assert.equal(JSON.parse(await readFile(lockPathFor(path), 'utf8')).pid, process.pid, 'still held by the second');
  await second.close();
  await assert.rejects(stat(lockPathFor(path)), { code: 'ENOENT' });
});

test('a file that cannot be loaded leaves no lock behind', async (t) => {
  const path = join(await tempDir(t), 'incidents.json');
  await writeFile(path, '[]');
  await assert.rejects(openJsonStore(path), StoreLoadError);
  await assert.rejects(stat(lockPathFor(path)), { code: 'ENOENT' });
});
