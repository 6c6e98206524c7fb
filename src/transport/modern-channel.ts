/**
 * How the answer to a modern request travels (MCP 2026-07-28 basic/transports/streamable-http.mdx
 * "Receiving Messages"): one `application/json` body, or an SSE stream once the handler sends a
 * related message (progress, a log line) before its result; the stream ends with the response.
 * No event ids, no priming event, no replay: the modern era has no resumability (checklist M-H15),
 * and a closed stream is the request's cancellation (M-H16), so nothing is kept for later. A
 * reader that lets more than `maxQueuedBytes` pile up unsent is cut off, as legacy streams are.
 */
import type { ServerResponse } from 'node:http';
import type { JsonRpcMessage, JsonRpcResponse } from '../protocol/messages.ts';
import { serializeMessage } from '../protocol/messages.ts';
import type { MessageSink } from '../protocol/session.ts';
import { isOpen, SSE_HEADERS } from './event-stream.ts';
import { noContent, type Headers } from './reply.ts';
import { writeResponse, type ResponseModes } from './response-channel.ts';
import { encodeComment, encodeEvent } from './sse.ts';

export class ModernChannel implements MessageSink {
  private streaming = false;
  private done = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly modes: ResponseModes,
    private readonly headers: Headers,
    private readonly maxQueuedBytes: number,
  ) {}

  /** Related messages reach the client only when it accepts an event stream. */
  get deliverable(): boolean {
    return this.modes.sse;
  }

  /** A message related to the request (M-H10); dropped when the client accepts no event stream. */
  send(message: JsonRpcMessage): void {
    if (this.done || !this.modes.sse) return;
    if (!this.streaming) this.open();
    this.write(message);
  }

  /** The final response, which ends the stream (M-H12); undefined for a cancelled request. */
  respond(response: JsonRpcResponse | undefined): void {
    if (this.done) return;
    this.done = true;
    if (this.streaming) {
      if (response !== undefined) this.write(response);
      this.res.end();
    } else if (response === undefined) {
      noContent(this.res, this.headers);
    } else if (this.modes.json) {
      // In-band with 200, except an error that stands for a refusal: a missing client capability found
      // while the request ran (400, as on the ladder), a store that cannot be reached (503).
      writeResponse(this.res, response, 'modern', this.headers);
    } else {
      // A client that accepts only an event stream gets the response as its one event.
      this.open();
      this.write(response);
      this.res.end();
    }
  }

  /** A comment that keeps an idle stream open through proxies (listen streams, transport/listen.ts). */
  heartbeat(): void {
    if (this.streaming && !this.done && isOpen(this.res)) this.res.write(HEARTBEAT);
  }

  private open(): void {
    this.streaming = true;
    // M-H13: X-Accel-Buffering: no is part of SSE_HEADERS.
    this.res.writeHead(200, { ...this.headers, ...SSE_HEADERS });
  }

  private write(message: JsonRpcMessage): void {
    // M-H16: once the client closed the stream, nothing more is sent for this request.
    if (!isOpen(this.res)) return;
    // A reader that is not reading is cut off, not buffered without bound; closing is its cancellation.
    if (this.res.writableLength > this.maxQueuedBytes) return void this.res.destroy();
    this.res.write(encodeEvent({ data: serializeMessage(message) }));
  }
}

const HEARTBEAT = encodeComment('keep-alive');
