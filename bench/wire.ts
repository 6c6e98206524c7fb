/**
 * The load generator's HTTP/1.1 client: one keep-alive TCP connection, one request in flight,
 * requests written as ready-made bytes and responses parsed just enough to be checked (status
 * line, headers, a Content-Length or chunked body; RFC 9112 §6). It exists because node:http's
 * client costs more per request than the ceiling server does, so it could not show the ceiling
 * (see bench/README.md). It does no pipelining, redirects, trailers or compression.
 */
import { connect, type Socket } from 'node:net';

export interface WireResponse {
  status: number;
  /** Lower-cased header names; a repeated header keeps its last value. */
  headers: Map<string, string>;
  body: string;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The bytes of one request; `headers` must not hold Host or Content-Length. */
export function requestBytes(method: string, path: string, host: string, headers: string, body = ''): string {
  const length = body === '' && method !== 'POST' ? '' : `content-length: ${Buffer.byteLength(body)}\r\n`;
  return `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n${headers}${length}\r\n${body}`;
}

/** `name: value\r\n` lines for requestBytes. */
export function headerLines(headers: Record<string, string>): string {
  let out = '';
  for (const [name, value] of Object.entries(headers)) out += `${name}: ${value}\r\n`;
  return out;
}

interface Head {
  status: number;
  headers: Map<string, string>;
  bodyStart: number;
}

function parseHead(buffer: Buffer): Head | undefined {
  const end = buffer.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const lines = buffer.toString('latin1', 0, end).split('\r\n');
  const status = Number((lines[0] ?? '').slice(9, 12));
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status, headers, bodyStart: end + HEADER_END.length };
}

/** The decoded chunked body and where it ends, or undefined while incomplete (RFC 9112 §7.1). */
function parseChunked(buffer: Buffer, start: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = buffer.indexOf(CRLF, at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buffer.toString('latin1', at, lineEnd), 16);
    if (Number.isNaN(size)) throw new Error('bad chunk size');
    if (size === 0) {
      const trailerEnd = buffer.indexOf(CRLF, lineEnd + 2);
      return trailerEnd < 0 ? undefined : { body: Buffer.concat(parts), end: trailerEnd + 2 };
    }
    if (buffer.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** One keep-alive connection carrying one request at a time. */
export class WireConnection {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #waiting: { resolve(response: WireResponse): void; reject(error: Error): void } | undefined;
  #closed: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#tryComplete();
    });
    const fail = (error: Error): void => {
      this.#closed ??= error;
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by the server')));
  }

  static open(port: number, host = '127.0.0.1'): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new WireConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  get open(): boolean {
    return this.#closed === undefined;
  }

  /** Sends one request and resolves with its response. */
  send(bytes: string): Promise<WireResponse> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    if (this.#waiting !== undefined) return Promise.reject(new Error('one request at a time'));
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.write(bytes, 'latin1');
    });
  }

  close(): void {
    this.#closed ??= new Error('closed');
    this.#socket.destroy();
  }

  #tryComplete(): void {
    const head = parseHead(this.#buffer);
    if (head === undefined || this.#waiting === undefined) return;
    let body: Buffer;
    let end: number;
    const length = head.headers.get('content-length');
    if (length !== undefined) {
      end = head.bodyStart + Number(length);
      if (this.#buffer.length < end) return;
      body = this.#buffer.subarray(head.bodyStart, end);
    } else if (head.headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
      const chunked = parseChunked(this.#buffer, head.bodyStart);
      if (chunked === undefined) return;
      ({ body, end } = chunked);
    } else {
      // 204, 304 and 202-without-length carry no body here; anything else would be read to close.
      end = head.bodyStart;
      body = Buffer.alloc(0);
    }
    const rest = this.#buffer.subarray(end);
    this.#buffer = rest.length === 0 ? Buffer.alloc(0) : Buffer.from(rest);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting.resolve({ status: head.status, headers: head.headers, body: body.toString('utf8') });
  }
}
