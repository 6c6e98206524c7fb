/**
 * Driving the official conformance suite (@modelcontextprotocol/conformance), in either of the two
 * versions pinned in package.json: 0.1.16 under its own name and 0.2.0-alpha.12 under the alias
 * `conformance-next`. One scenario per child process on this same Node, each with a deadline; the
 * verdict comes from the checks.json the suite writes.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const MAX_OUTPUT = 64 * 1024;

/** One installed copy of the suite. */
export interface Suite {
  /** The folder under node_modules/ it is installed in. */
  readonly folder: string;
  /**
   * Whether `server --scenario` is given `--spec-version`. The alpha needs it: without it a
   * scenario introduced before 2026 runs at the 2025-11-25 wire whatever was asked. 0.1.16 has a
   * single wire and is run exactly as before.
   */
  readonly passSpecVersion: boolean;
}

/** `@modelcontextprotocol/conformance` 0.1.16, the stable release. */
export const STABLE_SUITE: Suite = { folder: '@modelcontextprotocol/conformance', passSpecVersion: false };
/** `@modelcontextprotocol/conformance` 0.2.0-alpha.12, installed as the alias `conformance-next`. */
export const ALPHA_SUITE: Suite = { folder: 'conformance-next', passSpecVersion: true };

/** One check as the suite records it. */
export interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED' | string;
  description?: string;
  errorMessage?: string;
}

export interface ScenarioRun {
  checks: Check[];
  /** Set when the suite did not finish in time or wrote no checks. */
  problem: string | undefined;
}

function suiteDir(suite: Suite): string {
  return join(ROOT, 'node_modules', suite.folder);
}

/** The suite's version, from its package.json. */
export async function suiteVersion(suite: Suite): Promise<string> {
  const pkg = JSON.parse(await readFile(join(suiteDir(suite), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function run(suite: Suite, args: readonly string[], timeoutMs: number): Promise<{ output: string; timedOut: boolean }> {
  return new Promise((resolvePromise, reject) => {
    const entry = join(suiteDir(suite), 'dist/index.js');
    const child = spawn(process.execPath, [entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    const keep = (chunk: Buffer): void => {
      if (output.length < MAX_OUTPUT) output += chunk.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolvePromise({ output, timedOut });
    });
  });
}

/** The server scenarios the suite lists for `specVersion` (pending ones included). */
export async function listServerScenarios(suite: Suite, specVersion: string): Promise<string[]> {
  const { output, timedOut } = await run(suite, ['list', '--server', '--spec-version', specVersion], 30_000);
  if (timedOut) throw new Error('conformance list timed out');
  const names = [...output.matchAll(/^\s+- (\S+)/gm)].map((match) => match[1] as string);
  if (names.length === 0) throw new Error(`conformance list printed no scenarios:\n${output}`);
  return names;
}

/** A revision's server scenarios as the suite's requirement set lists them (`list --requirements`). */
export interface Requirements {
  readonly revision: string;
  /** Scored: each must pass. */
  readonly required: readonly string[];
  /** Run and reported, never scored, by why: `pending`, `extension`… */
  readonly unscored: ReadonlyMap<string, string>;
}

export async function listRequirements(suite: Suite, revision: string): Promise<Requirements> {
  const { output, timedOut } = await run(suite, ['list', '--server', '--requirements', revision], 30_000);
  if (timedOut) throw new Error('conformance list timed out');
  const [scored = '', rest = ''] = output.split(/^Run and reported, but never scored:/m);
  const required = [...(scored.split(/^Client scenarios/m)[0] ?? '').matchAll(/^\s+- (\S+)$/gm)].map((match) => match[1] as string);
  const unscored = new Map<string, string>();
  let kind = '';
  for (const line of rest.split('\n')) {
    const heading = /^\s+([a-z-]+) \(\d+\):$/.exec(line);
    if (heading !== null) kind = heading[1] as string;
    const server = /^\s+- (\S+) \[server\]$/.exec(line);
    if (server !== null) unscored.set(server[1] as string, kind);
  }
  if (required.length === 0) throw new Error(`conformance list --requirements ${revision} printed no scenarios:\n${output}`);
  return { revision, required, unscored };
}

/** Checks.json of each scenario in `dir`, by scenario: the suite writes {dir}/server-{scenario}-{timestamp}/. */
async function readResults(dir: string): Promise<Map<string, Check[]>> {
  const found = new Map<string, Check[]>();
  for (const name of await readdir(dir)) {
    const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(name)?.[1];
    if (scenario !== undefined) found.set(scenario, JSON.parse(await readFile(join(dir, name, 'checks.json'), 'utf8')) as Check[]);
  }
  return found;
}

/**
 * Runs a revision's whole requirement set against `url` in one suite process
 * (`server --requirements`), and reads back the checks of every scenario it ran.
 */
export async function runRequirements(suite: Suite, requirements: Requirements, url: string, timeoutMs: number): Promise<Map<string, ScenarioRun>> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-conformance-'));
  try {
    const { output, timedOut } = await run(suite, ['server', '--url', url, '--requirements', requirements.revision, '-o', dir], timeoutMs);
    const results = await readResults(dir);
    const runs = new Map<string, ScenarioRun>();
    for (const scenario of [...requirements.required, ...requirements.unscored.keys()]) {
      const checks = results.get(scenario);
      const problem = checks !== undefined ? undefined : timedOut ? `timed out after ${timeoutMs / 1000} s` : `the suite wrote no results: ${output.trim().slice(-300)}`;
      runs.set(scenario, { checks: checks ?? [], problem });
    }
    return runs;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs one server scenario against `url` at `specVersion` and reads back its checks. */
export async function runScenario(suite: Suite, specVersion: string, url: string, scenario: string, timeoutMs: number): Promise<ScenarioRun> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-conformance-'));
  try {
    const args = ['server', '--url', url, '--scenario', scenario, '-o', dir];
    if (suite.passSpecVersion) args.push('--spec-version', specVersion);
    const { output, timedOut } = await run(suite, args, timeoutMs);
    if (timedOut) return { checks: [], problem: `timed out after ${timeoutMs / 1000} s` };
    // The suite writes {dir}/server-{scenario}-{timestamp}/checks.json.
    const [resultDir] = await readdir(dir);
    if (resultDir === undefined) return { checks: [], problem: `the suite wrote no results: ${output.trim().slice(-500)}` };
    const checks = JSON.parse(await readFile(join(dir, resultDir, 'checks.json'), 'utf8')) as Check[];
    return { checks, problem: undefined };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Counts by status; a scenario passes with at least one SUCCESS and no FAILURE or WARNING. */
export function tally(run: ScenarioRun): { ok: number; failed: number; warnings: number; passed: boolean } {
  const count = (status: string): number => run.checks.filter((check) => check.status === status).length;
  const ok = count('SUCCESS');
  const failed = count('FAILURE');
  const warnings = count('WARNING');
  return { ok, failed, warnings, passed: run.problem === undefined && ok > 0 && failed === 0 && warnings === 0 };
}
