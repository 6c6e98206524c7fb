/**
 * The fan-out workload, run in its own process (pinned as a load generator) by run.ts: opens N
 * listening streams on a server — legacy GET streams, one per session, or modern
 * subscriptions/listen streams asking for resourcesListChanged — then, R times, creates one
 * incident and times how long until the last listener has the notifications/resources/list_changed
 * it causes. It also reads the server's RSS before and after opening the streams (bytes per open
 * stream). Usage: node --import tsx bench/fanout.ts '<FanoutSpec as JSON>'; prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSession, post } from './context.ts';
import { WireConnection } from './wire.ts';
import { LEGACY_VERSION, MODERN_VERSION, stepsFor, type Era } from './workloads.ts';

export interface FanoutSpec {
  port: number;
  token: string;
  era: Era;
  listeners: number;
  rounds: number;
  serverPid: number;
  /** Wait after opening the streams before reading RSS, and between rounds is a fifth of it. */
  settleMs: number;
}

export interface FanoutResult {
  era: Era;
  listeners: number;
  opened: number;
  /** Per round: create sent → last listener has the notification, ms (NaN: not all had it in 10 s). */
  fanoutMs: number[];
  /** Per round: create sent → its answer, ms. */
  createMs: number[];
  rssBeforeKiB: number;
  rssAfterKiB: number;
  /** RSS growth per open stream (legacy: its session too), KB of 1,000 bytes. */
  perStreamKB: number;
  errors: string[];
}

const rssKiB = (pid: number): number => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

interface Listener { socket: Socket; tail: string; ready: boolean; seen: number }

const state = { round: 0, remaining: 0, last: 0, done: (): void => undefined };

function listen(spec: FanoutSpec, request: string, readyMarker: string): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const socket = connect(spec.port, '127.0.0.1');
    const listener: Listener = { socket, tail: '', ready: false, seen: 0 };
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.once('connect', () => socket.write(request, 'latin1'));
    socket.on('data', (chunk: Buffer) => {
      const text = listener.tail + chunk.toString('latin1');
      listener.tail = text.slice(-64);
      if (!listener.ready) {
        if (!text.includes(readyMarker)) return;
        if (!text.startsWith('HTTP/1.1 200')) return reject(new Error(`stream refused: ${text.slice(0, 160)}`));
        listener.ready = true;
        resolve(listener);
      }
      if (state.round > listener.seen && text.includes('list_changed')) {
        listener.seen = state.round;
        state.last = performance.now();
        if (--state.remaining === 0) state.done();
      }
    });
  });
}

function streamRequest(spec: FanoutSpec, session: string | undefined): { bytes: string; marker: string } {
  const head = `host: 127.0.0.1:${spec.port}\r\nauthorization: Bearer ${spec.token}\r\n`;
  if (session !== undefined) {
    return { bytes: `GET /mcp HTTP/1.1\r\n${head}accept: text/event-stream\r\nmcp-session-id: ${session}\r\nmcp-protocol-version: ${LEGACY_VERSION}\r\n\r\n`, marker: '\r\n\r\n' };
  }
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'subscriptions/listen', params: { notifications: { resourcesListChanged: true }, _meta: {
    'io.modelcontextprotocol/protocolVersion': MODERN_VERSION, 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
  } } });
  const headers = `content-type: application/json\r\naccept: application/json, text/event-stream\r\nmcp-protocol-version: ${MODERN_VERSION}\r\nmcp-method: subscriptions/listen\r\n`;
  return { bytes: `POST /mcp HTTP/1.1\r\n${head}${headers}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, marker: 'acknowledged' };
}

async function openListeners(spec: FanoutSpec, errors: string[]): Promise<Listener[]> {
  const listeners: Listener[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    const conn = spec.era === 'legacy' ? await WireConnection.open(spec.port) : undefined;
    while (next++ < spec.listeners) {
      try {
        const session = conn === undefined ? undefined : await openSession(conn, spec.port, spec.token);
        const { bytes, marker } = streamRequest(spec, session);
        listeners.push(await listen(spec, bytes, marker));
      } catch (error) {
        if (errors.length < 5) errors.push((error as Error).message);
      }
    }
    conn?.close();
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return listeners;
}

async function run(spec: FanoutSpec): Promise<FanoutResult> {
  const errors: string[] = [];
  const rssBeforeKiB = rssKiB(spec.serverPid);
  const listeners = await openListeners(spec, errors);
  await sleep(spec.settleMs);
  const rssAfterKiB = rssKiB(spec.serverPid);
  const creator = await WireConnection.open(spec.port);
  const [create] = stepsFor('create', spec.era);
  const headers: Record<string, string> = { ...create?.headers };
  if (spec.era === 'legacy') headers['mcp-session-id'] = await openSession(creator, spec.port, spec.token);
  const fanoutMs: number[] = [];
  const createMs: number[] = [];
  for (let round = 1; round <= spec.rounds; round++) {
    const all = new Promise<void>((resolve) => (state.done = resolve));
    state.remaining = listeners.length;
    state.round = round;
    const started = performance.now();
    const answer = await post(creator, spec.port, spec.token, (create?.body ?? '').replace('__ID__', String(round)), headers);
    createMs.push(performance.now() - started);
    if (answer.status !== 200 || answer.body.includes('"error":')) errors.push(`create: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
    const timedOut = await Promise.race([all.then(() => false), sleep(10_000).then(() => true)]);
    if (timedOut) errors.push(`round ${round}: ${state.remaining} of ${listeners.length} listeners had nothing after 10 s`);
    fanoutMs.push(timedOut ? Number.NaN : state.last - started);
    await sleep(spec.settleMs / 5);
  }
  creator.close();
  for (const listener of listeners) listener.socket.destroy();
  return {
    era: spec.era, listeners: spec.listeners, opened: listeners.length, fanoutMs, createMs, rssBeforeKiB, rssAfterKiB,
    perStreamKB: ((rssAfterKiB - rssBeforeKiB) * 1.024) / Math.max(1, listeners.length), errors,
  };
}

run(JSON.parse(process.argv[2] ?? '{}') as FanoutSpec).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`fanout: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
