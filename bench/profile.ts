/**
 * `node --import tsx bench/profile.ts [--seconds S] [--no-build] [[server:]workload[@stored] …]`:
 * runs a server (ours unless `sdk:` or `ceiling:`) under `node --cpu-prof` with one workload at
 * a time (default: tools-list and create@10000), cuts each profile to the load generator's measured window, and prints the top
 * self-time functions, the busiest files and the inclusive time of our own functions. Profiles
 * are kept in bench/results/profiles/ for DevTools. It measures nothing for the table.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createContext } from './context.ts';
import { summarise, type CpuProfile, type Entry } from './cpu-profile.ts';
import type { Workload } from './load.ts';
import { buildAll, RESULTS, ROOT, runLoadProcess, type ServerKind } from './processes.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--seconds');
const seconds = at >= 0 ? Number(args[at + 1]) : 6;
const named = args.filter((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--seconds');
// [server:]workload[@stored], e.g. ceiling:tools-list or create@100000.
const targets = (named.length > 0 ? named : ['tools-list', 'create@10000']).map((arg) => {
  const [server, rest] = arg.includes(':') ? (arg.split(':') as [string, string]) : ['ours', arg];
  const [workload, stored] = rest.split('@');
  return { server: server as ServerKind, workload: workload as Workload, stored: Number(stored ?? (server === 'ceiling' ? 0 : 25)) };
});

const dir = join(RESULTS, 'profiles');
const OWN_URL = pathToFileURL(join(ROOT, 'dist')).href;
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
if (!args.includes('--no-build')) await buildAll();
const bench = await createContext();

const table = (title: string, entries: Entry[]): string =>
  [`  ${title}`, ...entries.map((e) => `    ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(6)} ms  ${e.name}`)].join('\n');

try {
  if (targets.some((t) => t.server === 'ceiling')) {
    const ours = await bench.start('ours', 25);
    await bench.captureToolsList(ours.port);
    await bench.stop(ours);
  }
  for (const { server: kind, workload, stored } of targets) {
    const name = `${kind}-${workload}-${stored}`;
    const flags = ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`];
    const server = await bench.start(kind, stored, flags);
    const result = await runLoadProcess({
      port: server.port, token: bench.token, workload, connections: 16, warmupMs: 1000, durationMs: seconds * 1000, serverPid: server.child.pid ?? 0,
    });
    await bench.stop(server);
    const profile = JSON.parse(readFileSync(join(dir, `${name}.cpuprofile`), 'utf8')) as CpuProfile;
    const summary = summarise(profile, OWN_URL, 15, result.windowUs);
    const perOp = (summary.busyMs * 1000) / Math.max(1, result.completed);
    process.stdout.write([
      `\n${kind} ${workload} with ${stored} stored: ${Math.round(result.perSecond)}/s, p50 ${result.p50Ms.toFixed(2)} p99 ${result.p99Ms.toFixed(2)} ms, errors ${result.errors}; ` +
        `profiled CPU ${summary.busyMs.toFixed(0)} ms busy, ${summary.idleMs.toFixed(0)} ms idle, ${perOp.toFixed(0)} µs busy per operation (profiler overhead included)`,
      table('self time by function', summary.selfByFunction),
      table('self time by file', summary.selfByFile),
      ...(kind === 'ours' ? [table('inclusive time of our functions (dist/)', summary.inclusiveOurs)] : []),
      '',
    ].join('\n'));
  }
  process.stdout.write(`Profiles: ${dir}\n`);
} finally {
  await bench.close();
}
