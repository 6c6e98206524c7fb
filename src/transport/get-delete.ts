/**
 * GET /mcp and DELETE /mcp (MCP 2025-11-25 basic/transports.mdx "Listening for Messages from the
 * Server", "Resumability and Redelivery", "Session Management"). GET opens the session's
 * standalone stream, or with Last-Event-ID resumes the stream that id names, whether it began as
 * a POST answer or a GET. DELETE ends the session (204).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/principal.ts';
import { sendsPrimingEvents } from '../protocol/versions.ts';
import type { RequestRecord, TransportContext } from './context.ts';
import { EventStream } from './event-stream.ts';
import { acceptsMediaType } from './media-type.ts';
import { noContent, reject, type Headers } from './reply.ts';
import { resolveSession } from './session-check.ts';

interface SessionRequest {
  req: IncomingMessage;
  res: ServerResponse;
  ctx: TransportContext;
  principal: Principal;
  record: RequestRecord;
  cors: Headers;
}

export function handleGet({ req, res, ctx, principal, record, cors }: SessionRequest): void {
  // basic/transports.mdx: the client MUST list text/event-stream in Accept.
  if (!acceptsMediaType(req.headers.accept, 'text/event-stream') || req.headers.accept === undefined) return reject(res, 'notAcceptableStream', cors);
  const session = resolveSession(req, res, ctx, principal, record, cors);
  if (session === undefined) return;
  const lastEventId = req.headers['last-event-id'];
  if (typeof lastEventId === 'string') {
    const position = EventStream.parseEventId(lastEventId);
    const stream = position === undefined ? undefined : session.findStream(position.stream);
    // Checklist H26 (unspecified): an id we cannot resume from is 400.
    if (position === undefined || stream === undefined) return reject(res, 'badLastEventId', cors);
    record.reason = `resume stream ${stream.id}`;
    return stream.attach(res, { priming: false, afterSeq: position.seq, headers: cors });
  }
  // Checklist §10 (unspecified): one standalone stream at a time, so no message is broadcast (H24).
  if (session.standalone?.attached === true) return reject(res, 'streamConflict', cors);
  session.openStandalone().attach(res, { priming: sendsPrimingEvents(session.protocol.protocolVersion), headers: cors });
}

export function handleDelete({ req, res, ctx, principal, record, cors }: SessionRequest): void {
  const session = resolveSession(req, res, ctx, principal, record, cors);
  if (session === undefined) return;
  // basic/transports.mdx: the client MAY end its session with DELETE; checklist H31: 204.
  ctx.sessions.delete(session.id);
  noContent(res, cors);
}
