/**
 * The composition root: wires config, the incident store and features, the protocol core, the
 * bearer verifier and the HTTP transport into one running server, and takes it down again.
 * Entry points (server.ts, dev.ts, tests, the benchmark) call startServer; nothing else here
 * knows how the layers fit together.
 */
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { metadataPaths, protectedResourceMetadata } from './auth/metadata.ts';
import { OktaVerifier } from './auth/okta-verifier.ts';
import type { BearerVerifier } from './auth/principal.ts';
import { defaultPublicUrl, type Config } from './config.ts';
import { incidentFeatures, READ_SCOPE, WRITE_SCOPE } from './incidents/index.ts';
import { openJsonStore } from './incidents/json-store.ts';
import type { IncidentStore } from './incidents/store.ts';
import { createLogger, type Logger } from './log.ts';
import { createProtocolCore } from './protocol/core.ts';
import type { ServerIdentity } from './protocol/lifecycle.ts';
import { FeatureRegistry } from './protocol/registry.ts';
import type { TransportContext } from './transport/context.ts';
import { boundPort, createBareServer, MCP_PATH, requestHandler, type ServerTimeouts } from './transport/http-server.ts';
import { RateLimiter } from './transport/rate-limit.ts';
import { SessionTable } from './transport/sessions.ts';

const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const IDENTITY: ServerIdentity = {
  name: 'incident-mcp-server',
  title: 'Incident Tracker',
  version: PACKAGE.version,
  description: 'Track operational incidents: create, update, list and triage them.',
  instructions:
    'This server tracks operational incidents (outages, bugs, degradations). Use list_incidents to see what is open, ' +
    'create_incident to record a new one, and update_incident to move it to investigating or resolved. ' +
    'Read incidents://all or incidents://{id} for raw JSON, and use the triage_incidents prompt to plan a response.',
};

export interface StartOptions {
  logger?: Logger;
  /** Replaces the Okta verifier (the conformance fixture server runs without auth). */
  verifier?: BearerVerifier;
  timeouts?: ServerTimeouts;
  /** Heartbeat and idle-expiry sweep period (default 15 s). */
  sweepMs?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly sessions: SessionTable;
  readonly store: IncidentStore;
  /** Stops accepting, ends streams, lets in-flight requests finish (up to `graceMs`), closes the store. */
  close(graceMs?: number): Promise<void>;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const store = await openJsonStore(config.incidentsFile);
  const registry = new FeatureRegistry();
  registry.add(incidentFeatures(store, registry));
  const core = createProtocolCore(registry, IDENTITY, logger);
  const sessions = new SessionTable({ maxSessions: config.maxSessions, idleMs: config.sessionIdleMs, replayEvents: 256, maxQueuedBytes: 1024 * 1024, keptStreams: 16 });
  registry.attachSessions(() => sessions.protocolSessions());

  const server = createBareServer(options.timeouts);
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const port = boundPort(server);
  const publicUrl = config.publicUrl ?? defaultPublicUrl(config.host, port);
  const paths = metadataPaths(publicUrl);
  const metadata = protectedResourceMetadata({
    resource: publicUrl,
    issuer: config.auth.issuer,
    // basic/authorization.mdx "Scope Selection Strategy": scopes_supported is the minimal baseline.
    scopesSupported: [READ_SCOPE, WRITE_SCOPE],
    resourceName: IDENTITY.title ?? IDENTITY.name,
    resourceDocumentation: config.resourceDocumentation,
  });
  const ctx: TransportContext = {
    core,
    verifier: options.verifier ?? new OktaVerifier(config.auth),
    challenge: { resourceMetadataUrl: paths.url, defaultScopes: [READ_SCOPE] },
    knownScopes: [READ_SCOPE, WRITE_SCOPE],
    sessions,
    origins: { allowedOrigins: config.allowedOrigins, publicHost: new URL(publicUrl).host, port: () => port },
    toolLimiter: new RateLimiter(config.toolRateLimit),
    logger,
    maxBodyBytes: config.maxBodyBytes,
    retryMs: 1000,
    metadata: { paths: [...new Set([paths.pathInserted, `${paths.root}${MCP_PATH}`, paths.root])], body: JSON.stringify(metadata) },
  };
  server.on('request', requestHandler(ctx));
  const sweep = setInterval(() => sessions.sweep(), options.sweepMs ?? 15_000);
  sweep.unref();
  logger.info('listening', { url: `http://${config.host}:${port}${MCP_PATH}`, publicUrl, issuer: config.auth.issuer, incidents: config.incidentsFile });

  let closing: Promise<void> | undefined;
  const close = (graceMs = 5000): Promise<void> => {
    closing ??= (async () => {
      clearInterval(sweep);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      sessions.closeAll();
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await store.close();
    })();
    return closing;
  };
  return { url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}${MCP_PATH}`, port, server, sessions, store, close };
}
