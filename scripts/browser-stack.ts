/**
 * The processes `npm run test:browser` runs against: Debian's Chromium (installed with apt-get when
 * missing), the incident server with its development issuer (in this process, on free loopback
 * ports, over a temporary copy of incidents.json), MCP Inspector's web UI as a child process with
 * its own temporary home, and a headless Chromium with a fresh profile driven by playwright-core.
 * Each start returns what it started together with a `stop` that never throws.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { startServer } from '../src/app.ts';
import { startDevIssuer } from '../src/auth/dev-issuer.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { ensureDebianPackage, freePort } from './debian.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const LAUNCHER = resolve(ROOT, 'node_modules/.bin/mcp-inspector');
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, and nothing that reaches out to Google's services (this machine's network is closed). */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Makes sure Debian's chromium is installed; says whether it was already there. */
export function ensureChromium(): 'present' | 'installed' {
  return ensureDebianPackage(CHROMIUM, 'chromium');
}

export interface IncidentServer {
  readonly url: string;
  readonly issuer: string;
  /** The title of incident 1 in the copy the server serves. */
  readonly firstTitle: string;
  /** The server's log lines so far (JSON), also written to the log file. */
  readonly lines: readonly string[];
  stop(): Promise<void>;
}

/** The development issuer and the real server, as `npm run dev` assembles them, on ports 0. */
export async function startIncidentServer(dir: string, log: WriteStream): Promise<IncidentServer> {
  const file = join(dir, 'incidents.json');
  await copyFile(join(ROOT, 'incidents.json'), file);
  const seed = JSON.parse(await readFile(file, 'utf8')) as Record<string, { title?: string }>;
  const issuer = await startDevIssuer({ host: '127.0.0.1', port: 0 });
  try {
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', OKTA_ISSUER: issuer.issuer, OKTA_AUDIENCE: issuer.audience, INCIDENTS_FILE: file });
    const lines: string[] = [];
    const write = (line: string): void => {
      lines.push(line);
      log.write(line);
    };
    const running = await startServer(config, { logger: createLogger('info', write) });
    return {
      url: running.url,
      issuer: issuer.issuer,
      firstTitle: seed['1']?.title ?? '',
      lines,
      async stop() {
        await running.close(500).catch(() => undefined);
        await issuer.close().catch(() => undefined);
      },
    };
  } catch (error) {
    await issuer.close().catch(() => undefined);
    throw error;
  }
}

export interface Inspector {
  /** The address the Inspector prints (and would open), with its API token. */
  readonly url: string;
  stop(): Promise<void>;
}

/** The Inspector's environment: a throw-away home and store, secrets in memory, no browser opened. */
function inspectorEnv(home: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Settings of the caller's shell that would change where or how the Inspector listens.
  for (const name of ['HOST', 'ALLOWED_ORIGINS', 'MCP_INSPECTOR_API_TOKEN', 'MCP_PROXY_AUTH_TOKEN', 'DANGEROUSLY_OMIT_AUTH', 'MCP_CATALOG_PATH']) delete env[name];
  return {
    ...env,
    HOME: home,
    MCP_STORAGE_DIR: join(home, 'store'),
    MCP_INSPECTOR_SECRET_STORE: 'memory',
    CLIENT_PORT: String(port),
    MCP_SANDBOX_PORT: '0',
    MCP_APP_ORIGIN_PORT: '0',
    MCP_AUTO_OPEN_ENABLED: 'false',
    NO_PROXY: ['127.0.0.1', 'localhost', '::1', env.NO_PROXY].filter(Boolean).join(','),
  };
}

/**
 * MCP Inspector's web UI with no server and no token: a first run, as `npx @modelcontextprotocol/inspector`.
 * Resolves with the address it prints once it is up.
 */
export async function startInspector(home: string, log: WriteStream, timeoutMs = 30_000): Promise<Inspector> {
  await mkdir(join(home, 'store'), { recursive: true });
  const child = spawn(process.execPath, [LAUNCHER, '--web'], { env: inspectorEnv(home, await freePort()), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    // Its own process group: whatever it started goes with it.
    const signal = (name: NodeJS.Signals): void => {
      try {
        process.kill(-(child.pid as number), name);
      } catch {
        // Already gone.
      }
    };
    signal('SIGTERM');
    const killed = setTimeout(() => signal('SIGKILL'), 3000);
    await exited;
    clearTimeout(killed);
  };
  child.stderr.pipe(log, { end: false });
  let printed = '';
  try {
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`the Inspector printed no address within ${timeoutMs / 1000} s (see its log)`)), timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        log.write(chunk);
        printed += chunk.toString('utf8');
        const match = /up and running at:\s*(https?:\/\/\S+)/.exec(printed);
        if (match !== null) {
          clearTimeout(timer);
          done(match[1] as string);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`the Inspector exited (${signal ?? `code ${code}`}) before it was up (see its log)`));
      });
    });
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Headless Chromium with a fresh profile in `userDataDir`. */
export function launchChromium(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 900 },
    timeout: 30_000,
    // This script stops the browser itself on a signal, after the steps in flight.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

/** An append-only log file. */
export function openLog(path: string): WriteStream {
  return createWriteStream(path, { flags: 'w' });
}
