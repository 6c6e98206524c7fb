/**
 * The incident feature module's entry point: composes the tools, resources and prompts over one
 * IncidentStore into a FeatureSet, and turns store changes into resource events. The composition
 * root opens the store (openJsonStore) and registers what this returns; this module never sees
 * HTTP, JSON-RPC envelopes or tokens.
 */
import type { FeatureSet, ResourceEvents } from '../protocol/definitions.ts';
import { incidentPrompts } from './prompts.ts';
import { ALL_INCIDENTS_URI, incidentResources, incidentUri } from './resources.ts';
import type { IncidentStore } from './store.ts';
import { incidentTools } from './tools.ts';

export { READ_SCOPE, WRITE_SCOPE } from './scopes.ts';

/**
 * Every incident feature, bound to `store`. Subscribes to the store for as long as it lives
 * (store.close() ends the subscription): each change updates `incidents://all` and the
 * incident's own URI; a new incident also changes the resource list; changes the store may have
 * missed change the resource list too.
 */
export function incidentFeatures(store: IncidentStore, events: ResourceEvents): FeatureSet {
  store.onChange((change) => {
    // MCP 2025-11-25 server/resources.mdx: notifications/resources/updated for subscribed URIs.
    events.updated(ALL_INCIDENTS_URI);
    events.updated(incidentUri(change.incident.id));
    // MCP 2025-11-25 server/resources.mdx: a new incident adds incidents://{id} to resources/list.
    if (change.kind === 'created') events.listChanged();
  });
  // Changes may have been missed (a replica's change feed was cut; what it found again was announced
  // above): server/resources.mdx, list_changed is the "ask again" signal every listener honours.
  store.onMissedChanges?.(() => events.listChanged());
  const { resources, resourceTemplates } = incidentResources(store);
  return { tools: incidentTools(store), resources, resourceTemplates, prompts: incidentPrompts(store) };
}
