/**
 * `node --import tsx bench/profile.ts [--seconds S] [--no-build] [[server:]workload[~era] …]`:
 * runs a server (ours unless `sdk:`, `sdk2:` or `ceiling:`) under `node --cpu-prof` with one
 * workload at a time, driven by wrk as in the benchmark (default: tools-list in both eras and
 * create~legacy), cuts each profile to the measured run, and prints the top self-time functions,
 * the busiest files and the inclusive time of our own functions. Profiles are kept in
 * bench/results/profiles/ for DevTools. It measures nothing for the table.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createContext } from './context.ts';
import { summarise, type CpuProfile, type Entry } from './cpu-profile.ts';
import { buildAll, DIST, RESULTS, type ServerKind } from './processes.ts';
import { stepsFor, WORKLOADS, type Era, type Workload } from './workloads.ts';
import { ensureWrk, runWrk } from './wrk.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--seconds');
const seconds = at >= 0 ? Number(args[at + 1]) : 5;
const named = args.filter((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--seconds');
// [server:]workload[~era], e.g. sdk:session or list-filtered~modern.
const targets = (named.length > 0 ? named : ['tools-list~legacy', 'tools-list~modern', 'create~legacy']).map((arg) => {
  const [server, rest] = arg.includes(':') ? (arg.split(':') as [string, string]) : ['ours', arg];
  const [workload, era] = rest.split('~');
  return { server: server as ServerKind, workload: workload as Workload, era: (era ?? 'legacy') as Era };
});

const dir = join(RESULTS, 'profiles');
const OWN_URL = pathToFileURL(DIST).href;
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
ensureWrk();
if (!args.includes('--no-build')) await buildAll();
const bench = await createContext();

const table = (title: string, entries: Entry[]): string =>
  [`  ${title}`, ...entries.map((e) => `    ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(6)} ms  ${e.name}`)].join('\n');

try {
  const probe = await bench.start('ours', 25);
  await bench.captureToolsList(probe.port);
  await bench.stop(probe);
  for (const { server: kind, workload, era } of targets) {
    const name = `${kind}-${workload}-${era}`;
    const stored = kind === 'ceiling' ? 0 : WORKLOADS[workload].stored;
    const server = await bench.start(kind, stored, { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}/${name}`] });
    const steps = stepsFor(workload, era);
    const sessions = era === 'legacy' && WORKLOADS[workload].needsSessions ? await bench.openSessions(server.port, 16) : undefined;
    const spec = { port: server.port, token: bench.token, steps, connections: 16, threads: steps.length > 1 ? 16 : 1, work: bench.work, serverPid: server.child.pid ?? 0, ...(sessions === undefined ? {} : { sessions }) };
    await runWrk({ ...spec, seconds: 1 });
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const result = await runWrk({ ...spec, seconds });
    const toUs = Number(process.hrtime.bigint() / 1000n);
    await bench.stop(server);
    const file = readdirSync(join(dir, name)).find((f) => f.endsWith('.cpuprofile')) ?? '';
    const profile = JSON.parse(readFileSync(join(dir, name, file), 'utf8')) as CpuProfile;
    const summary = summarise(profile, OWN_URL, 15, [fromUs, toUs]);
    const ops = result.perSecond * result.seconds;
    process.stdout.write([
      `\n${kind} ${workload} (${era}): ${Math.round(result.perSecond)}/s, p50 ${result.p50Ms.toFixed(2)} p99 ${result.p99Ms.toFixed(2)} ms, errors ${result.errors}; ` +
        `profiled CPU ${summary.busyMs.toFixed(0)} ms busy, ${summary.idleMs.toFixed(0)} ms idle, ${((summary.busyMs * 1000) / Math.max(1, ops)).toFixed(0)} µs busy per operation (profiler overhead included)`,
      table('self time by function', summary.selfByFunction),
      table('self time by file', summary.selfByFile),
      ...(kind === 'ours' ? [table('inclusive time of our functions', summary.inclusiveOurs)] : []),
      '',
    ].join('\n'));
  }
  process.stdout.write(`Profiles: ${dir}\n`);
} finally {
  await bench.close();
}
