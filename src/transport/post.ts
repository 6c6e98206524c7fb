/**
 * POST /mcp (MCP 2025-11-25 basic/transports.mdx "Sending Messages to the Server"), after the
 * router has checked Host, Origin and the bearer token. A request carrying the modern envelope
 * claim (MCP 2026-07-28) goes to post-modern.ts; every other is legacy, one named pipeline:
 * checkMediaTypes → readMessage (body, classify) → admit (descriptor, params, scopes) →
 * resolveSession (session, version; from the shared store when not held here) → authorize
 * (scopes) → limitRate (rate-limit class) → run → settle (write-through) → reply. What a method
 * needs comes from its descriptor (protocol/method.ts): this file names no method. Each stage
 * returns its result or a Refusal; the pipeline hands the first refusal back to the router.
 */
import type { Admission } from '../protocol/dispatcher.ts';
import type { Classified, JsonRpcNotification, JsonRpcRequest } from '../protocol/messages.ts';
import { parseAndClassify } from '../protocol/messages.ts';
import { CancelledError, type MessageSink } from '../protocol/session.ts';
import { hasEnvelopeClaim } from '../protocol/envelope.ts';
import { principalKey } from './authenticate.ts';
import { BodyError, readBody, type BodyErrorKind } from './body.ts';
import { expectsContinue } from './connection.ts';
import type { McpRequest } from './context.ts';
import { acceptsMediaType, isJsonContentType } from './media-type.ts';
import { claimsModernHeader, handleModern } from './post-modern.ts';
import { checkNeeds } from './needs.ts';
import { isRefusal, type Refusal, type RefusalKind } from './refusal.ts';
import { accepted } from './reply.ts';
import { ResponseChannel, type ResponseModes } from './response-channel.ts';
import { resolveSession, SESSION_HEADER, storeOutage } from './session-check.ts';
import type { HttpSession } from './sessions.ts';

/** The related-message sink of initialize, which has none to send. */
const NO_RELATED: MessageSink = { send() {} };

/** Each way a body fails to arrive, as its refusal. */
const BODY_REFUSALS = {
  'too-large': 'bodyTooLarge',
  truncated: 'bodyTruncated',
  'invalid-utf8': 'bodyNotUtf8',
} as const satisfies Record<BodyErrorKind, RefusalKind>;

/** Answers a POST; a refusal is returned for the router to answer. */
export async function handlePost(post: McpRequest): Promise<Refusal | undefined> {
  const modes = checkMediaTypes(post);
  if (isRefusal(modes)) return modes;
  const message = await readMessage(post);
  if (isRefusal(message)) return message;
  // MCP 2026-07-28 basic/versioning.mdx: the envelope claim decides the era, per request (checklist §5.1).
  if (message.kind !== 'response' && (hasEnvelopeClaim(message.message.params) || claimsModernHeader(post))) {
    post.record.era = 'modern';
    return handleModern(post, message.message, modes);
  }
  post.record.era = 'legacy';
  if (message.kind !== 'request') {
    const session = await resolveSession(post);
    if (isRefusal(session)) return session;
    if (message.kind === 'notification') return notify(post, session, message.message);
    // basic/transports.mdx: a response the server cannot accept gets an HTTP error such as 400.
    if (!session.outbound.settle(message.message)) return { refusal: 'responseNotAccepted' };
    return void accepted(post.res, post.cors);
  }
  const admission = post.ctx.core.dispatcher.admit(message.message, 'legacy');
  if (admission.descriptor?.opensSession === true) return initialize(post, message.message, admission, modes);
  const session = await resolveSession(post);
  if (isRefusal(session)) return session;
  return dispatch(post, session, message.message, admission, modes);
}

/** Checklist H8: 415 for a body that is not JSON, 406 when we can answer in neither form. */
function checkMediaTypes({ req }: McpRequest): ResponseModes | Refusal {
  if (!isJsonContentType(req.headers['content-type'])) return { refusal: 'unsupportedMediaType' };
  const modes = { json: acceptsMediaType(req.headers.accept, 'application/json'), sse: acceptsMediaType(req.headers.accept, 'text/event-stream') };
  if (!modes.json && !modes.sse) return { refusal: 'notAcceptable' };
  return modes;
}

async function readMessage({ req, res, ctx, record }: McpRequest): Promise<Exclude<Classified, { kind: 'invalid' }> | Refusal> {
  let text: string;
  try {
    // RFC 9110 §10.1.1: `100 Continue` only now, after every check that could refuse without the body.
    text = await readBody(req, { limit: ctx.maxBodyBytes, invite: expectsContinue(req) ? () => res.writeContinue() : undefined });
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    return { refusal: BODY_REFUSALS[error.kind], detail: `body ${error.kind}` };
  }
  const classified = parseAndClassify(text);
  if (classified.kind === 'invalid') return { refusal: 'invalidMessage', error: classified.error, id: classified.id };
  if (classified.kind !== 'response') record.rpcMethod = classified.message.method;
  return classified;
}

/** basic/transports.mdx: an accepted notification gets 202 with no body; unknown or malformed ones are dropped. */
async function notify(post: McpRequest, session: HttpSession, notification: JsonRpcNotification): Promise<Refusal | undefined> {
  const { dispatcher } = post.ctx.core;
  const admitted = dispatcher.admitNotification(notification);
  if (admitted !== undefined) {
    const refused = checkNeeds(post, notification.method, admitted.scopes, admitted.descriptor.rateLimit, undefined);
    if (refused !== undefined) return refused;
    dispatcher.deliver(admitted, session);
    await post.ctx.sessions.settle(session);
  }
  return void accepted(post.res, post.cors);
}

/** basic/lifecycle.mdx "Initialization": a new session, added only when initialize succeeds. */
async function initialize(post: McpRequest, request: JsonRpcRequest, admission: Admission, modes: ResponseModes): Promise<Refusal | undefined> {
  const { req, res, ctx, record, cors } = post;
  const id = request.id;
  if (req.headers[SESSION_HEADER] !== undefined) return { refusal: 'sessionOnInitialize', id };
  const refused = checkNeeds(post, request.method, admission.scopes, admission.descriptor?.rateLimit ?? 'none', id);
  if (refused !== undefined) return refused;
  const owner = principalKey(post.principal);
  // Checklist §10 (unspecified): a cap on live sessions, in all and per principal (issue #15).
  const full = ctx.sessions.admit(owner);
  if (full !== undefined) return { refusal: full, id };
  const session = ctx.sessions.prepare(owner);
  // initialize sends nothing before its result, so the answer's form is chosen once it is known.
  const env = { state: session.requestState(post.principal), session, related: NO_RELATED, correlationId: session.id };
  const response = await ctx.core.dispatcher.run(request, admission, env);
  let headers = cors;
  if (session.opened) {
    // Issue 13: with a shared store the session is kept there before its id is told.
    const kept = await keep(post, session, id);
    if (kept !== undefined) return kept;
    record.session = session.id;
    // basic/transports.mdx: the session id travels in MCP-Session-Id on the InitializeResult response only.
    headers = { ...cors, 'mcp-session-id': session.id };
  }
  new ResponseChannel(res, session, modes, headers).respond(response);
  return undefined;
}

/** Adds an opened session to the table (and the shared store); a store outage refuses the initialize. */
async function keep({ ctx }: McpRequest, session: HttpSession, id: JsonRpcRequest['id']): Promise<Refusal | undefined> {
  try {
    await ctx.sessions.register(session);
    return undefined;
  } catch (error) {
    session.close();
    return storeOutage(error, id);
  }
}

async function dispatch(post: McpRequest, session: HttpSession, request: JsonRpcRequest, admission: Admission, modes: ResponseModes): Promise<Refusal | undefined> {
  const { res, ctx, principal, cors } = post;
  const refused = checkNeeds(post, request.method, admission.scopes, admission.descriptor?.rateLimit ?? 'none', request.id);
  if (refused !== undefined) return refused;
  const channel = new ResponseChannel(res, session, modes, cors);
  const response = await ctx.core.dispatcher.run(request, admission, {
    state: session.requestState(principal),
    session,
    related: channel,
    // H19: a dropped connection cancels work only when nothing can resume its answer.
    onDisconnect: (abort) => res.once('close', () => {
      if (!res.writableFinished && !channel.streaming) abort(new CancelledError('connection closed'));
    }),
    closeStream: (retryMs) => channel.disconnect(retryMs ?? ctx.retryMs),
    correlationId: `${session.id}:${String(request.id)}`,
  });
  // Issue 13: what the request changed in the session (log level, subscriptions) holds on every replica.
  await ctx.sessions.settle(session);
  channel.respond(response);
  return undefined;
}
