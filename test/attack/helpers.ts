/**
 * Shared tools of the attack suites: a seeded random generator (deterministic, its seed printed
 * on failure), a raw HTTP/1.1 exchange over node:net for requests fetch refuses to send, checks
 * that a body leaks nothing and is valid on the wire, a settled heap reading, and a server child
 * process started like `npm start` whose listening URL is read from its log. Loopback only.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SseParser } from '../../src/transport/sse.ts';
import { assertSchema, RESULT_OF } from '../helpers/schema.ts';

/** A small seeded generator (mulberry32): the same seed gives the same cases. */
export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  /** Letters, digits and `_-.` only: nothing that could look like a path or a stack when echoed. */
  word(max = 12): string {
    const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.';
    let out = '';
    for (let i = 1 + this.int(max); i > 0; i--) out += chars[this.int(chars.length)];
    return out;
  }
}

/** FUZZ_SEED from the environment (to replay a failure), else `fallback`. */
export function seedFrom(fallback: number): number {
  const given = process.env.FUZZ_SEED;
  return given === undefined || given === '' ? fallback : Number(given) >>> 0;
}

export interface RawAnswer {
  /** undefined when the connection closed before a whole response head arrived. */
  status: number | undefined;
  headers: Map<string, string>;
  body: Buffer;
}

function parseHead(head: string): { status: number; headers: Map<string, string> } {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3}) /.exec(`${statusLine} `);
  assert.ok(match, `not an HTTP status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    assert.ok(colon > 0, `malformed header line ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { status: Number(match[1]), headers };
}

/** Decodes a chunked body; undefined while incomplete. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const size = Number.parseInt(data.subarray(at, eol).toString('latin1'), 16);
    assert.ok(Number.isInteger(size) && size >= 0, 'malformed chunk size');
    if (size === 0) return data.indexOf('\r\n', eol + 2) < 0 ? undefined : Buffer.concat(parts);
    if (data.length < eol + 2 + size + 2) return undefined;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** The first final (non-1xx) response in `data`, or undefined while incomplete. */
function parseAnswer(data: Buffer, ended: boolean, head: boolean): RawAnswer | undefined {
  let start = 0;
  for (;;) {
    const split = data.indexOf('\r\n\r\n', start);
    if (split < 0) return ended ? { status: undefined, headers: new Map(), body: Buffer.alloc(0) } : undefined;
    const { status, headers } = parseHead(data.subarray(start, split).toString('latin1'));
    const rest = data.subarray(split + 4);
    if (status >= 100 && status < 200) {
      start = split + 4;
      continue;
    }
    // RFC 9110 §9.3.2: a response to HEAD has no content, whatever Content-Length says.
    if (head || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
    const length = headers.get('content-length');
    if (length !== undefined) {
      const n = Number(length);
      if (rest.length >= n) return { status, headers, body: rest.subarray(0, n) };
    } else if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
      const body = dechunk(rest);
      if (body !== undefined) return { status, headers, body };
    }
    if (!ended) return undefined;
    assert.equal(length, undefined, `connection closed inside a Content-Length body (status ${status})`);
    return { status, headers, body: rest };
  }
}

export interface ExchangeOptions {
  /** Send FIN after the request (a client that stops sending). */
  halfClose?: boolean;
  /** Fail when no whole answer came within this long (default 10 s). */
  timeoutMs?: number;
  /** Write the request in pieces this far apart (ms), one byte at a time. */
  dripMs?: number;
}

/**
 * Sends `request` as raw bytes on a fresh connection and reads one whole HTTP response (framed
 * by Content-Length, chunked encoding or the close), then closes the connection.
 */
export function exchange(port: number, request: Buffer | string, options: ExchangeOptions = {}): Promise<RawAnswer> {
  const bytes = typeof request === 'string' ? Buffer.from(request, 'latin1') : request;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let done = false;
    let drip: NodeJS.Timeout | undefined;
    const finish = (error: Error | undefined, answer?: RawAnswer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(drip);
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(answer as RawAnswer);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)), options.timeoutMs ?? 10_000);
    const check = (ended: boolean): void => {
      try {
        const answer = parseAnswer(data, ended, bytes.subarray(0, 5).toString('latin1') === 'HEAD ');
        if (answer !== undefined) finish(undefined, answer);
      } catch (error) {
        finish(error as Error);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      check(false);
    });
    // A reset after the server answered and closed is a close like any other.
    socket.on('error', () => check(true));
    socket.on('close', () => check(true));
    socket.on('connect', () => {
      if (options.dripMs === undefined) {
        socket.write(bytes);
        if (options.halfClose === true) socket.end();
        return;
      }
      let i = 0;
      drip = setInterval(() => {
        if (i < bytes.length && !socket.destroyed) socket.write(bytes.subarray(i, ++i));
      }, options.dripMs);
    });
  });
}

export interface RequestParts {
  method?: string;
  path?: string;
  /** Header lines in order, duplicates allowed. */
  headers: ReadonlyArray<readonly [string, string]>;
  body?: Buffer | string;
  /** Content-Length to declare: the body's length by default; 'omit' sends none. */
  contentLength?: number | 'omit';
}

/** An HTTP/1.1 request as raw bytes. */
export function buildRequest(parts: RequestParts): Buffer {
  const body = typeof parts.body === 'string' ? Buffer.from(parts.body, 'utf8') : (parts.body ?? Buffer.alloc(0));
  const lines = [`${parts.method ?? 'POST'} ${parts.path ?? '/mcp'} HTTP/1.1`, ...parts.headers.map(([name, value]) => `${name}: ${value}`)];
  const length = parts.contentLength ?? body.length;
  if (length !== 'omit') lines.push(`Content-Length: ${length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/**
 * Every body the server sends is safe and valid: no stack, path, or secret in it; a JSON body
 * is one JSON-RPC message valid against the official schema (a result checked against its
 * method's result when known); an SSE body carries only such messages; anything else is empty.
 */
export function assertWellFormedBody(answer: RawAnswer, secrets: readonly string[], rpcMethod?: string): void {
  const text = answer.body.toString('utf8');
  assertNoLeak(text);
  for (const secret of secrets) assert.ok(!text.includes(secret), 'a secret appears in the body');
  const type = answer.headers.get('content-type') ?? '';
  if (text === '') return;
  if (type === 'application/json') return assertRpcMessage(JSON.parse(text), rpcMethod);
  assert.equal(type, 'text/event-stream', `unexpected body of type ${JSON.stringify(type)}`);
  for (const event of new SseParser().push(text)) {
    if (event.data !== undefined && event.data !== '') assertRpcMessage(JSON.parse(event.data), rpcMethod);
  }
}

/**
 * No stack frame, file path, module or error class name (helpers/http.ts assertNoInternals reads
 * "at most 5000 characters (…" in a tool description as a stack frame; this one wants a frame's
 * `file:line:column`).
 */
export function assertNoLeak(text: string): void {
  assert.doesNotMatch(text, /\bat [^\s()]+ \([^()]*:\d+:\d+\)|\bat (?:file|node):|\.[cm]?[jt]s:\d+|node:internal|node_modules|\/work\/|\/src\/|\/tmp\/|\b[A-Z]\w*Error:/, `internals leaked: ${text.slice(0, 500)}`);
}

function assertRpcMessage(message: unknown, rpcMethod: string | undefined): void {
  assertSchema('JSONRPCMessage', message);
  const m = message as { result?: unknown; error?: unknown; method?: unknown };
  if (m.error !== undefined) assertSchema('JSONRPCErrorResponse', message);
  else if (m.result !== undefined) {
    assertSchema('JSONRPCResultResponse', message);
    const definition = rpcMethod === undefined ? undefined : RESULT_OF[rpcMethod];
    if (definition !== undefined) assertSchema(definition, m.result);
  }
}

let gc: (() => void) | undefined;

/** Heap in use after full collections: exposes V8's gc at run time, since tests run without --expose-gc. */
export async function settledHeap(): Promise<number> {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return process.memoryUsage().heapUsed;
}

/** Runs `task` over `items` with at most `limit` at a time. */
export async function pool<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 20 ms; fails with `what` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, `timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

const SERVER_ENTRY = fileURLToPath(new URL('../../src/server.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** A server child process, as `npm start` runs it. */
export interface ServerChild {
  readonly child: ChildProcess;
  /** What the child wrote on stderr: the first and the last 64 KiB. */
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the child is gone. */
  readonly exited: Promise<number | string>;
}

/**
 * Starts `node --import tsx src/server.ts` with exactly `env` (plus PATH), in `cwd` so no
 * project `.env` is read. `wrap` runs it under `bash -c` with shell set-up before `exec`
 * (e.g. `ulimit -f`).
 */
export function spawnServer(env: Record<string, string>, options: { cwd: string; wrap?: string; uid?: number }): ServerChild {
  const node = [process.execPath, '--import', TSX, SERVER_ENTRY];
  const quoted = node.map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
  const spawnOptions = {
    cwd: options.cwd,
    // NODE_V8_COVERAGE: under c8 the child's coverage counts too.
    env: { PATH: process.env.PATH ?? '', ...(process.env.NODE_V8_COVERAGE === undefined ? {} : { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE }), ...env },
    stdio: ['ignore', 'ignore', 'pipe'] as ['ignore', 'ignore', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  };
  const child = options.wrap === undefined
    ? spawn(node[0] as string, node.slice(1), spawnOptions)
    : spawn('bash', ['-c', `${options.wrap}; exec ${quoted}`], spawnOptions);
  // The first 64 KiB (start-up, the listening line) and the last 64 KiB: a long run logs a lot.
  let head = '';
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (head.length < 65_536) head += chunk;
    else tail = (tail + chunk).slice(-65_536);
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, stderr: () => head + tail, exited };
}

/** The URL from the child's `listening` log line; fails if it exits or is silent for `timeoutMs`. */
export async function listeningUrl(server: ServerChild, timeoutMs = 15_000): Promise<string> {
  let exited: number | string | undefined;
  void server.exited.then((code) => (exited = code));
  let url: string | undefined;
  await until(() => {
    const line = server.stderr().split('\n').find((l) => l.includes('"msg":"listening"'));
    if (line !== undefined) url = (JSON.parse(line) as { url: string }).url;
    assert.equal(exited, undefined, `the server exited (${String(exited)}) before listening:\n${server.stderr()}`);
    return url !== undefined;
  }, timeoutMs, 'the listening log line');
  return url as string;
}

