/**
 * The benchmark's verdicts and its table: medians over the interleaved repetitions, ratios taken
 * from the same run (ours against the faster SDK peer in the same era, tools/list against the
 * ceiling answering the same bytes), CPU per operation, p99, each target of issue #16 with PASS or
 * MISS, as Markdown pasteable into the README, then the generator's capacity. Pure: run.ts
 * measures and writes files; this turns figures into text.
 */
import type { FanoutResult } from './fanout.ts';
import type { ServerKind } from './processes.ts';
import { WORKLOADS, type Era, type Workload } from './workloads.ts';
import type { WrkResult } from './wrk.ts';

export type Store = 'file' | 'pg';
export type ClusterSetup = 'direct' | 'nginx-1' | 'nginx-2';

export interface RunRecord {
  rep: number;
  server: ServerKind;
  workload: Workload;
  era: Era;
  store: Store;
  /** In the two-replica run: one replica straight, or nginx in front of one or two; absent: the main matrix. */
  cluster?: ClusterSetup;
  /** nginx's CPU over a run through it, fraction of one core (its share of result.serverCpu). */
  frontCpu?: number;
  result: WrkResult;
}

export interface IdleFigures { server: ServerKind; sessions: number; opened: number; errors: number; perSecond: number; rssBeforeKiB: number; rssAfterKiB: number; perSessionKB: number }
export interface StartupFigures { bareMs: number[]; byServer: Partial<Record<ServerKind, number[]>> }
export interface FanoutRecord { server: ServerKind; result: FanoutResult }

export interface Figure { runs: number; perSecond: number; p50Ms: number; p99Ms: number; errors: number; cpuUs: number; driverCpu: number }

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function figure(runs: readonly RunRecord[], server: ServerKind, workload: Workload, era: Era, store: Store = 'file', cluster?: ClusterSetup): Figure | undefined {
  const mine = runs.filter((r) => r.server === server && r.workload === workload && r.era === era && r.store === store && r.cluster === cluster).map((r) => r.result);
  if (mine.length === 0) return undefined;
  const ops = (r: WrkResult): number => r.perSecond * r.seconds;
  return {
    runs: mine.length,
    perSecond: median(mine.map((r) => r.perSecond)),
    p50Ms: median(mine.map((r) => r.p50Ms)),
    p99Ms: median(mine.map((r) => r.p99Ms)),
    errors: mine.reduce((sum, r) => sum + r.errors, 0),
    cpuUs: median(mine.map((r) => (ops(r) === 0 ? Number.NaN : (r.serverCpu * r.seconds * 1e6) / ops(r)))),
    driverCpu: median(mine.map((r) => r.driverCpu)),
  };
}

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const ms = (n: number): string => (!Number.isFinite(n) ? '–' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
const times = (n: number): string => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)}×` : '–');
const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? 'PASS' : '**MISS**');
const rate = (f: Figure | undefined): string => (f === undefined ? '–' : `${int(f.perSecond)}/s · ${ms(f.p99Ms)} ms · ${int(f.cpuUs)} µs`);

/** The workloads also measured on the PostgreSQL store. */
const PG_TOO: ReadonlySet<Workload> = new Set(['list-first-page', 'list-filtered', 'create']);

export interface Report { markdown: string; verdicts: Record<string, boolean> }

export interface ReportInput {
  runs: readonly RunRecord[];
  startup: StartupFigures;
  idle: readonly IdleFigures[];
  fanout: readonly FanoutRecord[];
  /** Peers that did not run, and why. */
  absent: Partial<Record<ServerKind, string>>;
  idleTarget: number;
}

/** The table and the verdicts. */
export function buildReport(input: ReportInput): Report {
  const { runs } = input;
  const verdicts: Record<string, boolean> = {};
  const judge = (key: string, ok: boolean | undefined): string => {
    if (ok !== undefined) verdicts[key] = ok;
    return verdict(ok);
  };
  const header = ['era', 'workload', 'ours (rate · p99 · CPU/op)', 'SDK v1', 'SDK v2', 'ceiling', 'ours ÷ faster SDK (rate; CPU)', 'ours ÷ ceiling (rate; CPU)', 'errors', '≥ 10× SDK', 'p99 < 5 ms', '≥ 0.5× ceiling'];
  const rows: string[][] = [];
  const kinds: Workload[] = ['tools-list', 'list-incidents', 'list-first-page', 'list-filtered', 'create', 'session'];
  for (const era of ['legacy', 'modern'] as const) {
    for (const workload of kinds) {
      for (const store of PG_TOO.has(workload) ? (['file', 'pg'] as const) : (['file'] as const)) {
        const ours = figure(runs, 'ours', workload, era, store);
        if (ours === undefined) continue;
        const [v1, v2] = store === 'pg' ? [undefined, undefined] : [figure(runs, 'sdk', workload, era), figure(runs, 'sdk2', workload, era)];
        const ceiling = workload === 'tools-list' ? figure(runs, 'ceiling', workload, era) : undefined;
        const peers = [v1, v2].filter((f): f is Figure => f !== undefined);
        const faster = peers.sort((a, b) => b.perSecond - a.perSecond)[0];
        const leanest = peers.sort((a, b) => a.cpuUs - b.cpuUs)[0];
        const vsSdk = faster === undefined ? Number.NaN : ours.perSecond / faster.perSecond;
        const vsSdkCpu = leanest === undefined ? Number.NaN : leanest.cpuUs / ours.cpuUs;
        const vsCeil = ceiling === undefined ? Number.NaN : ours.perSecond / ceiling.perSecond;
        const vsCeilCpu = ceiling === undefined ? Number.NaN : ceiling.cpuUs / ours.cpuUs;
        const key = `${era}:${workload}${store === 'pg' ? ':pg' : ''}`;
        const title = workload === 'create' ? `${WORKLOADS[workload].title}, ${store === 'pg' ? 'PostgreSQL' : 'file'}` : `${WORKLOADS[workload].title}${store === 'pg' ? ', PostgreSQL' : ''}`;
        rows.push([
          era, workload === 'session' ? (era === 'legacy' ? 'full session (5 requests), sessions/s' : 'discover + tools/list + tools/call, /s') : title,
          rate(ours), rate(v1), rate(v2), rate(ceiling),
          faster === undefined ? '–' : `${times(vsSdk)}; ${times(vsSdkCpu)}`,
          ceiling === undefined ? '' : `${times(vsCeil)}; ${times(vsCeilCpu)}`,
          [ours, v1, v2, ceiling].map((f) => (f === undefined ? '–' : String(f.errors))).join('/'),
          judge(`${key}:sdk`, faster === undefined ? undefined : vsSdk >= 10),
          WORKLOADS[workload].read ? judge(`${key}:p99`, ours.p99Ms < 5) : '',
          ceiling === undefined ? '' : judge(`${key}:ceiling`, Math.min(vsCeil, vsCeilCpu) >= 0.5),
        ]);
      }
    }
  }
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  const cluster = clusterRows(runs);
  lines.push('', ...cluster, ...(cluster.length > 0 ? [''] : []), ...otherRows(input, judge));
  const capacity = ['legacy', 'modern'].map((era) => {
    const c = figure(runs, 'ceiling', 'tools-list', era as Era);
    return c === undefined ? `${era}: –` : `${era} ${int(c.perSecond)} req/s using ${(c.driverCpu * 100).toFixed(0)}% of its core`;
  });
  lines.push('', `Generator: wrk (one thread, 16 connections for one-request workloads; 16 threads × 1 connection for sessions) pinned to core 1, servers to core 0. It drove the ceiling at ${capacity.join('; ')}.`);
  const absent = Object.entries(input.absent).map(([k, why]) => `${k}: ${why}`);
  if (absent.length > 0) lines.push(`Peers not measured: ${absent.join('; ')}.`);
  lines.push('Cells: median rate · median p99 latency · median server CPU per operation (µs, from /proc). "CPU" ratios compare CPU per operation, what each would do with a core to itself; against the ceiling the lower ratio is judged.');
  return { markdown: lines.join('\n'), verdicts };
}

/** The two-replica run on PostgreSQL, modern era: one replica straight, one and two behind nginx; none when it did not run. */
function clusterRows(runs: readonly RunRecord[]): string[] {
  const out = [
    '| PostgreSQL, modern | 1 replica, straight (rate · p99 · CPU/op) | 1 replica behind nginx | 2 replicas behind nginx | 2 ÷ 1 behind nginx (rate; CPU) | nginx CPU/op (1; 2) | errors |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const workload of ['tools-list', 'list-incidents', 'create'] as const) {
    const [direct, one, two] = (['direct', 'nginx-1', 'nginx-2'] as const).map((setup) => figure(runs, 'ours', workload, 'modern', 'pg', setup));
    if (one === undefined && two === undefined) continue;
    const front = (setup: ClusterSetup): string => {
      const mine = runs.filter((r) => r.cluster === setup && r.workload === workload);
      return int(median(mine.map((r) => ((r.frontCpu ?? Number.NaN) * 1e6) / Math.max(1, r.result.perSecond))));
    };
    const gain = one === undefined || two === undefined ? '–' : `${times(two.perSecond / one.perSecond)}; ${times(one.cpuUs / two.cpuUs)}`;
    const title = workload === 'create' ? 'create_incident (durable), 25 stored and growing' : WORKLOADS[workload].title;
    const errors = [direct, one, two].map((f) => (f === undefined ? '–' : String(f.errors))).join('/');
    out.push(`| ${title} | ${rate(direct)} | ${rate(one)} | ${rate(two)} | ${gain} | ${front('nginx-1')} µs; ${front('nginx-2')} µs | ${errors} |`);
  }
  return out.length > 2 ? out : [];
}

function otherRows(input: ReportInput, judge: (key: string, ok: boolean | undefined) => string): string[] {
  const out = ['| measure | ours | SDK v1 | SDK v2 | reference | target | verdict |', '|---|---|---|---|---|---|---|'];
  const bare = median(input.startup.bareMs);
  const start = (k: ServerKind): number => median(input.startup.byServer[k] ?? []);
  out.push(`| start-up to first authenticated answer | ${ms(start('ours'))} ms (${times(start('ours') / bare)}) | ${ms(start('sdk'))} ms | ${ms(start('sdk2'))} ms | node -e 0: ${ms(bare)} ms | < 2× node -e 0 | ${judge('startup', start('ours') < 2 * bare)} |`);
  const idle = (k: ServerKind): IdleFigures | undefined => input.idle.find((i) => i.server === k);
  const idleCell = (i: IdleFigures | undefined): string => (i === undefined ? '–' : `${i.perSessionKB.toFixed(1)} KB (${int(i.opened)} open${i.errors > 0 ? `, ${i.errors} errors` : ''})`);
  const ours = idle('ours');
  out.push(`| idle legacy session, RSS per session | ${idleCell(ours)} | ${idleCell(idle('sdk'))} | ${idleCell(idle('sdk2'))} | | < 4 KB at ${int(input.idleTarget)} open | ${judge('idleSession', ours === undefined ? undefined : ours.perSessionKB < 4)} |`);
  const fan = (k: ServerKind, era: Era): FanoutResult | undefined => input.fanout.find((f) => f.server === k && f.result.era === era)?.result;
  const fanCell = (f: FanoutResult | undefined): string =>
    f === undefined ? '–' : `${ms(median(f.fanoutMs))} ms to the last of ${int(f.opened)} (create ${ms(median(f.createMs))} ms)${f.errors.length > 0 ? `, ${f.errors.length} errors` : ''}`;
  const streamCell = (f: FanoutResult | undefined): string => (f === undefined ? '–' : `${f.perStreamKB.toFixed(1)} KB`);
  for (const era of ['legacy', 'modern'] as const) {
    const label = era === 'legacy' ? 'legacy GET streams' : 'modern subscriptions/listen streams';
    const mine = fan('ours', era);
    const peers = [fan('sdk', era), fan('sdk2', era)].map((f) => median(f?.fanoutMs ?? [])).filter(Number.isFinite);
    const best = peers.length === 0 ? Number.NaN : Math.min(...peers);
    out.push(`| fan-out: one create → ${label} | ${fanCell(mine)} | ${fanCell(fan('sdk', era))} | ${fanCell(fan('sdk2', era))} | | ≥ 10× faster SDK | ${judge(`fanout:${era}`, mine === undefined || !Number.isFinite(best) ? undefined : best / median(mine.fanoutMs) >= 10)} |`);
    out.push(`| open ${label.replace('streams', 'stream')}, RSS per stream${era === 'legacy' ? ' (with its session)' : ''} | ${streamCell(mine)} | ${streamCell(fan('sdk', era))} | ${streamCell(fan('sdk2', era))} | | ${era === 'modern' ? '< 8 KB' : ''} | ${era === 'modern' ? judge('listenStream', mine === undefined ? undefined : mine.perStreamKB < 8) : ''} |`);
  }
  return out;
}
