/**
 * `npm run test:browser`: MCP Inspector 2.x's web UI in headless Chromium against the real server,
 * with no pasted token. A person's path: add the server, give the Inspector the development
 * issuer's public client id, connect; the Inspector meets the 401, reads the Protected Resource
 * Metadata and the issuer's discovery, sends the browser to the sign-in page; ada@example.com
 * approves; back in the Inspector it lists tools, calls create_incident (answering the server's
 * scope step-up with a second sign-in), reads incidents://1 and gets triage_incidents.
 * One line per step, a screenshot per step in .cache/browser-test/, exit 1 on the first failure;
 * everything it started is stopped on every way out. `-- --help` lists the options.
 */
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { browserSteps, oneLine, type Run, type Step } from './browser-steps.ts';
import { Cleanup } from './cleanup.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const OUT = join(ROOT, '.cache/browser-test');
const DEADLINE_MS = 4 * 60_000;
const STEP_MS = 30_000;
const USAGE = `usage: npm run test:browser [-- options]

Drives MCP Inspector's web UI in headless Chromium through sign-in, tools, resources and prompts.

  --ui-host HOST   open the Inspector at HOST (e.g. localhost) instead of the address it prints
  -h, --help       this text
`;

function options(): { uiHost: string | undefined } {
  try {
    const { values } = parseArgs({ options: { 'ui-host': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } }, strict: true });
    if (values.help) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    return { uiHost: values['ui-host'] };
  } catch (error) {
    process.stderr.write(`test:browser: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`no outcome within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Runs the steps in order; stops at the first failure. Returns whether all passed. */
async function runSteps(steps: readonly Step[], run: Run): Promise<boolean> {
  let failed = false;
  for (const step of steps) {
    if (failed) {
      process.stdout.write(`SKIP  ${step.name}\n`);
      continue;
    }
    const start = Date.now();
    let detail: string;
    try {
      detail = await withTimeout(step.run(), step.timeoutMs ?? STEP_MS);
    } catch (error) {
      failed = true;
      // Playwright's call log and terminal colours are noise on one line.
      const message = (error instanceof Error ? error.message : String(error)).split('Call log:')[0] ?? '';
      detail = oneLine(message.replace(/\x1b\[[0-9;]*m/g, '')).slice(0, 600);
    }
    let shot = '';
    if (step.shot !== undefined && run.page !== undefined) {
      const path = join(OUT, `${step.shot}${failed ? '-FAILED' : ''}.png`);
      shot = await run.page.screenshot({ path, timeout: 10_000, animations: 'disabled' }).then(() => `  [${relative(ROOT, path)}]`, () => '  [no screenshot]');
    }
    process.stdout.write(`${failed ? 'FAIL' : 'PASS'}  ${step.name.padEnd(34)} ${seconds(Date.now() - start).padStart(7)}  ${detail}${shot}\n`);
  }
  return !failed;
}

async function main(): Promise<void> {
  const { uiHost } = options();
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 19)) {
    process.stderr.write(`test:browser: Node ${process.versions.node} is too old for MCP Inspector 2.x (22.19+): run scripts/with-node.sh 22 npm run test:browser\n`);
    process.exit(1);
  }
  const started = Date.now();
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'browser-test-'));
  const cleanup = new Cleanup();
  cleanup.add('temporary files', () => rm(work, { recursive: true, force: true }));
  // The first way out wins (end of the steps, a signal, the deadline); the others wait for it.
  let finishing: Promise<never> | undefined;
  const finish = (code: number, why: string): Promise<never> =>
    (finishing ??= (async () => {
      await cleanup.run();
      process.stdout.write(`${why} in ${seconds(Date.now() - started)}; screenshots and logs in ${relative(ROOT, OUT)}/\n`);
      process.exit(code);
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void finish(130, `stopped by ${signal}`));
  const run: Run = {};
  const all = browserSteps(run, { out: OUT, work, uiHost, stop: (what, how) => cleanup.add(what, how) });
  const [install, ...rest] = all;
  // The deadline counts from after the (possibly long, one-time) chromium install.
  const armDeadline = (): void => void setTimeout(() => void finish(1, `FAIL  deadline of ${seconds(DEADLINE_MS)} exceeded`), DEADLINE_MS).unref();
  const passed = await runSteps([install as Step], run)
    .then((installed) => installed && (armDeadline(), runSteps(rest, run)))
    .catch((error: unknown) => {
      process.stdout.write(`FAIL  ${String(error)}\n`);
      return false;
    });
  await finish(passed ? 0 : 1, passed ? `test:browser passed: ${all.length} steps` : 'test:browser FAILED');
}

void main();
