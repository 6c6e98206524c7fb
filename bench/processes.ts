/**
 * Process plumbing for the benchmark: building and transpiling what the children run, pinning
 * servers and load generators to different cores, starting a server child and waiting for its
 * first authenticated initialize, stopping it, reading its RSS, and running a bench script in its
 * own process. It decides nothing about what is measured (run.ts) and prints nothing (report.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import ts from 'typescript';
import type { LoadResult, LoadSpec } from './load.ts';
import { headerLines, requestBytes, WireConnection } from './wire.ts';

export const ROOT = new URL('..', import.meta.url).pathname;
export const RESULTS = join(ROOT, 'bench', 'results');

/** The Node that runs the children: BENCH_NODE, else the one npm runs on, else this one. */
export const NODE = process.env['BENCH_NODE'] ?? process.env['npm_node_execpath'] ?? process.execPath;

/**
 * With two cores or more, servers run on core 0 and load generators on core 1 (taskset(1) execs
 * the command, so the child's pid is the command's). With one core, nothing is pinned.
 */
export function pinned(role: 'server' | 'generator', command: readonly string[]): string[] {
  if (cpus().length < 2 || !existsSync('/usr/bin/taskset')) return [...command];
  return ['/usr/bin/taskset', '-c', role === 'server' ? '0' : '1', ...command];
}

/** Whether a x.y.z version is at least `floor`, compared as numbers. */
function atLeast(version: string, floor: readonly number[]): boolean {
  const parts = version.split(/[.-]/).slice(0, 3).map(Number);
  for (let i = 0; i < floor.length; i++) {
    const [have, want] = [parts[i] ?? 0, floor[i] ?? 0];
    if (have !== want) return have > want;
  }
  return true;
}

/** SDK v2 serves only with its Node adapter and Express packages installed (see bench/README.md). */
export function sdk2Missing(): string | undefined {
  const version = (name: string): string | undefined => {
    const path = join(ROOT, 'node_modules', name, 'package.json');
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version : undefined;
  };
  const server = version('@modelcontextprotocol/server');
  const missing = [
    ...(version('@modelcontextprotocol/node') === undefined ? ['@modelcontextprotocol/node@2.1.2'] : []),
    ...(version('@modelcontextprotocol/express') === undefined ? ['@modelcontextprotocol/express@2.0.2'] : []),
    ...(server === undefined || atLeast(server, [2, 4, 0]) === false ? [`@modelcontextprotocol/server@2.4.0 (installed: ${server ?? 'none'})`] : []),
  ];
  return missing.length === 0 ? undefined : missing.join(', ');
}

/** The server under test, compiled from src/ into the bench's own directory (what `npm start` runs, frozen for the run). */
export const DIST = join(RESULTS, 'build', 'dist');

function run(args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(NODE, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('exit', (code) => resolve(code));
  });
}

/**
 * `npm run build`'s bundle (src → DIST, not dist/, so builds by others cannot change the server
 * mid-run), then the bench servers transpiled to plain JS.
 */
export async function buildAll(): Promise<void> {
  // No type-check here: `npm test` does that; the bench measures what bundles.
  const code = await run(['--import', 'tsx', join(ROOT, 'scripts', 'build.ts'), '--outdir', DIST, '--no-check']);
  if (code !== 0) throw new Error(`scripts/build.ts exited with ${code}`);
  // The server reads ../package.json from its directory, as dist/ does.
  copyFileSync(join(ROOT, 'package.json'), join(DIST, '..', 'package.json'));
  mkdirSync(join(RESULTS, 'build'), { recursive: true });
  for (const name of ['sdk-store', 'sdk-server', 'sdk2-server', 'ceiling-server']) {
    const source = readFileSync(join(ROOT, 'bench', `${name}.ts`), 'utf8');
    const output = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, rewriteRelativeImportExtensions: true },
    });
    writeFileSync(join(RESULTS, 'build', `${name}.js`), output.outputText);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export type ServerKind = 'ours' | 'sdk' | 'sdk2' | 'ceiling';

export interface ServerSetup {
  kind: ServerKind;
  port: number;
  issuer: string;
  audience: string;
  incidentsFile: string;
  /** The ceiling's answers: our tools/list answer, legacy and modern. */
  bodyFile: string;
  modernBodyFile: string;
  /** ours: keep incidents in this PostgreSQL database instead of the file. */
  databaseUrl?: string;
  /** ours: further settings (the two-replica run's MCP_PUBLIC_URL and REQUEST_STATE_KEY). */
  env?: Record<string, string>;
  cwd: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
}

function commandFor(setup: ServerSetup): { args: string[]; env: Record<string, string> } {
  const common = { PATH: process.env['PATH'] ?? '', PORT: String(setup.port), HOST: '127.0.0.1' };
  const flags = setup.nodeFlags ?? [];
  switch (setup.kind) {
    case 'ours':
      return {
        args: [...flags, join(DIST, 'server.js')],
        env: {
          ...common, OKTA_ISSUER: setup.issuer, OKTA_AUDIENCE: setup.audience, INCIDENTS_FILE: setup.incidentsFile,
          TOOL_RATE_LIMIT: '0', LOG_LEVEL: 'error', MAX_SESSIONS: '100000', MAX_SESSIONS_PER_PRINCIPAL: '100000',
          MAX_LISTEN_STREAMS_PER_PRINCIPAL: '10000',
          ...(setup.databaseUrl === undefined ? {} : { DATABASE_URL: setup.databaseUrl }),
          ...setup.env,
        },
      };
    case 'sdk':
      return {
        args: [...flags, join(RESULTS, 'build', 'sdk-server.js')],
        env: { ...common, BENCH_ISSUER: setup.issuer, BENCH_AUDIENCE: setup.audience, INCIDENTS_FILE: setup.incidentsFile },
      };
    case 'sdk2':
      return {
        args: [...flags, join(RESULTS, 'build', 'sdk2-server.js')],
        env: { ...common, BENCH_ISSUER: setup.issuer, BENCH_AUDIENCE: setup.audience, INCIDENTS_FILE: setup.incidentsFile },
      };
    case 'ceiling':
      return {
        args: [...flags, join(RESULTS, 'build', 'ceiling-server.js')],
        env: { ...common, BENCH_BODY_FILE: setup.bodyFile, BENCH_MODERN_BODY_FILE: setup.modernBodyFile },
      };
  }
}

export interface RunningChild {
  readonly kind: ServerKind;
  readonly port: number;
  readonly child: ChildProcess;
  /** Spawn to first successful authenticated initialize, in ms. */
  readonly startMs: number;
}

const INITIALIZE = '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench-probe","version":"1.0.0"}}}';

/** Retries an authenticated initialize every millisecond until it succeeds or `timeoutMs` passes. */
async function firstInitialize(port: number, token: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const headers = headerLines({ authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' });
  const bytes = requestBytes('POST', '/mcp', `127.0.0.1:${port}`, headers, INITIALIZE);
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer';
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before answering`);
    try {
      const conn = await WireConnection.open(port);
      const response = await conn.send(bytes);
      conn.close();
      if (response.status === 200 && response.body.includes('"result"')) return;
      last = `HTTP ${response.status} ${response.body.slice(0, 200)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(1);
  }
  throw new Error(`no successful initialize within ${timeoutMs} ms: ${last}`);
}

/** Starts a server child and resolves once an authenticated initialize succeeds. */
export async function startChild(setup: ServerSetup, token: string): Promise<RunningChild> {
  const { args, env } = commandFor(setup);
  const started = performance.now();
  const [command, ...rest] = pinned('server', [NODE, ...args]);
  const child = spawn(command as string, rest, { cwd: setup.cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString('utf8');
  });
  try {
    await firstInitialize(setup.port, token, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${setup.kind} did not start: ${(error as Error).message}\n${stderr}`);
  }
  return { kind: setup.kind, port: setup.port, child, startMs: performance.now() - started };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export async function stopChild(running: RunningChild, graceMs = 10_000): Promise<void> {
  const { child } = running;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Spawn to exit of `node -e 0`, in ms. */
export function bareNodeMs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const [command, ...rest] = pinned('server', [NODE, '-e', '0']);
    const child = spawn(command as string, rest, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - started));
  });
}

/** VmRSS of a process, in KiB (proc(5)). */
export function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match?.[1] === undefined ? Number.NaN : Number(match[1]);
}

/** Runs bench/load.ts in its own process and returns what it printed. */
export function runLoadProcess(spec: LoadSpec): Promise<LoadResult> {
  return runScript<LoadResult>('load.ts', spec);
}

/** Runs a bench script (pinned as a load generator) with its spec as JSON, returning its last line parsed. */
export function runScript<T>(script: string, spec: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const [command, ...rest] = pinned('generator', [NODE, '--import', 'tsx', join(ROOT, 'bench', script), JSON.stringify(spec)]);
    const child = spawn(command as string, rest, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}: ${err.slice(0, 2000)}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as T);
    });
  });
}
