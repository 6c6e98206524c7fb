/**
 * Driving a server with wrk (Debian's package; the load generator of record): writes the plan
 * that bench/wrk/mcp.lua reads, runs wrk pinned to the generator's core, and returns the figures
 * of one run: requests and cycles completed, failures of every kind, latency percentiles, and the
 * CPU time of the server (/proc/<pid>/stat) and of wrk itself (this process's reaped-children
 * time) over the run. It installs wrk with apt-get when it is missing and this user may.
 * It decides nothing about what is measured (run.ts, workloads.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinned, ROOT } from './processes.ts';
import type { Step } from './workloads.ts';

export const WRK = '/usr/bin/wrk';
const SCRIPT = join(ROOT, 'bench', 'wrk', 'mcp.lua');
/** sysconf(_SC_CLK_TCK) on Linux. */
const CLOCK_TICKS = 100;

export interface WrkSpec {
  port: number;
  token: string;
  steps: readonly Step[];
  /** Pre-opened legacy sessions, used round robin by steps that carry a session. */
  sessions?: readonly string[];
  connections: number;
  /** Threads; a cycle of more than one step needs one thread per connection. */
  threads: number;
  seconds: number;
  serverPid?: number;
  /** Further server-side processes whose CPU counts as the server's (replicas, nginx and its workers). */
  serverPids?: readonly number[];
  /** Where the plan file goes. */
  work: string;
}

export interface WrkResult {
  /** Requests, or whole cycles for a multi-step workload, per second. */
  perSecond: number;
  requests: number;
  cycles: number;
  seconds: number;
  /** Failed checks plus socket errors, timeouts and unexpected statuses. */
  errors: number;
  errorSample: string;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Server CPU over the run, fraction of one core (NaN when unknown). */
  serverCpu: number;
  /** wrk's CPU over the run, fraction of one core. */
  driverCpu: number;
}

/** Installs wrk when missing (as root, or through sudo), apt-get update only when needed. */
export function ensureWrk(): void {
  if (existsSync(WRK)) return;
  const root = process.getuid?.() === 0;
  const prefix = root ? [] : ['sudo', '-n'];
  const apt = (args: string[]): boolean => {
    try {
      const [command, ...rest] = [...prefix, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
      execFileSync(command as string, rest, { stdio: ['ignore', 'ignore', 'inherit'] });
      return true;
    } catch {
      return false;
    }
  };
  if (!apt(['install', '-y', 'wrk']) && !(apt(['update']) && apt(['install', '-y', 'wrk']))) {
    throw new Error(`${WRK} is missing and could not be installed: run "apt-get install -y wrk" as root, then run again.`);
  }
}

/** The plan file mcp.lua reads. */
function planText(spec: WrkSpec): string {
  const lines = [
    `H host: 127.0.0.1:${spec.port}`,
    `H authorization: Bearer ${spec.token}`,
    'H content-type: application/json',
    'H accept: application/json, text/event-stream',
  ];
  for (const session of spec.sessions ?? []) lines.push(`S ${session}`);
  for (const step of spec.steps) {
    lines.push(`STEP ${step.http} ${step.expect} ${step.capture === true ? 1 : 0} ${step.session === true ? 1 : 0}`);
    for (const [name, value] of Object.entries(step.headers)) lines.push(`SH ${name}: ${value}`);
    if (step.body !== undefined) lines.push(`BODY ${step.body}`);
  }
  return `${lines.join('\n')}\n`;
}

/** User + system CPU seconds: a process's own, or (self) its reaped children's (proc(5) fields 14–17). */
export function cpuSeconds(pid: number | 'self', children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const at = children ? 13 : 11;
    return (Number(fields[at]) + Number(fields[at + 1])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

let serial = 0;

/** Runs wrk once and returns its figures. */
export function runWrk(spec: WrkSpec): Promise<WrkResult> {
  const plan = join(spec.work, `plan-${++serial}.txt`);
  writeFileSync(plan, planText(spec));
  const args = ['-t', String(spec.threads), '-c', String(spec.connections), '-d', `${spec.seconds}s`, '--timeout', '10s',
    '-s', SCRIPT, `http://127.0.0.1:${spec.port}/mcp`, '--', plan];
  const pids = [...(spec.serverPid === undefined ? [] : [spec.serverPid]), ...(spec.serverPids ?? [])];
  const serverSeconds = (): number => (pids.length === 0 ? Number.NaN : pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0));
  const serverBefore = serverSeconds();
  const driverBefore = cpuSeconds('self', true);
  const [command, ...rest] = pinned('generator', [WRK, ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(command as string, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      const serverCpuS = serverSeconds() - serverBefore;
      const driverCpuS = cpuSeconds('self', true) - driverBefore;
      const line = out.split('\n').find((l) => l.startsWith('BENCH '));
      if (code !== 0 || line === undefined) return reject(new Error(`wrk exited with ${code}: ${out.slice(0, 1500)}`));
      const raw = JSON.parse(line.slice(6)) as Record<string, number | string>;
      const n = (key: string): number => Number(raw[key] ?? 0);
      const seconds = n('durationUs') / 1e6;
      const multi = spec.steps.length > 1;
      const socketErrors = n('connectErrors') + n('readErrors') + n('writeErrors') + n('timeouts');
      resolve({
        perSecond: (multi ? n('cycles') : n('requests') - n('failures')) / seconds,
        requests: n('requests'), cycles: n('cycles'), seconds,
        errors: n('failures') + socketErrors + (n('failures') === 0 ? n('statusErrors') : 0),
        errorSample: String(raw['sample'] ?? '') || (socketErrors > 0 ? `socket errors: ${socketErrors}` : ''),
        p50Ms: n('p50Us') / 1000, p99Ms: n('p99Us') / 1000, maxMs: n('maxUs') / 1000,
        serverCpu: serverCpuS / seconds, driverCpu: driverCpuS / seconds,
      });
    });
  });
}
