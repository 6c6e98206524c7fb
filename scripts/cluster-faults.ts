/**
 * The cluster checks under faults, each during create bursts through nginx (cluster-load.ts):
 * (4) `kill -9` of a replica: no acknowledged create lost, nginx routes around it, and a legacy
 * session pinned to it continues on a survivor; (5) a database restart: 503s with Retry-After,
 * then recovery, nothing acknowledged lost; (6) SIGTERM of a replica: it drains with no failed
 * request. A replica stopped by a check is started again before the check returns.
 */
import { audit, Burst, pause, statusCounts, tally, type Audit } from './cluster-load.ts';
import { LegacySession } from './cluster-client.ts';
import { servedBy, succeeded, type Check } from './cluster-checks.ts';
import type { Replica, Stack } from './cluster-stack.ts';

const LOOPS = 3;
/** Requests started this long after a kill must all succeed: nginx has routed around the dead replica. */
const SETTLE_MS = 1000;
/** How long the database stays down. */
const OUTAGE_MS = 2000;
/** How long after the database is back every create must succeed again. */
const RECOVERY_MS = 15_000;

function describeAudit(result: Audit): string {
  return `${result.acknowledged} acknowledged, lost ${result.lost.length}${result.lost.length > 0 ? ` (${result.lost.slice(0, 3).join(', ')})` : ''}, stored unacknowledged ${result.unacknowledgedRows}, duplicated ${result.duplicated}`;
}

/** The replica a session's requests land on through nginx, from the access logs; undefined when none logged it. */
async function pinnedReplica(stack: Stack, session: LegacySession): Promise<Replica | undefined> {
  const marks = stack.replicas.map((replica) => replica.mark());
  await session.call('tools/list');
  const counts = await servedBy(stack, marks, (line) => line.path === '/mcp');
  const index = counts.findIndex((count) => count > 0);
  return index < 0 ? undefined : stack.replicas[index];
}

/** Starts `replica` again when a check left it stopped; a failure to start is part of the verdict. */
async function restore(replica: Replica): Promise<string> {
  if (replica.running) return '';
  try {
    await replica.start();
    return `; ${replica.name} restarted`;
  } catch (error) {
    return `; ${replica.name} did not restart: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

const killNine: Check = {
  id: 4,
  title: 'kill -9 of a replica during create bursts',
  deadlineMs: 60_000,
  async run(stack, signal) {
    const token = await stack.token();
    const session = await LegacySession.open(stack.front, token).catch(() => undefined);
    const pinned = session === undefined ? undefined : await pinnedReplica(stack, session);
    const victim = pinned ?? (stack.replicas[0] as Replica);
    const burst = new Burst(stack.front, token, `cluster-kill-${Date.now()}`);
    burst.start(LOOPS);
    await pause(1500, signal);
    const killedAt = Date.now();
    victim.proc?.signal('SIGKILL');
    await victim.proc?.exited;
    await pause(3000, signal);
    const outcomes = await burst.stop();
    const late = outcomes.filter((outcome) => outcome.started >= killedAt + SETTLE_MS);
    const lateFailed = late.filter((outcome) => outcome.id === undefined);
    const aroundKill = burst.failed().length - lateFailed.length;
    // The session pinned to the dead replica, asked again: its requests now land on a survivor.
    const continued = session === undefined ? [] : await Promise.all([session.call('tools/list'), session.call('tools/call', { name: 'list_incidents', arguments: { limit: 2 } })].map((reply) => reply.then(succeeded, () => false)));
    const sessionOk = continued.length === 2 && continued.every(Boolean);
    const result = await audit(stack.postgres, burst);
    const restored = await restore(victim);
    const ok = result.lost.length === 0 && late.length > 0 && lateFailed.length === 0 && sessionOk && !restored.includes('did not');
    return {
      ok,
      figures: `killed ${victim.name}${pinned === undefined ? ' (no session pinned)' : ' (the legacy session\'s replica)'}; creates ${statusCounts(outcomes)}: ${describeAudit(result)}; failed around the kill ${aroundKill}, failed ≥${SETTLE_MS} ms after ${lateFailed.length}/${late.length}; pinned session afterwards ${session === undefined ? 'could not be opened' : `${continued.filter(Boolean).length}/2 ok`}${restored}`,
    };
  },
};

const databaseRestart: Check = {
  id: 5,
  title: 'a database restart gives 503s, then recovery',
  deadlineMs: 60_000,
  async run(stack, signal) {
    const token = await stack.token();
    const burst = new Burst(stack.front, token, `cluster-db-${Date.now()}`);
    burst.start(LOOPS);
    await pause(1000, signal);
    const downAt = Date.now();
    await stack.postgres.stop();
    await pause(OUTAGE_MS, signal);
    await stack.postgres.start();
    const upAt = Date.now();
    // Until every loop has had an acknowledged create started after the restart, at most RECOVERY_MS.
    const recovered = (): boolean => Array.from({ length: LOOPS }, (_, loop) => loop).every((loop) => burst.outcomes.some((outcome) => outcome.loop === loop && outcome.started >= upAt && outcome.id !== undefined));
    while (!recovered() && Date.now() - upAt < RECOVERY_MS && !signal.aborted) await pause(100, signal);
    const recoveredAfter = Date.now() - upAt;
    await pause(1000, signal);
    const outcomes = await burst.stop();
    const during = outcomes.filter((outcome) => outcome.ended >= downAt && outcome.started < upAt);
    const unavailable = outcomes.filter((outcome) => outcome.status === 503);
    // A create cut off by the shutdown during its COMMIT is answered as a tool error saying the
    // change may have been kept: honest, not acknowledged, and allowed while the database is down.
    const unknown = outcomes.filter((outcome) => outcome.toolError && outcome.started < upAt);
    const other = outcomes.filter((outcome) => outcome.id === undefined && outcome.status !== 503 && !unknown.includes(outcome));
    // Once every loop has created again, nothing fails any more.
    const afterRecovery = outcomes.filter((outcome) => outcome.started >= upAt + recoveredAfter && outcome.id === undefined);
    const result = await audit(stack.postgres, burst);
    const ok = result.lost.length === 0 && unavailable.length > 0 && unavailable.every((outcome) => outcome.retryAfter) && other.length === 0 && recovered() && afterRecovery.length === 0;
    return {
      ok,
      figures: `database down ${((upAt - downAt) / 1000).toFixed(1)} s; creates ${statusCounts(outcomes)} (${during.length} during the outage); 503 with Retry-After ${unavailable.filter((outcome) => outcome.retryAfter).length}/${unavailable.length}; outcome unknown (tool error) ${unknown.length}; other failures ${other.length}${other[0] === undefined ? '' : ` (e.g. ${other[0].status} ${(other[0].error ?? '').replace(/\s+/g, ' ').slice(0, 120)})`}; every loop creating again ${recovered() ? `${recoveredAfter} ms` : `not within ${RECOVERY_MS} ms`} after the restart, failed since ${afterRecovery.length}; ${describeAudit(result)}`,
    };
  },
};

const drain: Check = {
  id: 6,
  title: 'SIGTERM of a replica drains with no failed request',
  deadlineMs: 60_000,
  async run(stack, signal) {
    const victim = stack.replicas[stack.replicas.length - 1] as Replica;
    const token = await stack.token();
    const burst = new Burst(stack.front, token, `cluster-drain-${Date.now()}`);
    burst.start(LOOPS);
    await pause(1500, signal);
    const mark = victim.mark();
    const termAt = Date.now();
    victim.proc?.signal('SIGTERM');
    const exit = await victim.proc?.exited;
    const drainedMs = Date.now() - termAt;
    const servedDuring = victim.linesSince(mark).filter((line) => line.path === '/mcp');
    await pause(1500, signal);
    const outcomes = await burst.stop();
    const failed = burst.failed();
    const result = await audit(stack.postgres, burst);
    const restored = await restore(victim);
    const ok = failed.length === 0 && result.lost.length === 0 && exit?.code === 0 && !restored.includes('did not');
    return {
      ok,
      figures: `SIGTERM to ${victim.name}: exited ${exit?.signal ?? `code ${String(exit?.code)}`} after ${drainedMs} ms, answering ${servedDuring.length} requests after the signal (${tally(servedDuring.map((line) => String(line.status)))}); creates ${statusCounts(outcomes)}: failed ${failed.length}${failed[0] === undefined ? '' : ` (e.g. ${failed[0].status} ${(failed[0].error ?? '').replace(/\s+/g, ' ').slice(0, 120)})`}; ${describeAudit(result)}${restored}`,
    };
  },
};

export const FAULT_CHECKS: readonly Check[] = [killNine, databaseRestart, drain];
