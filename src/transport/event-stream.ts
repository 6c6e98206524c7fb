/**
 * One logical SSE stream of a session (MCP 2025-11-25 basic/transports.mdx "Resumability and
 * Redelivery"): event ids `<stream>-<seq>` unique in the session and naming their stream, a
 * bounded replay log, and at most one attached HTTP connection. A connection may drop (or be
 * closed by us after a `retry` hint) while the stream lives on; GET with Last-Event-ID re-attaches
 * and replays what followed. Writes respect back-pressure: a reader that stops reading is cut off
 * (it can resume) rather than buffered without bound.
 */
import type { ServerResponse } from 'node:http';
import { serializeMessage, type JsonRpcMessage } from '../protocol/messages.ts';
import type { MessageSink } from '../protocol/session.ts';
import { encodeComment, encodeEvent } from './sse.ts';

export interface StreamLimits {
  /** Events kept for replay per stream. */
  readonly replayEvents: number;
  /** Bytes a connection may have queued unsent before it is cut off. */
  readonly maxQueuedBytes: number;
}

/** Headers of every SSE response (basic/transports.mdx: Content-Type text/event-stream). */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

interface LoggedEvent {
  seq: number;
  frame: string;
}

export class EventStream implements MessageSink {
  readonly id: string;
  private seq = 0;
  private readonly log: LoggedEvent[] = [];
  /** Sequence number of the last event that fell out of the replay log. */
  private evictedThrough = 0;
  private connection: ServerResponse | undefined;
  /** True once the stream's last message (a POST's response) was sent. */
  finished = false;

  constructor(id: string, private readonly limits: StreamLimits) {
    this.id = id;
  }

  get attached(): boolean {
    return this.connection !== undefined;
  }

  /** Parses `<stream>-<seq>`; undefined when malformed. */
  static parseEventId(value: string): { stream: string; seq: number } | undefined {
    const match = /^([A-Za-z0-9]{1,32})-(\d{1,15})$/.exec(value);
    return match === null ? undefined : { stream: match[1] as string, seq: Number(match[2]) };
  }

  /**
   * Attaches a connection: writes the SSE headers, then either a priming event (an id with empty
   * data, 2025-11-25 only) or the events after `afterSeq` when resuming.
   */
  attach(res: ServerResponse, options: { priming: boolean; afterSeq?: number; headers?: Record<string, string | number> }): void {
    this.connection?.end();
    this.connection = res;
    res.writeHead(200, { ...options.headers, ...SSE_HEADERS });
    const onClose = (): void => {
      if (this.connection === res) this.connection = undefined;
    };
    res.once('close', onClose);
    let out = '';
    // basic/transports.mdx: SHOULD immediately send an event with an id and an empty data field.
    if (options.priming && options.afterSeq === undefined) out += encodeEvent({ id: this.nextId(), data: '' });
    if (options.afterSeq !== undefined) {
      // basic/transports.mdx: replay only what followed on this stream, never another's.
      for (const event of this.log) if (event.seq > options.afterSeq) out += event.frame;
    }
    if (out !== '') this.write(out);
    // basic/transports.mdx: the client learns the stream is open from the headers; do not hold them back.
    else res.flushHeaders();
    // basic/transports.mdx: a stream whose response was sent is terminated once replayed.
    if (this.finished && options.afterSeq !== undefined) res.end();
  }

  /** True when every event after `afterSeq` is still in the replay log: resuming leaves no gap. */
  canResumeAfter(afterSeq: number): boolean {
    return afterSeq >= this.evictedThrough;
  }

  /** Sends one JSON-RPC message as one event (one write). */
  send(message: JsonRpcMessage): void {
    const seq = ++this.seq;
    const frame = encodeEvent({ id: `${this.id}-${seq}`, data: serializeMessage(message) });
    this.log.push({ seq, frame });
    if (this.log.length > this.limits.replayEvents) this.evictedThrough = (this.log.shift() as LoggedEvent).seq;
    if (this.connection !== undefined) this.write(frame);
  }

  /** Sends the last message and ends the stream (basic/transports.mdx: terminate after the response). */
  finish(message?: JsonRpcMessage): void {
    if (message !== undefined) this.send(message);
    this.finished = true;
    this.connection?.end();
    this.connection = undefined;
  }

  /**
   * Closes the connection but not the stream, after a `retry` hint (basic/transports.mdx: SHOULD
   * send retry before closing; the client polls by reconnecting with Last-Event-ID).
   */
  disconnect(retryMs: number): void {
    if (this.connection === undefined) return;
    this.write(encodeEvent({ id: this.nextId(), retry: retryMs }));
    this.connection?.end();
    this.connection = undefined;
  }

  /** A comment line that keeps idle connections open through proxies. */
  heartbeat(): void {
    if (this.connection !== undefined) this.write(HEARTBEAT);
  }

  /** Ends the connection without a retry (shutdown, session end). */
  close(): void {
    this.finished = true;
    this.connection?.end();
    this.connection = undefined;
  }

  private nextId(): string {
    return `${this.id}-${++this.seq}`;
  }

  private write(text: string): void {
    const res = this.connection;
    if (res === undefined) return;
    // What is still queued from earlier writes: a reader that lets it pile up is not reading.
    if (res.writableLength > this.limits.maxQueuedBytes) {
      // Cut it off; it may resume from its last event id (basic/transports.mdx resumability).
      this.connection = undefined;
      res.destroy();
      return;
    }
    res.write(text);
  }
}

const HEARTBEAT = encodeComment('keep-alive');
