/**
 * A modern POST (MCP 2026-07-28): no session; the request names its version, client and
 * capabilities in `params._meta`. Checked in the order of checklist §5.2, each failure a refusal
 * that echoes the request id (M-E29): envelope (400, -32602) → headers contradicting the body
 * (400, -32020) → version (400, -32022) → headers missing or misnamed (400, -32020) → method
 * served in this era (404, -32601) → client capabilities (400, -32021) → Mcp-Param-* (400,
 * -32020) → scopes and rate limit → run, the result dressed for the era (modern-result.ts).
 */
import type { IncomingMessage } from 'node:http';
import { isJsonObject, type JsonObject } from '../protocol/definitions.ts';
import { hasEnvelopeClaim, isEnvelopeProblem, readEnvelope, type Envelope } from '../protocol/envelope.ts';
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../protocol/messages.ts';
import type { RegisteredMethod } from '../protocol/method.ts';
import { modernResult, type ServerImplementation } from '../protocol/modern-result.ts';
import type { RequestState } from '../protocol/request-state.ts';
import { CancelledError } from '../protocol/session.ts';
import { isModernVersion, MODERN_VERSIONS, type ModernVersion } from '../protocol/versions.ts';
import type { McpRequest } from './context.ts';
import { ModernChannel } from './modern-channel.ts';
import { contradiction, missingOrMisnamed, paramHeaderMismatch, type StandardHeaders } from './modern-headers.ts';
import { checkNeeds } from './needs.ts';
import type { Refusal } from './refusal.ts';
import { accepted } from './reply.ts';
import type { ResponseModes } from './response-channel.ts';

const NO_CLIENT_INFO = { name: '', version: '' } as const;

/** Modern requests have no session id to join log lines on: a server-made id per request, on its access-log line too. */
let correlations = 0;
function nextCorrelationId({ record }: McpRequest): string {
  record.correlationId = `m${(++correlations).toString(36)}`;
  return record.correlationId;
}

function standardHeaders(req: IncomingMessage): StandardHeaders {
  const one = (name: string): string | undefined => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  return { protocolVersion: one('mcp-protocol-version'), method: one('mcp-method'), name: one('mcp-name') };
}

/**
 * Checklist M-E8/M-E20: a request without the claim but with MCP-Protocol-Version naming a modern
 * version is a modern request that lost its `_meta`, not legacy traffic (the body is the source of
 * truth, and a modern client has no session to send).
 */
export function claimsModernHeader({ req }: McpRequest): boolean {
  const version = req.headers['mcp-protocol-version'];
  return typeof version === 'string' && isModernVersion(version);
}

/** True when `declared` holds every capability (and sub-capability) `needed` names. */
function declares(declared: JsonObject, needed: JsonObject): boolean {
  return Object.entries(needed).every(([name, sub]) => {
    const given = declared[name];
    // A sub-capability is an object (declared when present) or a flag such as roots.listChanged.
    if (!isJsonObject(sub)) return given === sub;
    return isJsonObject(given) && declares(given, sub);
  });
}

/** Answers a modern request or notification; a refusal is returned for the router to answer. */
export async function handleModern(post: McpRequest, message: JsonRpcRequest | JsonRpcNotification, modes: ResponseModes): Promise<Refusal | undefined> {
  const id = 'id' in message ? message.id : undefined;
  const headers = standardHeaders(post.req);
  // M-E8: a legacy initialize (the request that opens a session) sent with a modern MCP-Protocol-Version contradicts itself.
  if (!hasEnvelopeClaim(message.params) && post.ctx.core.dispatcher.descriptorOf(message.method)?.opensSession === true) return { refusal: 'headerMismatch', header: 'MCP-Protocol-Version', problem: 'names a modern version on a legacy initialize', id };
  const envelope = readEnvelope(message.params);
  if (isEnvelopeProblem(envelope)) {
    const field = envelope.key === '_meta' ? 'params._meta' : `params._meta[${JSON.stringify(envelope.key)}]`;
    return { refusal: 'invalidRequestMeta', field, problem: envelope.problem, id };
  }
  const mismatch = contradiction(headers, envelope.version, message.method);
  if (mismatch !== undefined) return { refusal: 'headerMismatch', ...mismatch, id };
  const version = envelope.version;
  if (!isModernVersion(version)) return { refusal: 'unsupportedProtocolVersion', supported: MODERN_VERSIONS, requested: version, id };
  post.record.traceId = envelope.trace?.traceId;
  // Checklist M-E17: MCP 2026-07-28 defines no notification a client POSTs; accepted and dropped.
  if (!('id' in message)) return void accepted(post.res, post.cors);
  return serve(post, message, envelope, version, headers, modes);
}

async function serve(post: McpRequest, request: JsonRpcRequest, envelope: Envelope, version: ModernVersion, headers: StandardHeaders, modes: ResponseModes): Promise<Refusal | undefined> {
  const { req, res, ctx, principal, cors } = post;
  const id = request.id;
  const admission = ctx.core.dispatcher.admit(request, 'modern');
  const { descriptor } = admission;
  const misnamed = missingOrMisnamed(headers, descriptor?.namedBy, request.params);
  if (misnamed !== undefined) return { refusal: 'headerMismatch', ...misnamed, id };
  // streamable-http.mdx: an unimplemented method (or one of the legacy era only) is 404 + -32601.
  if (descriptor === undefined) return { refusal: 'modernMethodNotFound', id };
  if (admission.error === undefined) {
    const needed = descriptor.clientCapabilities?.(admission.params);
    if (needed !== undefined && !declares(envelope.clientCapabilities, needed)) return { refusal: 'missingClientCapability', requiredCapabilities: needed, id };
    const args = admission.params.arguments;
    const param = paramHeaderMismatch(descriptor.paramHeaders?.(admission.params) ?? [], isJsonObject(args) ? args : undefined, req.headers);
    if (param !== undefined) return { refusal: 'headerMismatch', ...param, id };
  }
  const refused = checkNeeds(post, request.method, admission.scopes, descriptor.rateLimit, id);
  if (refused !== undefined) return { ...refused, id };
  const state: RequestState = {
    era: 'modern',
    protocolVersion: version,
    clientCapabilities: envelope.clientCapabilities,
    clientInfo: envelope.clientInfo ?? NO_CLIENT_INFO,
    logLevel: envelope.logLevel,
    identity: principal,
    trace: envelope.trace,
  };
  const channel = new ModernChannel(res, modes, cors, ctx.listening.maxQueuedBytes);
  const response = await ctx.core.dispatcher.run(request, admission, {
    state,
    session: undefined,
    related: channel,
    onDisconnect: (abort) => {
      // M-H16: closing the response stream is the cancellation of the request.
      res.once('close', () => {
        if (!res.writableFinished) abort(new CancelledError('connection closed'));
      });
      // Checklist M-S15: a listen stream ends at its token's exp (listen.ts).
      if (descriptor.longLived === true) ctx.listening.hold(res, channel, principal, abort);
    },
    correlationId: nextCorrelationId(post),
  });
  channel.respond(dress(response, descriptor, ctx.core.serverInfo));
  return undefined;
}

/** Results carry the modern fields; errors go as the dispatcher mapped them for this era. */
function dress(response: JsonRpcResponse | undefined, descriptor: RegisteredMethod, serverInfo: ServerImplementation): JsonRpcResponse | undefined {
  if (response === undefined || !('result' in response)) return response;
  return { ...response, result: modernResult(response.result, serverInfo, descriptor.cache) };
}
