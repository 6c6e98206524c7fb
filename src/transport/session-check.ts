/**
 * Finding the session a request belongs to (MCP 2025-11-25 basic/transports.mdx "Session
 * Management" and "Protocol Version Header"): a missing MCP-Session-Id is 400, an unknown or
 * ended one 404, one created by another principal is treated as unknown (and logged), and an
 * MCP-Protocol-Version that is unsupported or contradicts the session is 400. With a shared
 * session store, a session this replica does not hold is looked up there and adopted, then
 * checked the same way; a store that cannot be asked is 503 with Retry-After.
 */
import type { RequestId } from '../protocol/messages.ts';
import { isSupportedVersion } from '../protocol/versions.ts';
import { principalKey } from './authenticate.ts';
import type { McpRequest } from './context.ts';
import { isRefusal, type Refusal } from './refusal.ts';
import { SessionStoreUnavailableError } from './session-store.ts';
import type { HttpSession } from './sessions.ts';

export const SESSION_HEADER = 'mcp-session-id';
export const VERSION_HEADER = 'mcp-protocol-version';

/** Seconds a client waits after a session store outage, as after an incident store outage. */
const OUTAGE_RETRY_AFTER = 5;

/**
 * RFC 9110 §15.6.4: the session store (the database) is out of reach, a passing state: 503 with
 * Retry-After, the answer the incident store's outage gets. Other failures are rethrown.
 */
export function storeOutage(error: unknown, id?: RequestId): Refusal {
  if (!(error instanceof SessionStoreUnavailableError)) throw error;
  return { refusal: 'storeUnavailable', retryAfter: OUTAGE_RETRY_AFTER, id, detail: `session store unavailable: ${error.reason}` };
}

/** Looks the session up, the store's failure as its refusal (the store logged its reason). */
async function findSession({ ctx }: McpRequest, id: string): Promise<HttpSession | undefined | Refusal> {
  try {
    return await ctx.sessions.find(id);
  } catch (error) {
    return storeOutage(error);
  }
}

/** The request's live session, or the refusal that answers it. */
export async function resolveSession(request: McpRequest): Promise<HttpSession | Refusal> {
  const { req, ctx, principal, record } = request;
  const id = req.headers[SESSION_HEADER];
  // basic/transports.mdx: a request without the session id SHOULD get 400.
  if (typeof id !== 'string' || id === '') return { refusal: 'missingSession' };
  const session = await findSession(request, id);
  // basic/transports.mdx: an ended or unknown session MUST get 404.
  if (session === undefined) return { refusal: 'unknownSession' };
  if (isRefusal(session)) return session;
  // security_best_practices.mdx "Session Hijacking": bind sessions to the validated identity.
  if (session.owner !== principalKey(principal)) {
    ctx.logger.warn('session presented by another principal', { session: id, clientId: record.clientId });
    return { refusal: 'unknownSession', detail: 'session used by another principal' };
  }
  record.session = id;
  const version = req.headers[VERSION_HEADER];
  if (version !== undefined) {
    // basic/transports.mdx: invalid or unsupported → 400; checklist H36: a mismatch → 400 too.
    if (typeof version !== 'string' || !isSupportedVersion(version)) return { refusal: 'unsupportedVersion' };
    if (version !== session.protocolVersion) return { refusal: 'versionMismatch' };
  }
  // Refused requests (another principal, a wrong version) must not keep a session alive.
  ctx.sessions.touch(session);
  return session;
}
