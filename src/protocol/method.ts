/**
 * What a method needs, in one place (STYLE principle 6): the descriptor of each request and
 * notification method holds its params schema (and so its handler's params type), the scopes a
 * caller must hold, its rate-limit class, the eras that serve it, the server capability it implies,
 * and its handler. The pipeline reads these facts and names no method itself. A descriptor that
 * leaves one out is refused at start-up: by the type, and by `checkDescriptor` for what the type
 * cannot see. Server capabilities are derived from the descriptors registered.
 */
import type { RequestContext } from './context.ts';
import type { JsonObject } from './definitions.ts';
import type { CacheHint } from './modern-result.ts';
import type { ParamHeader } from './param-headers.ts';
import type { ParamsSchema } from './params-schema.ts';
import type { Session } from './session.ts';
import type { Era } from './versions.ts';

/**
 * Which bucket a call spends (per principal): `tool` for tool calls and completions (server/tools.mdx
 * and utilities/completion.mdx "Security Considerations": MUST rate-limit), `session` for opening a
 * legacy session (a bucket apart: reconnecting spends no tool budget), `none` for the rest.
 */
export type RateLimitClass = 'tool' | 'session' | 'none';

/** The ServerCapabilities names a method can imply (MCP 2025-11-25 schema.ts ServerCapabilities). */
export type Capability = 'logging' | 'completions' | 'prompts' | 'resources' | 'tools';

/** The eras serving a method: at least one. */
export type Eras = readonly [Era, ...Era[]];

export const LEGACY_ONLY: Eras = ['legacy'];
/** MCP 2026-07-28 keeps the method (basic/versioning.mdx). */
export const BOTH_ERAS: Eras = ['legacy', 'modern'];
/** New in MCP 2026-07-28 (server/discover): no legacy client can ask for it. */
export const MODERN_ONLY: Eras = ['modern'];

const NONE: readonly string[] = [];

/** The declared "this method needs no scope" (never a default: a descriptor must say so). */
export function noScopes(): readonly string[] {
  return NONE;
}

/** The facts every descriptor declares, request or notification. */
interface MethodFacts<P> {
  readonly method: string;
  readonly params: ParamsSchema<P>;
  /**
   * The scopes a caller must hold to be served these (validated) params, checked before anything
   * runs (basic/authorization.mdx "Scope Challenge Handling"). `noScopes` when none.
   */
  scopes(params: P): readonly string[];
  readonly rateLimit: RateLimitClass;
  readonly eras: Eras;
}

/** One request method. */
export interface MethodDescriptor<P> extends MethodFacts<P> {
  /** The capability serving this method implies, with the sub-capabilities it adds. */
  readonly capability?: { readonly name: Capability; readonly flags?: JsonObject };
  /** MCP 2026-07-28 caching.mdx: the cache hint of its modern results, for the six cacheable methods only. */
  readonly cache?: CacheHint;
  /** MCP 2026-07-28 streamable-http.mdx "Standard Request Headers": the param Mcp-Name mirrors. */
  readonly namedBy?: 'name' | 'uri';
  /** Client capabilities serving these params needs (basic/index.mdx: -32021 on a modern request without them). */
  clientCapabilities?(params: P): JsonObject | undefined;
  /** Parameters these params' tool mirrors in Mcp-Param-* headers (streamable-http.mdx "Custom Headers"). */
  paramHeaders?(params: P): readonly ParamHeader[];
  /**
   * Its answer is a stream held open until the client or the server ends it (subscriptions/listen):
   * the transport ends it at the token's `exp`, without a response, bounds its unsent bytes and
   * keeps it alive with comments.
   */
  readonly longLived?: boolean;
  /**
   * It may answer `input_required` (MCP 2026-07-28 basic/patterns/mrtr.mdx "Supported Requests":
   * tools/call, prompts/get and resources/read only): its features may throw InputRequired
   * (input-required.ts serves the rounds). Needs `namedBy`, the target a requestState is bound to.
   */
  readonly multiRound?: boolean;
  /** Answers a legacy `initialize`: the request that opens a session (basic/lifecycle.mdx). */
  readonly opensSession?: boolean;
  handler(params: P, context: RequestContext): Promise<JsonObject> | JsonObject;
}

/** One notification method; invalid ones are ignored (cancellation.mdx: SHOULD ignore malformed). */
export interface NotificationDescriptor<P> extends MethodFacts<P> {
  handler(params: P, session: Session): void;
}

/**
 * Any request descriptor, its params type hidden: what the dispatcher's Map holds. `handler` and
 * `scopes` are methods, so a `MethodDescriptor<P>` fits here; the dispatcher only ever passes them
 * what the same descriptor's `params.parse` returned, so each still receives its own `P`.
 */
export type RegisteredMethod = MethodDescriptor<JsonObject>;
export type RegisteredNotification = NotificationDescriptor<JsonObject>;

/** Declares a request method; `P` is inferred from `params`, so the handler's params are typed by the schema. */
export function defineMethod<P extends JsonObject>(descriptor: MethodDescriptor<P>): MethodDescriptor<P> {
  return descriptor;
}

export function defineNotification<P extends JsonObject>(descriptor: NotificationDescriptor<P>): NotificationDescriptor<P> {
  return descriptor;
}

const ERAS: ReadonlySet<unknown> = new Set<Era>(['legacy', 'modern']);
const RATE_LIMITS: ReadonlySet<unknown> = new Set<RateLimitClass>(['tool', 'session', 'none']);

/**
 * Refuses (TypeError, a start-up error) a descriptor that does not declare its scopes, eras and
 * rate-limit class: the type demands them, and this holds for descriptors built without it.
 */
export function checkDescriptor(descriptor: MethodFacts<JsonObject>): void {
  const where = `Method ${JSON.stringify(descriptor.method)}`;
  if (typeof descriptor.method !== 'string' || descriptor.method === '') throw new TypeError('A method descriptor needs a method name');
  if (typeof descriptor.scopes !== 'function') throw new TypeError(`${where} declares no scope rule (use noScopes for none)`);
  const eras: unknown = descriptor.eras;
  if (!Array.isArray(eras) || eras.length === 0 || !eras.every((era) => ERAS.has(era))) throw new TypeError(`${where} declares no eras`);
  if (!RATE_LIMITS.has(descriptor.rateLimit)) throw new TypeError(`${where} declares no rate-limit class`);
  if (typeof descriptor.params?.parse !== 'function') throw new TypeError(`${where} declares no params schema`);
  const { multiRound, namedBy } = descriptor as Partial<MethodDescriptor<JsonObject>>;
  if (multiRound === true && namedBy === undefined) throw new TypeError(`${where} is multi-round but names no target (namedBy)`);
}

/** Key order of the capabilities object, as InitializeResult has always sent it. */
const CAPABILITY_ORDER: readonly Capability[] = ['logging', 'completions', 'prompts', 'resources', 'tools'];

/**
 * ServerCapabilities for the methods `era` serves (basic/lifecycle.mdx "Capability Negotiation":
 * declare what you serve): each capability some descriptor implies, with the flags they add.
 */
export function serverCapabilities(descriptors: Iterable<RegisteredMethod>, era: Era): JsonObject {
  const found = new Map<Capability, JsonObject>();
  for (const { capability, eras } of descriptors) {
    if (capability === undefined || !eras.includes(era)) continue;
    found.set(capability.name, { ...found.get(capability.name), ...capability.flags });
  }
  const capabilities: JsonObject = {};
  for (const name of CAPABILITY_ORDER) {
    const flags = found.get(name);
    if (flags !== undefined) capabilities[name] = flags;
  }
  return capabilities;
}
