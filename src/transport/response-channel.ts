/**
 * How the answer to one POSTed request travels (MCP 2025-11-25 basic/transports.mdx "Sending
 * Messages to the Server"): as a single `application/json` body when the handler sends nothing
 * before its result, or as an SSE stream as soon as it sends a related message (progress, a log
 * line, a request to the client); the stream then ends with the response. A client that accepts
 * only one of the two always gets that one. See docs/decisions.md "Response mode".
 */
import type { ServerResponse } from 'node:http';
import type { JsonRpcMessage, JsonRpcResponse } from '../protocol/messages.ts';
import type { Audience, MessageSink } from '../protocol/session.ts';
import { allowsServerDisconnect, sendsPrimingEvents } from '../protocol/versions.ts';
import type { EventStream } from './event-stream.ts';
import { noContent, writeJson, type Headers } from './reply.ts';
import type { HttpSession } from './sessions.ts';

export interface ResponseModes {
  json: boolean;
  sse: boolean;
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
      writeJson(this.res, 200, response, this.headers);
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
