/**
 * How the answer to one POSTed request travels (MCP 2025-11-25 basic/transports.mdx "Sending
 * Messages to the Server"): as a single `application/json` body when the handler sends nothing
 * before its result, or as an SSE stream as soon as it sends a related message (progress, a log
 * line, a request to the client); the stream then ends with the response. A client that accepts
 * only one of the two always gets that one. See docs/decisions.md "Response mode". An error
 * response that stands for a refusal (inBandRefusal) takes that refusal's status and headers.
 */
import type { ServerResponse } from 'node:http';
import { isJsonObject } from '../protocol/definitions.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { JsonRpcMessage, JsonRpcResponse } from '../protocol/messages.ts';
import type { Audience, MessageSink } from '../protocol/session.ts';
import { allowsServerDisconnect, sendsPrimingEvents, type Era } from '../protocol/versions.ts';
import type { EventStream } from './event-stream.ts';
import { inBandHead, REFUSALS, type Refusal } from './refusal.ts';
import { noContent, writeJson, type Headers } from './reply.ts';
import type { HttpSession } from './sessions.ts';

export interface ResponseModes {
  json: boolean;
  sse: boolean;
}

/**
 * The refusal a handler's error response stands for, in `era`, when it goes as one JSON body
 * (on a stream it goes as is, after the 200): a write the incident store could not make because
 * its database is unreachable, in both eras (503, Retry-After; wire-errors.ts Unavailable); in the
 * modern era, a client capability found missing while the request ran (400; checklist M-V7, M-E14).
 */
export function inBandRefusal(response: JsonRpcResponse, era: Era): Refusal | undefined {
  if (!('error' in response)) return undefined;
  const { code, message, data } = response.error;
  const { id } = response;
  const store = REFUSALS.storeUnavailable;
  if (code === store.code && message === store.message && isJsonObject(data) && typeof data.retryAfter === 'number') {
    return { refusal: 'storeUnavailable', retryAfter: data.retryAfter, id };
  }
  if (era === 'modern' && code === ErrorCode.MissingRequiredClientCapability) {
    const required = isJsonObject(data) ? data.requiredCapabilities : undefined;
    return { refusal: 'missingClientCapability', requiredCapabilities: isJsonObject(required) ? required : {}, id };
  }
  return undefined;
}

/** Writes `response` as one JSON body: 200, or the status and headers of the refusal it stands for. */
export function writeResponse(res: ServerResponse, response: JsonRpcResponse, era: Era, headers: Headers): void {
  const refusal = inBandRefusal(response, era);
  if (refusal === undefined) return writeJson(res, 200, response, headers);
  const head = inBandHead(refusal);
  writeJson(res, head.status, response, { ...headers, ...head.headers });
}

export class ResponseChannel implements MessageSink {
  private stream: EventStream | undefined;
  private done = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly session: HttpSession,
    private readonly modes: ResponseModes,
    private readonly headers: Headers,
  ) {
    if (!modes.json) this.openStream();
  }

  /** True once the answer became an SSE stream, which a reconnecting client can resume. */
  get streaming(): boolean {
    return this.stream !== undefined;
  }

  /** Related messages reach the client only on an event stream. */
  get deliverable(): boolean {
    return this.modes.sse;
  }

  /** A message related to the request; dropped when the client accepts no event stream. */
  send(message: JsonRpcMessage, audience?: Audience): void {
    if (this.done) return;
    if (this.stream === undefined && this.modes.sse) this.openStream();
    this.stream?.send(message, audience);
  }

  /** The final response, or undefined for a cancelled request (no response is sent). */
  respond(response: JsonRpcResponse | undefined): void {
    if (this.done) return;
    this.done = true;
    if (this.stream !== undefined) {
      this.stream.finish(response);
    } else if (response !== undefined) {
      writeResponse(this.res, response, 'legacy', this.headers);
    } else {
      // cancellation.mdx: no response for a cancelled request; the HTTP exchange still ends.
      noContent(this.res, this.headers);
    }
  }

  /**
   * Server-initiated disconnect (basic/transports.mdx "Sending Messages to the Server", SEP-1699):
   * a `retry` hint, then the connection closes while the stream lives on, to be resumed with GET
   * and Last-Event-ID. A JSON answer becomes a stream first. False when this cannot be done.
   */
  disconnect(retryMs: number): boolean {
    // Before 2025-11-25 the server SHOULD NOT close the stream before sending the response.
    if (this.done || !allowsServerDisconnect(this.session.protocolVersion)) return false;
    const stream = this.stream ?? (this.modes.sse ? this.openStream() : undefined);
    if (stream === undefined || !stream.attached) return false;
    stream.disconnect(retryMs);
    return true;
  }

  private openStream(): EventStream {
    const stream = this.session.openStream();
    this.stream = stream;
    stream.attach(this.res, { priming: sendsPrimingEvents(this.session.protocolVersion), headers: this.headers });
    return stream;
  }
}
