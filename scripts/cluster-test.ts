/**
 * `npm run test:cluster`: three replicas (`node dist/server.js`) on one PostgreSQL behind nginx
 * with deploy/nginx.conf, all on loopback, and six checks, each printed as PASS or FAIL with its
 * figures: spread of modern requests, a legacy session through nginx, changes across replicas,
 * `kill -9` during create bursts, a database restart, a SIGTERM drain. Every check has a deadline,
 * the whole run has one, and everything started is stopped and the temp directory removed on every
 * way out. Exit 1 when a check fails. `-- --help` lists the options.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BASIC_CHECKS, type Check, type Verdict } from './cluster-checks.ts';
import { FAULT_CHECKS } from './cluster-faults.ts';
import { ensureNginx, runCommand } from './cluster-procs.ts';
import { ROOT, startStack, type Stack } from './cluster-stack.ts';
import { Cleanup } from './cleanup.ts';

const CHECKS: readonly Check[] = [...BASIC_CHECKS, ...FAULT_CHECKS];
const REPLICAS = 3;
const RUN_DEADLINE_MS = 6 * 60_000;
const USAGE = `usage: npm run test:cluster [-- options]

Runs ${REPLICAS} replicas on PostgreSQL behind nginx (deploy/nginx.conf) on loopback and checks them.

  --keep-going     run every check even after one fails
  --only 1,4       run only these checks (numbers 1-${CHECKS.length})
  --no-build       use dist/ as it is instead of running npm run build
  --keep-dir       keep the temporary directory (nginx, replica and PostgreSQL files) and print its path
  -h, --help       this text
`;

interface Options { keepGoing: boolean; only: ReadonlySet<number> | undefined; build: boolean; keepDir: boolean }

function options(): Options {
  try {
    const { values } = parseArgs({ options: { 'keep-going': { type: 'boolean', default: false }, only: { type: 'string' }, 'no-build': { type: 'boolean', default: false }, 'keep-dir': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } }, strict: true });
    if (values.help) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    const only = values.only === undefined ? undefined : new Set(values.only.split(',').map(Number));
    if (only !== undefined && [...only].some((id) => !CHECKS.some((check) => check.id === id))) throw new Error(`--only takes check numbers 1-${CHECKS.length}`);
    return { keepGoing: values['keep-going'], only, build: !values['no-build'], keepDir: values['keep-dir'] };
  } catch (error) {
    process.stderr.write(`test:cluster: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
}

/** Runs one check within its deadline; an exception or a missed deadline is a FAIL with the reason. */
async function runCheck(check: Check, stack: Stack): Promise<Verdict> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Verdict>((done) => {
    timer = setTimeout(() => {
      abort.abort();
      done({ ok: false, figures: `deadline of ${check.deadlineMs / 1000} s passed` });
    }, check.deadlineMs);
  });
  try {
    return await Promise.race([check.run(stack, abort.signal).catch((error: unknown) => ({ ok: false, figures: `error: ${error instanceof Error ? error.message : String(error)}` })), deadline]);
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/** nginx's error-log lines (level error and worse) written since `since`, indented; empty when none. */
async function nginxErrors(dir: string, since: number): Promise<string> {
  const text = await readFile(join(dir, 'nginx/error.log'), 'utf8').catch(() => '');
  const lines = text.split('\n').filter((line) => /\[(error|crit|alert|emerg)\]/.test(line) && Date.parse(line.slice(0, 19).replace(/\//g, '-')) >= since - 1000);
  if (lines.length === 0) return '';
  return `      nginx error.log (${lines.length} lines, the last 5):\n${lines.slice(-5).map((line) => `        ${line}\n`).join('')}`;
}

/**
 * Replicas found stopped after a check (the checks start again those they stop): each is a crash,
 * reported with its exit and last log lines, and started again for the checks that follow.
 */
async function reviveCrashed(stack: Stack): Promise<string[]> {
  const crashes: string[] = [];
  for (const replica of stack.replicas) {
    const child = replica.proc?.child;
    if (replica.running || child === undefined) continue;
    // What it printed after its last log record (a crash's stack), else its last records.
    const lines = (replica.proc?.output ?? '').trimEnd().split('\n');
    const trailer = lines.slice(lines.findLastIndex((line) => line.startsWith('{')) + 1).filter((line) => line.trim() !== '');
    const last = (trailer.length > 0 ? trailer.slice(0, 8) : lines.slice(-3)).map((line) => line.slice(0, 300)).join('\n        ');
    crashes.push(`${replica.name} exited (${child.signalCode ?? `code ${String(child.exitCode)}`}) during the check; it printed:\n        ${last}`);
    await replica.start().catch((error: unknown) => crashes.push(`${replica.name} did not start again: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`));
  }
  return crashes;
}

async function main(): Promise<number> {
  const opts = options();
  const cleanup = new Cleanup();
  let stopping = false;
  const stopNow = (why: string, code: number): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${why}: stopping everything\n`);
    void cleanup.run().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => stopNow('SIGINT', 130));
  process.once('SIGTERM', () => stopNow('SIGTERM', 143));
  process.on('uncaughtException', (error) => stopNow(`unexpected error: ${error.stack ?? error.message}`, 1));
  process.on('unhandledRejection', (error) => stopNow(`unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`, 1));
  setTimeout(() => stopNow(`the run took longer than ${RUN_DEADLINE_MS / 60_000} minutes`, 1), RUN_DEADLINE_MS).unref();

  process.stdout.write(`nginx: ${ensureNginx()}\n`);
  if (opts.build) await runCommand('npm', ['run', '--silent', 'build'], { cwd: ROOT });
  const dir = await mkdtemp(join(tmpdir(), 'mcp-cluster-'));
  if (opts.keepDir) process.stdout.write(`keeping ${dir}\n`);
  else cleanup.add('temp directory', () => rm(dir, { recursive: true, force: true }));
  let failed = 0;
  try {
    const started = Date.now();
    const stack = await startStack(dir, REPLICAS, (what, stop) => cleanup.add(what, stop));
    process.stdout.write(`started in ${Date.now() - started} ms: postgres, issuer, ${stack.replicas.map((replica) => `${replica.name} :${replica.port}`).join(', ')}, nginx :${stack.front.port}\n`);
    for (const check of CHECKS) {
      if (opts.only !== undefined && !opts.only.has(check.id)) continue;
      if (failed > 0 && !opts.keepGoing) {
        process.stdout.write(`SKIP  (${check.id}) ${check.title}\n`);
        continue;
      }
      const began = Date.now();
      const checked = await runCheck(check, stack);
      const crashes = await reviveCrashed(stack);
      const verdict = crashes.length === 0 ? checked : { ok: false, figures: `${checked.figures}\n      ${crashes.join('\n      ')}` };
      if (!verdict.ok) failed++;
      process.stdout.write(`${verdict.ok ? 'PASS' : 'FAIL'}  (${check.id}) ${check.title} [${((Date.now() - began) / 1000).toFixed(1)} s]\n      ${verdict.figures}\n`);
      if (!verdict.ok) process.stdout.write(await nginxErrors(dir, began));
    }
  } catch (error) {
    failed++;
    process.stdout.write(`FAIL  the cluster did not start: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    if (!stopping) await cleanup.run();
  }
  process.stdout.write(failed === 0 ? 'test:cluster: all checks passed\n' : `test:cluster: ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (error: unknown) => {
  process.stderr.write(`test:cluster: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
