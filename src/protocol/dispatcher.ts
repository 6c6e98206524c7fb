/**
 * The method dispatcher: a Map of plain descriptors `{method, params, handler}` (STYLE principle 6),
 * params validated by schemas compiled at start-up, each request run with its own AbortController
 * and turned into exactly one response, or none when it was cancelled
 * (basic/utilities/cancellation.mdx). A handler's ProtocolError goes out as it is, a domain error
 * as wire-errors.ts maps it for the request's era, anything else as -32603. It knows nothing of
 * HTTP: the caller supplies the session, the caller's identity and the sink for related messages.
 */
import type { Logger } from '../log.ts';
import { createFeatureContext, type RequestContext } from './context.ts';
import type { JsonObject } from './definitions.ts';
import { isKnownDomainError } from './domain-errors.ts';
import { ErrorCode, INTERNAL_ERROR_MESSAGE, ProtocolError, invalidParams } from './errors.ts';
import type { Identity } from './identity.ts';
import { errorResponse, resultResponse, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse, type Params } from './messages.ts';
import { CancelledError, type MessageSink, type Session } from './session.ts';
import { compileSchema, fieldName, type Validator } from './validation.ts';
import type { Era } from './versions.ts';
import { wireErrorFor } from './wire-errors.ts';

/** One request method: its params schema and its handler. */
export interface MethodDescriptor {
  method: string;
  /** JSON Schema of `params` (absent params are validated as `{}`). */
  params: JsonObject;
  handler(params: Params, context: RequestContext): Promise<JsonObject> | JsonObject;
}

/** One notification method; invalid ones are ignored (cancellation.mdx: SHOULD ignore malformed). */
export interface NotificationDescriptor {
  method: string;
  params: JsonObject;
  handler(params: Params, session: Session): void;
}

/** What the transport knows about the request it hands over. */
export interface RequestEnvironment {
  session: Session;
  /** The caller; the transport's verified principal fits as it is. */
  principal: Identity;
  /** Messages related to this request (progress, logs, server requests). */
  related: MessageSink;
  /**
   * Registers the abort to call when the connection can no longer deliver the response (a plain
   * hook rather than an AbortSignal: no event target per request on the hot path).
   */
  onDisconnect?(abort: (reason: Error) => void): void;
  /** Server-initiated disconnect of the answer's stream (FeatureContext.closeStream). */
  closeStream?(retryMs: number | undefined): boolean;
  /** Correlation id for log lines about this request. */
  correlationId: string;
  /** The request's era, which picks the wire code of a domain error; absent: legacy, the only era served yet. */
  era?: Era;
}

interface Compiled<T> {
  descriptor: T;
  validate: Validator;
}

export class Dispatcher {
  private readonly methods = new Map<string, Compiled<MethodDescriptor>>();
  private readonly notifications = new Map<string, Compiled<NotificationDescriptor>>();

  constructor(methods: readonly MethodDescriptor[], notifications: readonly NotificationDescriptor[], private readonly logger: Logger) {
    for (const descriptor of methods) this.methods.set(descriptor.method, { descriptor, validate: compileSchema(descriptor.params) });
    for (const descriptor of notifications) this.notifications.set(descriptor.method, { descriptor, validate: compileSchema(descriptor.params) });
  }

  hasMethod(method: string): boolean {
    return this.methods.has(method);
  }

  /** Runs one request; resolves to its response, or undefined when it was cancelled. */
  async request(message: JsonRpcRequest, env: RequestEnvironment): Promise<JsonRpcResponse | undefined> {
    const entry = this.methods.get(message.method);
    // JSON-RPC 2.0 §5.1: the method does not exist / is not available.
    if (entry === undefined) return errorResponse({ code: ErrorCode.MethodNotFound, message: `Method not found: ${message.method}` }, message.id);
    const params = message.params ?? {};
    const problem = entry.validate(params);
    if (problem !== undefined) {
      const error = invalidParams(`Invalid params: ${fieldName(problem.field, 'params')} ${problem.message}`, { field: problem.field, problem: problem.message });
      return errorResponse(error.toJson(), message.id);
    }
    const controller = new AbortController();
    // basic/index.mdx: an id is not reused in a session; one already in flight is -32600 (docs/decisions.md B3).
    if (!env.session.begin(message.id, controller)) {
      return errorResponse({ code: ErrorCode.InvalidRequest, message: 'Request id is already in use by a request in progress' }, message.id);
    }
    env.onDisconnect?.((reason) => controller.abort(reason));
    try {
      const context = createFeatureContext(message, env, controller.signal);
      const result = await entry.descriptor.handler(params, context);
      if (controller.signal.aborted) return undefined;
      return resultResponse(message.id, result);
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason instanceof CancelledError) return undefined;
      return errorResponse(this.toWireError(error, message, env), message.id);
    } finally {
      env.session.end(message.id, controller);
    }
  }

  /** Runs one notification; unknown and malformed notifications are dropped (no response exists). */
  notification(message: JsonRpcNotification, session: Session): void {
    const entry = this.notifications.get(message.method);
    if (entry === undefined) return;
    const params = message.params ?? {};
    if (entry.validate(params) !== undefined) return;
    entry.descriptor.handler(params, session);
  }

  private toWireError(error: unknown, message: JsonRpcRequest, { correlationId, era = 'legacy' }: RequestEnvironment) {
    if (error instanceof ProtocolError) return error.toJson();
    if (isKnownDomainError(error)) return wireErrorFor(error, era).toJson();
    // STYLE principle 3: the cause goes to the log with a correlation id, never to the client.
    this.logger.error('handler failed', { correlationId, rpcMethod: message.method, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    return { code: ErrorCode.InternalError, message: INTERNAL_ERROR_MESSAGE, data: { correlationId } };
  }
}
