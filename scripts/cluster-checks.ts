/**
 * The cluster checks that need no fault: (1) 2026-07-28 requests through nginx spread over every
 * replica and all succeed; (2) a 2025-11-25 session opened through nginx works on every request;
 * (3) a create on one replica reaches a modern listen stream and a legacy GET stream held by the
 * two others. Each returns its verdict with figures; none throws for a wrong answer.
 */
import { createdId, LegacySession, modern, modernMessage, responseOf, send, Stream, type Json, type Reply } from './cluster-client.ts';
import { waitUntil } from './cluster-procs.ts';
import type { AccessLine, Stack } from './cluster-stack.ts';

export interface Verdict {
  readonly ok: boolean;
  readonly figures: string;
}

/** A check: its number and title, and what it does within `signal`'s deadline. */
export interface Check {
  readonly id: number;
  readonly title: string;
  readonly deadlineMs: number;
  run(stack: Stack, signal: AbortSignal): Promise<Verdict>;
}

/** True for a 200 carrying a JSON-RPC result that is not a tool error. */
export function succeeded(reply: Reply): boolean {
  const response = responseOf(reply);
  return reply.status === 200 && response?.result !== undefined && response.result.isError !== true;
}

/**
 * How many access-log lines matching `match` each replica wrote since `marks`, once there are at
 * least `expected` in all (a replica logs a request after answering it, so its line can trail the
 * answer) or after 2 s.
 */
export async function servedBy(stack: Stack, marks: readonly number[], match: (line: AccessLine) => boolean, expected = 1): Promise<number[]> {
  const count = (): number[] => stack.replicas.map((replica, i) => replica.linesSince(marks[i] as number).filter(match).length);
  await waitUntil(() => count().reduce((sum, n) => sum + n, 0) >= expected, 2000);
  return count();
}

function describeCounts(stack: Stack, counts: readonly number[]): string {
  return stack.replicas.map((replica, i) => `${replica.name} ${counts[i] as number}`).join(', ');
}

const REQUESTS = 60;
const CONCURRENCY = 6;

const spread: Check = {
  id: 1,
  title: 'modern requests spread over all replicas',
  deadlineMs: 30_000,
  async run(stack) {
    const token = await stack.token();
    const marks = stack.replicas.map((replica) => replica.mark());
    let ok = 0;
    let next = 0;
    const failures: string[] = [];
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next++;
        const reply = await modern(stack.front, token, 'tools/call', { name: 'list_incidents', arguments: { limit: 5 } }).catch((error: unknown) => String(error));
        if (typeof reply !== 'string' && succeeded(reply)) ok++;
        else if (failures.length < 3) failures.push(typeof reply === 'string' ? reply : `${reply.status} ${reply.body.slice(0, 120)}`);
      }
    }));
    const counts = await servedBy(stack, marks, (line) => line.path === '/mcp', REQUESTS);
    const everyReplica = counts.every((count) => count > 0);
    // The operations endpoints pass through nginx too (/metrics only from loopback, which this is).
    const operations = await Promise.all(['/healthz', '/readyz', '/metrics'].map(async (path) => `${path} ${await send(stack.front, 'GET', {}, undefined, 5000, path).then((reply) => reply.status, () => 0)}`));
    const operationsOk = operations.every((line) => line.endsWith(' 200'));
    return { ok: ok === REQUESTS && everyReplica && operationsOk, figures: `${ok}/${REQUESTS} succeeded; served by ${describeCounts(stack, counts)}; through nginx ${operations.join(', ')}${failures.length > 0 ? `; e.g. ${failures.join(' | ')}` : ''}` };
  },
};

const legacySession: Check = {
  id: 2,
  title: 'a legacy session through nginx works on every request',
  deadlineMs: 30_000,
  async run(stack) {
    const token = await stack.token();
    const marks = stack.replicas.map((replica) => replica.mark());
    let session: LegacySession;
    try {
      session = await LegacySession.open(stack.front, token);
    } catch (error) {
      return { ok: false, figures: `initialize: ${error instanceof Error ? error.message : String(error)}` };
    }
    const steps: Array<[string, () => Promise<Reply>]> = [['tools/list', () => session.call('tools/list')]];
    for (let i = 0; i < 10; i++) steps.push([`list_incidents #${i + 1}`, () => session.call('tools/call', { name: 'list_incidents', arguments: { limit: 3 } })]);
    for (let i = 0; i < 5; i++) steps.push([`create_incident #${i + 1}`, () => session.call('tools/call', { name: 'create_incident', arguments: { title: `cluster legacy ${i}` } })]);
    steps.push(['resources/read', () => session.call('resources/read', { uri: 'incidents://1' })]);
    let ok = 2;
    const failures: string[] = [];
    for (const [name, step] of steps) {
      const reply = await step().catch((error: unknown) => String(error));
      if (typeof reply !== 'string' && succeeded(reply)) ok++;
      else failures.push(`${name}: ${typeof reply === 'string' ? reply : `${reply.status} ${JSON.stringify(responseOf(reply)?.error ?? reply.body.slice(0, 80))}`}`);
    }
    const deleted = await session.delete().catch(() => undefined);
    const total = steps.length + 3;
    if (deleted?.status === 204) ok++;
    else failures.push(`DELETE: ${deleted?.status ?? 'no answer'}`);
    const initializedBy = await servedBy(stack, marks, (line) => line.path === '/mcp' && line.rpcMethod === 'initialize');
    const sessionBy = await servedBy(stack, marks, (line) => line.session === session.id && line.rpcMethod !== 'initialize', total - 1);
    const pinned = stack.replicas.flatMap((replica, i) => ((sessionBy[i] as number) > 0 ? [`${replica.name} (${sessionBy[i] as number})`] : []));
    return {
      ok: ok === total,
      figures: `${ok}/${total} requests succeeded (initialize, initialized, ${steps.length} calls, DELETE); initialize on ${stack.replicas.find((_replica, i) => (initializedBy[i] as number) > 0)?.name ?? 'none logged'}, the session's later requests on ${pinned.join(' + ') || 'none logged'}${failures.length > 0 ? `; first failures: ${failures.slice(0, 3).join(' | ')}` : ''}`,
    };
  },
};

const isListChanged = (message: Json): boolean => message.method === 'notifications/resources/list_changed';

const crossReplicaChanges: Check = {
  id: 3,
  title: 'a create on one replica reaches streams held by the others',
  deadlineMs: 30_000,
  async run(stack) {
    const [writer, listenHolder, getHolder] = stack.replicas;
    if (writer === undefined || listenHolder === undefined || getHolder === undefined) return { ok: false, figures: 'needs 3 replicas' };
    const token = await stack.token();
    const listenRequest = modernMessage(token, 'subscriptions/listen', { notifications: { resourcesListChanged: true } }, 42);
    const listen = await Stream.open(listenHolder.target, 'POST', listenRequest.headers, listenRequest.body);
    const session = await LegacySession.open(getHolder.target, token);
    const get = await session.openStream();
    try {
      const acknowledged = await listen.waitFor((message) => message.method === 'notifications/subscriptions/acknowledged', 5000);
      if (listen.status !== 200 || acknowledged === undefined || get.status !== 200) {
        return { ok: false, figures: `streams not open: listen ${listen.status}${acknowledged === undefined ? ' (no acknowledgement)' : ''}, GET ${get.status}` };
      }
      const created = createdId(await modern(writer.target, token, 'tools/call', { name: 'create_incident', arguments: { title: 'cluster cross-replica change' } }));
      if (created === undefined) return { ok: false, figures: `create on ${writer.name} failed` };
      const sent = Date.now();
      const heard = async (stream: Stream): Promise<number | undefined> => ((await stream.waitFor(isListChanged, 5000)) === undefined ? undefined : Date.now() - sent);
      const [onListen, onGet] = await Promise.all([heard(listen), heard(get)]);
      const after = (ms: number | undefined): string => (ms === undefined ? 'nothing in 5 s' : `list_changed within ${ms} ms`);
      const cross = `create #${created} on ${writer.name}: listen stream on ${listenHolder.name}: ${after(onListen)}; GET stream on ${getHolder.name}: ${after(onGet)}`;
      if (onListen !== undefined && onGet !== undefined) return { ok: true, figures: cross };
      // Control: the same streams hear a create made on their own replica (so the harness is not at fault).
      await modern(listenHolder.target, token, 'tools/call', { name: 'create_incident', arguments: { title: 'cluster same-replica change' } });
      const local = await listen.waitFor(isListChanged, 3000);
      return { ok: false, figures: `${cross}; control, create on ${listenHolder.name} itself: ${local === undefined ? 'not heard either' : 'heard'}` };
    } finally {
      listen.close();
      get.close();
      await session.delete().catch(() => undefined);
    }
  },
};

export const BASIC_CHECKS: readonly Check[] = [spread, legacySession, crossReplicaChanges];
