/**
 * The operations endpoints, answered without a token for load balancers and scrapers (issue 13):
 * `GET /healthz` (alive: the process answers), `GET /readyz` (ready: nothing the server needs is
 * missing, and it is not draining; otherwise 503 naming what is missing), `GET /metrics` (the
 * Prometheus exposition, metrics.ts). None of them tells anything about a caller or an incident.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TransportContext } from './context.ts';
import type { Refusal } from './refusal.ts';
import { writeText } from './reply.ts';

export const OPERATIONS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** Never cached: each answer is the state of this instant. */
const NO_STORE = { 'cache-control': 'no-store' };
const PLAIN = 'text/plain; charset=utf-8';

/** What keeps the server from being ready; empty when it is. The server's own parts are asked by its composition. */
export type ReadinessCheck = () => Promise<readonly string[]>;

/** Answers one of OPERATIONS_PATHS; a refusal for a method other than GET or HEAD. */
export async function handleOperations(req: IncomingMessage, res: ServerResponse, path: string, ctx: TransportContext): Promise<Refusal | undefined> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return { refusal: 'methodNotAllowed', allow: 'GET, HEAD' };
  if (path === '/healthz') return void writeText(res, 200, 'ok\n', NO_STORE, PLAIN);
  if (path === '/metrics') {
    const { body, contentType } = await ctx.metrics.scrape();
    return void writeText(res, 200, body, NO_STORE, contentType);
  }
  const missing = ctx.lifecycle.closing ? ['draining'] : await ctx.readiness();
  // RFC 9110 §15.6.4: 503 while not ready (no Retry-After: the balancer asks on its own schedule).
  if (missing.length > 0) return void writeText(res, 503, `not ready: ${missing.join(', ')}\n`, NO_STORE, PLAIN);
  return void writeText(res, 200, 'ready\n', NO_STORE, PLAIN);
}
