/**
 * POST /mcp (MCP 2025-11-25 basic/transports.mdx "Sending Messages to the Server"), after the
 * router has checked Host, Origin and the bearer token. One named pipeline:
 * checkMediaTypes → readMessage (body, classify) → resolveSession (session, version) →
 * authorize (scopes) → rate limit → dispatch → reply.
 */
import type { Classified, JsonRpcRequest } from '../protocol/messages.ts';
import { parseAndClassify } from '../protocol/messages.ts';
import { CancelledError, type MessageSink } from '../protocol/session.ts';
import { authorize, principalKey } from './authenticate.ts';
import { BodyError, readBody } from './body.ts';
import { expectsContinue } from './connection.ts';
import type { McpRequest } from './context.ts';
import { acceptsMediaType, isJsonContentType } from './media-type.ts';
import { accepted, reject, rejectMessage } from './reply.ts';
import { ResponseChannel, type ResponseModes } from './response-channel.ts';
import { resolveSession, SESSION_HEADER } from './session-check.ts';
import type { HttpSession } from './sessions.ts';

/** The related-message sink of initialize, which has none to send. */
const NO_RELATED: MessageSink = { send() {} };

export async function handlePost(post: McpRequest): Promise<void> {
  const modes = checkMediaTypes(post);
  if (modes === undefined) return;
  const message = await readMessage(post);
  if (message === undefined) return;
  if (message.kind === 'request' && message.message.method === 'initialize') return initialize(post, message.message, modes);
  const session = resolveSession(post);
  if (session === undefined) return;
  switch (message.kind) {
    case 'notification':
      // basic/transports.mdx: an accepted notification gets 202 with no body.
      post.ctx.core.dispatcher.notification(message.message, session.protocol);
      return accepted(post.res, post.cors);
    case 'response':
      // basic/transports.mdx: a response the server cannot accept gets an HTTP error such as 400.
      if (!session.protocol.outbound.settle(message.message)) return reject(post.res, 'responseNotAccepted', post.cors);
      return accepted(post.res, post.cors);
    case 'request':
      return dispatch(post, session, message.message, modes);
  }
}

/** Checklist H8: 415 for a body that is not JSON, 406 when we can answer in neither form. */
function checkMediaTypes({ req, res, cors }: McpRequest): ResponseModes | undefined {
  if (!isJsonContentType(req.headers['content-type'])) return void reject(res, 'unsupportedMediaType', cors);
  const modes = { json: acceptsMediaType(req.headers.accept, 'application/json'), sse: acceptsMediaType(req.headers.accept, 'text/event-stream') };
  if (!modes.json && !modes.sse) return void reject(res, 'notAcceptable', cors);
  return modes;
}

async function readMessage({ req, res, ctx, record, cors }: McpRequest): Promise<Exclude<Classified, { kind: 'invalid' }> | undefined> {
  let text: string;
  try {
    // RFC 9110 §10.1.1: `100 Continue` only now, after every check that could refuse without the body.
    text = await readBody(req, { limit: ctx.maxBodyBytes, invite: expectsContinue(req) ? () => res.writeContinue() : undefined });
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    record.reason = `body ${error.kind}`;
    if (error.kind === 'too-large') return void reject(res, 'bodyTooLarge', cors);
    return void reject(res, error.kind === 'truncated' ? 'bodyTruncated' : 'bodyNotUtf8', cors);
  }
  const classified = parseAndClassify(text);
  if (classified.kind === 'invalid') {
    record.reason = classified.error.message;
    // An allowed browser origin gets CORS on errors too, or it cannot read them.
    return void rejectMessage(res, classified.error, classified.id, cors);
  }
  if (classified.kind !== 'response') record.rpcMethod = classified.message.method;
  return classified;
}

/** basic/lifecycle.mdx "Initialization": a new session, added only when initialize succeeds. */
async function initialize(post: McpRequest, request: JsonRpcRequest, modes: ResponseModes): Promise<void> {
  const { req, res, ctx, record, cors } = post;
  if (req.headers[SESSION_HEADER] !== undefined) return reject(res, 'sessionOnInitialize', cors, request.id);
  const owner = principalKey(post.principal);
  const wait = ctx.initializeLimiter.take(owner);
  if (wait > 0) return reject(res, 'initializeRateLimited', { ...cors, 'retry-after': wait }, request.id);
  // Checklist §10 (unspecified): a cap on live sessions, in all and per principal (issue #15).
  const refusal = ctx.sessions.admit(owner);
  if (refusal !== undefined) return reject(res, refusal, { ...cors, 'retry-after': 60 }, request.id);
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
}

async function dispatch(post: McpRequest, session: HttpSession, request: JsonRpcRequest, modes: ResponseModes): Promise<void> {
  const { res, ctx, principal, record, cors } = post;
  if (!authorize(res, request.method, request.params, principal, ctx, record, cors)) return;
  // tools.mdx and completion.mdx "Security Considerations": tool calls and completions MUST be rate-limited.
  if (request.method === 'tools/call' || request.method === 'completion/complete') {
    const wait = ctx.toolLimiter.take(principalKey(principal));
    if (wait > 0) return reject(res, 'rateLimited', { ...cors, 'retry-after': wait }, request.id);
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
}
