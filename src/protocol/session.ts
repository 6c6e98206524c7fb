/**
 * A legacy session's state, in one owner (MCP 2025-11-25 basic/lifecycle.mdx): the negotiated
 * version, what the client declared (bounded, see client-declaration.ts), the log level, in-flight
 * requests, resource subscriptions and the sink of its standalone stream. Each request gets the
 * peer facts as a RequestState (request-state.ts), the type a modern request builds from its
 * `_meta`. It owns no connection: messages leave through MessageSinks the transport provides (the
 * transport's HttpSession extends this class with its streams), and a sink tells a message only to
 * a holder its Audience admits. Session ids and expiry are the transport's business.
 */
import { clientIdentity, declaredCapabilities, type ClientIdentity } from './client-declaration.ts';
import type { JsonObject, LogLevel } from './definitions.ts';
import type { Identity } from './identity.ts';
import { idKey, type JsonRpcMessage, type RequestId } from './messages.ts';
import { OutboundRequests } from './outbound.ts';
import { passesLogLevel, type RequestState } from './request-state.ts';
import { LATEST_VERSION, type ProtocolVersion } from './versions.ts';

/**
 * Who may be told a message, by the scopes granted to the token that holds the stream: a message
 * about data tells its reader something, so it goes only to those who may read that data.
 */
export type Audience = (scopes: ReadonlySet<string>) => boolean;

/** Where the core puts a message for the client; the transport decides which stream it rides. */
export interface MessageSink {
  /** With an `audience`, the message is dropped unless the sink's holder is in it. */
  send(message: JsonRpcMessage, audience?: Audience): void;
  /** False when messages put here cannot reach the client (it accepts no event stream). */
  readonly deliverable?: boolean;
}

export class Session {
  /** Opaque id the transport assigned (MCP-Session-Id). */
  readonly id: string;
  /** Set by `initialize`; LATEST_VERSION until then. */
  protocolVersion: ProtocolVersion = LATEST_VERSION;
  /** The known capabilities the client declared, reduced to their known sub-capabilities. */
  clientCapabilities: JsonObject = {};
  clientInfo: ClientIdentity = { name: '', version: '' };
  /** True once `initialize` has been answered successfully. */
  opened = false;
  /** True once the client sent `notifications/initialized`. */
  initialized = false;
  /** Minimum level for notifications/message; undefined until logging/setLevel (we then send `info` and up). */
  logLevel: LogLevel | undefined;
  /** URIs this session subscribed to with resources/subscribe (the registry reads them to fan out updates). */
  readonly subscriptions = new Set<string>();
  /** Server→client requests awaiting the client's answer. */
  readonly outbound = new OutboundRequests();
  /**
   * The standalone (GET) stream, for messages unrelated to any request (basic/transports.mdx);
   * a session with one is listening, and hears list changes and resource updates.
   */
  standalone: MessageSink | undefined;
  private readonly inFlight = new Map<string, AbortController>();

  constructor(id: string) {
    this.id = id;
  }

  /**
   * Records the outcome of a successful `initialize`: only what is used is kept, bounded, so a
   * session never holds the client's params themselves (issue #15).
   */
  open(version: ProtocolVersion, clientCapabilities: JsonObject, clientInfo: JsonObject): void {
    this.protocolVersion = version;
    this.clientCapabilities = declaredCapabilities(clientCapabilities);
    this.clientInfo = clientIdentity(clientInfo);
    this.opened = true;
  }

  /** The peer facts a request of `identity` works with: what this session recorded, no trace context. */
  requestState(identity: Identity): RequestState {
    return {
      era: 'legacy',
      protocolVersion: this.protocolVersion,
      clientCapabilities: this.clientCapabilities,
      clientInfo: this.clientInfo,
      logLevel: this.logLevel,
      identity,
      trace: undefined,
    };
  }

  /** Tracks a request; false when the id is already in flight (basic/index.mdx: ids are not reused). */
  begin(id: RequestId, controller: AbortController): boolean {
    const key = idKey(id);
    if (this.inFlight.has(key)) return false;
    this.inFlight.set(key, controller);
    return true;
  }

  end(id: RequestId, controller: AbortController): void {
    const key = idKey(id);
    if (this.inFlight.get(key) === controller) this.inFlight.delete(key);
  }

  /** basic/utilities/cancellation.mdx: unknown or finished ids are ignored. */
  cancel(id: RequestId, reason: string): void {
    this.inFlight.get(idKey(id))?.abort(new CancelledError(reason));
  }

  /** True when a log message at `level` should be sent (server/utilities/logging.mdx). */
  wantsLog(level: LogLevel): boolean {
    return passesLogLevel(this.logLevel, level);
  }

  /** Sends a message unrelated to any request on the standalone stream, if one is open, to its `audience`. */
  notify(message: JsonRpcMessage, audience?: Audience): void {
    this.standalone?.send(message, audience);
  }

  /** Ends everything the session is doing: in-flight handlers and waiting server requests. */
  close(): void {
    for (const controller of this.inFlight.values()) controller.abort(new CancelledError('session closed'));
    this.inFlight.clear();
    this.outbound.rejectAll('session closed');
    this.subscriptions.clear();
    this.standalone = undefined;
  }
}

/** The abort reason when a request is cancelled; such a request gets no response. */
export class CancelledError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CancelledError';
  }
}
