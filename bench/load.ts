/**
 * The project's own session driver, run in its own process by measure.ts: keep-alive connections
 * on wire.ts, one request in flight on each. It no longer measures throughput (wrk does, see
 * wrk.ts): it opens the idle legacy sessions whose memory is measured, and warms a server up with
 * whole sessions before that. It prints one JSON line of figures.
 * Usage: node --import tsx bench/load.ts '<LoadSpec as JSON>'. It starts no servers.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { headerLines, requestBytes, WireConnection, type WireResponse } from './wire.ts';

export type Workload = 'tools-list' | 'list-incidents' | 'create' | 'session' | 'idle-sessions';

export interface LoadSpec {
  port: number;
  token: string;
  workload: Workload;
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** idle-sessions only: sessions to open and leave open. */
  sessions?: number;
  /** The server's pid, to read its CPU time over the measured window. */
  serverPid?: number;
}

export interface LoadResult {
  workload: Workload;
  /** Requests (or sessions, for the session workloads) completed in the measured window. */
  completed: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The generator's CPU time over the measured window, as a fraction of one core. */
  driverCpu: number;
  /** The server's CPU time over the measured window, as a fraction of one core (NaN: unknown). */
  serverCpu: number;
  /** The measured window on the monotonic clock (process.hrtime, µs), to cut CPU profiles to it. */
  windowUs: [number, number];
  errorSamples: string[];
}

/** sysconf(_SC_CLK_TCK) on Linux. */
const CLOCK_TICKS = 100;
const PROTOCOL_VERSION = '2025-11-25';
const INITIALIZE_PARAMS = `{"protocolVersion":"${PROTOCOL_VERSION}","capabilities":{},"clientInfo":{"name":"bench","version":"1.0.0"}}`;
const CALL_LIST = '{"name":"list_incidents","arguments":{}}';
const CALL_CREATE = '{"name":"create_incident","arguments":{"title":"Checkout API returns 502 under load","severity":"high"}}';

/** Everything a connection needs to talk to one server. */
class Client {
  #nextId = 1;
  #conn: WireConnection | undefined;
  sessionId: string | undefined;

  constructor(private readonly spec: LoadSpec) {}

  async #connection(): Promise<WireConnection> {
    if (this.#conn?.open !== true) this.#conn = await WireConnection.open(this.spec.port);
    return this.#conn;
  }

  #headers(): string {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.spec.token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    if (this.sessionId !== undefined) {
      headers['mcp-session-id'] = this.sessionId;
      headers['mcp-protocol-version'] = PROTOCOL_VERSION;
    }
    return headerLines(headers);
  }

  async #send(method: string, body = ''): Promise<WireResponse> {
    const conn = await this.#connection();
    return conn.send(requestBytes(method, '/mcp', `127.0.0.1:${this.spec.port}`, this.#headers(), body));
  }

  /** A JSON-RPC request; throws unless it gets 200 with a result that is not a tool error. */
  async request(method: string, params?: string): Promise<WireResponse> {
    const id = this.#nextId++;
    const body = `{"jsonrpc":"2.0","id":${id},"method":"${method}"${params === undefined ? '' : `,"params":${params}`}}`;
    const response = await this.#send('POST', body);
    if (response.status !== 200 || !response.body.includes('"result"') || response.body.includes('"isError":true')) {
      throw new Error(`${method}: HTTP ${response.status} ${response.body.slice(0, 160)}`);
    }
    return response;
  }

  async notify(method: string): Promise<void> {
    const response = await this.#send('POST', `{"jsonrpc":"2.0","method":"${method}"}`);
    if (response.status !== 202 && response.status !== 200) throw new Error(`${method}: HTTP ${response.status}`);
  }

  async open(): Promise<void> {
    this.sessionId = undefined;
    const response = await this.request('initialize', INITIALIZE_PARAMS);
    this.sessionId = response.headers.get('mcp-session-id');
    if (this.sessionId === undefined) throw new Error('initialize: no MCP-Session-Id');
    await this.notify('notifications/initialized');
  }

  async end(): Promise<void> {
    const response = await this.#send('DELETE');
    if (response.status < 200 || response.status > 299) throw new Error(`DELETE: HTTP ${response.status}`);
    this.sessionId = undefined;
  }

  close(): void {
    this.#conn?.close();
  }
}

/** One unit of work per workload; resolves when it succeeded. */
function unitOf(workload: Workload, client: Client): () => Promise<unknown> {
  switch (workload) {
    case 'tools-list':
      return () => client.request('tools/list');
    case 'list-incidents':
      return () => client.request('tools/call', CALL_LIST);
    case 'create':
      return () => client.request('tools/call', CALL_CREATE);
    case 'session':
      return async () => {
        await client.open();
        await client.request('tools/list');
        await client.request('tools/call', CALL_LIST);
        await client.end();
      };
    case 'idle-sessions':
      return () => client.open();
  }
}

/** User + system CPU seconds of a process so far (proc(5): fields 14 and 15, in clock ticks). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Runs the spec and returns its figures. */
async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let recording = false;
  let stopped = false;
  let left = spec.sessions ?? Number.POSITIVE_INFINITY;
  const fail = (error: unknown): void => {
    if (!recording) return;
    errors++;
    if (errorSamples.length < 5) errorSamples.push(error instanceof Error ? error.message : String(error));
  };
  const clients = Array.from({ length: spec.connections }, () => new Client(spec));
  // Session-bound workloads open their session before the clock starts.
  const bound = spec.workload !== 'session' && spec.workload !== 'idle-sessions';
  await Promise.all(clients.map((client) => (bound ? client.open() : Promise.resolve())));
  const worker = async (client: Client): Promise<void> => {
    const unit = unitOf(spec.workload, client);
    while (!stopped && left-- > 0) {
      const started = performance.now();
      try {
        await unit();
        if (recording) latencies.push(performance.now() - started);
      } catch (error) {
        fail(error);
      }
    }
  };
  const idle = spec.workload === 'idle-sessions';
  const warmup = idle ? 0 : spec.warmupMs;
  recording = warmup === 0;
  const mark = (): { start: number; cpu: NodeJS.CpuUsage; server: number; us: number } => ({
    start: performance.now(), cpu: process.cpuUsage(), server: cpuSeconds(spec.serverPid), us: monotonicUs(),
  });
  let window = mark();
  const timers = [
    setTimeout(() => {
      recording = true;
      window = mark();
    }, warmup),
    setTimeout(() => {
      stopped = true;
    }, idle ? 600_000 : warmup + spec.durationMs),
  ];
  await Promise.all(clients.map(worker));
  const seconds = (performance.now() - window.start) / 1000;
  const cpu = process.cpuUsage(window.cpu);
  const serverCpu = (cpuSeconds(spec.serverPid) - window.server) / seconds;
  timers.forEach(clearTimeout);
  if (!idle) clients.forEach((client) => client.close());
  const sorted = Float64Array.from(latencies).sort();
  return {
    workload: spec.workload,
    completed: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    driverCpu: (cpu.user + cpu.system) / 1e6 / seconds,
    serverCpu,
    windowUs: [window.us, monotonicUs()],
    errorSamples,
  };
}

// Sessions of the idle workload stay open on the server after this process's sockets close.
runLoad(JSON.parse(process.argv[2] ?? '{}') as LoadSpec).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`load: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
