/**
 * `npm run bench`: builds the server, then measures it against the SDK v1 and v2 peers and the raw
 * node:http ceiling in one run, in both protocol eras, with wrk as the load generator (servers on
 * core 0, wrk on core 1): start-up, R interleaved repetitions of the throughput matrix (the
 * PostgreSQL store beside the file store, then one and two replicas behind nginx), idle legacy
 * sessions, fan-out to 1,000 listening streams. Prints the table of report.ts and writes
 * every raw figure to bench/results/latest.json. Options: --quick (under two minutes), --check
 * (exit 1 when a workload errored; never on a ratio), --reps N, --seconds S, --warmup S, --no-build.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { clusterUnavailable, measureCluster } from './cluster.ts';
import { createContext } from './context.ts';
import { measureFanout, measureIdle, measureStartup, repetition, type Plan, type Recorder } from './measure.ts';
import { startPostgres, type BenchPostgres } from './postgres.ts';
import { buildAll, NODE, RESULTS, sdk2Missing, type ServerKind } from './processes.ts';
import { buildReport, type FanoutRecord, type IdleFigures } from './report.ts';
import { ensureWrk } from './wrk.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const check = args.includes('--check');
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? Number(args[at + 1]) : fallback;
};
const PLAN: Plan = {
  reps: option('--reps', quick ? 1 : 3),
  seconds: option('--seconds', quick ? 1 : 4),
  // --quick is a smoke run first: no separate warm-up run, so its figures are colder.
  warmupSeconds: option('--warmup', quick ? 0 : 1),
  connections: 16,
  startupSamples: quick ? 3 : 5,
  idleSessions: quick ? 1000 : 10_000,
  // The SDKs open a few hundred sessions a second here; their per-session figure needs no target.
  sdkIdleSessions: quick ? 200 : 2000,
  listeners: 1000,
  sdkListeners: quick ? 200 : 1000,
  rounds: quick ? 3 : 5,
  // --quick reads RSS sooner after opening the fan-out streams: a smoke figure, less settled.
  settleMs: quick ? 300 : 1000,
};

const rec: Recorder = { runs: [], failures: [], log: (line) => void process.stderr.write(`${line}\n`) };

ensureWrk();
if (!args.includes('--no-build')) {
  rec.log('building the server and the bench servers…');
  await buildAll();
}
const absent: Partial<Record<ServerKind, string>> = {};
const missing = sdk2Missing();
if (missing !== undefined) absent.sdk2 = `not installed (needs ${missing})`;
const kinds: ServerKind[] = ['ours', 'sdk', ...(missing === undefined ? (['sdk2'] as const) : []), 'ceiling'];
const peers = kinds.filter((k) => k !== 'ceiling');

const began = Date.now();
const loadBefore = loadavg();
const bench = await createContext();
let pg: BenchPostgres | undefined;
try {
  const started = await startPostgres().catch((error: unknown) => (error as Error).message);
  if (typeof started === 'string') rec.log(`PostgreSQL store not measured: ${started}`);
  else pg = started;
  const startup = await measureStartup(bench, PLAN, rec, kinds);
  const noCluster = pg === undefined ? 'no PostgreSQL' : clusterUnavailable();
  if (noCluster !== undefined) rec.log(`two replicas behind nginx not measured: ${noCluster}`);
  for (let rep = 1; rep <= PLAN.reps; rep++) {
    await repetition(bench, PLAN, rec, kinds, rep, pg);
    if (pg !== undefined && noCluster === undefined) await measureCluster(bench, PLAN, rec, pg, rep);
  }
  const idle: IdleFigures[] = [];
  for (const kind of peers) {
    const figures = await measureIdle(bench, PLAN, rec, kind);
    if (figures !== undefined) idle.push(figures);
  }
  const fanout: FanoutRecord[] = [];
  for (const era of ['legacy', 'modern'] as const) {
    for (const kind of peers.filter((k) => k !== 'sdk' || era === 'legacy')) {
      const figures = await measureFanout(bench, PLAN, rec, kind, era);
      if (figures !== undefined) fanout.push(figures);
    }
  }
  const report = buildReport({ runs: rec.runs, startup, idle, fanout, absent, idleTarget: PLAN.idleSessions });
  const machine = {
    cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: execFileSync(NODE, ['-v'], { encoding: 'utf8' }).trim(), wrk: spawnSync('/usr/bin/wrk', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0]?.replace(/ Copyright.*$/, '').trim() ?? '',
    loadBefore, loadAfter: loadavg(),
  };
  const seconds = Math.round((Date.now() - began) / 1000);
  mkdirSync(RESULTS, { recursive: true });
  const date = new Date().toISOString();
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify({ date, seconds, machine, plan: PLAN, absent, verdicts: report.verdicts, failures: rec.failures, startup, idle, fanout, runs: rec.runs }, null, 2)}\n`);
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  process.stdout.write(`\n${date.slice(0, 10)}. Machine: ${machine.cpus} × ${machine.model}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.wrk}; load average ${load(loadBefore)} before, ${load(machine.loadAfter)} after. ` +
    `${PLAN.reps} interleaved repetition(s), ${PLAN.connections} connections, ${PLAN.seconds} s measured after a ${PLAN.warmupSeconds} s warm-up run; medians; ${seconds} s in all.\n\n`);
  process.stdout.write(`${report.markdown}\n\nRaw figures: bench/results/latest.json\n`);
  if (rec.failures.length > 0) process.stdout.write(`\nWorkloads with errors (${rec.failures.length}):\n${rec.failures.map((f) => `- ${f}`).join('\n')}\n`);
  if (check && rec.failures.length > 0) process.exitCode = 1;
} finally {
  await bench.close();
  await pg?.stop();
}
