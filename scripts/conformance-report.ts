/**
 * Verdicts and printing for `npm run conformance`: one table row per scenario run, labelled with
 * the suite version and the spec version (wire) it ran at, then the failing and warning checks of
 * every row that did not pass, then the closing `N passed, M failed` line.
 */
import type { Group } from './conformance-groups.ts';
import { tally, type ScenarioRun } from './conformance-suite.ts';
import type { Target } from './conformance-targets.ts';

export interface Job {
  group: Group;
  target: Target;
  scenario: string;
  /** Run through the proxy that corrects the stale protocol version header. */
  corrected: boolean;
  /** In a requirement set, why the suite does not score it (`pending`, `extension`…); undefined: scored. */
  unscored?: string | undefined;
}

export type Verdict = 'pass' | 'FAIL' | 'expected fail (suite bug)' | 'FAIL (known suite bug passed: update the list)' | 'not scored';

export interface Row extends Job {
  run: ScenarioRun;
  verdict: Verdict;
}

export function verdictOf(job: Job, run: ScenarioRun): Verdict {
  const passed = tally(run).passed;
  // Issue 12: the pending scenarios must pass too; an extension (tasks) is only reported.
  if (job.unscored !== undefined && job.unscored !== 'pending') return passed ? 'pass' : 'not scored';
  if (job.corrected || !job.group.knownBugs.has(job.scenario)) return passed ? 'pass' : 'FAIL';
  // Strict: a known bug that stops failing must be noticed and taken off the list.
  return passed ? 'FAIL (known suite bug passed: update the list)' : 'expected fail (suite bug)';
}

export function isExpected(row: Row): boolean {
  return row.verdict === 'expected fail (suite bug)';
}

/** Rows that count neither way: known suite bugs and unscored extension scenarios that failed. */
export function isUncounted(row: Row): boolean {
  return isExpected(row) || row.verdict === 'not scored';
}

function checksText(run: ScenarioRun): string {
  if (run.problem !== undefined) return run.problem;
  const { ok, failed, warnings } = tally(run);
  return [`${ok} ok`, failed > 0 ? `${failed} failed` : '', warnings > 0 ? `${warnings} warning${warnings > 1 ? 's' : ''}` : ''].filter((s) => s !== '').join(', ');
}

function scenarioText(row: Row): string {
  if (row.unscored !== undefined) return `${row.scenario} (${row.unscored})`;
  return row.corrected ? `${row.scenario} (stale header corrected)` : row.scenario;
}

export function printTable(rows: readonly Row[]): void {
  const cells = rows.map((row) => [row.group.version, row.group.specVersion, row.target.name, scenarioText(row), row.verdict, checksText(row.run)]);
  const header = ['suite', 'spec (wire)', 'server', 'scenario', 'result', 'checks'];
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((cell) => (cell[i] as string).length)));
  const line = (cell: readonly string[]): string => cell.map((text, i) => text.padEnd(widths[i] as number)).join('  ').trimEnd();
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const cell of cells) console.log(line(cell));
}

export function printDetails(rows: readonly Row[]): void {
  for (const row of rows.filter((r) => r.verdict !== 'pass' && r.verdict !== 'not scored')) {
    const bug = row.group.knownBugs.get(row.scenario);
    const why = isExpected(row) && bug !== undefined ? `: ${bug.reason}` : '';
    console.log(`\n${row.group.version} @${row.group.specVersion} ${row.target.name} ${scenarioText(row)}: ${row.verdict}${why}`);
    if (row.run.problem !== undefined) console.log(`  ${row.run.problem}`);
    for (const check of row.run.checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING')) {
      console.log(`  ${check.status} ${check.id}: ${check.errorMessage ?? check.description ?? ''}`);
    }
  }
}

/** Per group: pass, fail and expected-fail counts (worded so only the closing line reads `N passed, M failed`). */
export function groupSummary(rows: readonly Row[]): string[] {
  const groups = [...new Set(rows.map((row) => row.group))];
  return groups.map((group) => {
    const own = rows.filter((row) => row.group === group);
    const passed = own.filter((row) => row.verdict === 'pass').length;
    const expected = own.filter(isExpected).length;
    const unscored = own.filter((row) => row.verdict === 'not scored').length;
    const extra = unscored > 0 ? `, not scored ${unscored}` : '';
    return `  ${group.id} (conformance ${group.version} at ${group.specVersion}): pass ${passed}, fail ${own.length - passed - expected - unscored}, expected fail ${expected}${extra}`;
  });
}

/** For a group run as a requirement set: how its required, pending and unscored scenarios fared on one server. */
export function requirementSummary(rows: readonly Row[]): string[] {
  const sets = rows.filter((row) => row.group.requirementSet !== undefined && row.target.name === 'fixtures');
  const groups = [...new Set(sets.map((row) => row.group))];
  return groups.map((group) => {
    const own = sets.filter((row) => row.group === group);
    const kinds = [...new Set(own.map((row) => row.unscored ?? 'required'))];
    const parts = kinds.map((kind) => {
      const of = own.filter((row) => (row.unscored ?? 'required') === kind);
      return `${kind} ${of.filter((row) => row.verdict === 'pass').length}/${of.length} passed`;
    });
    return `  ${group.requirementSet?.revision} requirement set (conformance ${group.version}) on the fixtures server: ${parts.join(', ')}`;
  });
}
