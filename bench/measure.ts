/**
 * The measurements of one benchmark run, each a function of the shared context and the plan:
 * one interleaved repetition of the throughput matrix (every server, era and workload, driven by
 * wrk after a warm-up run), start-up to the first authenticated answer, idle legacy sessions, and
 * the fan-out to listening streams. It records figures and failures; run.ts orders the phases and
 * report.ts judges them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from './context.ts';
import type { FanoutResult, FanoutSpec } from './fanout.ts';
import type { BenchPostgres } from './postgres.ts';
import { bareNodeMs, rssKiB, runLoadProcess, runScript, type RunningChild, type ServerKind } from './processes.ts';
import type { FanoutRecord, IdleFigures, RunRecord, StartupFigures, Store } from './report.ts';
import { stepsFor, WORKLOADS, type Era, type Workload } from './workloads.ts';
import { runWrk, type WrkResult } from './wrk.ts';

export interface Plan {
  reps: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  startupSamples: number;
  idleSessions: number;
  sdkIdleSessions: number;
  listeners: number;
  sdkListeners: number;
  rounds: number;
  /** Fan-out: the wait after opening the streams, before reading RSS (a fifth of it between rounds). */
  settleMs: number;
}

/** Which eras each server speaks: SDK v1 (1.x) knows no 2026-07-28. */
export const ERAS_OF: Record<ServerKind, readonly Era[]> = { ours: ['legacy', 'modern'], sdk: ['legacy'], sdk2: ['legacy', 'modern'], ceiling: ['legacy', 'modern'] };

export interface Recorder {
  runs: RunRecord[];
  failures: string[];
  log(line: string): void;
}

/** One run's figures as a log line. */
export function summary(result: WrkResult): string {
  return `${Math.round(result.perSecond)}/s p50 ${result.p50Ms.toFixed(2)} p99 ${result.p99Ms.toFixed(2)} ms, ` +
    `server CPU ${(result.serverCpu * 100).toFixed(0)}%, wrk CPU ${(result.driverCpu * 100).toFixed(0)}%${result.errors > 0 ? ` ERRORS ${result.errors}: ${result.errorSample}` : ''}`;
}

async function measureOne(bench: BenchContext, plan: Plan, rec: Recorder, running: RunningChild, workload: Workload, era: Era, store: Store, rep: number): Promise<void> {
  const label = `rep ${rep} ${running.kind.padEnd(7)} ${era.padEnd(6)} ${`${workload}${store === 'pg' ? '@pg' : ''}`.padEnd(16)}`;
  try {
    const steps = stepsFor(workload, era);
    const sessions = era === 'legacy' && WORKLOADS[workload].needsSessions ? await bench.openSessions(running.port, plan.connections) : undefined;
    const spec = {
      port: running.port, token: bench.token, steps, connections: plan.connections, threads: steps.length > 1 ? plan.connections : 1,
      work: bench.work, serverPid: running.child.pid ?? 0, ...(sessions === undefined ? {} : { sessions }),
    };
    if (plan.warmupSeconds > 0) await runWrk({ ...spec, seconds: plan.warmupSeconds });
    const result = await runWrk({ ...spec, seconds: plan.seconds });
    rec.runs.push({ rep, server: running.kind, workload, era, store, result });
    if (result.errors > 0) rec.failures.push(`${label}: ${result.errors} errors, e.g. ${result.errorSample}`);
    rec.log(`${label} ${summary(result)}`);
  } catch (error) {
    rec.failures.push(`${label}: ${(error as Error).message}`);
    rec.log(`${label} FAILED: ${(error as Error).message}`);
  }
}

/** One repetition: every server in turn (the order rotated by `rep`), every era and workload. */
export async function repetition(bench: BenchContext, plan: Plan, rec: Recorder, kinds: readonly ServerKind[], rep: number, pg: BenchPostgres | undefined): Promise<void> {
  const order = kinds.map((_, i) => kinds[(i + rep - 1) % kinds.length] as ServerKind);
  for (const kind of order) {
    const eras = ERAS_OF[kind];
    const small = await bench.start(kind, 25);
    for (const era of eras) {
      const workloads: Workload[] = kind === 'ceiling' ? ['tools-list'] : ['tools-list', 'list-incidents', 'session'];
      for (const workload of workloads) await measureOne(bench, plan, rec, small, workload, era, 'file', rep);
    }
    await bench.stop(small);
    if (kind === 'ceiling') continue;
    const big = await bench.start(kind, 10_000);
    for (const era of eras) for (const workload of LARGE_READS) await measureOne(bench, plan, rec, big, workload, era, 'file', rep);
    await bench.stop(big);
    const onPg = kind === 'ours' ? pg : undefined;
    if (onPg !== undefined) await measureOnPostgres(bench, plan, rec, onPg, eras, LARGE_READS, rep);
    for (const era of eras) {
      const writer = await bench.start(kind, 10_000);
      await measureOne(bench, plan, rec, writer, 'create', era, 'file', rep);
      await bench.stop(writer);
      if (onPg !== undefined) await measureOnPostgres(bench, plan, rec, onPg, [era], ['create'], rep);
    }
  }
}

const LARGE_READS = ['list-first-page', 'list-filtered'] as const;

/**
 * Ours on a new PostgreSQL database, which the server's first migration seeds from the
 * 10,000-incident file it is given (src/incidents/pg-migrations.ts), as the file store starts
 * from that file.
 */
async function measureOnPostgres(bench: BenchContext, plan: Plan, rec: Recorder, pg: BenchPostgres, eras: readonly Era[], workloads: readonly Workload[], rep: number): Promise<void> {
  try {
    const server = await bench.start('ours', 10_000, { databaseUrl: await pg.createDatabase() });
    try {
      for (const era of eras) for (const workload of workloads) await measureOne(bench, plan, rec, server, workload, era, 'pg', rep);
    } finally {
      await bench.stop(server);
    }
  } catch (error) {
    rec.failures.push(`rep ${rep} ours ${eras.join('+')} ${workloads.join('+')}@pg: ${(error as Error).message}`);
  }
}

/** Spawn → first authenticated initialize, interleaved with `node -e 0`; captures the ceiling's bytes. */
export async function measureStartup(bench: BenchContext, plan: Plan, rec: Recorder, kinds: readonly ServerKind[]): Promise<StartupFigures> {
  const figures: StartupFigures = { bareMs: [], byServer: {} };
  for (let i = 0; i < plan.startupSamples; i++) {
    figures.bareMs.push(await bareNodeMs());
    for (const kind of kinds.filter((k) => k !== 'ceiling')) {
      const running = await bench.start(kind, 25);
      (figures.byServer[kind] ??= []).push(running.startMs);
      if (i === 0 && kind === 'ours') await bench.captureToolsList(running.port);
      await bench.stop(running);
    }
  }
  rec.log(`start-up ms: bare ${figures.bareMs.map(Math.round).join(',')}; ${Object.entries(figures.byServer).map(([k, v]) => `${k} ${v.map(Math.round).join(',')}`).join('; ')}`);
  return figures;
}

/** RSS growth per idle legacy session, after a warm-up of opened-and-closed sessions. */
export async function measureIdle(bench: BenchContext, plan: Plan, rec: Recorder, kind: ServerKind): Promise<IdleFigures | undefined> {
  const sessions = kind === 'ours' ? plan.idleSessions : plan.sdkIdleSessions;
  const server = await bench.start(kind, 25);
  try {
    const pid = server.child.pid ?? 0;
    await runLoadProcess({ port: server.port, token: bench.token, workload: 'session', connections: plan.connections, warmupMs: 0, durationMs: 1000 });
    await sleep(500);
    const rssBeforeKiB = rssKiB(pid);
    const result = await runLoadProcess({ port: server.port, token: bench.token, workload: 'idle-sessions', connections: plan.connections, warmupMs: 0, durationMs: 0, sessions });
    await sleep(1000);
    const rssAfterKiB = rssKiB(pid);
    const figures = { server: kind, sessions, opened: result.completed, errors: result.errors, perSecond: result.perSecond, rssBeforeKiB, rssAfterKiB, perSessionKB: ((rssAfterKiB - rssBeforeKiB) * 1.024) / Math.max(1, result.completed) };
    if (result.errors > 0) rec.failures.push(`idle ${kind}: ${result.errors} errors, e.g. ${result.errorSamples[0] ?? ''}`);
    rec.log(`idle ${kind}: ${figures.opened} sessions at ${Math.round(figures.perSecond)}/s, RSS ${rssBeforeKiB} → ${rssAfterKiB} KiB, ${figures.perSessionKB.toFixed(1)} KB each`);
    return figures;
  } catch (error) {
    rec.failures.push(`idle ${kind}: ${(error as Error).message}`);
    return undefined;
  } finally {
    await bench.stop(server);
  }
}

/** One create reaching N listening streams, R times, on a fresh server. */
export async function measureFanout(bench: BenchContext, plan: Plan, rec: Recorder, kind: ServerKind, era: Era): Promise<FanoutRecord | undefined> {
  const server = await bench.start(kind, 25);
  try {
    const spec: FanoutSpec = { port: server.port, token: bench.token, era, listeners: kind === 'ours' ? plan.listeners : plan.sdkListeners, rounds: plan.rounds, serverPid: server.child.pid ?? 0, settleMs: plan.settleMs };
    const result = await runScript<FanoutResult>('fanout.ts', spec);
    for (const error of result.errors) rec.failures.push(`fan-out ${kind} ${era}: ${error}`);
    rec.log(`fan-out ${kind} ${era}: ${result.opened} streams, last listener after ${result.fanoutMs.map((m) => m.toFixed(1)).join(', ')} ms; ${result.perStreamKB.toFixed(1)} KB per stream`);
    return { server: kind, result };
  } catch (error) {
    rec.failures.push(`fan-out ${kind} ${era}: ${(error as Error).message}`);
    return undefined;
  } finally {
    await bench.stop(server);
  }
}
