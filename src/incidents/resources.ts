/**
 * Incidents as MCP resources: `incidents://all` (every incident as one JSON array) and the
 * template `incidents://{id}` (one incident), with completion of the id. Reads serve the store's
 * committed data as JSON text. The template says which ids could ever exist (`accepts`), so read
 * and subscribe refuse the rest alike. Change notifications are wired in index.ts; matching URIs
 * against the template and answering -32002 is the protocol core's job.
 */
import type {
  Completion, ResourceContents, ResourceDefinition, ResourceDescription, ResourceTemplateDefinition,
} from '../protocol/definitions.ts';
import { isIncidentId } from './model.ts';
import type { Incident } from './model.ts';
import { READ_SCOPE } from './scopes.ts';
import type { IncidentStore } from './store.ts';

/** The URI of the whole collection. */
export const ALL_INCIDENTS_URI = 'incidents://all';
/** RFC 6570 level 1; `incidents` is a custom scheme, per MCP 2025-11-25 server/resources.mdx (RFC 3986). */
export const INCIDENT_URI_TEMPLATE = 'incidents://{id}';
const MIME_TYPE = 'application/json';
// MCP 2025-11-25 server/utilities/completion.mdx: at most 100 values per response.
const MAX_COMPLETIONS = 100;

/** The URI of one incident, e.g. `incidents://5`. */
export function incidentUri(id: string): string {
  return `incidents://${id}`;
}

/** The static collection resource and the per-incident template, bound to `store`. */
export function incidentResources(store: IncidentStore): {
  resources: ResourceDefinition[];
  resourceTemplates: ResourceTemplateDefinition[];
} {
  const all: ResourceDefinition = {
    uri: ALL_INCIDENTS_URI,
    name: 'all-incidents',
    title: 'All incidents',
    description: 'Every tracked incident as a JSON array, newest first.',
    mimeType: MIME_TYPE,
    requiredScopes: [READ_SCOPE],
    read: async () => [jsonContents(ALL_INCIDENTS_URI, store.all())],
  };
  const one: ResourceTemplateDefinition = {
    uriTemplate: INCIDENT_URI_TEMPLATE,
    name: 'incident',
    title: 'Incident by id',
    description: 'One incident as a JSON object: id, title, severity, status and any details.',
    mimeType: MIME_TYPE,
    requiredScopes: [READ_SCOPE],
    list: async () => store.all().map(describe),
    // MCP 2025-11-25 server/resources.mdx: validate all resource URIs; only a canonical id can ever name an incident.
    accepts: (variables) => isIncidentId(variables['id'] ?? ''),
    async read(uri, variables) {
      const incident = store.get(variables['id'] ?? '');
      return incident === undefined ? undefined : [jsonContents(uri, incident)];
    },
    complete: { id: async (value) => completeId(store, value) },
  };
  return { resources: [all], resourceTemplates: [one] };
}

function describe(incident: Incident): ResourceDescription {
  return { uri: incidentUri(incident.id), name: `incident-${incident.id}`, title: incident.title, mimeType: MIME_TYPE };
}

function jsonContents(uri: string, value: unknown): ResourceContents {
  return { uri, mimeType: MIME_TYPE, text: JSON.stringify(value) };
}

/** Ids starting with `prefix`, newest first; `total` counts every match. */
function completeId(store: IncidentStore, prefix: string): Completion {
  const matches = store.all().filter((incident) => incident.id.startsWith(prefix));
  return {
    values: matches.slice(0, MAX_COMPLETIONS).map((incident) => incident.id),
    total: matches.length,
    hasMore: matches.length > MAX_COMPLETIONS,
  };
}
