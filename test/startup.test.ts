/**
 * What `npm run build` makes and `npm start` runs (issue 16: start-up): scripts/build.ts bundles
 * src/ into a temp directory, and that bundle's server.js, started as `node dist/server.js` is,
 * answers an authenticated initialize. Without a proxy it never loads undici, and without
 * DATABASE_URL never the PostgreSQL store: both are chunks of their own, loaded when used (a
 * module hook in the child names every chunk it loads). Behind a proxy the key fetch goes through
 * the lazily loaded undici, in the bundle as from source. No timing is asserted.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startDevIssuer, type DevIssuer } from '../src/auth/dev-issuer.ts';
import { startProxy } from './helpers/egress.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** Preloaded into the child: prints every file: module it loads, as `LOADED <url>` on stderr. */
const TRACE_LOADS = `data:text/javascript,${encodeURIComponent(
  "import { registerHooks } from 'node:module';" +
    "registerHooks({ load(url, context, next) { if (url.startsWith('file:')) process.stderr.write('LOADED ' + url + '\\n'); return next(url, context); } });",
)}`;

let work: string;
let issuer: DevIssuer;
let token: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'mcp-startup-'));
  const build = spawnSync(process.execPath, ['--import', TSX, join(ROOT, 'scripts', 'build.ts'), '--outdir', join(work, 'dist'), '--no-check'], { encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  // The server reads ../package.json from its directory, as dist/ does.
  copyFileSync(join(ROOT, 'package.json'), join(work, 'package.json'));
  issuer = await startDevIssuer({ host: '127.0.0.1', port: 0 });
  token = await issuer.mint();
});

after(async () => {
  await issuer.close();
  rmSync(work, { recursive: true, force: true });
});

interface Started {
  readonly url: string;
  readonly loaded: () => string[];
  stop(): Promise<void>;
}

/** `node dist/server.js` on port 0, traced; resolves with its URL once it logs that it listens. */
async function startBuilt(name: string, env: Record<string, string> = {}): Promise<Started> {
  const file = join(work, `${name}.json`);
  copyFileSync(join(ROOT, 'incidents.json'), file);
  const child = spawn(process.execPath, ['--import', TRACE_LOADS, join(work, 'dist', 'server.js')], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', OKTA_ISSUER: issuer.issuer, OKTA_AUDIENCE: issuer.audience, INCIDENTS_FILE: file, NODE_DISABLE_COMPILE_CACHE: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 20_000;
  let url: string | undefined;
  while (url === undefined) {
    assert.ok(Date.now() < deadline && child.exitCode === null, `the built server did not start:\n${err}`);
    url = /"msg":"listening","url":"([^"]+)"/.exec(err)?.[1];
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    url,
    loaded: () => [...err.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1] ?? ''),
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** An authenticated initialize; the keys may still be on their way, so a 503 is asked again. */
async function initialize(url: string): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'startup-test', version: '1' } } }),
    });
    const body = await response.text();
    if (response.status !== 503 || Date.now() > deadline) return { status: response.status, body };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('npm run build bundles both entry points, with undici and the PostgreSQL stores in chunks of their own', () => {
  const files = readdirSync(join(work, 'dist'));
  for (const entry of ['server.js', 'dev.js']) assert.ok(files.includes(entry), `${entry} missing from ${files.join(', ')}`);
  for (const chunk of [/^undici-\w+\.js$/, /^pg-store-\w+\.js$/, /^pg-sessions-\w+\.js$/]) assert.ok(files.some((f) => chunk.test(f)), `${chunk}: ${files.join(', ')}`);
});

test('the built server answers an authenticated initialize and loads neither undici nor the PostgreSQL stores', async () => {
  const server = await startBuilt('plain');
  try {
    const answer = await initialize(server.url);
    assert.equal(answer.status, 200, answer.body);
    assert.match(answer.body, /"result":\{"protocolVersion":"2025-11-25"/);
    const loaded = server.loaded();
    assert.ok(loaded.some((url) => url.endsWith('/server.js')), `the trace saw no module: ${loaded.join(', ')}`);
    assert.deepEqual(loaded.filter((url) => /\/(undici|pg-store|pg-sessions)-\w+\.js$/.test(url)), []);
  } finally {
    await server.stop();
  }
});

test('behind HTTP_PROXY the built server fetches the issuer keys through the proxy, loading undici then', async () => {
  const proxy = await startProxy();
  const server = await startBuilt('proxied', { HTTP_PROXY: proxy.url });
  try {
    const answer = await initialize(server.url);
    assert.equal(answer.status, 200, answer.body);
    assert.ok(proxy.forwarded.some((url) => url.startsWith(issuer.issuer)), `the proxy saw: ${proxy.forwarded.join(', ')}`);
    assert.ok(server.loaded().some((url) => /\/undici-\w+\.js$/.test(url)));
  } finally {
    await server.stop();
    await proxy.close();
  }
});
