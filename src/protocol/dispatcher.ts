/**
 * The method dispatcher: a Map of plain descriptors (method.ts, STYLE principle 6). A request is
 * first admitted: matched to its descriptor, checked against the eras it serves, its params
 * validated by the schema compiled at start-up, and its scopes computed from them; the transport
 * checks those scopes and the descriptor's rate-limit class before running it. Each run has its
 * own AbortController and turns into exactly one response, or none when it was cancelled
 * (basic/utilities/cancellation.mdx). A handler's ProtocolError goes out as it is, a domain error
 * as wire-errors.ts maps it for the request's era, anything else as -32603. It knows nothing of
 * HTTP: the caller supplies the request state, the legacy session and the sink for related messages.
 */
import type { Logger } from '../log.ts';
import { createFeatureContext } from './context.ts';
import type { JsonObject } from './definitions.ts';
import { isKnownDomainError } from './domain-errors.ts';
import { ErrorCode, INTERNAL_ERROR_MESSAGE, ProtocolError, invalidParams, type ErrorObject } from './errors.ts';
import { errorResponse, resultResponse, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse } from './messages.ts';
import { checkDescriptor, type RegisteredMethod, type RegisteredNotification } from './method.ts';
import type { RequestState } from './request-state.ts';
import { CancelledError, type MessageSink, type Session } from './session.ts';
import { InputRounds } from './input-required.ts';
import { createRequestStateCodec } from './request-state-codec.ts';
import { fieldName } from './validation.ts';
import { wireErrorFor } from './wire-errors.ts';

/** What the transport knows about the request it hands over. */
export interface RequestEnvironment {
  /** The peer facts: from the session on the legacy path, from `_meta` on the modern one. */
  state: RequestState;
  /** The legacy session; undefined on a modern request. */
  session: Session | undefined;
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
}

/**
 * A request matched to its descriptor before anything runs: what the transport checks (`scopes`,
 * the descriptor's rate-limit class) before it runs it. Admitted: its params are valid and
 * `scopes` are what they need. Not admitted: `error` answers it and nothing will run, so it needs
 * no scope; `descriptor` is still there when the method is known.
 */
export type Admission =
  | { readonly descriptor: RegisteredMethod; readonly params: JsonObject; readonly scopes: readonly string[]; readonly error?: undefined }
  | { readonly descriptor: RegisteredMethod | undefined; readonly scopes: readonly string[]; readonly error: ErrorObject };

const NOTHING_RUNS: readonly string[] = [];

export interface AdmittedNotification {
  readonly descriptor: RegisteredNotification;
  readonly params: JsonObject;
  readonly scopes: readonly string[];
}

export class Dispatcher {
  private readonly methods = new Map<string, RegisteredMethod>();
  private readonly notifications = new Map<string, RegisteredNotification>();

  /** Registers every descriptor; one without scopes, eras or rate-limit class, or a duplicate, is a TypeError. */
  constructor(
    methods: readonly RegisteredMethod[],
    notifications: readonly RegisteredNotification[],
    private readonly logger: Logger,
    /** Serves the methods whose descriptor says `multiRound` (by default under a key of its own). */
    private readonly rounds = new InputRounds(createRequestStateCodec(), logger),
  ) {
    for (const descriptor of methods) this.register(this.methods, descriptor);
    for (const descriptor of notifications) this.register(this.notifications, descriptor);
  }

  private register<D extends RegisteredMethod | RegisteredNotification>(table: Map<string, D>, descriptor: D): void {
    checkDescriptor(descriptor);
    if (this.methods.has(descriptor.method) || this.notifications.has(descriptor.method)) throw new TypeError(`Method ${descriptor.method} is registered twice`);
    table.set(descriptor.method, descriptor);
  }

  hasMethod(method: string): boolean {
    return this.methods.has(method);
  }

  /** The descriptor of a request method, whatever its eras; undefined for an unknown method. */
  descriptorOf(method: string): RegisteredMethod | undefined {
    return this.methods.get(method);
  }

  /** Every registered request descriptor. */
  requestMethods(): Iterable<RegisteredMethod> {
    return this.methods.values();
  }

  /** Every registered notification descriptor. */
  notificationMethods(): Iterable<RegisteredNotification> {
    return this.notifications.values();
  }

  /** Matches a request to its descriptor and validates its params, for the `era` it arrived in. */
  admit(message: JsonRpcRequest, era: RequestState['era']): Admission {
    const descriptor = this.methods.get(message.method);
    // JSON-RPC 2.0 §5.1: the method does not exist / is not available (in this era).
    if (descriptor === undefined || !descriptor.eras.includes(era)) return { descriptor: undefined, scopes: NOTHING_RUNS, error: { code: ErrorCode.MethodNotFound, message: `Method not found: ${message.method.slice(0, 128)}` } };
    const parsed = descriptor.params.parse(message.params ?? {});
    if (!parsed.ok) {
      const { field, message: problem } = parsed.problem;
      return { descriptor, scopes: NOTHING_RUNS, error: invalidParams(`Invalid params: ${fieldName(field, 'params')} ${problem}`, { field, problem }).toJson() };
    }
    return { descriptor, params: parsed.value, scopes: descriptor.scopes(parsed.value) };
  }

  /** Admits and runs one request; resolves to its response, or undefined when it was cancelled. */
  request(message: JsonRpcRequest, env: RequestEnvironment): Promise<JsonRpcResponse | undefined> {
    return this.run(message, this.admit(message, env.state.era), env);
  }

  /** Runs an admitted request (or answers one that was not); undefined when it was cancelled. */
  async run(message: JsonRpcRequest, admission: Admission, env: RequestEnvironment): Promise<JsonRpcResponse | undefined> {
    if (admission.error !== undefined) return errorResponse(admission.error, message.id);
    const controller = new AbortController();
    // basic/index.mdx: an id is not reused in a session; one already in flight is -32600 (docs/decisions.md B3).
    if (env.session !== undefined && !env.session.begin(message.id, controller)) {
      return errorResponse({ code: ErrorCode.InvalidRequest, message: 'Request id is already in use by a request in progress' }, message.id);
    }
    env.onDisconnect?.((reason) => controller.abort(reason));
    try {
      const { descriptor, params } = admission;
      const context = createFeatureContext(message, env, controller.signal);
      const run = (ctx: typeof context) => descriptor.handler(params, ctx);
      const result = descriptor.multiRound === true ? await this.rounds.serve(descriptor, params, context, run, env.correlationId) : await run(context);
      if (controller.signal.aborted) return undefined;
      return resultResponse(message.id, result);
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason instanceof CancelledError) return undefined;
      return errorResponse(this.toWireError(error, message, env), message.id);
    } finally {
      env.session?.end(message.id, controller);
    }
  }

  /**
   * Matches a legacy notification to its descriptor: undefined for an unknown or malformed one,
   * which is dropped (no response exists; cancellation.mdx: SHOULD ignore malformed). Every
   * notification served is legacy-only: MCP 2026-07-28 defines none over HTTP (checklist M-H7).
   */
  admitNotification(message: JsonRpcNotification): AdmittedNotification | undefined {
    const descriptor = this.notifications.get(message.method);
    if (descriptor === undefined || !descriptor.eras.includes('legacy')) return undefined;
    const parsed = descriptor.params.parse(message.params ?? {});
    return parsed.ok ? { descriptor, params: parsed.value, scopes: descriptor.scopes(parsed.value) } : undefined;
  }

  /** Runs an admitted notification in its session. */
  deliver({ descriptor, params }: AdmittedNotification, session: Session): void {
    descriptor.handler(params, session);
  }

  /** Admits and runs one legacy notification. */
  notification(message: JsonRpcNotification, session: Session): void {
    const admitted = this.admitNotification(message);
    if (admitted !== undefined) this.deliver(admitted, session);
  }

  private toWireError(error: unknown, message: JsonRpcRequest, { correlationId, state }: RequestEnvironment) {
    if (error instanceof ProtocolError) return error.toJson();
    if (isKnownDomainError(error)) return wireErrorFor(error, state.era).toJson();
    // STYLE principle 3: the cause goes to the log with a correlation id, never to the client.
    this.logger.error('handler failed', { correlationId, rpcMethod: message.method, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    return { code: ErrorCode.InternalError, message: INTERNAL_ERROR_MESSAGE, data: { correlationId } };
  }
}
