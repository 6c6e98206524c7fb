/**
 * The modern request envelope (MCP 2026-07-28 basic/index.mdx "Per-request protocol fields"):
 * what a request's `params._meta` says about its version, its client and how to serve it, read
 * and checked once per request. Owns the reserved `_meta` keys, the envelope claim that selects
 * the era (basic/versioning.mdx), and W3C Trace Context parsing of `traceparent`/`tracestate`.
 * It does not decide whether the version is served (versions.ts) nor answer anything.
 */
import { clientIdentity, declaredCapabilities, type ClientIdentity } from './client-declaration.ts';
import { isJsonObject, LOG_LEVELS, type JsonObject, type LogLevel } from './definitions.ts';
import type { Params } from './messages.ts';

/** basic/index.mdx "`_meta`": the keys MCP reserves under its own prefix. */
export const META_KEYS = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  logLevel: 'io.modelcontextprotocol/logLevel',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
} as const;

/** W3C Trace Context of a request: the ids a log line can be joined on. */
export interface TraceContext {
  readonly traceId: string;
  readonly parentId: string;
  readonly flags: string;
  /** The vendor list, when it is well formed (W3C: a malformed tracestate is discarded). */
  readonly state: string | undefined;
}

/** What one modern request declares about itself; nothing of it outlives the request (M-B13). */
export interface Envelope {
  readonly version: string;
  /** The known client capabilities declared, reduced to their known parts (client-declaration.ts). */
  readonly clientCapabilities: JsonObject;
  readonly clientInfo: ClientIdentity | undefined;
  /** logging.mdx: messages only for a request that names a level, at or above it. */
  readonly logLevel: LogLevel | undefined;
  readonly trace: TraceContext | undefined;
}

/** Why an envelope is malformed: the `_meta` key at fault (`_meta` itself when it is missing) and what is wrong. */
export interface EnvelopeProblem {
  readonly problem: string;
  readonly key: string;
}

/**
 * basic/versioning.mdx: a request carrying `io.modelcontextprotocol/protocolVersion` in its
 * `params._meta` is modern, whatever its method; any other is legacy. The key's presence decides,
 * not its value: a claim with a bad value is a malformed modern request, not a legacy one.
 */
export function hasEnvelopeClaim(params: Params | undefined): boolean {
  const meta = params?._meta;
  return isJsonObject(meta) && Object.hasOwn(meta, META_KEYS.protocolVersion);
}

/** Reads the envelope of a request that carries the claim (basic/index.mdx; checklist M-E9). */
export function readEnvelope(params: Params | undefined): Envelope | EnvelopeProblem {
  const meta = params?._meta;
  if (!isJsonObject(meta)) return { problem: 'is required', key: '_meta' };
  if (!Object.hasOwn(meta, META_KEYS.protocolVersion)) return { problem: 'is required', key: META_KEYS.protocolVersion };
  const version = meta[META_KEYS.protocolVersion];
  if (typeof version !== 'string') return { problem: 'must be a string', key: META_KEYS.protocolVersion };
  // basic/index.mdx: clientCapabilities is required on every request; {} declares none.
  const capabilities = meta[META_KEYS.clientCapabilities];
  if (!isJsonObject(capabilities)) return { problem: Object.hasOwn(meta, META_KEYS.clientCapabilities) ? 'must be an object' : 'is required', key: META_KEYS.clientCapabilities };
  let clientInfo: ClientIdentity | undefined;
  if (Object.hasOwn(meta, META_KEYS.clientInfo)) {
    const given = meta[META_KEYS.clientInfo];
    // schema.ts Implementation: name and version are required strings.
    if (!isJsonObject(given) || typeof given.name !== 'string' || typeof given.version !== 'string') {
      return { problem: 'must be an Implementation with a string name and version', key: META_KEYS.clientInfo };
    }
    clientInfo = clientIdentity(given);
  }
  let logLevel: LogLevel | undefined;
  if (Object.hasOwn(meta, META_KEYS.logLevel)) {
    const level = meta[META_KEYS.logLevel];
    // logging.mdx: an unrecognised level SHOULD be refused with -32602.
    if (!(LOG_LEVELS as readonly unknown[]).includes(level)) return { problem: `must be one of ${LOG_LEVELS.join(', ')}`, key: META_KEYS.logLevel };
    logLevel = level as LogLevel;
  }
  return { version, clientCapabilities: declaredCapabilities(capabilities), clientInfo, logLevel, trace: readTraceContext(meta.traceparent, meta.tracestate) };
}

export function isEnvelopeProblem(value: Envelope | EnvelopeProblem): value is EnvelopeProblem {
  return 'problem' in value;
}

/**
 * W3C Trace Context §3.2: traceparent = version "-" trace-id "-" parent-id "-" trace-flags, lower-
 * case hex; version ff is invalid; version 00 has exactly these four fields; an all-zero trace-id
 * or parent-id is invalid. A later version may append fields after a "-".
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_PARENT_ID = '0'.repeat(16);

/** W3C Trace Context §3.3.1: key = simple-key / multi-tenant-key; value: printable ASCII but "," and "=", no trailing space. */
const TRACESTATE_KEY = /^(?:[a-z0-9][_0-9a-z*/-]{0,255}|[a-z0-9][_0-9a-z*/-]{0,240}@[a-z][_0-9a-z*/-]{0,13})$/;
const TRACESTATE_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
/** §3.3.1.1: at most 32 list members. */
const MAX_TRACESTATE_MEMBERS = 32;
/** §3.3.1.5 lets a vendor truncate past 512 characters; we keep nothing longer. */
const MAX_TRACESTATE_LENGTH = 512;

/**
 * The request's trace context, or undefined when traceparent is absent or malformed: W3C §4.3
 * says a receiver that cannot parse traceparent MUST ignore it (and then tracestate), so a bad one
 * costs the request nothing but its trace id.
 */
export function readTraceContext(traceparent: unknown, tracestate: unknown): TraceContext | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent);
  if (match === null) return undefined;
  const [, version = '', traceId = '', parentId = '', flags = '', rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE_ID || parentId === ZERO_PARENT_ID) return undefined;
  return { traceId, parentId, flags, state: validTracestate(tracestate) };
}

function validTracestate(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_TRACESTATE_LENGTH) return undefined;
  const members = value.split(',').map((member) => member.trim()).filter((member) => member !== '');
  if (members.length === 0 || members.length > MAX_TRACESTATE_MEMBERS) return undefined;
  const keys = new Set<string>();
  for (const member of members) {
    const eq = member.indexOf('=');
    const key = member.slice(0, Math.max(eq, 0));
    if (!TRACESTATE_KEY.test(key) || !TRACESTATE_VALUE.test(member.slice(eq + 1)) || keys.has(key)) return undefined;
    keys.add(key);
  }
  return members.join(',');
}
