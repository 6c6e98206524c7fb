/**
 * Reading a V8 `.cpuprofile` (what `node --cpu-prof` writes): self time and inclusive time per
 * function and self time per source file, counted only for samples inside a time window on the
 * monotonic clock, with idle time left out of the percentages; inclusive time only for the
 * server's own code (URLs under a given prefix). Pure: no I/O, no printing.
 * Builtins such as JSON.stringify have no frame of their own; their time is their caller's.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The parts of the DevTools protocol's Profiler.Profile that are used here. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Entry {
  name: string;
  ms: number;
  /** Share of busy (non-idle) time in the window. */
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  selfByFunction: Entry[];
  /** Inclusive time of the functions whose URL starts with `ownUrl`: where in our code the time goes. */
  inclusiveOurs: Entry[];
  selfByFile: Entry[];
}

const ROOT_URL = /^file:\/\/.*?\/(node_modules\/|dist\/|bench\/)/;

function shortUrl(url: string): string {
  if (url === '') return '';
  const match = ROOT_URL.exec(url);
  if (match?.[1] === undefined) return url;
  const rest = url.slice(match[0].length);
  // node_modules/<pkg> (or @scope/pkg) names the package; dist/ and bench/ keep their path.
  if (match[1] === 'node_modules/') return `${rest.startsWith('@') ? rest.split('/').slice(0, 2).join('/') : rest.split('/')[0]}/${rest.split('/').at(-1)}`;
  return `${match[1]}${rest}`;
}

function functionKey(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  const where = shortUrl(frame.url);
  return where === '' ? name : `${name} ${where}:${frame.lineNumber + 1}`;
}

function top(totals: Map<string, number>, busyUs: number, count: number): Entry[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs === 0 ? 0 : us / busyUs }));
}

const add = (map: Map<string, number>, key: string, us: number): void => void map.set(key, (map.get(key) ?? 0) + us);

/** Summarises the samples taken within [fromUs, toUs] (all of them when the window is omitted). */
export function summarise(profile: CpuProfile, ownUrl: string, count = 15, window: [number, number] = [0, Number.POSITIVE_INFINITY]): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const files = new Map<string, number>();
  let busyUs = 0;
  let idleUs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    const node = byId.get(id);
    if (node === undefined || at < window[0] || at > window[1]) return;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += delta;
      return;
    }
    busyUs += delta;
    add(self, functionKey(node.callFrame), delta);
    add(files, shortUrl(node.callFrame.url) || node.callFrame.functionName, delta);
    // Each function once per sample, however deep its recursion.
    const seen = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
      const frame = byId.get(cursor)?.callFrame;
      if (frame !== undefined && frame.url.startsWith(ownUrl)) seen.add(functionKey(frame));
    }
    for (const key of seen) add(inclusive, key, delta);
  });
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    selfByFunction: top(self, busyUs, count),
    inclusiveOurs: top(inclusive, busyUs, count),
    selfByFile: top(files, busyUs, count),
  };
}
