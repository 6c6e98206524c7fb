/**
 * What one request knows of its peer, whatever its era: the protocol version, what the client
 * declared (bounded, client-declaration.ts), the log level, the caller and the trace context.
 * A legacy request gets it from its session (Session.requestState: what `initialize` and
 * `logging/setLevel` recorded); a modern request (MCP 2026-07-28) builds it from its own
 * `params._meta` (envelope.ts), having no session. Handlers and FeatureContext read this, never
 * the session, for these facts.
 */
import type { ClientIdentity } from './client-declaration.ts';
import { LOG_LEVELS, type JsonObject, type LogLevel } from './definitions.ts';
import type { Identity } from './identity.ts';
import type { TraceContext } from './envelope.ts';
import type { Era, ModernVersion, ProtocolVersion } from './versions.ts';


export interface RequestState {
  readonly era: Era;
  readonly protocolVersion: ProtocolVersion | ModernVersion;
  /** The known capabilities the client declared, reduced to their known sub-capabilities. */
  readonly clientCapabilities: JsonObject;
  readonly clientInfo: ClientIdentity;
  /** Minimum level for notifications/message; undefined: none asked (legacy: `info` and up). */
  readonly logLevel: LogLevel | undefined;
  /** The caller; the transport's verified principal fits as it is. */
  readonly identity: Identity;
  /** W3C Trace Context from a modern request's `_meta`; legacy requests carry none. */
  readonly trace: TraceContext | undefined;
}

/** True when a log message at `level` passes `threshold` (server/utilities/logging.mdx; none set: `info`). */
export function passesLogLevel(threshold: LogLevel | undefined, level: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold ?? 'info');
}
