/**
 * The one place that writes HTTP answers (STYLE principle 5): every rejection's status, headers
 * and JSON-RPC body are decided together in the REJECTIONS table, and JSON responses are written
 * in one `end()` call. Nothing else in the server composes an error response. Bodies never hold a
 * token, a header value, a path or a stack.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { ErrorCode } from '../protocol/errors.ts';
import { errorResponse, serializeMessage, type JsonRpcMessage, type RequestId } from '../protocol/messages.ts';
import { bodyPending, closeAfter } from './connection.ts';

export interface Rejection {
  status: number;
  code: number;
  message: string;
  /** RFC 9112 §9.6: the connection closes after this answer (the framing of what follows is unsure). */
  close?: true;
}

/** Every HTTP-level refusal, with its source. */
export const REJECTIONS = {
  // MCP 2025-11-25 basic/transports.mdx: an invalid Origin MUST get 403.
  originForbidden: { status: 403, code: ErrorCode.InvalidRequest, message: 'Forbidden: Origin not allowed' },
  // Defence in depth against DNS rebinding (checklist H4): a Host we do not serve.
  hostForbidden: { status: 403, code: ErrorCode.InvalidRequest, message: 'Forbidden: Host not allowed' },
  // RFC 9110 §15.5.6: with Allow.
  methodNotAllowed: { status: 405, code: ErrorCode.InvalidRequest, message: 'Method not allowed' },
  notFound: { status: 404, code: ErrorCode.InvalidRequest, message: 'Not found' },
  // RFC 6585 §5.
  tooManyHeaders: { status: 431, code: ErrorCode.InvalidRequest, message: 'Request header fields too large: too many header fields', close: true },
  headersTooLarge: { status: 431, code: ErrorCode.InvalidRequest, message: 'Request header fields too large', close: true },
  // RFC 9112 §3.2: a Host that is missing, repeated or not `uri-host [":" port]` (userinfo included) is 400.
  badHost: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: the Host header is not a host', close: true },
  // RFC 9112 §3.2: origin-form, or absolute-form with an http(s) scheme and a plain authority.
  badTarget: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: malformed request target', close: true },
  // RFC 9112 §6.1: a transfer coding we do not implement is 501; §6.3: chunked not last is 400 and close.
  unsupportedTransferCoding: { status: 501, code: ErrorCode.InvalidRequest, message: 'Not implemented: the only transfer coding supported is chunked', close: true },
  unframedBody: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: chunked must be the final transfer coding', close: true },
  // RFC 9112 §2.2: a message the parser cannot read; RFC 9110 §15.5.9: the request did not arrive in time.
  malformedRequest: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: malformed HTTP message', close: true },
  requestTimeout: { status: 408, code: ErrorCode.InvalidRequest, message: 'Request timeout', close: true },
  duplicateHeader: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: a header that must appear once appears more than once' },
  // RFC 6750 §3.1 and MCP basic/authorization.mdx "Error Handling".
  missingToken: { status: 401, code: ErrorCode.InvalidRequest, message: 'Unauthorized: a bearer token is required' },
  invalidToken: { status: 401, code: ErrorCode.InvalidRequest, message: 'Unauthorized: the bearer token is not valid' },
  malformedAuthorization: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: malformed authorization' },
  insufficientScope: { status: 403, code: ErrorCode.InvalidRequest, message: 'Forbidden: the token lacks a required scope' },
  issuerUnavailable: { status: 503, code: ErrorCode.InternalError, message: 'The token issuer cannot be reached; try again shortly' },
  // Checklist H8 (SDK practice): 406 / 415 for media types we cannot serve.
  notAcceptable: { status: 406, code: ErrorCode.InvalidRequest, message: 'Not acceptable: Accept must allow application/json or text/event-stream' },
  notAcceptableStream: { status: 406, code: ErrorCode.InvalidRequest, message: 'Not acceptable: Accept must allow text/event-stream' },
  unsupportedMediaType: { status: 415, code: ErrorCode.InvalidRequest, message: 'Unsupported media type: Content-Type must be application/json' },
  bodyTooLarge: { status: 413, code: ErrorCode.InvalidRequest, message: 'Payload too large', close: true },
  bodyTruncated: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: the body ended before Content-Length bytes' },
  // basic/index.mdx: messages MUST be UTF-8.
  bodyNotUtf8: { status: 400, code: ErrorCode.ParseError, message: 'Parse error: the body is not valid UTF-8' },
  // basic/transports.mdx: sessions.
  missingSession: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: MCP-Session-Id header is required' },
  unknownSession: { status: 404, code: ErrorCode.InvalidRequest, message: 'Session not found' },
  sessionOnInitialize: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: initialize must not carry MCP-Session-Id' },
  tooManySessions: { status: 503, code: ErrorCode.InvalidRequest, message: 'Too many sessions; close one or try again later' },
  // RFC 6585 §4: this principal's own share (MAX_SESSIONS_PER_PRINCIPAL) is used up, not the server's.
  tooManySessionsForPrincipal: { status: 429, code: ErrorCode.InvalidRequest, message: 'Too many sessions for this client; end one with DELETE or try again later' },
  // RFC 6585 §4: initialize is rate-limited per principal (issue #15), in its own bucket.
  initializeRateLimited: { status: 429, code: ErrorCode.InvalidRequest, message: 'Too many initialize requests; slow down' },
  // basic/transports.mdx: an invalid or unsupported MCP-Protocol-Version MUST get 400.
  unsupportedVersion: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: unsupported MCP-Protocol-Version' },
  versionMismatch: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: MCP-Protocol-Version differs from the version negotiated for this session' },
  responseNotAccepted: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: no request of ours awaits this response' },
  badLastEventId: { status: 400, code: ErrorCode.InvalidRequest, message: 'Bad request: Last-Event-ID names no stream of this session, or events after it are no longer kept' },
  streamConflict: { status: 409, code: ErrorCode.InvalidRequest, message: 'Conflict: this session already has a standalone stream open' },
  // MCP server/tools.mdx "Security Considerations": rate-limit tool invocations.
  rateLimited: { status: 429, code: ErrorCode.InvalidRequest, message: 'Too many tool calls; slow down' },
  internal: { status: 500, code: ErrorCode.InternalError, message: 'Internal error' },
  shuttingDown: { status: 503, code: ErrorCode.InternalError, message: 'The server is shutting down', close: true },
} as const satisfies Record<string, Rejection>;

export type RejectionName = keyof typeof REJECTIONS;

export type Headers = Record<string, string | number>;

/** Writes a rejection: its status, the extra headers, and a JSON-RPC error with no id unless known. */
export function reject(res: ServerResponse, name: RejectionName, headers: Headers = {}, id?: RequestId): void {
  const rejection: Rejection = REJECTIONS[name];
  writeJson(res, rejection.status, errorResponse({ code: rejection.code, message: rejection.message }, id), rejection.close === true ? { ...headers, connection: 'close' } : headers);
}

/** A whole rejection as bytes for the socket, for a request node's parser refused (there is no response object). */
export function rawRejection(name: RejectionName): Buffer {
  const rejection: Rejection = REJECTIONS[name];
  const body = Buffer.from(serializeMessage(errorResponse({ code: rejection.code, message: rejection.message })), 'utf8');
  const head = `HTTP/1.1 ${rejection.status} ${STATUS_CODES[rejection.status] ?? ''}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
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

/** Answers a body that is not a valid JSON-RPC message (400, JSON-RPC 2.0 §5.1 codes). */
export function rejectMessage(res: ServerResponse, error: { code: number; message: string }, id?: RequestId, headers: Headers = {}): void {
  writeJson(res, 400, errorResponse(error, id), headers);
}

/** One JSON body in a single write. */
export function writeJson(res: ServerResponse, status: number, body: JsonRpcMessage, headers: Headers = {}): void {
  writeText(res, status, serializeMessage(body), headers);
}

/** A JSON text body, encoded once: its length is the Content-Length. */
export function writeText(res: ServerResponse, status: number, text: string, headers: Headers = {}): void {
  if (res.headersSent) return;
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, { ...connectionHeaders(res, headers), 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
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
