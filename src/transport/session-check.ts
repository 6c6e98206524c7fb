/**
 * Finding the session a request belongs to (MCP 2025-11-25 basic/transports.mdx "Session
 * Management" and "Protocol Version Header"): a missing MCP-Session-Id is 400, an unknown or
 * ended one 404, one created by another principal is treated as unknown (and logged), and an
 * MCP-Protocol-Version that is unsupported or contradicts the session is 400.
 */
import { isSupportedVersion } from '../protocol/versions.ts';
import { principalKey } from './authenticate.ts';
import type { McpRequest } from './context.ts';
import type { Refusal } from './refusal.ts';
import type { HttpSession } from './sessions.ts';

export const SESSION_HEADER = 'mcp-session-id';
export const VERSION_HEADER = 'mcp-protocol-version';

/** The request's live session, or the refusal that answers it. */
export function resolveSession({ req, ctx, principal, record }: McpRequest): HttpSession | Refusal {
  const id = req.headers[SESSION_HEADER];
  // basic/transports.mdx: a request without the session id SHOULD get 400.
  if (typeof id !== 'string' || id === '') return { refusal: 'missingSession' };
  const session = ctx.sessions.get(id);
  // basic/transports.mdx: an ended or unknown session MUST get 404.
  if (session === undefined) return { refusal: 'unknownSession' };
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
