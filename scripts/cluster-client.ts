/**
 * A small MCP client over node:http for `npm run test:cluster`: one request and its answer (JSON or
 * SSE, read whole), a held SSE stream whose messages arrive as they come, the 2026-07-28 request
 * (version, capabilities and client in `_meta`, the matching headers) and a 2025-11-25 session
 * (initialize, then the session id and version on every request). node:http because a request
 * sent straight to a replica must carry the public Host, which fetch does not let one set.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

export const MODERN = '2026-07-28';
export const LEGACY = '2025-11-25';
const META = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'cluster-test', version: '1' },
};

export type Json = Record<string, unknown>;

/** Where a request goes: a port on 127.0.0.1, and the Host it names (the public one, always). */
export interface Target {
  readonly port: number;
  readonly host: string;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The JSON-RPC messages of the answer: the JSON body, or each SSE event's data. */
  readonly messages: readonly Json[];
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** Each JSON `data:` payload of an SSE text; events without data (a priming event's empty one) are skipped. */
export function sseMessages(text: string): Json[] {
  const messages: Json[] = [];
  for (const event of text.replace(/\r\n?/g, '\n').split('\n\n')) {
    const data = event.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(line.startsWith('data: ') ? 6 : 5)).join('\n');
    if (data.trim() === '') continue;
    try {
      messages.push(JSON.parse(data) as Json);
    } catch {
      messages.push({ unparsable: data.slice(0, 200) });
    }
  }
  return messages;
}

function parseMessages(headers: IncomingHttpHeaders, body: string): Json[] {
  const type = headers['content-type'] ?? '';
  if (type.startsWith('text/event-stream')) return sseMessages(body);
  if (type.startsWith('application/json') && body !== '') return [JSON.parse(body) as Json];
  return [];
}

function start(target: Target, method: string, path: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: target.port, path, method, agent, signal, headers: { host: target.host, ...headers } }, resolve);
    req.once('error', reject);
    req.end(body);
  });
}

/** One request to `path` (default /mcp) with its whole answer; rejects on a network error or after `timeoutMs`. */
export async function send(target: Target, method: string, headers: Record<string, string>, body?: string, timeoutMs = 10_000, path = '/mcp'): Promise<Reply> {
  const res = await start(target, method, path, headers, body, AbortSignal.timeout(timeoutMs));
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return { status: res.statusCode ?? 0, headers: res.headers, body: text, messages: parseMessages(res.headers, text) };
}

/** A held SSE answer: messages gathered as they arrive until it ends or is closed. */
export class Stream {
  readonly messages: Json[] = [];
  ended = false;
  private buffer = '';
  private waiters = new Set<() => void>();

  private constructor(readonly status: number, private readonly res: IncomingMessage, private readonly abort: AbortController) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      this.buffer += chunk.replace(/\r\n?/g, '\n');
      const cut = this.buffer.lastIndexOf('\n\n');
      if (cut < 0) return;
      this.messages.push(...sseMessages(this.buffer.slice(0, cut)));
      this.buffer = this.buffer.slice(cut + 2);
      this.wake();
    });
    const finish = (): void => {
      this.ended = true;
      this.wake();
    };
    res.once('end', finish);
    res.once('error', finish);
    res.once('close', finish);
  }

  /** Opens `method` /mcp with `headers` and `body`; resolves once the answer's head arrives. */
  static async open(target: Target, method: string, headers: Record<string, string>, body?: string, timeoutMs = 10_000): Promise<Stream> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const res = await start(target, method, '/mcp', headers, body, abort.signal);
      return new Stream(res.statusCode ?? 0, res, abort);
    } finally {
      clearTimeout(timer);
    }
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
  }

  /** The first message (already received or to come) that `match` accepts, or undefined after `ms`. */
  async waitFor(match: (message: Json) => boolean, ms: number): Promise<Json | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(match);
      if (found !== undefined || this.ended || Date.now() >= deadline) return found;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, deadline - Date.now());
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      }).finally(() => this.waiters.clear());
    }
  }

  close(): void {
    this.abort.abort();
    this.res.destroy();
  }
}

/** Headers and body of a 2026-07-28 request: `_meta` in params, the headers repeating what the body says. */
export function modernMessage(token: string, method: string, params: Json = {}, id: number | string = 1): { headers: Record<string, string>; body: string } {
  const named = typeof params.name === 'string' ? params.name : typeof params.uri === 'string' ? params.uri : undefined;
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': MODERN,
    'mcp-method': method,
    ...(named === undefined ? {} : { 'mcp-name': named }),
  };
  return { headers, body: JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: META } }) };
}

/** One 2026-07-28 request. */
export function modern(target: Target, token: string, method: string, params: Json = {}, timeoutMs = 10_000): Promise<Reply> {
  const { headers, body } = modernMessage(token, method, params);
  return send(target, 'POST', headers, body, timeoutMs);
}

/** The JSON-RPC response in an answer (the message with an id and a result or error). */
export function responseOf(reply: Reply): { result?: Json; error?: Json } | undefined {
  return reply.messages.find((message) => 'id' in message && ('result' in message || 'error' in message)) as { result?: Json; error?: Json } | undefined;
}

/** The id of the incident a successful create_incident answer names; undefined for anything else. */
export function createdId(reply: Reply): string | undefined {
  const result = reply.status === 200 ? responseOf(reply)?.result : undefined;
  if (result === undefined || result.isError === true) return undefined;
  const incident = (result.structuredContent as { incident?: { id?: unknown } } | undefined)?.incident;
  return typeof incident?.id === 'string' ? incident.id : undefined;
}

/** A 2025-11-25 session: initialized on open, its id and version on every later request. */
export class LegacySession {
  private nextId = 2;

  private constructor(readonly target: Target, readonly token: string, readonly id: string) {}

  private headers(accept = 'application/json, text/event-stream'): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, 'mcp-session-id': this.id, 'mcp-protocol-version': LEGACY, 'content-type': 'application/json', accept };
  }

  /** initialize then notifications/initialized; throws with the status when either is refused. */
  static async open(target: Target, token: string): Promise<LegacySession> {
    const params = { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'cluster-test', version: '1' } };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await send(target, 'POST', headers, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params }));
    const id = init.headers['mcp-session-id'];
    if (init.status !== 200 || typeof id !== 'string') throw new Error(`initialize answered ${init.status} without a session id`);
    const session = new LegacySession(target, token, id);
    const initialized = await session.notify('notifications/initialized');
    if (initialized.status !== 202) throw new Error(`notifications/initialized answered ${initialized.status}`);
    return session;
  }

  call(method: string, params: Json = {}, timeoutMs = 10_000): Promise<Reply> {
    return send(this.target, 'POST', this.headers(), JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }), timeoutMs);
  }

  notify(method: string): Promise<Reply> {
    return send(this.target, 'POST', this.headers(), JSON.stringify({ jsonrpc: '2.0', method }));
  }

  /** DELETE: ends the session (204). */
  delete(): Promise<Reply> {
    const { 'content-type': _type, accept: _accept, ...headers } = this.headers();
    return send(this.target, 'DELETE', headers);
  }

  /** The session's GET stream. */
  openStream(): Promise<Stream> {
    const { 'content-type': _, ...headers } = this.headers('text/event-stream');
    return Stream.open(this.target, 'GET', headers);
  }
}
