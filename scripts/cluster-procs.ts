/**
 * Process plumbing for `npm run test:cluster`: Debian's nginx installed with apt-get when missing,
 * free loopback ports, and child processes that keep their output in memory and are all killed on
 * every way out (a normal end, a failure, SIGINT, an uncaught error). It knows nothing of MCP,
 * PostgreSQL or nginx's configuration (cluster-stack.ts).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { ensureDebianPackage } from './debian.ts';

export const NGINX = '/usr/sbin/nginx';
/** Output kept per process: enough for every access-log line of a run. */
const MAX_KEPT_CHARS = 64 * 1024 * 1024;

/**
 * Every child started and not yet reaped, each the leader of its own process group: when this
 * process exits for any reason, each group is killed with SIGKILL (killing only nginx's master, or
 * only the postmaster, would leave their workers running).
 */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Makes sure Debian's nginx is installed (as root, or through sudo); says whether it was already there. */
export function ensureNginx(): 'present' | 'installed' {
  return ensureDebianPackage(NGINX, 'nginx');
}

/** A started program, its output kept, and how it ended. */
export class Proc {
  readonly child: ChildProcess;
  /** stdout and stderr as received (the tail, past MAX_KEPT_CHARS). */
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly name: string, file: string, args: readonly string[], options: SpawnOptions) {
    // A group of its own: the whole of it can be killed, and a terminal's Ctrl-C reaches only this script.
    this.child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(this.child);
    const keep = (chunk: Buffer): void => {
      this.output += chunk.toString('utf8');
      if (this.output.length > MAX_KEPT_CHARS) this.output = this.output.slice(-MAX_KEPT_CHARS / 2);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((done) => {
      this.child.once('error', (error) => {
        keep(Buffer.from(`\n${name}: ${error.message}\n`));
        live.delete(this.child);
        done({ code: -1, signal: null });
      });
      this.child.once('exit', (code, signal) => {
        live.delete(this.child);
        done({ code, signal });
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && live.has(this.child);
  }

  /** Sends `name` to the process itself; SIGKILL goes to its whole group. */
  signal(name: NodeJS.Signals): void {
    if (!this.running) return;
    if (name === 'SIGKILL') killGroup(this.child, name);
    else this.child.kill(name);
  }

  /** Sends `signal`, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.signal(signal);
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    const outcome = await this.exited;
    clearTimeout(timer);
    return outcome;
  }

  /** The last `n` lines of output, for a failure report. */
  tail(n = 20): string {
    return this.output.trimEnd().split('\n').slice(-n).join('\n');
  }
}

/** Runs a command to completion with inherited output; rejects when it fails. */
export function runCommand(file: string, args: readonly string[], options: SpawnOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'inherit', ...options });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${file} ${args.join(' ')} failed (${signal ?? `exit ${String(code)}`})`))));
  });
}

/** Polls `probe` every 100 ms until it returns true; false once `ms` have passed. */
export async function waitUntil(probe: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await Promise.resolve(probe()).catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
