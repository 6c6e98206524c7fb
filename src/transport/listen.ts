/**
 * The HTTP side of listen streams (MCP 2026-07-28 basic/patterns/subscriptions.mdx): the answers
 * of long-lived requests (a descriptor with `longLived`) held open, each kept alive by comment
 * lines on the server's sweep, and ended when the token that opened it expires (checklist M-S15):
 * the request is aborted, so no result is sent and the client reconnects with a fresh token. The
 * subscriptions themselves are the protocol core's (protocol/subscriptions.ts).
 */
import type { ServerResponse } from 'node:http';
import { CancelledError } from '../protocol/session.ts';
import { atExpiry, type StreamHolder } from './event-stream.ts';
import type { ModernChannel } from './modern-channel.ts';

export class ListenStreams {
  private readonly open = new Set<ModernChannel>();

  /** `maxQueuedBytes`: what a modern stream may leave unsent before it is cut off. */
  constructor(readonly maxQueuedBytes: number, private readonly now: () => number = Date.now) {}

  /** Streams held open now. */
  get size(): number {
    return this.open.size;
  }

  /**
   * Holds the long-lived answer `channel` on `res` until the connection closes: heartbeats meanwhile,
   * and `abort` at the holder's `exp` (basic/authorization.mdx: a stream is no way round token expiry).
   */
  hold(res: ServerResponse, channel: ModernChannel, holder: StreamHolder, abort: (reason: Error) => void): void {
    this.open.add(channel);
    const expiry = atExpiry(holder.expiresAt, this.now, () => abort(new CancelledError('token expired')));
    res.once('close', () => {
      this.open.delete(channel);
      clearTimeout(expiry);
    });
  }

  /** Keep-alive comments on every held stream (called by the server's sweep). */
  heartbeat(): void {
    for (const channel of this.open) channel.heartbeat();
  }
}
