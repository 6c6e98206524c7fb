/**
 * GET /mcp and DELETE /mcp (MCP 2025-11-25 basic/transports.mdx "Listening for Messages from the
 * Server", "Resumability and Redelivery", "Session Management"). GET opens the session's
 * standalone stream, or with Last-Event-ID resumes the stream that id names, whether it began as
 * a POST answer or a GET. DELETE ends the session (204).
 */
import { sendsPrimingEvents } from '../protocol/versions.ts';
import type { McpRequest } from './context.ts';
import { EventStream } from './event-stream.ts';
import { acceptsMediaType } from './media-type.ts';
import { noContent, reject } from './reply.ts';
import { resolveSession } from './session-check.ts';

export function handleGet(request: McpRequest): void {
  const { req, res, ctx, record, cors } = request;
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
    return stream.attach(res, { priming: false, afterSeq: position.seq, headers: cors });
  }
  // Checklist §10 (unspecified): one standalone stream at a time, so no message is broadcast (H24).
  if (session.standalone?.attached === true) return reject(res, 'streamConflict', cors);
  ctx.sessions.openStandalone(session).attach(res, { priming: sendsPrimingEvents(session.protocol.protocolVersion), headers: cors });
}

export function handleDelete(request: McpRequest): void {
  const { res, ctx, cors } = request;
  const session = resolveSession(request);
  if (session === undefined) return;
  // basic/transports.mdx: the client MAY end its session with DELETE; checklist H31: 204.
  ctx.sessions.delete(session.id);
  noContent(res, cors);
}
