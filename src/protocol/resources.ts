/**
 * resources/list, resources/templates/list, resources/read, resources/subscribe and
 * resources/unsubscribe (MCP 2025-11-25 server/resources.mdx). An unknown resource is a NotFound
 * (on the legacy path -32002 with the uri in `data`, wire-errors.ts); read and subscribe ask the
 * same question (registry.findResource), so a URI that can never name a resource is refused by both. Subscriptions are per session; the registry
 * turns feature events into notifications/resources/updated for the sessions that asked.
 */
import type { JsonObject, ResourceDescription } from './definitions.ts';
import type { MethodDescriptor } from './dispatcher.ts';
import { NotFound } from './domain-errors.ts';
import { invalidParams } from './errors.ts';
import { EMPTY_RESULT } from './messages.ts';
import { constantListMethod, LIST_PARAMS, listResult } from './pagination.ts';
import type { FeatureRegistry } from './registry.ts';

const MAX_SUBSCRIPTIONS = 256;
const URI_PARAMS = { type: 'object', required: ['uri'], properties: { uri: { type: 'string', minLength: 1, maxLength: 2048 } } };

function notFound(uri: string): NotFound {
  // server/resources.mdx "Error Handling": resource not found; its code depends on the era (wire-errors.ts).
  return new NotFound('resource', uri);
}

function describe(resource: ResourceDescription): JsonObject {
  const wire: JsonObject = { uri: resource.uri, name: resource.name };
  for (const key of ['title', 'description', 'mimeType', 'size', 'annotations'] as const) {
    if (resource[key] !== undefined) wire[key] = resource[key];
  }
  return wire;
}

export function resourceMethods(registry: FeatureRegistry): MethodDescriptor[] {
  const templates = registry.templates.map(({ definition: t }) => {
    const wire: JsonObject = { uriTemplate: t.uriTemplate, name: t.name };
    if (t.title !== undefined) wire.title = t.title;
    if (t.description !== undefined) wire.description = t.description;
    if (t.mimeType !== undefined) wire.mimeType = t.mimeType;
    return wire;
  });
  const requireKnown = (uri: string): void => {
    if (registry.findResource(uri) === undefined) throw notFound(uri);
  };
  return [
    {
      method: 'resources/list',
      params: LIST_PARAMS,
      async handler(params, context) {
        const all: JsonObject[] = [...registry.resources.values()].map(describe);
        for (const { definition } of registry.templates) {
          // The concrete resources carry data (names, titles): listed only to those who may read them.
          if (!definition.requiredScopes.every((scope) => context.principal.scopes.has(scope))) continue;
          for (const resource of (await definition.list?.(context)) ?? []) all.push(describe(resource));
        }
        return listResult('resources', all, params.cursor);
      },
    },
    // checklist R6: still paginated per pagination.mdx and the schema.
    constantListMethod('resources/templates/list', 'resourceTemplates', templates),
    {
      method: 'resources/read',
      params: URI_PARAMS,
      async handler(params, context) {
        const uri = params.uri as string;
        const found = registry.findResource(uri);
        if (found === undefined) throw notFound(uri);
        const contents = 'resource' in found ? await found.resource.read(context) : await found.template.definition.read(uri, found.variables, context);
        if (contents === undefined) throw notFound(uri);
        return { contents };
      },
    },
    {
      method: 'resources/subscribe',
      params: URI_PARAMS,
      handler(params, context) {
        // checklist R11/R12: the URI is validated as resources/read does; a possible but absent id may be awaited.
        requireKnown(params.uri as string);
        // server/resources.mdx "Security Considerations": bounded per session, like every client-fed table.
        if (context.session.subscriptions.size >= MAX_SUBSCRIPTIONS && !context.session.subscriptions.has(params.uri as string)) {
          throw invalidParams(`A session may subscribe to at most ${MAX_SUBSCRIPTIONS} resources`, { field: '/uri' });
        }
        registry.subscribe(context.session, params.uri as string);
        return EMPTY_RESULT;
      },
    },
    {
      method: 'resources/unsubscribe',
      params: URI_PARAMS,
      handler(params, context) {
        registry.unsubscribe(context.session, params.uri as string);
        return EMPTY_RESULT;
      },
    },
  ];
}
