/**
 * A fetch that records what an SDK client transport puts on the wire and what came back, for
 * interop tests that assert the exact requests a third-party client sends (HTTP method, headers,
 * JSON-RPC method and params) and the exact results the server answers (fields an SDK may strip
 * before handing a result to the caller, such as resultType, ttlMs and cacheScope).
 *
 * Pass `recorder.fetch` as the transport's `fetch` option. POST replies are read from a clone,
 * in the background, as JSON or SSE; `settled()` waits for them. A GET stream is recorded but its
 * body is never read (it stays open for the session's life).
 */
import { SseParser } from '../../src/transport/sse.ts';

type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface WireExchange {
  /** HTTP method: POST, GET, DELETE. */
  http: string;
  /** Request headers, names lowercased. */
  headers: Record<string, string>;
  /** The parsed JSON-RPC body of a POST (a message or a batch). */
  body: unknown;
  /** The JSON-RPC method of a single-message POST body. */
  method: string | undefined;
  /** `params._meta` of a single-message POST body. */
  meta: Record<string, unknown> | undefined;
  status?: number;
  contentType?: string;
  /** The JSON-RPC messages in the reply (JSON or SSE), once read. */
  replies: Array<Record<string, unknown>>;
  /** The raw reply text, once read (for diagnostics). */
  text?: string;
}

export interface RecordingFetch {
  fetch: FetchLike;
  readonly exchanges: WireExchange[];
  /** Problems met while reading replies (unparseable bodies, failed `check`s). */
  readonly problems: string[];
  /** Waits for every reply body being read. */
  settled(): Promise<void>;
  /** The exchanges whose JSON-RPC method is `method`. */
  of(method: string): WireExchange[];
  /** The JSON-RPC response (result or error) to the last `method` request, asserting there is one. */
  lastReply(method: string): Record<string, unknown>;
  /** The result of the last reply to `method`, asserting there is one. */
  lastResult(method: string): Record<string, unknown>;
  /** One line per exchange: `POST tools/call 200`, for assertion messages. */
  summary(): string;
}

/**
 * Records every request made through it. `check(message, exchange)` runs on every JSON-RPC
 * message the server sent in a POST reply; what it throws is kept in `problems`.
 */
export function recordingFetch(check?: (message: unknown, exchange: WireExchange) => void): RecordingFetch {
  const exchanges: WireExchange[] = [];
  const problems: string[] = [];
  const pending: Array<Promise<void>> = [];

  const fetchImpl: FetchLike = async (url, init) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => void (headers[name.toLowerCase()] = value));
    const http = (init?.method ?? 'GET').toUpperCase();
    let body: unknown;
    if (typeof init?.body === 'string') {
      try {
        body = JSON.parse(init.body);
      } catch {
        body = init.body;
      }
    }
    const single = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { method?: unknown; params?: { _meta?: unknown } }) : undefined;
    const exchange: WireExchange = {
      http,
      headers,
      body,
      method: typeof single?.method === 'string' ? single.method : undefined,
      meta: typeof single?.params?._meta === 'object' && single.params._meta !== null ? (single.params._meta as Record<string, unknown>) : undefined,
      replies: [],
    };
    exchanges.push(exchange);
    const response = await fetch(url, init);
    exchange.status = response.status;
    const contentType = response.headers.get('content-type');
    if (contentType !== null) exchange.contentType = contentType;
    if (http === 'POST' && response.body !== null) pending.push(read(response.clone(), exchange));
    return response;
  };

  async function read(response: Response, exchange: WireExchange): Promise<void> {
    try {
      const text = await response.text();
      exchange.text = text;
      const type = exchange.contentType ?? '';
      if (type.startsWith('application/json') && text !== '') exchange.replies = [JSON.parse(text) as Record<string, unknown>];
      if (type.startsWith('text/event-stream')) {
        exchange.replies = new SseParser()
          .push(text)
          .filter((e) => e.data !== undefined && e.data !== '')
          .map((e) => JSON.parse(e.data as string) as Record<string, unknown>);
      }
      for (const message of exchange.replies) check?.(message, exchange);
    } catch (error) {
      problems.push(`${exchange.method ?? exchange.http} (${exchange.status}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  return {
    fetch: fetchImpl,
    exchanges,
    problems,
    async settled() {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
    of: (method) => exchanges.filter((e) => e.method === method),
    lastReply(method) {
      const exchange = exchanges.filter((e) => e.method === method).at(-1);
      if (exchange === undefined) throw new Error(`no ${method} request was sent; wire:\n${this.summary()}`);
      const reply = exchange.replies.find((m) => 'result' in m || 'error' in m);
      if (reply === undefined) throw new Error(`no response to ${method}: ${exchange.status} ${exchange.text ?? ''}`);
      return reply;
    },
    lastResult(method) {
      const reply = this.lastReply(method);
      if (!('result' in reply)) throw new Error(`no result for ${method}: ${JSON.stringify(reply)}`);
      return reply.result as Record<string, unknown>;
    },
    summary: () => exchanges.map((e) => `${e.http} ${e.method ?? ''} ${e.status ?? '…'}`.replace('  ', ' ')).join('\n'),
  };
}
