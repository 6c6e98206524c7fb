/**
 * The feature registry: the tools, resources, templates and prompts that feature modules hand in
 * as plain definitions (protocol/definitions.ts), kept in Maps, with their schemas compiled once.
 * It answers the scope questions the method descriptors ask (the scopes of a tool, a prompt, a
 * URI, a completion reference) and is the one source of change events: each event, with the
 * Audience allowed to hear it, goes to every delivery attached (changes.ts: legacy GET streams,
 * modern listen streams). It keeps no session or subscription state of its own.
 */
import type { CompletionRef } from './completion.ts';
import type { FeatureSet, JsonObject, PromptDefinition, ResourceDefinition, ResourceEvents, ResourceTemplateDefinition, ToolDefinition } from './definitions.ts';
import { sessionDelivery, type ChangeDelivery, type ChangeEvent } from './changes.ts';
import type { Audience, Session } from './session.ts';
import { paramHeadersOf, type ParamHeader } from './param-headers.ts';
import { compileUriTemplate, type UriTemplateMatcher } from './uri-template.ts';
import { compileSchema, SUPPORTED_DIALECT, type Validator } from './validation.ts';

export interface RegisteredTool {
  definition: ToolDefinition;
  validateInput: Validator;
  /** Checks successful results against the tool's outputSchema, when it has one. */
  validateOutput: Validator | undefined;
  /** The Tool object as tools/list sends it. */
  wire: JsonObject;
  /** Parameters mirrored in Mcp-Param-* headers (x-mcp-header), read once. */
  paramHeaders: readonly ParamHeader[];
}

export interface RegisteredTemplate {
  definition: ResourceTemplateDefinition;
  matcher: UriTemplateMatcher;
}

const NO_SCOPES: readonly string[] = [];

/** MCP 2025-11-25 server/tools.mdx "Tool Names": 1–128 of A-Z a-z 0-9 _ - . */
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

function toolWire(tool: ToolDefinition): JsonObject {
  const wire: JsonObject = { name: tool.name };
  if (tool.title !== undefined) wire.title = tool.title;
  wire.description = tool.description;
  wire.inputSchema = tool.inputSchema;
  if (tool.outputSchema !== undefined) wire.outputSchema = tool.outputSchema;
  if (tool.annotations !== undefined) wire.annotations = tool.annotations;
  return wire;
}

function checkDialect(schema: JsonObject, where: string): void {
  // basic/index.mdx: an unsupported dialect MUST be refused gracefully; we refuse it at start-up.
  if (schema.$schema !== undefined && schema.$schema !== SUPPORTED_DIALECT) throw new TypeError(`${where}: unsupported JSON Schema dialect ${String(schema.$schema)}`);
  if (schema.type !== 'object') throw new TypeError(`${where}: the root of a tool schema must be "type": "object"`);
}

export class FeatureRegistry implements ResourceEvents {
  readonly tools = new Map<string, RegisteredTool>();
  readonly resources = new Map<string, ResourceDefinition>();
  readonly templates: RegisteredTemplate[] = [];
  readonly prompts = new Map<string, PromptDefinition>();
  private readonly deliveries: ChangeDelivery[] = [];

  /** Registers a feature module's definitions; duplicates and invalid schemas fail at start-up. */
  add(features: FeatureSet): this {
    for (const tool of features.tools ?? []) {
      if (!TOOL_NAME.test(tool.name)) throw new TypeError(`Tool name ${JSON.stringify(tool.name)} breaks the naming rules of server/tools.mdx`);
      if (this.tools.has(tool.name)) throw new TypeError(`Tool ${tool.name} is registered twice`);
      checkDialect(tool.inputSchema, `tool ${tool.name} inputSchema`);
      if (tool.outputSchema !== undefined) checkDialect(tool.outputSchema, `tool ${tool.name} outputSchema`);
      const validateOutput = tool.outputSchema === undefined ? undefined : compileSchema(tool.outputSchema);
      this.tools.set(tool.name, { definition: tool, validateInput: compileSchema(tool.inputSchema), validateOutput, wire: toolWire(tool), paramHeaders: paramHeadersOf(tool.name, tool.inputSchema) });
    }
    for (const resource of features.resources ?? []) {
      if (this.resources.has(resource.uri)) throw new TypeError(`Resource ${resource.uri} is registered twice`);
      this.resources.set(resource.uri, resource);
    }
    for (const template of features.resourceTemplates ?? []) {
      this.templates.push({ definition: template, matcher: compileUriTemplate(template.uriTemplate) });
    }
    for (const prompt of features.prompts ?? []) {
      if (this.prompts.has(prompt.name)) throw new TypeError(`Prompt ${prompt.name} is registered twice`);
      this.prompts.set(prompt.name, prompt);
    }
    return this;
  }

  /** Tells the registry where the sessions with a standalone stream are (the legacy delivery, changes.ts). */
  attachSessions(listening: () => Iterable<Session>): void {
    this.attach(sessionDelivery(listening));
  }

  /** Adds a delivery that hears every change event from now on (checklist M-E23: one source, both eras). */
  attach(delivery: ChangeDelivery): void {
    this.deliveries.push(delivery);
  }

  get hasResources(): boolean {
    return this.resources.size > 0 || this.templates.length > 0;
  }

  get hasCompletions(): boolean {
    return [...this.prompts.values()].some((p) => p.complete !== undefined) || this.templates.some((t) => t.definition.complete !== undefined);
  }

  /** The template whose uriTemplate is exactly `uriTemplate` (completion.mdx `ref/resource`). */
  templateNamed(uriTemplate: string): RegisteredTemplate | undefined {
    return this.templates.find((t) => t.definition.uriTemplate === uriTemplate);
  }

  /** The resource or template serving `uri`, with the template's variables; undefined when `uri` can name none. */
  findResource(uri: string): { resource: ResourceDefinition } | { template: RegisteredTemplate; variables: Record<string, string> } | undefined {
    const resource = this.resources.get(uri);
    if (resource !== undefined) return { resource };
    for (const template of this.templates) {
      const variables = template.matcher.match(uri);
      // server/resources.mdx "Security Considerations": one decision on whether a URI can name a resource, for read, subscribe and scopes alike.
      if (variables !== undefined && template.definition.accepts?.(variables) !== false) return { template, variables };
    }
    return undefined;
  }

  /** The scopes calling `name` needs; none for an unknown tool (tools/call answers it with -32602). */
  scopesOfTool(name: string): readonly string[] {
    return this.tools.get(name)?.definition.requiredScopes ?? NO_SCOPES;
  }

  /** The scopes getting prompt `name` needs; none for an unknown prompt (answered with -32602). */
  scopesOfPrompt(name: string): readonly string[] {
    return this.prompts.get(name)?.requiredScopes ?? NO_SCOPES;
  }

  /** The scopes reading `uri` needs: those of the resource or template serving it; none when none can. */
  scopesOfUri(uri: string): readonly string[] {
    const found = this.findResource(uri);
    if (found === undefined) return NO_SCOPES;
    return 'resource' in found ? found.resource.requiredScopes : found.template.definition.requiredScopes;
  }

  /** The scopes of the prompt or template a completion references (completion.mdx `ref/prompt`, `ref/resource`). */
  scopesOfRef(ref: CompletionRef): readonly string[] {
    if (ref.type === 'ref/prompt') return this.scopesOfPrompt(ref.name);
    return this.templateNamed(ref.uri)?.definition.requiredScopes ?? NO_SCOPES;
  }

  /**
   * server/resources.mdx "Subscriptions": `uri` changed. Told to those subscribed to it whose token
   * holds the scopes reading `uri` needs (the same scopes resources/read is refused without).
   */
  updated(uri: string): void {
    const required = this.scopesOfUri(uri);
    this.emit({ kind: 'resourceUpdated', uri }, (granted) => required.every((scope) => granted.has(scope)));
  }

  /** server/resources.mdx "List Changed Notification": told to every listener that may see the list change. */
  listChanged(): void {
    this.emit({ kind: 'listChanged', list: 'resources' }, this.listAudience);
  }

  private emit(event: ChangeEvent, audience: Audience): void {
    for (const delivery of this.deliveries) delivery.deliver(event, audience);
  }

  /**
   * Who may hear that the resource list changed: static resources are fixed at start-up, so only
   * the templates' listed resources change, and resources/list shows those only to holders of the
   * template's scopes.
   */
  private readonly listAudience: Audience = (granted) =>
    this.templates.some(({ definition }) => definition.list !== undefined && definition.requiredScopes.every((scope) => granted.has(scope)));
}
