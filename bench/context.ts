/**
 * What every benchmark session shares: a temp directory with the seeded incident files, the
 * development issuer (real RS256 tokens and JWKS over HTTP, as the tests use), one token, starting
 * a server on a fresh copy of a seeded store (or a PostgreSQL database), opening legacy sessions
 * for a workload, and our tools/list answers that the ceiling repeats. It tracks what it started
 * so close() leaves no process or file behind. Used by run.ts, profile.ts and the measurements.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevIssuer, type DevIssuer } from '../src/auth/dev-issuer.ts';
import { freePort, startChild, stopChild, type RunningChild, type ServerKind } from './processes.ts';
import { incidentsFile } from './seed.ts';
import { headerLines, requestBytes, WireConnection, type WireResponse } from './wire.ts';
import { INITIALIZE_BODY, LEGACY_VERSION, stepsFor } from './workloads.ts';

export interface StartOptions {
  nodeFlags?: string[];
  databaseUrl?: string;
  /** Further settings for our server. */
  env?: Record<string, string>;
}

export interface BenchContext {
  readonly token: string;
  readonly work: string;
  start(kind: ServerKind, stored: number, options?: StartOptions): Promise<RunningChild>;
  stop(running: RunningChild): Promise<void>;
  /** The incidents file a running server was given. */
  incidentsPath(running: RunningChild): string;
  /** Writes our server's tools/list answers (legacy and modern), byte for byte, for the ceiling. */
  captureToolsList(port: number): Promise<void>;
  /** Opens `count` legacy sessions (initialize + notifications/initialized); their ids. */
  openSessions(port: number, count: number): Promise<string[]>;
  close(): Promise<void>;
}

const BASE_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** One POST on a connection, with the token and, when given, a legacy session. */
export function post(conn: WireConnection, port: number, token: string, body: string, extra: Record<string, string> = {}): Promise<WireResponse> {
  const headers = headerLines({ authorization: `Bearer ${token}`, ...BASE_HEADERS, ...extra });
  return conn.send(requestBytes('POST', '/mcp', `127.0.0.1:${port}`, headers, body));
}

/** Opens one legacy session on `conn`; its id. */
export async function openSession(conn: WireConnection, port: number, token: string): Promise<string> {
  const init = await post(conn, port, token, INITIALIZE_BODY);
  const session = init.headers.get('mcp-session-id');
  if (init.status !== 200 || session === undefined) throw new Error(`initialize answered ${init.status}: ${init.body.slice(0, 200)}`);
  const extra = { 'mcp-session-id': session, 'mcp-protocol-version': LEGACY_VERSION };
  const initialized = await post(conn, port, token, '{"jsonrpc":"2.0","method":"notifications/initialized"}', extra);
  if (initialized.status < 200 || initialized.status > 299) throw new Error(`notifications/initialized answered ${initialized.status}`);
  return session;
}

export async function createContext(): Promise<BenchContext> {
  const work = mkdtempSync(join(tmpdir(), 'mcp-bench-'));
  const issuer: DevIssuer = await startDevIssuer({ host: '127.0.0.1', port: 0 });
  // Longer than any run, so no token expires mid-measurement.
  const token = await issuer.mint({ expiresIn: 6 * 3600 });
  const bodyFile = join(work, 'tools-list-legacy.json');
  const modernBodyFile = join(work, 'tools-list-modern.json');
  writeFileSync(bodyFile, '{}');
  writeFileSync(modernBodyFile, '{}');
  const live = new Map<RunningChild, string>();
  let serial = 0;

  const seed = (stored: number): string => {
    const path = join(work, `seed-${stored}.json`);
    if (!existsSync(path)) writeFileSync(path, incidentsFile(stored));
    return path;
  };

  return {
    token,
    work,
    async start(kind, stored, options = {}) {
      const cwd = join(work, `run-${++serial}`);
      mkdirSync(cwd);
      const incidentsPath = join(cwd, 'incidents.json');
      copyFileSync(seed(stored), incidentsPath);
      const setup = {
        kind, port: await freePort(), issuer: issuer.issuer, audience: issuer.audience,
        incidentsFile: incidentsPath, bodyFile, modernBodyFile, cwd,
        ...(options.nodeFlags === undefined ? {} : { nodeFlags: options.nodeFlags }),
        ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
        ...(options.env === undefined ? {} : { env: options.env }),
      };
      const running = await startChild(setup, token);
      live.set(running, cwd);
      return running;
    },
    async stop(running) {
      await stopChild(running);
      rmSync(live.get(running) ?? '', { recursive: true, force: true });
      live.delete(running);
    },
    incidentsPath(running) {
      return join(live.get(running) ?? '', 'incidents.json');
    },
    async captureToolsList(port) {
      const conn = await WireConnection.open(port);
      const session = await openSession(conn, port, token);
      const legacy = await post(conn, port, token, '{"jsonrpc":"2.0","id":2,"method":"tools/list"}', { 'mcp-session-id': session, 'mcp-protocol-version': LEGACY_VERSION });
      const [step] = stepsFor('tools-list', 'modern');
      const modern = await post(conn, port, token, (step?.body ?? '').replace('__ID__', '2'), step?.headers);
      conn.close();
      if (legacy.status !== 200 || modern.status !== 200) throw new Error(`tools/list answered ${legacy.status} / ${modern.status}`);
      writeFileSync(bodyFile, legacy.body);
      writeFileSync(modernBodyFile, modern.body);
    },
    async openSessions(port, count) {
      const conn = await WireConnection.open(port);
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push(await openSession(conn, port, token));
      conn.close();
      return ids;
    },
    async close() {
      for (const running of live.keys()) await stopChild(running, 2000);
      await issuer.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
