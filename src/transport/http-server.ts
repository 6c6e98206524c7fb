/**
 * The HTTP server: node:http with timeouts that a slow or half-open client cannot exhaust, the
 * gate every request passes (gate.ts: Host, target, duplicated headers, transfer coding), the
 * router (one MCP endpoint, `/mcp`, plus the Protected Resource Metadata documents), the checks
 * every /mcp request passes next (Origin, method, bearer token), one access-log line per request,
 * and a graceful close. Method handling lives in post.ts and get-delete.ts; connection.ts closes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate } from './authenticate.ts';
import type { RequestRecord, TransportContext } from './context.ts';
import { handleDelete, handleGet } from './get-delete.ts';
import { isClosing, manageConnections, trackResponse } from './connection.ts';
import { admit } from './gate.ts';
import { checkOrigin, corsHeaders, preflightHeaders } from './origin.ts';
import { handlePost } from './post.ts';
import { noContent, rawRejection, reject, writeText, type Headers } from './reply.ts';

export const MCP_PATH = '/mcp';

/** RFC 9110 §15.5.6: 405 carries Allow. */
const MCP_ALLOW = 'GET, POST, DELETE, OPTIONS';

export interface ServerTimeouts {
  /** Time to receive all request headers. */
  headersMs: number;
  /** Time to receive a whole request, body included. */
  requestMs: number;
  /** Idle time of a kept-alive connection between requests. */
  keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

async function handleMcp(req: IncomingMessage, res: ServerResponse, url: URL, ctx: TransportContext, record: RequestRecord): Promise<void> {
  // basic/transports.mdx: validate Origin on all connections (DNS rebinding; Host: gate.ts); 403 on a bad Origin.
  const origin = checkOrigin(req, ctx.origins);
  if (origin === 'forbidden') return reject(res, 'originForbidden');
  const cors = corsHeaders(origin === 'allowed' ? req.headers.origin : undefined);
  if (req.method === 'OPTIONS') return noContent(res, origin === 'allowed' ? preflightHeaders(req.headers.origin as string) : { allow: MCP_ALLOW });
  if (req.method !== 'POST' && req.method !== 'GET' && req.method !== 'DELETE') return reject(res, 'methodNotAllowed', { ...cors, allow: MCP_ALLOW });
  // basic/authorization.mdx: validate the token on every request, before processing it.
  const principal = await authenticate(req, res, url, ctx, record, cors);
  if (principal === undefined) return;
  const request = { req, res, ctx, principal, record, cors };
  if (req.method === 'POST') return handlePost(request);
  if (req.method === 'GET') return handleGet(request);
  return handleDelete(request);
}

function handleMetadata(req: IncomingMessage, res: ServerResponse, body: string): void {
  // RFC 9728 §3: fetched without a token, possibly by browser clients: open CORS, cacheable.
  const headers: Headers = { 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=3600' };
  if (req.method === 'OPTIONS') return noContent(res, { ...headers, 'access-control-allow-methods': 'GET, OPTIONS', 'access-control-allow-headers': 'MCP-Protocol-Version' });
  if (req.method !== 'GET' && req.method !== 'HEAD') return reject(res, 'methodNotAllowed', { allow: 'GET, HEAD, OPTIONS' });
  writeText(res, 200, body, headers);
}

function logRequest(ctx: TransportContext, req: IncomingMessage, res: ServerResponse, path: string, started: bigint, record: RequestRecord): void {
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  ctx.logger.info('request', { method: req.method, path, status: res.statusCode, durationMs: Math.round(durationMs * 100) / 100, ...record });
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
  manageConnections(server, rawRejection);
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
    const url = 'url' in verdict ? verdict.url : new URL('http://target.invalid/');
    res.once('close', () => logRequest(ctx, req, res, url.pathname, started, record));
    if (ctx.lifecycle.closing) return reject(res, 'shuttingDown', { 'retry-after': 1 });
    if ('refusal' in verdict) {
      record.reason = verdict.refusal;
      return reject(res, verdict.refusal);
    }
    const route = url.pathname === MCP_PATH
      ? handleMcp(req, res, url, ctx, record)
      : ctx.metadata !== undefined && ctx.metadata.paths.includes(url.pathname)
        ? Promise.resolve(handleMetadata(req, res, ctx.metadata.body))
        : Promise.resolve(reject(res, 'notFound'));
    route.catch((error: unknown) => {
      // STYLE principle 3: an unexpected failure is logged, and the client gets a fixed message.
      ctx.logger.error('request failed', { path: url.pathname, error: error instanceof Error ? error.stack ?? error.message : String(error) });
      if (!res.headersSent) reject(res, 'internal');
      else res.destroy();
    });
  };
}

/** The port a listening server is bound to. */
export function boundPort(server: Server): number {
  return (server.address() as AddressInfo | null)?.port ?? 0;
}
