/**
 * One logical SSE stream of a session (MCP 2025-11-25 basic/transports.mdx "Resumability and
 * Redelivery"): event ids `<stream>-<seq>` unique in the session and naming their stream, a
 * bounded replay log, and at most one attached HTTP connection. A connection may drop (or be
 * closed by us after a `retry` hint) while the stream lives on; GET with Last-Event-ID re-attaches
 * and replays what followed. Writes respect back-pressure: a reader that stops reading is cut off
 * (it can resume) rather than buffered without bound. A connection is attached only while alive,
 * ends when the token of its request expires, and hears only what that token may read.
 */
import type { ServerResponse } from 'node:http';
import { serializeMessage, type JsonRpcMessage } from '../protocol/messages.ts';
import type { Audience, MessageSink } from '../protocol/session.ts';
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

/** What the token of the request that attached a connection proves (a Principal is one). */
export interface StreamHolder {
  /** Granted scopes: the stream tells only what they may read. */
  readonly scopes: ReadonlySet<string>;
  /** The token's `exp`, in seconds since the epoch: the connection ends then. */
  readonly expiresAt: number;
}

/** setTimeout's longest delay (2^31 − 1 ms, about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `fire` at `expiresAt` (a token's `exp`, seconds since the epoch) by the clock `now`; the
 * timer does not keep the process alive. Every stream held by a token ends this way.
 */
export function atExpiry(expiresAt: number, now: () => number, fire: () => void): NodeJS.Timeout {
  const timer = setTimeout(fire, Math.min(MAX_TIMER_MS, Math.max(0, expiresAt * 1000 - now())));
  timer.unref();
  return timer;
}

/** True while `res` can carry a stream: not ended, not destroyed, its socket not closed or reset. */
export function isOpen(res: ServerResponse): boolean {
  return !res.destroyed && !res.writableEnded && res.socket?.destroyed !== true;
}

interface LoggedEvent {
  seq: number;
  frame: string;
  audience: Audience | undefined;
}

export class EventStream implements MessageSink {
  readonly id: string;
  private seq = 0;
  private readonly log: LoggedEvent[] = [];
  /** Sequence number of the last event that fell out of the replay log. */
  private evictedThrough = 0;
  private connection: ServerResponse | undefined;
  /** The holder of the last connection attached with one; kept while detached, for what is logged meanwhile. */
  private holder: StreamHolder | undefined;
  /** Ends the attached connection at its holder's `exp`. */
  private expiry: NodeJS.Timeout | undefined;
  /** True once the stream's last message (a POST's response) was sent. */
  finished = false;

  constructor(id: string, private readonly limits: StreamLimits, private readonly now: () => number = Date.now) {
    this.id = id;
  }

  /** True while a live connection is attached: a closed or reset socket never counts. */
  get attached(): boolean {
    return this.connection !== undefined && isOpen(this.connection);
  }

  /** Parses `<stream>-<seq>`; undefined when malformed. */
  static parseEventId(value: string): { stream: string; seq: number } | undefined {
    const match = /^([A-Za-z0-9]{1,32})-(\d{1,15})$/.exec(value);
    return match === null ? undefined : { stream: match[1] as string, seq: Number(match[2]) };
  }

  /**
   * Attaches a connection: writes the SSE headers, then either a priming event (an id with empty
   * data, 2025-11-25 only) or the events after `afterSeq` when resuming. With a `holder`, the
   * connection ends at its token's `exp` and hears only what its scopes may read. Returns false,
   * attaching nothing, when the connection is already gone (reset while the request awaited).
   */
  attach(res: ServerResponse, options: { priming: boolean; afterSeq?: number; headers?: Record<string, string | number>; holder?: StreamHolder }): boolean {
    // Issue #15: a stream bound to a dead socket would block every later GET and never idle out.
    if (!isOpen(res)) return false;
    this.release()?.end();
    this.connection = res;
    if (options.holder !== undefined) this.holder = options.holder;
    res.writeHead(200, { ...options.headers, ...SSE_HEADERS });
    res.once('close', () => {
      if (this.connection === res) this.release();
    });
    if (options.holder !== undefined) this.endAtExpiry(res, options.holder.expiresAt);
    let out = '';
    // basic/transports.mdx: SHOULD immediately send an event with an id and an empty data field.
    if (options.priming && options.afterSeq === undefined) out += encodeEvent({ id: this.nextId(), data: '' });
    if (options.afterSeq !== undefined) {
      // basic/transports.mdx: replay only what followed on this stream, never another's.
      for (const event of this.log) if (event.seq > options.afterSeq && this.tells(event.audience)) out += event.frame;
    }
    if (out !== '') this.write(out);
    // basic/transports.mdx: the client learns the stream is open from the headers; do not hold them back.
    else res.flushHeaders();
    // basic/transports.mdx: a stream whose response was sent is terminated once replayed.
    if (this.finished && options.afterSeq !== undefined) res.end();
    return true;
  }

  /** True when every event after `afterSeq` is still in the replay log: resuming leaves no gap. */
  canResumeAfter(afterSeq: number): boolean {
    return afterSeq >= this.evictedThrough;
  }

  /**
   * Sends one JSON-RPC message as one event (one write). A message for an `audience` the holder
   * is not in is dropped, not even logged: it was never this stream's to tell.
   */
  send(message: JsonRpcMessage, audience?: Audience): void {
    if (!this.tells(audience)) return;
    const seq = ++this.seq;
    const frame = encodeEvent({ id: `${this.id}-${seq}`, data: serializeMessage(message) });
    this.log.push({ seq, frame, audience });
    if (this.log.length > this.limits.replayEvents) this.evictedThrough = (this.log.shift() as LoggedEvent).seq;
    if (this.connection !== undefined) this.write(frame);
  }

  /** Sends the last message and ends the stream (basic/transports.mdx: terminate after the response). */
  finish(message?: JsonRpcMessage): void {
    if (message !== undefined) this.send(message);
    this.finished = true;
    this.release()?.end();
  }

  /**
   * Closes the connection but not the stream, after a `retry` hint (basic/transports.mdx: SHOULD
   * send retry before closing; the client polls by reconnecting with Last-Event-ID).
   */
  disconnect(retryMs: number): void {
    if (this.connection === undefined) return;
    this.write(encodeEvent({ id: this.nextId(), retry: retryMs }));
    this.release()?.end();
  }

  /** A comment line that keeps idle connections open through proxies. */
  heartbeat(): void {
    if (this.connection !== undefined) this.write(HEARTBEAT);
  }

  /** Ends the connection without a retry (shutdown, session end). */
  close(): void {
    this.finished = true;
    this.release()?.end();
  }

  /** True when the holder may be told a message meant for `audience` (none: anyone). */
  private tells(audience: Audience | undefined): boolean {
    return audience === undefined || (this.holder !== undefined && audience(this.holder.scopes));
  }

  /**
   * Ends `res` when its token expires (basic/authorization.mdx: every request needs a valid
   * token; a stream is not a way round that). The stream lives on: the client resumes it with a
   * fresh token and Last-Event-ID.
   */
  private endAtExpiry(res: ServerResponse, expiresAt: number): void {
    this.expiry = atExpiry(expiresAt, this.now, () => {
      if (this.connection === res) this.release()?.end();
    });
  }

  /** Forgets the attached connection and its expiry timer; returns it for the caller to end. */
  private release(): ServerResponse | undefined {
    const res = this.connection;
    this.connection = undefined;
    clearTimeout(this.expiry);
    this.expiry = undefined;
    return res;
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
      this.release();
      res.destroy();
      return;
    }
    res.write(text);
  }
}

const HEARTBEAT = encodeComment('keep-alive');
