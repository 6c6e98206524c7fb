/**
 * What every request handler of the transport shares: the protocol core, the verifier, the
 * session table, limits and the logger, gathered once at start-up and passed down explicitly.
 * Also the per-request record that becomes the one access-log line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BearerVerifier, ChallengeInfo, Principal } from '../auth/principal.ts';
import type { Logger } from '../log.ts';
import type { Era, Metrics } from '../metrics.ts';
import type { ProtocolCore } from '../protocol/core.ts';
import type { RateLimitClass } from '../protocol/method.ts';
import type { ListenStreams } from './listen.ts';
import type { ReadinessCheck } from './operations.ts';
import type { OriginPolicy } from './origin.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { Headers } from './reply.ts';
import type { SessionTable } from './sessions.ts';

export interface TransportContext {
  readonly core: ProtocolCore;
  readonly verifier: BearerVerifier;
  readonly challenge: ChallengeInfo;
  /** Every scope the server knows, for the `scope` of step-up challenges. */
  readonly knownScopes: readonly string[];
  readonly sessions: SessionTable;
  /** The modern long-lived answers (listen streams) held open, and the byte bound of modern streams. */
  readonly listening: ListenStreams;
  readonly origins: OriginPolicy;
  /** One per-principal limiter for each rate-limit class a method descriptor can declare. */
  readonly limiters: Readonly<Record<Exclude<RateLimitClass, 'none'>, RateLimiter>>;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** The `retry` hint (ms) sent before we close an SSE connection ourselves. */
  readonly retryMs: number;
  /** Set once the server starts closing: new requests get 503 and the connection closes. */
  readonly lifecycle: { closing: boolean };
  /** Protected Resource Metadata (RFC 9728): the paths it is served at and its serialised body. */
  readonly metadata: { readonly paths: readonly string[]; readonly body: string } | undefined;
  readonly metrics: Metrics;
  /** What /readyz waits for besides not draining (operations.ts). */
  readonly readiness: ReadinessCheck;
}

/** An authenticated request to /mcp, as the method handlers (post.ts, get-delete.ts) receive it. */
export interface McpRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly ctx: TransportContext;
  readonly principal: Principal;
  readonly record: RequestRecord;
  /** CORS headers every answer to this request carries. */
  readonly cors: Headers;
}

/** Fields of the access-log line, filled in as the request moves through its stages. */
export interface RequestRecord {
  rpcMethod?: string;
  /** The era a POSTed message was served in (metrics only). */
  era?: Era;
  /** The kind of refusal that answered it (transport/refusal.ts), for the metrics. */
  refusal?: string;
  session?: string;
  clientId?: string;
  /** Why the request was refused, for the log only (never a token). */
  reason?: string;
  /** The id a modern request's handler-failure log line and -32603 answer carry (post-modern.ts). */
  correlationId?: string;
  /** W3C Trace Context trace id of a modern request, so its log line joins the caller's trace. */
  traceId?: string | undefined;
}
