/**
 * Assembles one MCP server from parts: feature definitions, the protocol core, a bearer verifier
 * and the HTTP transport, listening on a host and port. It knows nothing of incidents: app.ts
 * builds the incident server on it, and the conformance fixtures server builds its own.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { metadataPaths, protectedResourceMetadata } from './auth/metadata.ts';
import type { BearerVerifier } from './auth/principal.ts';
import { defaultPublicUrl, type DatabaseConfig, type ListenConfig } from './config.ts';
import type { Logger } from './log.ts';
import { Metrics } from './metrics.ts';
import { createProtocolCore, type ProtocolCore } from './protocol/core.ts';
import type { FeatureSet, ResourceEvents } from './protocol/definitions.ts';
import type { ServerIdentity } from './protocol/lifecycle.ts';
import { FeatureRegistry } from './protocol/registry.ts';
import { DEFAULT_LISTEN_LIMITS } from './protocol/subscriptions.ts';
import type { TransportContext } from './transport/context.ts';
import { boundPort, createBareServer, MCP_PATH, requestHandler, type ServerTimeouts } from './transport/http-server.ts';
import { ListenStreams } from './transport/listen.ts';
import type { ReadinessCheck } from './transport/operations.ts';
import { RateLimiter } from './transport/rate-limit.ts';
import { MemorySessionStore, type SessionStore } from './transport/session-store.ts';
import { SessionTable } from './transport/sessions.ts';

export interface McpServerOptions {
  readonly identity: ServerIdentity;
  /** The features, given the registry's resource events so they can report changes. */
  readonly features: (events: ResourceEvents) => FeatureSet;
  readonly verifier: BearerVerifier;
  /** The authorization server named in Protected Resource Metadata; none: no metadata is served. */
  readonly issuer: string | undefined;
  /** Scopes in `scopes_supported`; the first ones, `challengeScopes`, are asked for in a 401. */
  readonly scopes: readonly string[];
  readonly challengeScopes: readonly string[];
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string | undefined;
  readonly allowedOrigins: readonly string[];
  readonly maxBodyBytes: number;
  readonly maxSessions: number;
  /** Live sessions one principal may hold at once (default 100). */
  readonly maxSessionsPerPrincipal?: number | undefined;
  readonly sessionIdleMs: number;
  /** Per principal and minute: tool calls and completions; and, in a bucket of their own, initializes. */
  readonly toolRateLimit: number;
  readonly resourceDocumentation?: string | undefined;
  readonly logger: Logger;
  readonly timeouts?: ServerTimeouts | undefined;
  /** Heartbeat and idle-expiry sweep period (default 15 s). */
  readonly sweepMs?: number | undefined;
  /** The `retry` hint (ms) sent before the server closes an SSE connection (default 1000). */
  readonly retryMs?: number | undefined;
  /** Bytes an SSE connection may leave unsent before it is cut off (default 1 MiB). */
  readonly maxQueuedBytes?: number | undefined;
  /** Bounds of modern listen streams (defaults: 10 streams per principal, 100 URIs, 1 MiB unsent). */
  readonly listen?: ListenConfig | undefined;
  /** The key sealing multi round-trip `requestState` (32 bytes); one drawn at start-up when absent. */
  readonly requestStateKey?: Uint8Array | undefined;
  /** Where the metrics go (a registry of its own when absent); the composition adds its own parts' gauges. */
  readonly metrics?: Metrics | undefined;
  /** What /readyz waits for besides not draining: the composition's parts (keys, store). Ready when absent. */
  readonly readiness?: ReadinessCheck | undefined;
  /** DATABASE_URL: legacy sessions are kept in this PostgreSQL too, so any replica serves them (issue 13). In memory when absent. */
  readonly sessionDatabase?: Pick<DatabaseConfig, 'url'> | undefined;
}

export interface RunningMcpServer {
  /** The local endpoint, `http://{host}:{port}/mcp`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** The dispatcher and registry serving it: every method's descriptor is there. */
  readonly core: ProtocolCore;
  readonly sessions: SessionTable;
  readonly metrics: Metrics;
  /** Stops accepting, ends listening streams (listen streams with their result), lets in-flight requests finish for up to `graceMs`, then ends the sessions. */
  close(graceMs?: number): Promise<void>;
}

function metadataFor(options: McpServerOptions, publicUrl: string): Pick<TransportContext, 'metadata' | 'challenge'> {
  const paths = metadataPaths(publicUrl);
  const challenge = { resourceMetadataUrl: paths.url, defaultScopes: options.challengeScopes };
  if (options.issuer === undefined) return { challenge, metadata: undefined };
  const document = protectedResourceMetadata({
    resource: publicUrl,
    issuer: options.issuer,
    scopesSupported: options.scopes,
    resourceName: options.identity.title ?? options.identity.name,
    resourceDocumentation: options.resourceDocumentation,
    // RFC 9728 §2: the DPoP algorithms the verifier checks, and whether it requires DPoP; none without DPoP.
    dpop: options.verifier.dpop ?? null,
  });
  const served = [paths.pathInserted, `${paths.root}${MCP_PATH}`, paths.root];
  return { challenge, metadata: { paths: [...new Set(served)], body: JSON.stringify(document) } };
}

export async function startMcpServer(options: McpServerOptions): Promise<RunningMcpServer> {
  const registry = new FeatureRegistry();
  registry.add(options.features(registry));
  const listen = options.listen ?? { ...DEFAULT_LISTEN_LIMITS, maxQueuedBytes: 1024 * 1024 };
  const core = createProtocolCore(registry, options.identity, options.logger, { listen, requestStateKey: options.requestStateKey });
  const store: SessionStore = options.sessionDatabase === undefined
    ? new MemorySessionStore()
    // Loaded only with a database: pg stays out of a server that has none (issue 16: start-up).
    : await (await import('./transport/pg-sessions.ts')).openPgSessionStore(options.sessionDatabase, { idleMs: options.sessionIdleMs, logger: options.logger });
  const sessions = new SessionTable({
    maxSessions: options.maxSessions,
    maxSessionsPerOwner: options.maxSessionsPerPrincipal ?? 100,
    idleMs: options.sessionIdleMs,
    replayEvents: 256,
    maxQueuedBytes: options.maxQueuedBytes ?? 1024 * 1024,
    keptStreams: 16,
  }, Date.now, store);
  registry.attachSessions(() => sessions.listeners());

  const listening = new ListenStreams(listen.maxQueuedBytes);
  const metrics = options.metrics ?? new Metrics();
  metrics.gauge('mcp_sessions', 'Live legacy sessions', () => sessions.size);
  metrics.gauge('mcp_session_streams', 'Legacy sessions with a standalone GET stream open', () => sessions.listenerCount);
  metrics.gauge('mcp_listen_streams', 'Open modern streams held long (subscriptions/listen)', () => listening.size);

  const server = createBareServer(options.timeouts);
  server.listen(options.port, options.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    await store.close();
    throw error;
  }
  const port = boundPort(server);
  const publicUrl = options.publicUrl ?? defaultPublicUrl(options.host, port);
  const ctx: TransportContext = {
    core,
    verifier: options.verifier,
    knownScopes: options.scopes,
    sessions,
    listening,
    origins: { allowedOrigins: options.allowedOrigins, publicHost: new URL(publicUrl).host, port: () => port },
    limiters: {
      tool: new RateLimiter(options.toolRateLimit),
      // A bucket apart from tool calls: reconnecting spends no tool budget, and tool calls never block a reconnect.
      session: new RateLimiter(options.toolRateLimit),
    },
    logger: options.logger,
    maxBodyBytes: options.maxBodyBytes,
    retryMs: options.retryMs ?? 1000,
    lifecycle: { closing: false },
    metrics,
    readiness: options.readiness ?? (() => Promise.resolve([])),
    ...metadataFor(options, publicUrl),
  };
  server.on('request', requestHandler(ctx));
  const sweep = setInterval(() => {
    sessions.sweep();
    listening.heartbeat();
  }, options.sweepMs ?? 15_000);
  sweep.unref();

  let closing: Promise<void> | undefined;
  const close = (graceMs = 5000): Promise<void> => {
    closing ??= (async () => {
      ctx.lifecycle.closing = true;
      clearInterval(sweep);
      // Stop accepting; end the listening streams; let requests in flight finish within the grace.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      sessions.endListening();
      // subscriptions.mdx "Graceful Closure": each listen stream gets its result, then closes.
      core.subscriptions.endAll();
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      // With a shared store the sessions live on there, for the other replicas.
      sessions.closeAll();
      await store.close();
    })();
    return closing;
  };
  return { url: defaultPublicUrl(options.host, port), port, server, core, sessions, metrics, close };
}
