/**
 * The context a handler works with: the FeatureContext that tools, resources and prompts see,
 * plus the request's state (request-state.ts) and, on the legacy path, its session for the
 * methods that change it. Everything a feature learns of its peer comes from the RequestState,
 * so a modern request (no session) serves them alike. Progress goes out only for requests that
 * carried a progressToken, and only while they run (basic/utilities/progress.mdx); log messages
 * only at or above the request's level (server/utilities/logging.mdx).
 */
import type { FeatureContext, JsonObject, LogLevel } from './definitions.ts';
import type { RequestEnvironment } from './dispatcher.ts';
import { ErrorCode, ProtocolError } from './errors.ts';
import { CAPABILITY_OF } from './input-required.ts';
import type { JsonRpcRequest, RequestId } from './messages.ts';
import { passesLogLevel, type RequestState } from './request-state.ts';
import type { MessageSink, Session } from './session.ts';

export interface RequestContext extends FeatureContext {
  readonly state: RequestState;
  /** The legacy session; undefined on a modern request. Only legacy-only methods use it (legacySession). */
  readonly session: Session | undefined;
  readonly requestId: RequestId;
  /** Where messages related to this request go (subscriptions/listen sends its stream there). */
  readonly related: MessageSink;
}

/**
 * The session of a request to a legacy-only method. The dispatcher serves such a method only on
 * the legacy path, which always has one: a missing session is a programming error (-32603).
 */
export function legacySession(context: RequestContext): Session {
  if (context.session === undefined) throw new TypeError('A legacy-only method ran without a session');
  return context.session;
}

function progressToken(message: JsonRpcRequest): string | number | undefined {
  const meta = message.params?._meta;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const token = (meta as JsonObject).progressToken;
  // schema.ts ProgressToken: a string or an integer.
  return typeof token === 'string' || (typeof token === 'number' && Number.isSafeInteger(token)) ? token : undefined;
}

/** Why a request to the client cannot be sent, or undefined when it can. */
function requestRefusal(method: string, capabilities: JsonObject, related: MessageSink): string | undefined {
  const capability: string | undefined = Object.hasOwn(CAPABILITY_OF, method) ? CAPABILITY_OF[method as keyof typeof CAPABILITY_OF] : undefined;
  // basic/lifecycle.mdx: use only capabilities the client declared (checklist L9).
  if (capability !== undefined && capabilities[capability] === undefined) return `The client did not declare the ${capability} capability`;
  if (related.deliverable === false) return 'The client accepts no event stream, so no request can reach it';
  return undefined;
}

export function createFeatureContext(message: JsonRpcRequest, env: RequestEnvironment, signal: AbortSignal): RequestContext {
  const { state, session, related } = env;
  const token = progressToken(message);
  let lastProgress = -Infinity;
  return {
    state,
    session,
    requestId: message.id,
    related,
    principal: state.identity,
    signal,
    clientCapabilities: state.clientCapabilities,
    progress(progress: number, total?: number, text?: string): void {
      // progress.mdx: progress MUST increase, and stops once the request completes.
      if (token === undefined || signal.aborted || !(progress > lastProgress)) return;
      lastProgress = progress;
      const params: JsonObject = { progressToken: token, progress };
      if (total !== undefined) params.total = total;
      if (text !== undefined) params.message = text;
      related.send({ jsonrpc: '2.0', method: 'notifications/progress', params });
    },
    log(level: LogLevel, data: unknown, logger?: string): void {
      if (signal.aborted || !passesLogLevel(state.logLevel, level)) return;
      // MCP 2026-07-28 logging.mdx: no notifications/message for a request whose _meta names no logLevel.
      if (state.era === 'modern' && state.logLevel === undefined) return;
      const params: JsonObject = logger === undefined ? { level, data } : { level, logger, data };
      related.send({ jsonrpc: '2.0', method: 'notifications/message', params });
    },
    request(method: string, params?: JsonObject): Promise<JsonObject> {
      const refusal = requestRefusal(method, state.clientCapabilities, related);
      if (refusal !== undefined) return Promise.reject(new ProtocolError(ErrorCode.InvalidRequest, refusal));
      // Server-to-client requests ride a legacy session; a modern request's own come with multi round-trip requests.
      if (session === undefined) return Promise.reject(new ProtocolError(ErrorCode.InvalidRequest, 'Requests to the client need a session'));
      return session.outbound.request(method, params, (m) => related.send(m), { signal });
    },
    closeStream(retryMs?: number): boolean {
      return !signal.aborted && (env.closeStream?.(retryMs) ?? false);
    },
  };
}
