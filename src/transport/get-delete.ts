/**
 * GET /mcp and DELETE /mcp (MCP 2025-11-25 basic/transports.mdx "Listening for Messages from the
 * Server", "Resumability and Redelivery", "Session Management"). GET opens the session's
 * standalone stream, or with Last-Event-ID resumes the stream that id names, whether it began as
 * a POST answer or a GET. DELETE ends the session (204), on every replica. A stream is attached
 * only to a connection still open once the token was verified, and is held by that token: its
 * scopes filter what it hears and its expiry ends the connection (see event-stream.ts). Refusals
 * are returned to the router, which answers them.
 */
import { sendsPrimingEvents } from '../protocol/versions.ts';
import type { McpRequest } from './context.ts';
import { EventStream, isOpen } from './event-stream.ts';
import { acceptsMediaType } from './media-type.ts';
import { isRefusal, type Refusal } from './refusal.ts';
import { noContent } from './reply.ts';
import { resolveSession, storeOutage } from './session-check.ts';

/** Opens or resumes a stream; a refusal is returned for the router to answer. */
export async function handleGet(request: McpRequest): Promise<Refusal | undefined> {
  const { req, res, principal, record, cors } = request;
  // Issue #15: the client may have gone while its token was verified; nothing may be bound to it.
  if (!isOpen(res)) {
    record.reason = 'connection closed before the stream opened';
    return undefined;
  }
  // basic/transports.mdx: the client MUST list text/event-stream in Accept.
  if (req.headers.accept === undefined || !acceptsMediaType(req.headers.accept, 'text/event-stream')) return { refusal: 'notAcceptableStream' };
  const session = await resolveSession(request);
  if (isRefusal(session)) return session;
  // Issue 13: the session may have come from the shared store, and the client may have gone meanwhile.
  if (!isOpen(res)) {
    record.reason = 'connection closed before the stream opened';
    return undefined;
  }
  const lastEventId = req.headers['last-event-id'];
  if (typeof lastEventId === 'string') {
    const position = EventStream.parseEventId(lastEventId);
    const stream = position === undefined ? undefined : session.findStream(position.stream);
    // Checklist H26 (unspecified): an id we cannot resume from, or only with a gap, is 400.
    if (position === undefined || stream === undefined || !stream.canResumeAfter(position.seq)) return { refusal: 'badLastEventId' };
    record.reason = `resume stream ${stream.id}`;
    stream.attach(res, { priming: false, afterSeq: position.seq, headers: cors, holder: principal });
    return undefined;
  }
  // Checklist §10 (unspecified): one standalone stream at a time, so no message is broadcast (H24).
  if (session.standalone?.attached === true) return { refusal: 'streamConflict' };
  session.openStandalone().attach(res, { priming: sendsPrimingEvents(session.protocolVersion), headers: cors, holder: principal });
  return undefined;
}

export async function handleDelete(request: McpRequest): Promise<Refusal | undefined> {
  const { res, ctx, cors } = request;
  const session = await resolveSession(request);
  if (isRefusal(session)) return session;
  // basic/transports.mdx: the client MAY end its session with DELETE; checklist H31: 204.
  // Issue 13: it ends on every replica (the shared store tells the others), or, when the store is out of reach, nowhere.
  try {
    await ctx.sessions.end(session.id);
  } catch (error) {
    return storeOutage(error);
  }
  noContent(res, cors);
  return undefined;
}
