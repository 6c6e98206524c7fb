/**
 * Low-level HTTP for scenario tests: raw requests over node:net (for what fetch refuses to send:
 * a foreign Host, duplicated headers) and an incremental reader of an open SSE response that
 * parses frames with the server's own SseParser and checks every message against the schema.
 * Nothing here sleeps: waits are bounded by a timeout that fails the test.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { SseParser, type ParsedEvent } from '../../src/transport/sse.ts';
import { assertSchema, assertServerMessage } from './schema.ts';
import { startTestServer, TestClient, type TestServer, type TestServerOptions } from './server.ts';

/** Runs `body` against a fresh server and always closes it. */
export async function withServer(options: TestServerOptions, body: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer(options);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

/** Runs `body` with a fresh server and a client initialized at `version` with a read+write token. */
export async function withClient(options: TestServerOptions & { version?: string }, body: (client: TestClient, server: TestServer) => Promise<void>): Promise<void> {
  await withServer(options, async (server) => {
    const client = new TestClient(server.url, await server.token());
    await client.connect(options.version);
    await body(client, server);
  });
}

export interface RawReply {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Map<string, string>;
  body: string;
}

/**
 * Sends `head` (request line and header lines, without the blank line) and `body` on a fresh
 * connection with `Connection: close`, and parses the whole answer once the server closes.
 */
export function rawRequest(port: number, head: readonly string[], body = ''): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        resolve(parseRaw(Buffer.concat(chunks).toString('latin1')));
      } catch (error) {
        reject(error as Error);
      }
    });
    // No half-close: node:http treats a client FIN before the answer as an aborted request.
    socket.write(`${[...head, 'Connection: close'].join('\r\n')}\r\n\r\n${body}`, 'latin1');
  });
}

function parseRaw(text: string): RawReply {
  const split = text.indexOf('\r\n\r\n');
  assert.ok(split > 0, `no HTTP head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { status, headers, body: text.slice(split + 4) };
}

/** Asserts an error body is a JSON-RPC error with `code`, no `id`, and nothing internal in it. */
export function assertErrorBody(text: string, code: number, options: { id?: string | number } = {}): Record<string, unknown> {
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(body.jsonrpc, '2.0');
  const error = body.error as { code: number; message: string };
  assert.equal(error.code, code, text);
  assert.equal(typeof error.message, 'string');
  if (options.id === undefined) assert.equal('id' in body, false, `unexpected id in ${text}`);
  else assert.equal(body.id, options.id);
  assertNoInternals(text);
  return body;
}

/** No stack frame, no file path, no module name in a client-visible body. */
export function assertNoInternals(text: string): void {
  assert.doesNotMatch(text, /\bat .+\(|\.ts:\d+|node:internal|\/work\/|\/src\/|\/tmp\/|Error:/, `internals leaked: ${text}`);
}

/**
 * Checks a message the server sent against the official schema. Notifications and requests are
 * checked whole: schema.ts's assertServerMessage drops `jsonrpc`, which the 2025-11-25
 * ServerNotification and ServerRequest definitions require.
 */
export function assertWireMessage(message: Record<string, unknown>, method?: string): void {
  if (typeof message.method !== 'string') return assertServerMessage(message, method);
  assertSchema('JSONRPCMessage', message);
  assertSchema(message.id === undefined ? 'ServerNotification' : 'ServerRequest', message);
}

/** An SSE response being read as it arrives. */
export class SseReader {
  readonly events: ParsedEvent[] = [];
  /** Every byte received so far, decoded: for golden-string assertions on framing. */
  raw = '';
  private readonly parser = new SseParser();
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private ended = false;

  constructor(readonly response: Response) {
    assert.ok(response.body, 'SSE response has no body');
    this.reader = response.body.getReader();
  }

  /** The next event, failing the test after `timeoutMs`; undefined when the stream ended first. */
  async next(timeoutMs = 2000): Promise<ParsedEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length === 0) {
      if (this.ended) return undefined;
      await this.pump(deadline);
    }
    return this.events.shift();
  }

  /** The next event carrying data, parsed and checked against the schema. */
  async nextMessage(timeoutMs = 2000): Promise<{ id: string | undefined; message: Record<string, unknown> }> {
    for (;;) {
      const event = await this.next(timeoutMs);
      assert.ok(event, 'stream ended before a message arrived');
      if (event.data === undefined || event.data === '') continue;
      const message = JSON.parse(event.data) as Record<string, unknown>;
      assertWireMessage(message);
      return { id: event.id, message };
    }
  }

  /** Resolves when the server ends the response; fails after `timeoutMs`. */
  async closed(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) await this.pump(deadline);
  }

  /** Drops the connection from the client side. */
  async cancel(): Promise<void> {
    this.ended = true;
    await this.reader.cancel().catch(() => undefined);
  }

  private async pump(deadline: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out waiting for the SSE stream')), Math.max(0, deadline - Date.now()));
    });
    try {
      const { done, value } = await Promise.race([this.reader.read(), timeout]);
      if (done) {
        this.ended = true;
        return;
      }
      const text = this.decoder.decode(value, { stream: true });
      this.raw += text;
      this.events.push(...this.parser.push(text));
    } finally {
      clearTimeout(timer);
    }
  }
}

/** GET /mcp for `client`'s session with SSE Accept; `extra` overrides headers. */
export async function openGet(client: TestClient, extra: Record<string, string> = {}): Promise<Response> {
  const headers = client.headers({ accept: 'text/event-stream', ...extra });
  delete headers['content-type'];
  return fetch(client.url, { method: 'GET', headers });
}

/** An SSE reader over GET /mcp, asserting 200 text/event-stream. */
export async function openStream(client: TestClient, extra: Record<string, string> = {}): Promise<SseReader> {
  const response = await openGet(client, extra);
  assert.equal(response.status, 200, response.status === 200 ? '' : await response.text());
  assert.equal(response.headers.get('content-type'), 'text/event-stream');
  return new SseReader(response);
}
