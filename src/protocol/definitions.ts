/**
 * What a feature module hands the protocol core: plain tool, resource, template and prompt
 * definitions (MCP 2025-11-25 server/tools.mdx, server/resources.mdx, server/prompts.mdx).
 * Definitions carry their wire description, the scopes they need, and their behaviour as plain
 * async functions. They never see HTTP, JSON-RPC envelopes or tokens.
 */
import type { Identity } from './identity.ts';

export type JsonObject = { [key: string]: unknown };

/** A JSON value, as a feature keeps it across the rounds of a multi round-trip request. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** True for a JSON object: not null, not an array (the shape of params, _meta, capabilities, schemas). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** MCP 2025-11-25 schema.ts `ToolAnnotations`: hints, untrusted by clients. */
export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** schema.ts `ContentBlock` (the kinds this project sends). */
export type ContentBlock =
  | { type: 'text'; text: string; annotations?: JsonObject; _meta?: JsonObject }
  | { type: 'image' | 'audio'; data: string; mimeType: string; annotations?: JsonObject; _meta?: JsonObject }
  | { type: 'resource'; resource: ResourceContents; annotations?: JsonObject; _meta?: JsonObject }
  | ({ type: 'resource_link' } & ResourceDescription);

/** schema.ts `CallToolResult`. */
export interface CallToolResult {
  content: ContentBlock[];
  structuredContent?: JsonObject;
  isError?: boolean;
  _meta?: JsonObject;
}

/** schema.ts `TextResourceContents` | `BlobResourceContents`. */
export type ResourceContents =
  | { uri: string; mimeType?: string; text: string; _meta?: JsonObject }
  | { uri: string; mimeType?: string; blob: string; _meta?: JsonObject };

/** schema.ts `Resource`, as listed by `resources/list`. */
export interface ResourceDescription {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
  annotations?: JsonObject;
}

/** schema.ts `CompleteResult.completion`: at most 100 values. */
export interface Completion {
  values: string[];
  total?: number;
  hasMore?: boolean;
}

/** Completes one argument: `value` is what the user typed so far. */
export type Completer = (value: string, context: FeatureContext, resolved: Record<string, string>) => Promise<Completion>;

/** RFC 5424 levels, least severe first, as MCP 2025-11-25 server/utilities/logging.mdx lists them. */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

/** What a feature may use while it serves one request. */
export interface FeatureContext {
  /** The authenticated caller (or the fixture principal when auth is off). */
  readonly principal: Identity;
  /** Aborted by `notifications/cancelled` or when the client goes away. */
  readonly signal: AbortSignal;
  /** notifications/progress, sent only when the request carried a progressToken. */
  progress(progress: number, total?: number, message?: string): void;
  /** notifications/message, sent only at or above the session's log level. */
  log(level: LogLevel, data: unknown, logger?: string): void;
  /**
   * A server-to-client request related to this one (sampling, elicitation, roots, ping). Rejects
   * with a ProtocolError when the client answers with an error or does not answer in time.
   */
  request(method: string, params?: JsonObject): Promise<JsonObject>;
  /** The capabilities the client declared (RequestState: in `initialize` on the legacy path). */
  readonly clientCapabilities: JsonObject;
  /**
   * Closes the connection carrying this request's answer after a `retry` hint (ms; the server's
   * default when absent), keeping the SSE stream for the client to resume with Last-Event-ID
   * (basic/transports.mdx, SEP-1699 polling). False when the answer cannot be resumed that way.
   * Absent where no transport offers it.
   */
  closeStream?(retryMs?: number): boolean;
  /**
   * What the client answered to this request's earlier input requests, for the methods that may
   * ask (tools/call, prompts/get, resources/read); absent in a context built by hand.
   */
  readonly input?: InputAnswers;
}

/**
 * One request to the client (MCP 2026-07-28 schema.ts InputRequest): a method and its params,
 * with no JSON-RPC id. A modern client answers it in its retry; a legacy session's client gets it
 * as a server-to-client request on the session's stream, and the feature runs again either way.
 */
export interface InputRequest {
  readonly method: 'elicitation/create' | 'sampling/createMessage' | 'roots/list';
  readonly params: JsonObject;
}

/**
 * Thrown by a tool, prompt or resource that cannot finish without the client's input
 * (basic/patterns/mrtr.mdx): the requests by key (keys unique within the request), and the state
 * it wants back in the next round. At least one of the two. Ask only for capabilities the client
 * declared (FeatureContext.clientCapabilities); the core refuses any other with -32021.
 */
export class InputRequired extends Error {
  readonly requests: Readonly<Record<string, InputRequest>>;
  readonly state: JsonValue | undefined;
  constructor(requests: Readonly<Record<string, InputRequest>>, state?: JsonValue) {
    super('The client\'s input is required');
    this.name = 'InputRequired';
    this.requests = requests;
    this.state = state;
  }
}

/** The client's answers of one round, and the state the feature kept from the last one. */
export interface InputAnswers {
  /** The state given to the last InputRequired, verified by the core; undefined in a first round. */
  readonly state: JsonValue | undefined;
  /**
   * The client's answer to `key`, which the feature asked as `request`: undefined when not answered.
   * An answer that is not what `request.method` returns (for an accepted elicitation: content that
   * breaks the requested schema) is refused with -32602 before the feature sees it.
   */
  answer(key: string, request: InputRequest): JsonObject | undefined;
}

/**
 * Thrown by a tool for an error the model should see and correct (MCP 2025-11-25
 * server/tools.mdx "Error Handling": tool execution errors are results with `isError: true`).
 */
export class ToolError extends Error {
  readonly data: JsonObject | undefined;
  constructor(message: string, data?: JsonObject) {
    super(message);
    this.name = 'ToolError';
    this.data = data;
  }
}

export interface ToolDefinition {
  name: string;
  title?: string;
  description: string;
  /** JSON Schema 2020-12 with `"type": "object"` at the root; arguments are validated against it. */
  inputSchema: JsonObject;
  outputSchema?: JsonObject;
  annotations?: ToolAnnotations;
  /** Scopes a caller must hold (checked before the body reaches the tool). */
  requiredScopes: readonly string[];
  /**
   * Client capabilities the tool cannot work without, e.g. `{sampling: {}}`: a modern request
   * that does not declare them is refused with -32021 before the tool runs (MCP 2026-07-28
   * basic/index.mdx "MissingRequiredClientCapability").
   */
  requiredClientCapabilities?: JsonObject;
  /** Arguments arrive validated against inputSchema. Throw ToolError for a rule the schema can't say. */
  call(args: JsonObject, context: FeatureContext): Promise<CallToolResult>;
}

export interface ResourceDefinition extends ResourceDescription {
  requiredScopes: readonly string[];
  read(context: FeatureContext): Promise<ResourceContents[]>;
}

export interface ResourceTemplateDefinition {
  /** An RFC 6570 level-1 template: `{name}` expressions, each matching one or more non-`/` characters. */
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  requiredScopes: readonly string[];
  /** The concrete resources behind the template, included in `resources/list`. */
  list?(context: FeatureContext): Promise<ResourceDescription[]>;
  /**
   * False when the variables can never name a resource (a malformed id): read and subscribe then
   * answer "not found" (a NotFound, domain-errors.ts) without calling `read`. Absent: every match may name one.
   */
  accepts?(variables: Record<string, string>): boolean;
  /** Reads one concrete resource (its variables passed `accepts`); undefined means "not found" (NotFound). */
  read(uri: string, variables: Record<string, string>, context: FeatureContext): Promise<ResourceContents[] | undefined>;
  /** Completers for the template's variables, by variable name. */
  complete?: Record<string, Completer>;
}

/** schema.ts `PromptArgument`. */
export interface PromptArgument {
  name: string;
  title?: string;
  description?: string;
  required?: boolean;
}

/** schema.ts `PromptMessage`: one content block per message. */
export interface PromptMessage {
  role: 'user' | 'assistant';
  content: ContentBlock;
}

export interface GetPromptResult {
  description?: string;
  messages: PromptMessage[];
}

export interface PromptDefinition {
  name: string;
  title?: string;
  description?: string;
  arguments?: PromptArgument[];
  requiredScopes: readonly string[];
  /** Throw an InvalidArgument (domain-errors.ts) for an argument value it cannot use. */
  get(args: Record<string, string>, context: FeatureContext): Promise<GetPromptResult>;
  /** Completers for the prompt's arguments, by argument name. */
  complete?: Record<string, Completer>;
}

/** Everything one feature module contributes; the composition root registers it. */
export interface FeatureSet {
  tools?: ToolDefinition[];
  resources?: ResourceDefinition[];
  resourceTemplates?: ResourceTemplateDefinition[];
  prompts?: PromptDefinition[];
}

/**
 * How a feature reports that its data changed, so subscribed sessions can be told
 * (notifications/resources/updated, notifications/resources/list_changed).
 */
export interface ResourceEvents {
  updated(uri: string): void;
  listChanged(): void;
}
