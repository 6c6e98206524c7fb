/**
 * What `npm run test:cluster` runs against, all on loopback: PostgreSQL (cluster-postgres.ts), the
 * development issuer in this process, N replicas as `node dist/server.js` child processes sharing
 * DATABASE_URL, REQUEST_STATE_KEY and MCP_PUBLIC_URL, and nginx with deploy/nginx.conf, its ports
 * replaced by free ones. A replica can be killed, terminated and started again on its port; which
 * replica served a request is read from the replicas' access-log lines (stderr, JSON).
 */
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevIssuer, type DevIssuer } from '../src/auth/dev-issuer.ts';
import { send, type Target } from './cluster-client.ts';
import { startClusterPostgres, type ClusterPostgres } from './cluster-postgres.ts';
import { freePort } from './debian.ts';
import { NGINX, Proc, waitUntil } from './cluster-procs.ts';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
export const NGINX_CONF = join(ROOT, 'deploy/nginx.conf');
const READY_WITHIN_MS = 20_000;

/** One access-log line of a replica (src/transport/http-server.ts logRequest). */
export interface AccessLine {
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  readonly session?: string;
  readonly rpcMethod?: string;
}

/** One `node dist/server.js` on a fixed port. */
export class Replica {
  proc: Proc | undefined;
  /** Output of the processes this replica ran before the current one. */
  private previous = '';

  constructor(readonly name: string, readonly port: number, private readonly env: NodeJS.ProcessEnv, private readonly cwd: string, private readonly publicHost: string) {}

  get running(): boolean {
    return this.proc?.running === true;
  }

  /** All output so far, every run of this replica. */
  get output(): string {
    return this.previous + (this.proc?.output ?? '');
  }

  /** Starts it and waits for /readyz to answer 200. */
  async start(): Promise<void> {
    if (this.proc !== undefined) this.previous += this.proc.output;
    const proc = new Proc(this.name, process.execPath, [join(ROOT, 'dist/server.js')], { cwd: this.cwd, env: { ...this.env, PORT: String(this.port) } });
    this.proc = proc;
    const ready = await waitUntil(async () => {
      // A process that exited ends the wait at once.
      if (!proc.running) return true;
      return (await send(this.target, 'GET', {}, undefined, 2000, '/readyz')).status === 200;
    }, READY_WITHIN_MS);
    if (!ready || !proc.running) throw new Error(`${this.name} not ready within ${READY_WITHIN_MS} ms:\n${proc.tail()}`);
  }

  /** Straight to this replica, naming the public host as a client behind nginx does. */
  get target(): Target {
    return { port: this.port, host: this.publicHost };
  }

  /** A bookmark in the output: lines after it are read by linesSince. */
  mark(): number {
    return this.output.length;
  }

  /** The access-log lines (msg "request") written after `mark`. */
  linesSince(mark: number): AccessLine[] {
    const lines: AccessLine[] = [];
    for (const text of this.output.slice(mark).split('\n')) {
      if (!text.startsWith('{')) continue;
      try {
        const line = JSON.parse(text) as AccessLine & { msg?: string };
        if (line.msg === 'request') lines.push(line);
      } catch {
        // A line cut at the mark: not an access-log line.
      }
    }
    return lines;
  }
}

export interface Stack {
  readonly dir: string;
  readonly postgres: ClusterPostgres;
  readonly issuer: DevIssuer;
  readonly replicas: readonly Replica[];
  readonly nginx: Proc;
  /** Through nginx. */
  readonly front: Target;
  /** A fresh token with read and write scopes. */
  token(): Promise<string>;
}

/** deploy/nginx.conf with its listen port and upstream ports replaced; throws when the file no longer has them. */
export function renderNginxConf(text: string, listenPort: number, replicaPorts: readonly number[]): string {
  const listen = /listen 127\.0\.0\.1:\d+;/g;
  const upstream = /server 127\.0\.0\.1:\d+( [^;\n]*)?;/g;
  const servers = text.match(upstream) ?? [];
  if ((text.match(listen) ?? []).length !== 1 || servers.length !== replicaPorts.length) {
    throw new Error(`${NGINX_CONF} must have one "listen 127.0.0.1:PORT;" and ${replicaPorts.length} "server 127.0.0.1:PORT …;" lines`);
  }
  let index = 0;
  return text.replace(listen, `listen 127.0.0.1:${listenPort};`).replace(upstream, (_line, rest: string | undefined) => `server 127.0.0.1:${replicaPorts[index++] as number}${rest ?? ''};`);
}

async function startNginx(dir: string, listenPort: number, replicaPorts: readonly number[]): Promise<Proc> {
  const prefix = join(dir, 'nginx');
  await mkdir(prefix, { recursive: true });
  // As root, nginx's workers run as its default user: they must reach the temp directories under the prefix.
  await chmod(prefix, 0o755);
  const conf = join(prefix, 'nginx.conf');
  await writeFile(conf, renderNginxConf(await readFile(NGINX_CONF, 'utf8'), listenPort, replicaPorts));
  const proc = new Proc('nginx', NGINX, ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log'), '-g', 'daemon off;'], { cwd: prefix });
  const front = { port: listenPort, host: `127.0.0.1:${listenPort}` };
  const up = await waitUntil(async () => {
    // A process that exited ends the wait at once.
    if (!proc.running) return true;
    return (await send(front, 'GET', {}, undefined, 2000, '/healthz')).status === 200;
  }, READY_WITHIN_MS);
  if (!up || !proc.running) throw new Error(`nginx did not answer /healthz within ${READY_WITHIN_MS} ms:\n${proc.tail()}\n${await readFile(join(prefix, 'error.log'), 'utf8').catch(() => '')}`);
  return proc;
}

/** Starts everything under `dir` (which the caller removes); each part is handed to `onStarted` to stop it. */
export async function startStack(dir: string, replicaCount: number, onStarted: (what: string, stop: () => Promise<void>) => void): Promise<Stack> {
  await chmod(dir, 0o711);
  const postgres = await startClusterPostgres(join(dir, 'pg'));
  onStarted('postgres', () => postgres.stop());
  const issuer = await startDevIssuer({ host: '127.0.0.1', port: 0 });
  onStarted('issuer', () => issuer.close());
  const nginxPort = await freePort();
  const publicHost = `127.0.0.1:${nginxPort}`;
  const seed = join(dir, 'incidents.json');
  await copyFile(join(ROOT, 'incidents.json'), seed);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOST: '127.0.0.1',
    MCP_PUBLIC_URL: `http://${publicHost}/mcp`,
    DATABASE_URL: postgres.url,
    INCIDENTS_FILE: seed,
    OKTA_ISSUER: issuer.issuer,
    OKTA_AUDIENCE: issuer.audience,
    REQUEST_STATE_KEY: randomBytes(32).toString('hex'),
    // The bursts below are far above the per-principal default of 600 tool calls a minute.
    TOOL_RATE_LIMIT: '0',
    LOG_LEVEL: 'info',
  };
  const replicas: Replica[] = [];
  for (let i = 0; i < replicaCount; i++) {
    const cwd = join(dir, `replica-${i + 1}`);
    // Its own working directory: no developer's .env is read.
    await mkdir(cwd);
    const replica = new Replica(`replica-${i + 1}`, await freePort(), env, cwd, publicHost);
    replicas.push(replica);
    onStarted(replica.name, async () => void (await replica.proc?.stop('SIGTERM', 6000)));
    await replica.start();
  }
  const nginx = await startNginx(dir, nginxPort, replicas.map((replica) => replica.port));
  onStarted('nginx', async () => void (await nginx.stop('SIGTERM', 3000)));
  return {
    dir,
    postgres,
    issuer,
    replicas,
    nginx,
    front: { port: nginxPort, host: publicHost },
    token: () => issuer.mint(),
  };
}
