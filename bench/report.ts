/**
 * The benchmark's verdicts and its one table: medians over the repetitions, ratios taken from the
 * same run, each target of issue #6 with PASS or MISS, as a Markdown table (pasteable into the
 * README) followed by the load-generator check and CPU per operation. Pure: run.ts measures and
 * writes files; this turns figures into text.
 */
import type { LoadResult, Workload } from './load.ts';
import type { ServerKind } from './processes.ts';

export interface RunRecord {
  rep: number;
  server: ServerKind;
  workload: Workload;
  /** Incidents in the store when the run started. */
  stored: number;
  result: LoadResult;
  /** create runs: the incidents file was replaced during the run (ours: a journal compaction). */
  fileReplaced?: boolean;
}

export interface IdleFigures {
  server: ServerKind;
  sessions: number;
  opened: number;
  errors: number;
  perSecond: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  perSessionKB: number;
}

export interface StartupFigures {
  bareMs: number[];
  oursMs: number[];
  sdkMs: number[];
}

/** The medians of one server's runs of one workload. */
export interface Figure {
  runs: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Server CPU per completed operation, µs. */
  cpuUs: number;
  driverCpu: number;
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function figure(runs: readonly RunRecord[], server: ServerKind, workload: Workload, stored: number): Figure | undefined {
  const mine = runs.filter((r) => r.server === server && r.workload === workload && r.stored === stored).map((r) => r.result);
  if (mine.length === 0) return undefined;
  return {
    runs: mine.length,
    perSecond: median(mine.map((r) => r.perSecond)),
    p50Ms: median(mine.map((r) => r.p50Ms)),
    p99Ms: median(mine.map((r) => r.p99Ms)),
    errors: mine.reduce((sum, r) => sum + r.errors, 0),
    cpuUs: median(mine.map((r) => (r.completed === 0 ? Number.NaN : (r.serverCpu * r.seconds * 1e6) / r.completed))),
    driverCpu: median(mine.map((r) => r.driverCpu)),
  };
}

const int = (n: number): string => (Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en-US'));
const ms = (n: number): string => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
const times = (n: number): string => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)}×` : '–');
const verdict = (ok: boolean): string => (ok ? 'PASS' : '**MISS**');

function rate(f: Figure | undefined, unit = '/s'): string {
  return f === undefined ? '' : `${int(f.perSecond)}${unit} · ${ms(f.p50Ms)}/${ms(f.p99Ms)} ms`;
}

function errors(...figures: (Figure | undefined)[]): string {
  return figures.map((f) => (f === undefined ? '–' : String(f.errors))).join(' / ');
}

export interface Report {
  markdown: string;
  verdicts: Record<string, boolean>;
}

/** The table and the verdicts. */
export function buildReport(runs: readonly RunRecord[], startup: StartupFigures, idle: readonly IdleFigures[], stores: { small: number; mid: number; large: number }): Report {
  const f = (server: ServerKind, workload: Workload, stored: number): Figure | undefined => figure(runs, server, workload, stored);
  const ratio = (a: Figure | undefined, b: Figure | undefined): number => (a === undefined || b === undefined ? Number.NaN : a.perSecond / b.perSecond);
  // The same comparison by server CPU per operation: what each would do with a core to itself.
  const cpuRatio = (a: Figure | undefined, b: Figure | undefined): number => (a === undefined || b === undefined ? Number.NaN : b.cpuUs / a.cpuUs);
  const both = (a: Figure | undefined, b: Figure | undefined): string => `${times(ratio(a, b))} (CPU ${times(cpuRatio(a, b))})`;
  const rows: string[][] = [];
  const verdicts: Record<string, boolean> = {};
  const add = (name: string, cells: string[], target: string, key: string | undefined, ok: boolean | undefined): void => {
    if (key !== undefined && ok !== undefined) verdicts[key] = ok;
    rows.push([name, ...cells, target, ok === undefined ? '' : verdict(ok)]);
  };

  const [listA, listB, listC] = [f('ours', 'tools-list', 25), f('sdk', 'tools-list', 25), f('ceiling', 'tools-list', 0)];
  const listVsSdk = ratio(listA, listB);
  // A busy machine or a saturated load generator squeezes req/s ratios towards 1, so against the
  // ceiling the lower of the req/s and the CPU-per-request ratios is the one judged.
  const listVsCeiling = Math.min(ratio(listA, listC), cpuRatio(listA, listC));
  add('tools/list, open session', [rate(listA), rate(listB), rate(listC), both(listA, listB), both(listA, listC), errors(listA, listB, listC)],
    '≥ 10× SDK, ≥ 0.5× ceiling (lower of req/s and CPU ratios)', 'toolsList', listVsSdk >= 10 && listVsCeiling >= 0.5);

  const [callA, callB] = [f('ours', 'list-incidents', 25), f('sdk', 'list-incidents', 25)];
  add('tools/call list_incidents (25 stored)', [rate(callA), rate(callB), '', both(callA, callB), '', errors(callA, callB)],
    '≥ 10× SDK', 'listIncidents', ratio(callA, callB) >= 10);

  const [createA, createB] = [f('ours', 'create', stores.mid), f('sdk', 'create', stores.mid)];
  const createOk = ratio(createA, createB) >= 10 && (createA?.p99Ms ?? Infinity) < 50;
  add(`create_incident, durable (${int(stores.mid)} stored)`, [rate(createA), rate(createB), '', both(createA, createB), '', errors(createA, createB)],
    '≥ 10× SDK, p99 < 50 ms', 'create', createOk);

  const [small, large] = [f('ours', 'create', stores.small), f('ours', 'create', stores.large)];
  const cpuGrowth = large !== undefined && small !== undefined ? large.cpuUs / small.cpuUs : Number.NaN;
  const rateDrop = ratio(small, large);
  add(`create_incident (${int(stores.small)} stored)`, [rate(small), '', '', '', '', errors(small)], '', undefined, undefined);
  add(`create_incident (${int(stores.large)} stored)`,
    [`${rate(large)}`, '', '', '', '', errors(large)],
    `cost flat: CPU/create ${times(cpuGrowth)}, time/create ${times(rateDrop)} of ${int(stores.small)}-store (≤ 1.5×)`,
    'createFlat', cpuGrowth <= 1.5 && rateDrop <= 1.5);

  const [sessA, sessB] = [f('ours', 'session', 25), f('sdk', 'session', 25)];
  add('full sessions (5 requests each)', [rate(sessA, ' sessions/s'), rate(sessB, ' sessions/s'), '', both(sessA, sessB), '', errors(sessA, sessB)],
    '≥ 10× SDK', 'sessions', ratio(sessA, sessB) >= 10);

  const [bare, oursStart, sdkStart] = [median(startup.bareMs), median(startup.oursMs), median(startup.sdkMs)];
  add('start-up to 1st authenticated initialize', [`${ms(oursStart)} ms`, `${ms(sdkStart)} ms`, `node -e 0: ${ms(bare)} ms`, times(oursStart / sdkStart), times(oursStart / bare), ''],
    '< 1.5× bare node', 'startup', oursStart < 1.5 * bare);

  const [idleA, idleB] = [idle.find((i) => i.server === 'ours'), idle.find((i) => i.server === 'sdk')];
  const idleCell = (i: IdleFigures | undefined): string => (i === undefined ? '' : `${i.perSessionKB.toFixed(1)} KB/session (${int(i.sessions)} open, RSS ${int(i.rssBeforeKiB / 1024)}→${int(i.rssAfterKiB / 1024)} MiB, ${int(i.perSecond)} opened/s)`);
  add('idle sessions, RSS growth per session', [idleCell(idleA), idleCell(idleB), '', times((idleA?.perSessionKB ?? NaN) / (idleB?.perSessionKB ?? NaN)), '', `${idleA?.errors ?? '–'} / ${idleB?.errors ?? '–'}`],
    '< 8 KB per session', 'idleMemory', idleA !== undefined && idleA.perSessionKB < 8);

  const header = ['workload', 'ours (rate · p50/p99)', 'SDK (rate · p50/p99)', 'ceiling', 'ours/SDK', 'ours/ceiling', 'errors ours/SDK/ceil', 'target', 'verdict'];
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);

  const cpu = (server: ServerKind, workload: Workload, stored: number): string => {
    const x = f(server, workload, stored);
    return x === undefined ? '–' : `${int(x.cpuUs)}`;
  };
  lines.push('');
  lines.push('Rates are medians of the repetitions; "CPU" ratios compare server CPU time per operation, read from /proc during the same runs.');
  lines.push(`Server CPU per operation, µs (ours / SDK / ceiling): tools/list ${cpu('ours', 'tools-list', 25)} / ${cpu('sdk', 'tools-list', 25)} / ${cpu('ceiling', 'tools-list', 0)}; ` +
    `list_incidents ${cpu('ours', 'list-incidents', 25)} / ${cpu('sdk', 'list-incidents', 25)}; create@${int(stores.mid)} ${cpu('ours', 'create', stores.mid)} / ${cpu('sdk', 'create', stores.mid)}; ` +
    `create@${int(stores.small)} ${cpu('ours', 'create', stores.small)}; create@${int(stores.large)} ${cpu('ours', 'create', stores.large)}; session ${cpu('ours', 'session', 25)} / ${cpu('sdk', 'session', 25)}.`);
  const replaced = [stores.small, stores.mid, stores.large].map((stored) => {
    const mine = runs.filter((r) => r.server === 'ours' && r.workload === 'create' && r.stored === stored);
    return `${int(stored)} stored: ${mine.filter((r) => r.fileReplaced === true).length} of ${mine.length} runs`;
  });
  lines.push(`Our incidents file was replaced (a journal compaction) during the create runs with ${replaced.join('; ')}.`);
  const driver = listC?.driverCpu ?? Number.NaN;
  lines.push(`Load generator: drove the ceiling at ${int(listC?.perSecond ?? NaN)} req/s, ${times((listC?.perSecond ?? NaN) / (listA?.perSecond ?? NaN))} our tools/list rate, using ${(driver * 100).toFixed(0)}% of a core` +
    (driver > 0.9 ? ' — it is near saturation, so the ceiling figure is a lower bound and ours/ceiling an upper bound.' : '.'));
  return { markdown: lines.join('\n'), verdicts };
}
