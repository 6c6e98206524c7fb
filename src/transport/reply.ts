/**
 * The one place that writes HTTP answers: JSON responses in one `end()` call, 202 and 204, and
 * the answer to a refusal as refusal.ts maps it (STYLE principle 5), with its log reason. It
 * decides no status of its own; only the connection's state can add `Connection: close` (RFC
 * 9112 §9.6). Bodies never hold a token, a header value, a path or a stack.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { serializeMessage, type JsonRpcMessage } from '../protocol/messages.ts';
import { bodyPending, closeAfter } from './connection.ts';
import type { RequestRecord } from './context.ts';
import { answerRefusal, NO_CORS, type Refusal, type RefusalContext } from './refusal.ts';

export type Headers = Record<string, string | number>;

/**
 * Writes the answer to a refusal (mapped by refusal.ts) and records its log reason. A refusal
 * after the headers went out is dropped: the stream owns that response.
 */
export function refuse(res: ServerResponse, refusal: Refusal, context: RefusalContext, record: RequestRecord): void {
  const answer = answerRefusal(refusal, context);
  record.reason = answer.reason;
  record.refusal = refusal.refusal;
  writeJson(res, answer.status, answer.body, answer.headers);
}

/** A whole refusal as bytes for the socket, for a request node's parser refused (there is no response object). */
export function rawRefusal(refusal: Refusal): Buffer {
  const answer = answerRefusal(refusal, NO_CORS);
  const body = Buffer.from(serializeMessage(answer.body), 'utf8');
  const fields = Object.entries({ ...answer.headers, 'content-type': 'application/json', 'content-length': body.length });
  const head = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\n${fields.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/**
 * RFC 9112 §9.6: an answer sent while the request's body is still arriving (a refusal before
 * reading it) closes the connection rather than read a body nobody wants; so does any `close`.
 */
function connectionHeaders(res: ServerResponse, headers: Headers): Headers {
  if (headers.connection !== 'close' && !bodyPending(res.req)) return headers;
  closeAfter(res);
  return { ...headers, connection: 'close' };
}

/** One JSON body in a single write. */
export function writeJson(res: ServerResponse, status: number, body: JsonRpcMessage, headers: Headers = {}): void {
  writeText(res, status, serializeMessage(body), headers);
}

/**
 * A text body with its UTF-8 length as the Content-Length; `headers` cannot change its type. The
 * text goes to `end()` as a string, which node:http joins to the status line and header block:
 * the whole answer reaches the socket as one buffer, encoded once.
 */
export function writeText(res: ServerResponse, status: number, text: string, headers: Headers = {}, contentType = 'application/json'): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...connectionHeaders(res, headers), 'content-type': contentType, 'content-length': Buffer.byteLength(text, 'utf8') });
  res.end(text, 'utf8');
}

/** 202 Accepted with no body (basic/transports.mdx: accepted notifications and responses). */
export function accepted(res: ServerResponse, headers: Headers = {}): void {
  res.writeHead(202, { ...connectionHeaders(res, headers), 'content-length': 0 });
  res.end();
}

export function noContent(res: ServerResponse, headers: Headers = {}): void {
  res.writeHead(204, connectionHeaders(res, headers));
  res.end();
}
