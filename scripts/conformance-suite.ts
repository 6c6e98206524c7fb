/**
 * Driving the official conformance suite (@modelcontextprotocol/conformance, pinned in
 * package.json): one scenario per child process on this same Node, each with a deadline; the
 * verdict comes from the checks.json the suite writes.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const SUITE = join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const MAX_OUTPUT = 64 * 1024;

/** One check as the suite records it. */
export interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | string;
  description?: string;
  errorMessage?: string;
}

export interface ScenarioRun {
  checks: Check[];
  /** Set when the suite did not finish in time or wrote no checks. */
  problem: string | undefined;
}

/** The suite's version, from its package.json. */
export async function suiteVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(ROOT, 'node_modules/@modelcontextprotocol/conformance/package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function run(args: readonly string[], timeoutMs: number): Promise<{ output: string; timedOut: boolean }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [SUITE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
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

/** The server scenarios the suite lists for `specVersion` (its `all` suite: pending ones included). */
export async function listServerScenarios(specVersion: string): Promise<string[]> {
  const { output, timedOut } = await run(['list', '--server', '--spec-version', specVersion], 30_000);
  if (timedOut) throw new Error('conformance list timed out');
  const names = [...output.matchAll(/^\s+- (\S+)/gm)].map((match) => match[1] as string);
  if (names.length === 0) throw new Error(`conformance list printed no scenarios:\n${output}`);
  return names;
}

/** Runs one server scenario against `url` and reads back its checks. */
export async function runScenario(url: string, scenario: string, timeoutMs: number): Promise<ScenarioRun> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-conformance-'));
  try {
    const { output, timedOut } = await run(['server', '--url', url, '--scenario', scenario, '-o', dir], timeoutMs);
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
