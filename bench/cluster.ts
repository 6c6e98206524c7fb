/**
 * The two-replica run of issue 13: our server (the bench's frozen build of `dist/server.js`) as N
 * replicas on one new PostgreSQL database, sharing REQUEST_STATE_KEY and MCP_PUBLIC_URL (the nginx
 * URL), behind nginx running deploy/nginx.conf from a temporary prefix, its ports filled in by
 * test:cluster's renderNginxConf. wrk drives nginx in the modern era (tools/list, list_incidents
 * with 25 stored, create_incident), with one replica behind it and with two, and straight to the
 * one replica (what nginx costs). Replicas, nginx and PostgreSQL share core 0, wrk has core 1, as
 * in the rest of the bench. It records figures and failures; run.ts calls it once per repetition
 * and report.ts prints the rows.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { send } from '../scripts/cluster-client.ts';
import { ensureNginx, NGINX, Proc, waitUntil } from '../scripts/cluster-procs.ts';
import { NGINX_CONF, renderNginxConf } from '../scripts/cluster-stack.ts';
import type { BenchContext } from './context.ts';
import { summary, type Plan, type Recorder } from './measure.ts';
import type { BenchPostgres } from './postgres.ts';
import { freePort, pinned, type RunningChild } from './processes.ts';
import type { ClusterSetup } from './report.ts';
import { stepsFor } from './workloads.ts';
import { cpuSeconds, runWrk } from './wrk.ts';

/** What runs through nginx, in the modern era (any replica may serve any request). */
const WORKLOADS = ['tools-list', 'list-incidents', 'create'] as const;
const READY_WITHIN_MS = 10_000;

/** Why the two-replica run cannot happen here (no nginx, and it cannot be installed); undefined when it can. */
export function clusterUnavailable(): string | undefined {
  try {
    ensureNginx();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * deploy/nginx.conf listening on `listenPort` in front of `ports`. The file names three upstream
 * servers and renderNginxConf fills exactly as many: the slots past `ports` get placeholder ports
 * 1, 2, … (no free port is that low) whose lines are then dropped.
 */
export function nginxConf(listenPort: number, ports: readonly number[]): string {
  const text = readFileSync(NGINX_CONF, 'utf8');
  const slots = (text.match(/server 127\.0\.0\.1:\d+/g) ?? []).length;
  const placeholders = Array.from({ length: Math.max(0, slots - ports.length) }, (_, i) => i + 1);
  const rendered = renderNginxConf(text, listenPort, [...ports, ...placeholders]);
  return placeholders.reduce((conf, port) => conf.replace(new RegExp(`^[ \\t]*server 127\\.0\\.0\\.1:${port}( [^;\\n]*)?;\\n`, 'm'), ''), rendered);
}

/** nginx on core 0 from a prefix under `dir`, answering /healthz through it. */
async function startNginx(dir: string, listenPort: number, ports: readonly number[]): Promise<Proc> {
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConf(listenPort, ports));
  const [command, ...rest] = pinned('server', [NGINX, '-p', dir, '-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;']);
  const proc = new Proc('nginx', command as string, rest, { cwd: dir });
  const front = { port: listenPort, host: `127.0.0.1:${listenPort}` };
  // A process that exited ends the wait at once.
  const up = await waitUntil(async () => !proc.running || (await send(front, 'GET', {}, undefined, 2000, '/healthz')).status === 200, READY_WITHIN_MS);
  if (!up || !proc.running) {
    await proc.stop('SIGTERM', 1000);
    const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8').slice(-1000) : '';
    throw new Error(`nginx did not answer /healthz within ${READY_WITHIN_MS} ms: ${proc.tail()} ${log}`);
  }
  return proc;
}

/** nginx's master and its workers (proc(5) /proc/[pid]/task/[tid]/children). */
function nginxPids(master: number): number[] {
  try {
    return [master, ...readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)];
  } catch {
    return [master];
  }
}

interface Target {
  setup: ClusterSetup;
  port: number;
  replicas: readonly RunningChild[];
  /** nginx's master and workers; none when straight to a replica. */
  front: readonly number[];
}

/** One workload: the server's CPU is the replicas' plus nginx's, nginx's also kept apart. */
async function measureOn(bench: BenchContext, plan: Plan, rec: Recorder, target: Target, workload: (typeof WORKLOADS)[number], rep: number): Promise<void> {
  const label = `rep ${rep} ${target.setup.padEnd(7)} modern ${workload.padEnd(16)}`;
  try {
    const spec = {
      port: target.port, token: bench.token, steps: stepsFor(workload, 'modern'), connections: plan.connections, threads: 1, work: bench.work,
      serverPids: [...target.replicas.map((r) => r.child.pid ?? 0), ...target.front],
    };
    if (plan.warmupSeconds > 0) await runWrk({ ...spec, seconds: plan.warmupSeconds });
    const nginxSeconds = (): number => target.front.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    const before = nginxSeconds();
    const result = await runWrk({ ...spec, seconds: plan.seconds });
    const frontCpu = target.front.length === 0 ? undefined : (nginxSeconds() - before) / result.seconds;
    rec.runs.push({ rep, server: 'ours', workload, era: 'modern', store: 'pg', cluster: target.setup, ...(frontCpu === undefined ? {} : { frontCpu }), result });
    if (result.errors > 0) rec.failures.push(`${label}: ${result.errors} errors, e.g. ${result.errorSample}`);
    rec.log(`${label} ${summary(result)}${frontCpu === undefined ? '' : `, of which nginx ${(frontCpu * 100).toFixed(0)}%`}`);
  } catch (error) {
    rec.failures.push(`${label}: ${(error as Error).message}`);
    rec.log(`${label} FAILED: ${(error as Error).message}`);
  }
}

/**
 * `count` replicas on a new database (seeded with 25 incidents) behind nginx, every workload; with
 * one replica, the same straight to it afterwards (what nginx costs). Then everything is stopped.
 */
async function measureStack(bench: BenchContext, plan: Plan, rec: Recorder, pg: BenchPostgres, count: 1 | 2, rep: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-bench-nginx-'));
  // As root, nginx's workers run as an unprivileged user: they must reach the temp directories under the prefix.
  chmodSync(dir, 0o755);
  const replicas: RunningChild[] = [];
  let nginx: Proc | undefined;
  try {
    const port = await freePort();
    const databaseUrl = await pg.createDatabase();
    const env = { MCP_PUBLIC_URL: `http://127.0.0.1:${port}/mcp`, REQUEST_STATE_KEY: randomBytes(32).toString('hex') };
    for (let i = 0; i < count; i++) replicas.push(await bench.start('ours', 25, { databaseUrl, env }));
    nginx = await startNginx(dir, port, replicas.map((r) => r.port));
    const targets: Target[] = [{ setup: count === 1 ? 'nginx-1' : 'nginx-2', port, replicas, front: nginxPids(nginx.child.pid ?? 0) }];
    // MCP_PUBLIC_URL names nginx; the replica also accepts a loopback Host with its own port. Which
    // of the two goes first alternates, so neither always has the warmer JIT.
    const [only] = replicas;
    if (count === 1 && only !== undefined) {
      const direct: Target = { setup: 'direct', port: only.port, replicas, front: [] };
      if (rep % 2 === 1) targets.push(direct);
      else targets.unshift(direct);
    }
    for (const target of targets) for (const workload of WORKLOADS) await measureOn(bench, plan, rec, target, workload, rep);
  } catch (error) {
    rec.failures.push(`rep ${rep} nginx-${count}: ${(error as Error).message}`);
    rec.log(`rep ${rep} nginx-${count} FAILED: ${(error as Error).message}`);
  } finally {
    await nginx?.stop('SIGTERM', 3000);
    for (const replica of replicas) await bench.stop(replica);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One repetition of the two-replica run: one replica then two behind nginx (the order swapped every other repetition). */
export async function measureCluster(bench: BenchContext, plan: Plan, rec: Recorder, pg: BenchPostgres, rep: number): Promise<void> {
  for (const count of rep % 2 === 1 ? ([1, 2] as const) : ([2, 1] as const)) await measureStack(bench, plan, rec, pg, count, rep);
}
