/**
 * `npm run bench`: builds the server, then measures it against the official-SDK reference server
 * and the raw node:http ceiling in one run, the three taking turns (A B C, R times), each in its
 * own process and driven by the load generator in another. Prints the table of report.ts and
 * writes every raw figure to bench/results/latest.json. Options: --quick (about 90 s),
 * --reps N, --seconds S (measured time per run), --no-build. Nothing here edits src/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createContext } from './context.ts';
import type { Workload } from './load.ts';
import { bareNodeMs, buildAll, NODE, RESULTS, rssKiB, runLoadProcess, type RunningChild, type ServerKind } from './processes.ts';
import { buildReport, type IdleFigures, type RunRecord, type StartupFigures } from './report.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? Number(args[at + 1]) : fallback;
};
const PLAN = {
  reps: option('--reps', quick ? 1 : 3),
  warmupMs: quick ? 500 : 1000,
  durationMs: option('--seconds', quick ? 2 : 4) * 1000,
  connections: 16,
  startupSamples: quick ? 3 : 5,
  idleSessions: quick ? 2000 : 10_000,
  // The SDK opens ~150 sessions/s here; its per-session figure needs no target, so fewer will do.
  sdkIdleSessions: quick ? 1000 : 2500,
  stores: { small: 100, mid: 10_000, large: 100_000 },
  listStore: 25,
};

const log = (line: string): void => void process.stderr.write(`${line}\n`);

if (!args.includes('--no-build')) {
  log('building dist/ and the bench servers…');
  await buildAll();
}
const bench = await createContext();
const { token } = bench;
const start = (kind: ServerKind, stored: number): Promise<RunningChild> => bench.start(kind, stored);
const stop = (running: RunningChild): Promise<void> => bench.stop(running);

async function measureStartup(): Promise<StartupFigures> {
  const figures: StartupFigures = { bareMs: [], oursMs: [], sdkMs: [] };
  for (let i = 0; i < PLAN.startupSamples; i++) {
    figures.bareMs.push(await bareNodeMs());
    const ours = await start('ours', PLAN.listStore);
    figures.oursMs.push(ours.startMs);
    if (i === 0) await bench.captureToolsList(ours.port);
    await stop(ours);
    const sdk = await start('sdk', PLAN.listStore);
    figures.sdkMs.push(sdk.startMs);
    await stop(sdk);
  }
  log(`start-up ms: bare ${figures.bareMs.map(Math.round).join(',')}; ours ${figures.oursMs.map(Math.round).join(',')}; sdk ${figures.sdkMs.map(Math.round).join(',')}`);
  return figures;
}

const runs: RunRecord[] = [];

/** Identity and mtime of a file: a change means it was rewritten (for ours, a journal compaction). */
const identity = (path: string): string => {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat === undefined ? '' : `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
};

async function measure(running: RunningChild, workload: Workload, stored: number, rep: number): Promise<void> {
  const file = bench.incidentsPath(running);
  const before = identity(file);
  const result = await runLoadProcess({
    port: running.port, token, workload, connections: PLAN.connections,
    warmupMs: PLAN.warmupMs, durationMs: PLAN.durationMs, serverPid: running.child.pid ?? 0,
  });
  const fileReplaced = workload === 'create' && identity(file) !== before;
  runs.push({ rep, server: running.kind, workload, stored, result, fileReplaced });
  const errors = result.errors === 0 ? '' : ` ERRORS ${result.errors}: ${result.errorSamples[0] ?? ''}`;
  log(`rep ${rep} ${running.kind.padEnd(7)} ${workload.padEnd(14)} stored ${String(stored).padStart(6)}: ${Math.round(result.perSecond)}/s ` +
    `p50 ${result.p50Ms.toFixed(2)} p99 ${result.p99Ms.toFixed(2)} ms, server CPU ${(result.serverCpu * 100).toFixed(0)}%, driver CPU ${(result.driverCpu * 100).toFixed(0)}%${fileReplaced ? ', file replaced' : ''}${errors}`);
}

async function repetition(rep: number): Promise<void> {
  for (const kind of ['ours', 'sdk', 'ceiling'] as const) {
    const server = await start(kind, PLAN.listStore);
    await measure(server, 'tools-list', kind === 'ceiling' ? 0 : PLAN.listStore, rep);
    if (kind !== 'ceiling') {
      await measure(server, 'list-incidents', PLAN.listStore, rep);
      await measure(server, 'session', PLAN.listStore, rep);
    }
    await stop(server);
    const sizes = kind === 'ours' ? [PLAN.stores.small, PLAN.stores.mid, PLAN.stores.large] : kind === 'sdk' ? [PLAN.stores.mid] : [];
    for (const stored of sizes) {
      const writer = await start(kind, stored);
      await measure(writer, 'create', stored, rep);
      await stop(writer);
    }
  }
}

async function measureIdle(kind: ServerKind): Promise<IdleFigures> {
  const sessions = kind === 'sdk' ? PLAN.sdkIdleSessions : PLAN.idleSessions;
  const server = await start(kind, PLAN.listStore);
  const pid = server.child.pid ?? 0;
  // Warm the paths (JIT, pools) with sessions that are opened and closed again.
  await runLoadProcess({ port: server.port, token, workload: 'session', connections: PLAN.connections, warmupMs: 0, durationMs: 1000 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const rssBeforeKiB = rssKiB(pid);
  const result = await runLoadProcess({
    port: server.port, token, workload: 'idle-sessions', connections: PLAN.connections, warmupMs: 0, durationMs: 0, sessions,
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const rssAfterKiB = rssKiB(pid);
  await stop(server);
  const figures = {
    server: kind, sessions, opened: result.completed, errors: result.errors, perSecond: result.perSecond,
    rssBeforeKiB, rssAfterKiB, perSessionKB: ((rssAfterKiB - rssBeforeKiB) * 1.024) / sessions,
  };
  log(`idle ${kind}: ${figures.opened} sessions at ${Math.round(figures.perSecond)}/s, RSS ${rssBeforeKiB} → ${rssAfterKiB} KiB, ${figures.perSessionKB.toFixed(1)} KB each`);
  return figures;
}

const began = Date.now();
const loadBefore = loadavg();
try {
  const startup = await measureStartup();
  for (let rep = 1; rep <= PLAN.reps; rep++) await repetition(rep);
  const idle = [await measureIdle('ours'), await measureIdle('sdk')];
  const report = buildReport(runs, startup, idle, PLAN.stores);
  const machine = {
    cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: execFileSync(NODE, ['-v'], { encoding: 'utf8' }).trim(), loadBefore, loadAfter: loadavg(),
  };
  const seconds = Math.round((Date.now() - began) / 1000);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify({ date: new Date().toISOString(), seconds, machine, plan: PLAN, verdicts: report.verdicts, startup, idle, runs }, null, 2)}\n`);
  process.stdout.write(`\nMachine: ${machine.cpus} × ${machine.model}, ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ` +
    `${machine.loadAfter.map((l) => l.toFixed(2)).join(' ')} after. ${PLAN.reps} repetition(s), ${PLAN.connections} connections, ${PLAN.durationMs / 1000} s per run after ${PLAN.warmupMs / 1000} s warm-up; medians; ${seconds} s in all.\n\n`);
  process.stdout.write(`${report.markdown}\n\nRaw figures: bench/results/latest.json\n`);
} finally {
  await bench.close();
}
