/**
 * POST /mcp (MCP 2025-11-25 basic/transports.mdx "Sending Messages to the Server"), after the
 * router has checked Host, Origin and the bearer token. One named pipeline:
 * checkMediaTypes → readMessage (body, classify) → resolveSession (session, version) →
 * authorize (scopes) → rate limit → dispatch → reply. Each stage returns its result or a
 * Refusal; the pipeline hands the first refusal back to the router, which answers it.
 */
import type { Classified, JsonRpcRequest } from '../protocol/messages.ts';
import { parseAndClassify } from '../protocol/messages.ts';
import { CancelledError, type MessageSink } from '../protocol/session.ts';
import { authorize, principalKey } from './authenticate.ts';
import { BodyError, readBody, type BodyErrorKind } from './body.ts';
import { expectsContinue } from './connection.ts';
import type { McpRequest } from './context.ts';
import { acceptsMediaType, isJsonContentType } from './media-type.ts';
import { isRefusal, type Refusal, type RefusalKind } from './refusal.ts';
import { accepted } from './reply.ts';
import { ResponseChannel, type ResponseModes } from './response-channel.ts';
import { resolveSession, SESSION_HEADER } from './session-check.ts';
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
  if (message.kind === 'request' && message.message.method === 'initialize') return initialize(post, message.message, modes);
  const session = resolveSession(post);
  if (isRefusal(session)) return session;
  switch (message.kind) {
    case 'notification':
      // basic/transports.mdx: an accepted notification gets 202 with no body.
      post.ctx.core.dispatcher.notification(message.message, session.protocol);
      return void accepted(post.res, post.cors);
    case 'response':
      // basic/transports.mdx: a response the server cannot accept gets an HTTP error such as 400.
      if (!session.protocol.outbound.settle(message.message)) return { refusal: 'responseNotAccepted' };
      return void accepted(post.res, post.cors);
    case 'request':
      return dispatch(post, session, message.message, modes);
  }
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

/** basic/lifecycle.mdx "Initialization": a new session, added only when initialize succeeds. */
async function initialize(post: McpRequest, request: JsonRpcRequest, modes: ResponseModes): Promise<Refusal | undefined> {
  const { req, res, ctx, record, cors } = post;
  const id = request.id;
  if (req.headers[SESSION_HEADER] !== undefined) return { refusal: 'sessionOnInitialize', id };
  const owner = principalKey(post.principal);
  const wait = ctx.initializeLimiter.take(owner);
  if (wait > 0) return { refusal: 'initializeRateLimited', retryAfter: wait, id };
  // Checklist §10 (unspecified): a cap on live sessions, in all and per principal (issue #15).
  const full = ctx.sessions.admit(owner);
  if (full !== undefined) return { refusal: full, id };
  const session = ctx.sessions.prepare(owner);
  // initialize sends nothing before its result, so the answer's form is chosen once it is known.
  const response = await ctx.core.dispatcher.request(request, { session: session.protocol, principal: post.principal, related: NO_RELATED, correlationId: session.id });
  let headers = cors;
  if (session.protocol.opened) {
    ctx.sessions.add(session);
    record.session = session.id;
    // basic/transports.mdx: the session id travels in MCP-Session-Id on the InitializeResult response only.
    headers = { ...cors, 'mcp-session-id': session.id };
  }
  new ResponseChannel(res, session, modes, headers).respond(response);
  return undefined;
}

async function dispatch(post: McpRequest, session: HttpSession, request: JsonRpcRequest, modes: ResponseModes): Promise<Refusal | undefined> {
  const { res, ctx, principal, record, cors } = post;
  const forbidden = authorize(request.method, request.params, principal, ctx, record);
  if (forbidden !== undefined) return forbidden;
  // tools.mdx and completion.mdx "Security Considerations": tool calls and completions MUST be rate-limited.
  if (request.method === 'tools/call' || request.method === 'completion/complete') {
    const wait = ctx.toolLimiter.take(principalKey(principal));
    if (wait > 0) return { refusal: 'rateLimited', retryAfter: wait, id: request.id };
  }
  const channel = new ResponseChannel(res, session, modes, cors);
  const response = await ctx.core.dispatcher.request(request, {
    session: session.protocol,
    principal,
    related: channel,
    // H19: a dropped connection cancels work only when nothing can resume its answer.
    onDisconnect: (abort) => res.once('close', () => {
      if (!res.writableFinished && !channel.streaming) abort(new CancelledError('connection closed'));
    }),
    closeStream: (retryMs) => channel.disconnect(retryMs ?? ctx.retryMs),
    correlationId: `${session.id}:${String(request.id)}`,
  });
  channel.respond(response);
  return undefined;
}
