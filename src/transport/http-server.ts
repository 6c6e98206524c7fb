/**
 * The HTTP server: node:http with timeouts that a slow or half-open client cannot exhaust, the
 * gate every request passes (gate.ts: Host, target, duplicated headers, transfer coding), the
 * router (one MCP endpoint, `/mcp`, the Protected Resource Metadata documents and the operations
 * endpoints, operations.ts), the checks every /mcp request passes next (Origin, method, bearer
 * token), one access-log line and one metrics sample per request, and a graceful close. Stages return refusals; the router writes them (CORS only past the Origin
 * check). Method handling lives in post.ts and get-delete.ts; connection.ts closes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writesAt } from '../log.ts';
import { authenticate } from './authenticate.ts';
import type { RequestRecord, TransportContext } from './context.ts';
import { handleDelete, handleGet } from './get-delete.ts';
import { isClosing, manageConnections, trackResponse } from './connection.ts';
import { admit } from './gate.ts';
import { checkOrigin, corsHeaders, preflightHeaders } from './origin.ts';
import { handleOperations, OPERATIONS_PATHS } from './operations.ts';
import { handlePost } from './post.ts';
import { isRefusal, NO_CORS, type Refusal } from './refusal.ts';
import { noContent, rawRefusal, refuse, writeText, type Headers } from './reply.ts';

export const MCP_PATH = '/mcp';

/** RFC 9110 §15.5.6: 405 carries Allow. */
const MCP_ALLOW = 'GET, POST, DELETE, OPTIONS';

const ORIGIN_FORBIDDEN: Refusal = { refusal: 'originForbidden' };
const NOT_FOUND: Refusal = { refusal: 'notFound' };
const SHUTTING_DOWN: Refusal = { refusal: 'shuttingDown' };
const INTERNAL: Refusal = { refusal: 'internal' };

export interface ServerTimeouts {
  /** Time to receive all request headers. */
  headersMs: number;
  /** Time to receive a whole request, body included. */
  requestMs: number;
  /** Idle time of a kept-alive connection between requests. */
  keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

/** /mcp: the Origin check, then its one refusal exit, with CORS for an allowed browser origin. */
async function handleMcp(req: IncomingMessage, res: ServerResponse, url: URL, ctx: TransportContext, record: RequestRecord): Promise<void> {
  // basic/transports.mdx: validate Origin on all connections (DNS rebinding; Host: gate.ts); 403 on a bad Origin.
  const origin = checkOrigin(req, ctx.origins);
  const allowed = origin === 'allowed' ? req.headers.origin : undefined;
  const refusal = origin === 'forbidden' ? ORIGIN_FORBIDDEN : await serveMcp(req, res, url, ctx, record, allowed);
  if (refusal !== undefined) refuse(res, refusal, { origin: allowed }, record);
}

/** The /mcp methods after the Origin check: preflight, then the bearer token, then the method's pipeline. */
async function serveMcp(req: IncomingMessage, res: ServerResponse, url: URL, ctx: TransportContext, record: RequestRecord, origin: string | undefined): Promise<Refusal | undefined> {
  if (req.method === 'OPTIONS') return void noContent(res, origin !== undefined ? preflightHeaders(origin) : { allow: MCP_ALLOW });
  if (req.method !== 'POST' && req.method !== 'GET' && req.method !== 'DELETE') return { refusal: 'methodNotAllowed', allow: MCP_ALLOW };
  // basic/authorization.mdx: validate the token on every request, before processing it.
  const principal = await authenticate(req, url, ctx, record);
  if (isRefusal(principal)) return principal;
  const request = { req, res, ctx, principal, record, cors: corsHeaders(origin) };
  if (req.method === 'POST') return handlePost(request);
  if (req.method === 'GET') return handleGet(request);
  return handleDelete(request);
}

function handleMetadata(req: IncomingMessage, res: ServerResponse, body: string): Refusal | undefined {
  // RFC 9728 §3: fetched without a token, possibly by browser clients: open CORS, cacheable.
  const headers: Headers = { 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=3600' };
  if (req.method === 'OPTIONS') return void noContent(res, { ...headers, 'access-control-allow-methods': 'GET, OPTIONS', 'access-control-allow-headers': 'MCP-Protocol-Version' });
  if (req.method !== 'GET' && req.method !== 'HEAD') return { refusal: 'methodNotAllowed', allow: 'GET, HEAD, OPTIONS' };
  return void writeText(res, 200, body, headers);
}

/** A path other than /mcp and the operations endpoints: a metadata document, or 404. */
function handleOther(req: IncomingMessage, res: ServerResponse, url: URL, ctx: TransportContext): Refusal | undefined {
  if (ctx.metadata !== undefined && ctx.metadata.paths.includes(url.pathname)) return handleMetadata(req, res, ctx.metadata.body);
  return NOT_FOUND;
}

/** A JSON-RPC method name fit for a metric label: one the server serves, else `unknown` (a client's string never becomes a label). */
function rpcLabel(ctx: TransportContext, method: string | undefined): string {
  if (method === undefined) return 'none';
  const { dispatcher } = ctx.core;
  return dispatcher.hasMethod(method) || dispatcher.admitNotification({ jsonrpc: '2.0', method }) !== undefined ? method : 'unknown';
}

function logRequest(ctx: TransportContext, req: IncomingMessage, res: ServerResponse, path: string, started: bigint, record: RequestRecord): void {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { refusal, era } = record;
  // The access line's fields are built only when its level is written (LOG_LEVEL below info).
  if (writesAt(ctx.logger, 'info')) {
    const { refusal: _refusal, era: _era, ...logged } = record;
    ctx.logger.info('request', { method: req.method, path, status: res.statusCode, durationMs: Math.round(seconds * 1e5) / 100, ...logged });
  }
  ctx.metrics.request({ http: req.method ?? 'other', rpc: rpcLabel(ctx, record.rpcMethod), status: res.statusCode, era: era ?? 'none', seconds, refusal });
}

/** A node:http server with our timeouts and no handler yet (the context needs the bound port). */
export function createBareServer(timeouts: ServerTimeouts = DEFAULT_TIMEOUTS): Server {
  // Node checks the header and request deadlines only every connectionsCheckingInterval (default 30 s).
  const checkMs = Math.max(50, Math.min(1000, Math.floor(Math.min(timeouts.headersMs, timeouts.requestMs) / 4)));
  const server = createServer({
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    connectionsCheckingInterval: checkMs,
    maxHeaderSize: 16 * 1024,
  });
  // Node drops header lines past maxHeadersCount silently (a hidden duplicate Authorization); keep all, refuse many.
  server.maxHeadersCount = 0;
  manageConnections(server, rawRefusal);
  return server;
}

/** The request listener: routes /mcp and the metadata documents, logs one line per request. */
export function requestHandler(ctx: TransportContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // RFC 9112 §9.6: after an answer that closes the connection, no further request on it is processed.
    if (isClosing(req.socket)) return void req.resume();
    trackResponse(req, res);
    const started = process.hrtime.bigint();
    const record: RequestRecord = {};
    const verdict = admit(req, ctx.origins);
    const url = isRefusal(verdict) ? new URL('http://target.invalid/') : verdict.url;
    res.once('close', () => logRequest(ctx, req, res, url.pathname, started, record));
    // Operations answer while the server drains (/readyz says so); the rest gets 503 then.
    const route = isRefusal(verdict) ? 'refused' : url.pathname === MCP_PATH ? 'mcp' : OPERATIONS_PATHS.has(url.pathname) ? 'operations' : 'other';
    // Refusals outside /mcp's pipeline are written at once (a closing one marks the socket before
    // a pipelined request is handled), and without CORS.
    const refusal = ctx.lifecycle.closing && route !== 'operations' ? SHUTTING_DOWN
      : isRefusal(verdict) ? verdict
      : route === 'other' ? handleOther(req, res, url, ctx)
      : undefined;
    if (refusal !== undefined) return refuse(res, refusal, NO_CORS, record);
    if (route === 'other') return;
    const handled = route === 'mcp' ? handleMcp(req, res, url, ctx, record) : handleOperations(req, res, url.pathname, ctx).then((refused) => {
      if (refused !== undefined) refuse(res, refused, NO_CORS, record);
    });
    handled.catch((error: unknown) => {
      // STYLE principle 3: an unexpected failure is logged, and the client gets a fixed message.
      ctx.logger.error('request failed', { path: url.pathname, error: error instanceof Error ? error.stack ?? error.message : String(error) });
      if (!res.headersSent) refuse(res, INTERNAL, NO_CORS, record);
      else res.destroy();
    });
  };
}

/** The port a listening server is bound to. */
export function boundPort(server: Server): number {
  return (server.address() as AddressInfo | null)?.port ?? 0;
}
