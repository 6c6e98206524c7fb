/**
 * The incident tools: create_incident, list_incidents, update_incident. Each is a plain
 * ToolDefinition: JSON Schemas (tool-schemas.ts), scopes, annotations, and a `call` that turns
 * validated arguments into a store operation and a result with structuredContent plus one
 * readable text line. Argument validation against inputSchema happens in the protocol core
 * before `call`; here are only the rules a schema cannot say (blank titles, unknown ids), and
 * what a result may show: an update reveals the incident only to a caller that may read it.
 */
import type { CallToolResult, FeatureContext, JsonObject, ToolDefinition } from '../protocol/definitions.ts';
import { ToolError } from '../protocol/definitions.ts';
import { Unavailable } from '../protocol/domain-errors.ts';
import type { Incident, Severity, Status } from './model.ts';
import { quoteOneLine } from './one-line.ts';
import { READ_SCOPE, WRITE_SCOPE } from './scopes.ts';
import { CREATE_INPUT, INCIDENT_OUTPUT, LIST_INPUT, LIST_OUTPUT, UPDATE_INPUT, UPDATE_OUTPUT } from './tool-schemas.ts';
import type { IncidentFilter, IncidentPage, IncidentPatch, IncidentStore, UpdateOutcome } from './store.ts';
import { StoreCursorError, StoreUnavailableError, StoreWriteError } from './store.ts';

/** The arguments as the inputSchemas guarantee them: the core validates before `call`. */
interface CreateArgs { title: string; severity?: Severity; status?: Status; description?: string }
interface ListArgs { severity?: Severity; status?: Status; query?: string; limit?: number; cursor?: string }
interface UpdateArgs { id: string; title?: string; severity?: Severity; status?: Status; description?: string }

const DEFAULT_SEVERITY: Severity = 'medium';
const DEFAULT_STATUS: Status = 'open';
const DEFAULT_LIMIT = 50;

/** The three incident tools, bound to `store`. */
export function incidentTools(store: IncidentStore): ToolDefinition[] {
  return [createIncident(store), listIncidents(store), updateIncident(store)];
}

function createIncident(store: IncidentStore): ToolDefinition {
  return {
    name: 'create_incident',
    title: 'Create incident',
    description:
      'Record a new incident in the incident tracker. Use it when someone reports a new problem; ' +
      'call list_incidents with a query first if it may already be tracked. Severity defaults to ' +
      'medium and status to open. Returns the new incident, including the id it was given.',
    inputSchema: CREATE_INPUT,
    outputSchema: INCIDENT_OUTPUT,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    requiredScopes: [WRITE_SCOPE],
    async call(args: JsonObject, context: FeatureContext): Promise<CallToolResult> {
      const { title, severity = DEFAULT_SEVERITY, status = DEFAULT_STATUS, description } = args as unknown as CreateArgs;
      const input = { title: nonBlankTitle(title), severity, status, ...(description === undefined ? {} : { description }) };
      // okta.md: `sub` is the person for a user token and the client id for a machine token: who created it.
      const incident = await storeCall(() => store.create(input, context.principal.subject));
      // Every field of a new incident comes from this call (arguments, defaults, clock, caller), so any writer may see it.
      return { content: [{ type: 'text', text: `Created incident ${describe(incident)}.` }], structuredContent: { incident } };
    },
  };
}

function listIncidents(store: IncidentStore): ToolDefinition {
  return {
    name: 'list_incidents',
    title: 'List incidents',
    description:
      'List tracked incidents, newest first, optionally filtered by severity, status, or a text ' +
      'query matched case-insensitively against titles and descriptions. Results are paged: when ' +
      'the result has nextCursor, call again with the same filters and that cursor for more.',
    inputSchema: LIST_INPUT,
    outputSchema: LIST_OUTPUT,
    annotations: { readOnlyHint: true, openWorldHint: false },
    requiredScopes: [READ_SCOPE],
    async call(args: JsonObject): Promise<CallToolResult> {
      const { severity, status, query, cursor, limit = DEFAULT_LIMIT } = args as ListArgs;
      const filter: IncidentFilter = {};
      if (severity !== undefined) filter.severity = severity;
      if (status !== undefined) filter.status = status;
      if (query !== undefined) filter.query = query;
      let page: IncidentPage;
      try {
        page = store.list(filter, cursor === undefined ? { limit } : { limit, cursor });
      } catch (error) {
        // Cursors are opaque to the caller, so one we did not issue is an input error to correct.
        if (error instanceof StoreCursorError) throw new ToolError(error.message, { argument: 'cursor' });
        throw error;
      }
      const lines = page.incidents.length === 0 ? ['No incidents match.'] : page.incidents.map(describe);
      if (page.nextCursor !== undefined) {
        lines.push(`More incidents match: call list_incidents again with cursor "${page.nextCursor}".`);
      }
      return { content: [{ type: 'text', text: lines.join('\n') }], structuredContent: { ...page } };
    },
  };
}

function updateIncident(store: IncidentStore): ToolDefinition {
  return {
    name: 'update_incident',
    title: 'Update incident',
    description:
      'Change an existing incident: its status (e.g. to investigating or resolved), severity, ' +
      'title or description. Give the id and only the fields to change; an empty description ' +
      'removes it. Setting a field to the value it already has changes nothing, and the result says so ' +
      '(changed: false). Returns the incident, or, to a caller without incidents:read, only the id, the ' +
      'fields it gave and updatedAt.',
    inputSchema: UPDATE_INPUT,
    outputSchema: UPDATE_OUTPUT,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    requiredScopes: [WRITE_SCOPE],
    async call(args: JsonObject, context: FeatureContext): Promise<CallToolResult> {
      const { id, title, severity, status, description } = args as unknown as UpdateArgs;
      const patch: IncidentPatch = {};
      if (title !== undefined) patch.title = nonBlankTitle(title);
      if (severity !== undefined) patch.severity = severity;
      if (status !== undefined) patch.status = status;
      if (description !== undefined) patch.description = description;
      if (Object.keys(patch).length === 0) {
        throw new ToolError('Nothing to update: give at least one of status, severity, title or description.');
      }
      const outcome = await storeCall(() => store.update(id, patch));
      if (outcome === undefined) {
        throw new ToolError(`No incident has id "${id}". Use list_incidents to find the id.`, { argument: 'id', id });
      }
      // The granted scopes are a plain fact about the caller; incidents:read decides what it may see.
      return updateResult(outcome, patch, context.principal.scopes.has(READ_SCOPE));
    },
  };
}

/** `#5 "Disk full" (high, open)`, the title quoted so it cannot break the line. */
function describe(incident: Incident): string {
  return `#${incident.id} ${quoteOneLine(incident.title)} (${incident.severity}, ${incident.status})`;
}

// MCP 2025-11-25 server/tools.mdx: structured results MUST conform to the declared outputSchema (UPDATE_OUTPUT).
function updateResult({ incident, changed }: UpdateOutcome, patch: IncidentPatch, canRead: boolean): CallToolResult {
  if (canRead) {
    const line = changed ? `Updated incident ${describe(incident)}.` : `Nothing changed: incident ${describe(incident)} already had the values given.`;
    return { content: [{ type: 'text', text: line }], structuredContent: { changed, incident } };
  }
  // Without incidents:read, the result repeats only what the caller sent, plus when it took effect.
  const update: JsonObject = { id: incident.id, ...patch };
  if (changed && incident.updatedAt !== undefined) update.updatedAt = incident.updatedAt;
  const line = changed ? `Updated incident #${incident.id}: ${sentFields(patch)}.` : `Nothing changed: incident #${incident.id} already had the values given.`;
  return { content: [{ type: 'text', text: line }], structuredContent: { changed, update } };
}

/** `title "X", status resolved, description removed`: the patch, without echoing a long description. */
function sentFields(patch: IncidentPatch): string {
  const parts: string[] = [];
  if (patch.title !== undefined) parts.push(`title ${quoteOneLine(patch.title)}`);
  if (patch.severity !== undefined) parts.push(`severity ${patch.severity}`);
  if (patch.status !== undefined) parts.push(`status ${patch.status}`);
  if (patch.description !== undefined) parts.push(patch.description === '' ? 'description removed' : 'description changed');
  return parts.join(', ');
}

/**
 * A store write whose failure the caller can act on. A database that cannot be reached, with the
 * change known not kept, is the server's outage: Unavailable (HTTP 503 with Retry-After, a fixed
 * message; issue 13), safe to retry. Any other failed write is a tool execution error (MCP
 * 2025-11-25 server/tools.mdx: API failures, so the model may retry), among them a database cut
 * off during COMMIT: the change may have been kept, and the message says to check before retrying.
 */
async function storeCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof StoreUnavailableError && error.outcome === 'not-kept') throw new Unavailable('store', error.retryAfterSeconds);
    if (error instanceof StoreWriteError) throw new ToolError(error.message);
    throw error;
  }
}

/** The trimmed title; a blank one is an input error the schema can't express. */
function nonBlankTitle(title: string): string {
  const trimmed = title.trim();
  // MCP 2025-11-25 server/tools.mdx: input validation errors are tool execution errors.
  if (trimmed === '') throw new ToolError('title must contain more than whitespace', { argument: 'title' });
  return trimmed;
}
