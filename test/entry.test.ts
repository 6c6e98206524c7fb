/**
 * The two entry points as people run them, each in a child process in a temp dir: `npm start`
 * (src/server.ts) and `npm run dev` (src/dev.ts). What `.env` got wrong is logged as a warning,
 * the dev banner names the issuer to the helper scripts when it is not on their default port, a
 * bad configuration exits 1 with its fix and no stack, and both log their shutdown the same way.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startDevIssuer } from '../src/auth/dev-issuer.ts';
import { SEED } from './helpers/server.ts';

const TSX = import.meta.resolve('tsx');

interface Child {
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

function run(entry: string, env: Record<string, string>, cwd: string): Child {
  const child = spawn(process.execPath, ['--import', TSX, fileURLToPath(new URL(`../src/${entry}`, import.meta.url))], {
    cwd,
    // NODE_V8_COVERAGE: under c8 the child's coverage counts too.
    env: { PATH: process.env.PATH ?? '', ...(process.env.NODE_V8_COVERAGE === undefined ? {} : { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE }), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { stdout: () => out, stderr: () => err, exited, kill: (signal) => child.kill(signal) };
}

async function until(what: string, condition: () => boolean, child: Child): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}:\n${child.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The JSON log lines a child wrote on stderr. */
function logLines(child: Child): Array<Record<string, unknown>> {
  return child.stderr().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'entry-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'incidents.json');
  await writeFile(file, JSON.stringify(SEED, null, 2));
  return { dir, file };
}

test('npm run dev: .env warnings are logged, the banner names a non-default issuer port to npm run token and npm run inspector, SIGTERM is logged and exits 0', { timeout: 60_000 }, async (t) => {
  const { dir, file } = await tempDir(t);
  await writeFile(join(dir, '.env'), `OKTA_DOMIAN=acme.okta.com\nINCIDENTS_FILE=${file}\n`);
  const port = await freePort();
  const dev = run('dev.ts', { PORT: '0', DEV_ISSUER_PORT: String(port) }, dir);
  t.after(() => dev.kill('SIGKILL'));
  await until('the banner', () => dev.stdout().includes('\n====='), dev);
  const issuer = `http://127.0.0.1:${port}/oauth2/default`;
  assert.match(dev.stdout(), new RegExp(`^ {2}export TOKEN=\\$\\(npm run --silent token -- --issuer ${issuer}\\)$`, 'm'));
  const url = /^MCP endpoint: +(\S+)$/m.exec(dev.stdout())?.[1];
  assert.match(dev.stdout(), new RegExp(`^MCP Inspector: npm run inspector -- --url ${url} --issuer ${issuer}$`, 'm'));
  assert.match(dev.stdout(), new RegExp(`^A read-only token: npm run --silent token -- --issuer ${issuer} --scope incidents:read$`, 'm'));
  // Issue 14: both flows (machine and person), DPoP and the proxy settings are named.
  for (const line of [/^Issuer: .*\(machine client dev-client \/ dev-secret\)$/m, /^ {2}client id dev-public \(public, no secret\)/m, /Settings → OAuth Settings → Client ID dev-public\.$/m, /^DPoP \(RFC 9449\)/m, /HTTPS_PROXY \/ NO_PROXY/m]) {
    assert.match(dev.stdout(), line);
  }
  assert.ok(logLines(dev).some((line) => line.level === 'warn' && line.msg === '.env line 1: OKTA_DOMIAN is not a setting of this server and is ignored; did you mean OKTA_DOMAIN?'), dev.stderr());
  dev.kill('SIGTERM');
  assert.equal(await dev.exited, 0);
  const messages = logLines(dev).map((line) => [line.msg, line.signal]);
  assert.deepEqual(messages.slice(-2), [['shutting down', 'SIGTERM'], ['stopped', undefined]]);
});

test('npm run dev on the default ports gives the helper scripts no --url or --issuer', { timeout: 60_000 }, async (t) => {
  const { dir, file } = await tempDir(t);
  // 9001 and 9002 may be taken on a developer's machine (by npm run dev); only run where they are free.
  for (const port of [9001, 9002]) {
    const probe = createServer();
    const free = await new Promise<boolean>((resolve) => probe.once('error', () => resolve(false)).listen(port, '127.0.0.1', () => probe.close(() => resolve(true))));
    if (!free) return t.diagnostic(`port ${port} is in use here; the default-port banner was not checked`);
  }
  const dev = run('dev.ts', { INCIDENTS_FILE: file }, dir);
  t.after(() => dev.kill('SIGKILL'));
  await until('the banner', () => dev.stdout().includes('\n====='), dev);
  assert.match(dev.stdout(), /^ {2}export TOKEN=\$\(npm run --silent token\)$/m);
  assert.match(dev.stdout(), /^MCP Inspector: npm run inspector$/m);
  dev.kill('SIGINT');
  assert.equal(await dev.exited, 0);
});

test('npm start logs its shutdown as npm run dev does: "shutting down" with the signal, then "stopped", exit 0', { timeout: 60_000 }, async (t) => {
  const { dir, file } = await tempDir(t);
  const issuer = await startDevIssuer({ host: '127.0.0.1', port: 0 });
  t.after(() => issuer.close());
  const server = run('server.ts', { PORT: '0', OKTA_ISSUER: issuer.issuer, OKTA_AUDIENCE: issuer.audience, INCIDENTS_FILE: file }, dir);
  t.after(() => server.kill('SIGKILL'));
  await until('the listening line', () => logLines(server).some((line) => line.msg === 'listening'), server);
  server.kill('SIGINT');
  assert.equal(await server.exited, 0);
  assert.deepEqual(logLines(server).slice(-2).map((line) => [line.level, line.msg, line.signal]), [['info', 'shutting down', 'SIGINT'], ['info', 'stopped', undefined]]);
});

test('npm start without an issuer exits 1 with every problem and its fix, never a stack trace', { timeout: 60_000 }, async (t) => {
  const { dir } = await tempDir(t);
  await writeFile(join(dir, '.env'), 'PROT=1\n');
  const server = run('server.ts', { PORT: 'x' }, dir);
  assert.equal(await server.exited, 1);
  assert.equal(server.stderr(), [
    'warning: .env line 1: PROT is not a setting of this server and is ignored; did you mean PORT?',
    'invalid configuration:',
    '  - PORT="x" is not a whole number from 0 to 65535; set it to one or remove it (default 9001).',
    '  - No token issuer is configured: set OKTA_DOMAIN (and OKTA_AUTH_SERVER_ID, default "default") or OKTA_ISSUER; for local use run `npm run dev`, which starts a development issuer.',
    '',
  ].join('\n'));
});
