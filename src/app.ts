/**
 * The incident server's composition root: config, the incident store and features, the Okta
 * verifier, the metrics and readiness of those parts, all assembled by mcp-server.ts into one
 * running server. Entry points (server.ts, dev.ts, tests, the benchmark) call startServer.
 */
import { readFileSync } from 'node:fs';
import { OktaVerifier, type OktaVerifierOptions } from './auth/okta-verifier.ts';
import type { BearerVerifier } from './auth/principal.ts';
import type { Config } from './config.ts';
import { incidentFeatures, READ_SCOPE, WRITE_SCOPE } from './incidents/index.ts';
import { openJsonStore } from './incidents/json-store.ts';
import type { PgIncidentStore } from './incidents/pg-store.ts';
import { observeWrites, type IncidentStore } from './incidents/store.ts';
import { createLogger, type Logger } from './log.ts';
import { startMcpServer, type RunningMcpServer } from './mcp-server.ts';
import { Metrics } from './metrics.ts';
import type { ServerIdentity } from './protocol/lifecycle.ts';
import type { ServerTimeouts } from './transport/http-server.ts';

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
  /** Replaces the Okta verifier. */
  verifier?: BearerVerifier;
  /** Options of the Okta verifier (fetch timeout, refresh cooldown…), when it is not replaced. */
  verifierOptions?: OktaVerifierOptions;
  timeouts?: ServerTimeouts;
  /** Heartbeat and idle-expiry sweep period (default 15 s). */
  sweepMs?: number;
  /** Bytes an SSE connection may leave unsent before it is cut off (default 1 MiB). */
  maxQueuedBytes?: number;
}

export interface RunningServer extends RunningMcpServer {
  readonly store: IncidentStore;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = new Metrics();
  // Issue 13: DATABASE_URL set, PostgreSQL (seeded from INCIDENTS_FILE when new); unset, the JSON
  // file, and the PostgreSQL store's module is not loaded at all (issue 16: start-up).
  const pg = config.database === undefined ? undefined : await (await import('./incidents/pg-store.ts')).openPgStore(config.database, { seedFile: config.incidentsFile });
  const store = observeWrites(pg ?? await openJsonStore(config.incidentsFile), (operation, outcome, seconds) => metrics.storeOperation(operation, outcome, seconds));
  if (pg !== undefined) poolGauges(metrics, pg);
  // The issuer's keys are fetched through HTTPS_PROXY / HTTP_PROXY unless NO_PROXY names its host.
  const okta = options.verifier === undefined
    ? new OktaVerifier(config.auth, { egress: config.egress, onKeyFetch: (outcome) => metrics.keyFetch(outcome), ...options.verifierOptions })
    : undefined;
  // The keys are fetched while the server starts, not inside the first request.
  const warmUp = okta?.warmUp().then((reason) => {
    if (reason !== undefined) logger.warn('token issuer keys not reachable at start-up; requests get 503 until they are', { issuer: config.auth.issuer, detail: reason });
  });
  const mcp = await startMcpServer({
    identity: IDENTITY,
    features: (events) => incidentFeatures(store, events),
    verifier: okta ?? (options.verifier as BearerVerifier),
    issuer: config.auth.issuer,
    // basic/authorization.mdx "Scope Selection Strategy": a 401 asks for the minimal scope.
    scopes: [READ_SCOPE, WRITE_SCOPE],
    challengeScopes: [READ_SCOPE],
    host: config.host,
    port: config.port,
    publicUrl: config.publicUrl,
    allowedOrigins: config.allowedOrigins,
    maxBodyBytes: config.maxBodyBytes,
    maxSessions: config.maxSessions,
    maxSessionsPerPrincipal: config.maxSessionsPerPrincipal,
    sessionIdleMs: config.sessionIdleMs,
    sessionDatabase: config.database,
    listen: config.listen,
    requestStateKey: config.requestStateKey,
    toolRateLimit: config.toolRateLimit,
    resourceDocumentation: config.resourceDocumentation,
    logger,
    timeouts: options.timeouts,
    sweepMs: options.sweepMs,
    maxQueuedBytes: options.maxQueuedBytes,
    metrics,
    readiness: () => missingParts(okta, pg),
  });
  logger.info('listening', { url: mcp.url, publicUrl: config.publicUrl, issuer: config.auth.issuer, incidents: config.database === undefined ? config.incidentsFile : 'PostgreSQL (DATABASE_URL)' });
  return {
    ...mcp,
    store,
    async close(graceMs?: number) {
      await warmUp;
      await mcp.close(graceMs);
      await store.close();
    },
  };
}

/** How long /readyz waits on one part before counting it missing: a balancer's check must not hang. */
const READY_CHECK_MS = 1000;

/**
 * What keeps the server from being ready (/readyz): the issuer's keys until they were once
 * fetched (asked for again now, within the verifier's back-off), and, with DATABASE_URL, the
 * database while a SELECT 1 on the store's LISTEN connection does not answer (never the pool's
 * queue: a busy replica is still ready).
 */
async function missingParts(okta: OktaVerifier | undefined, pg: PgIncidentStore | undefined): Promise<string[]> {
  const keys = async (): Promise<boolean> => {
    if (okta === undefined || okta.keysReady()) return true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, READY_CHECK_MS)));
    await Promise.race([okta.warmUp(), late]).finally(() => clearTimeout(timer));
    return okta.keysReady();
  };
  const [haveKeys, haveStore] = await Promise.all([keys(), pg === undefined ? true : pg.reachable(READY_CHECK_MS)]);
  return [...(haveKeys ? [] : ['keys']), ...(haveStore ? [] : ['store'])];
}

/** The database pool's use and the change feed's connection, read when /metrics is scraped. */
function poolGauges(metrics: Metrics, pg: PgIncidentStore): void {
  metrics.gauge('mcp_db_pool_connections', 'Database pool connections open, idle or in use', () => pg.poolUse().total);
  metrics.gauge('mcp_db_pool_idle_connections', 'Database pool connections open and idle', () => pg.poolUse().idle);
  metrics.gauge('mcp_db_pool_waiting', 'Store operations waiting for a database pool connection', () => pg.poolUse().waiting);
  metrics.gauge('mcp_store_feed_connected', 'The change feed LISTEN connection: 1 up, 0 reconnecting', () => (pg.listening ? 1 : 0));
}
