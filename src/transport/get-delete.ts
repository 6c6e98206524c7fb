/**
 * GET /mcp and DELETE /mcp (MCP 2025-11-25 basic/transports.mdx "Listening for Messages from the
 * Server", "Resumability and Redelivery", "Session Management"). GET opens the session's
 * standalone stream, or with Last-Event-ID resumes the stream that id names, whether it began as
 * a POST answer or a GET. DELETE ends the session (204). A stream is attached only to a
 * connection still open once the token was verified, and is held by that token: its scopes filter
 * what it hears and its expiry ends the connection (see event-stream.ts).
 */
import { sendsPrimingEvents } from '../protocol/versions.ts';
import type { McpRequest } from './context.ts';
import { EventStream, isOpen } from './event-stream.ts';
import { acceptsMediaType } from './media-type.ts';
import { noContent, reject } from './reply.ts';
import { resolveSession } from './session-check.ts';

export function handleGet(request: McpRequest): void {
  const { req, res, ctx, principal, record, cors } = request;
  // Issue #15: the client may have gone while its token was verified; nothing may be bound to it.
  if (!isOpen(res)) {
    record.reason = 'connection closed before the stream opened';
    return;
  }
  // basic/transports.mdx: the client MUST list text/event-stream in Accept.
  if (req.headers.accept === undefined || !acceptsMediaType(req.headers.accept, 'text/event-stream')) return reject(res, 'notAcceptableStream', cors);
  const session = resolveSession(request);
  if (session === undefined) return;
  const lastEventId = req.headers['last-event-id'];
  if (typeof lastEventId === 'string') {
    const position = EventStream.parseEventId(lastEventId);
    const stream = position === undefined ? undefined : session.findStream(position.stream);
    // Checklist H26 (unspecified): an id we cannot resume from, or only with a gap, is 400.
    if (position === undefined || stream === undefined || !stream.canResumeAfter(position.seq)) return reject(res, 'badLastEventId', cors);
    record.reason = `resume stream ${stream.id}`;
    stream.attach(res, { priming: false, afterSeq: position.seq, headers: cors, holder: principal });
    return;
  }
  // Checklist §10 (unspecified): one standalone stream at a time, so no message is broadcast (H24).
  if (session.standalone?.attached === true) return reject(res, 'streamConflict', cors);
  ctx.sessions.openStandalone(session).attach(res, { priming: sendsPrimingEvents(session.protocol.protocolVersion), headers: cors, holder: principal });
}

export function handleDelete(request: McpRequest): void {
  const { res, ctx, cors } = request;
  const session = resolveSession(request);
  if (session === undefined) return;
  // basic/transports.mdx: the client MAY end its session with DELETE; checklist H31: 204.
  ctx.sessions.delete(session.id);
  noContent(res, cors);
}
