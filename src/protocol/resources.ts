/**
 * resources/list, resources/templates/list, resources/read, resources/subscribe and
 * resources/unsubscribe (MCP 2025-11-25 server/resources.mdx). An unknown resource is a NotFound
 * (on the legacy path -32002 with the uri in `data`, wire-errors.ts); read and subscribe ask the
 * same question (registry.findResource), so a URI that can never name a resource is refused by
 * both. Subscriptions are kept by the session (legacy-only); the registry turns feature events
 * into notifications/resources/updated for the sessions that asked.
 */
import { legacySession } from './context.ts';
import type { JsonObject, ResourceDescription } from './definitions.ts';
import { NotFound } from './domain-errors.ts';
import { invalidParams } from './errors.ts';
import { EMPTY_RESULT } from './messages.ts';
import { BOTH_ERAS, defineMethod, LEGACY_ONLY, noScopes, type RegisteredMethod } from './method.ts';
import { LIVE_PRIVATE_CACHE } from './modern-result.ts';
import { constantListMethod, LIST_PARAMS, listResult } from './pagination.ts';
import { paramsSchema } from './params-schema.ts';
import type { FeatureRegistry } from './registry.ts';

const MAX_SUBSCRIPTIONS = 256;
const URI_PARAMS = paramsSchema({ type: 'object', required: ['uri'], properties: { uri: { type: 'string', minLength: 1, maxLength: 2048 } } });

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

export function resourceMethods(registry: FeatureRegistry): RegisteredMethod[] {
  const templates = registry.templates.map(({ definition: t }) => {
    const wire: JsonObject = { uriTemplate: t.uriTemplate, name: t.name };
    if (t.title !== undefined) wire.title = t.title;
    if (t.description !== undefined) wire.description = t.description;
    if (t.mimeType !== undefined) wire.mimeType = t.mimeType;
    return wire;
  });
  const scopesOfUri = (params: { uri: string }): readonly string[] => registry.scopesOfUri(params.uri);
  return [
    defineMethod({
      method: 'resources/list',
      params: LIST_PARAMS,
      // The concrete resources of a template are filtered by its scopes below, not refused.
      scopes: noScopes,
      rateLimit: 'none',
      eras: BOTH_ERAS,
      capability: { name: 'resources' },
      // caching.mdx: the list changes with every create, and shows only what the caller may read.
      cache: LIVE_PRIVATE_CACHE,
      async handler(params, context) {
        const all: JsonObject[] = [...registry.resources.values()].map(describe);
        for (const { definition } of registry.templates) {
          // The concrete resources carry data (names, titles): listed only to those who may read them.
          if (!definition.requiredScopes.every((scope) => context.principal.scopes.has(scope))) continue;
          for (const resource of (await definition.list?.(context)) ?? []) all.push(describe(resource));
        }
        return listResult('resources', all, params.cursor);
      },
    }),
    // checklist R6: still paginated per pagination.mdx and the schema.
    constantListMethod('resources/templates/list', 'resourceTemplates', templates, { name: 'resources' }),
    defineMethod({
      method: 'resources/read',
      params: URI_PARAMS,
      scopes: scopesOfUri,
      rateLimit: 'none',
      eras: BOTH_ERAS,
      capability: { name: 'resources' },
      namedBy: 'uri',
      // MCP 2026-07-28 mrtr.mdx "Supported Requests": it may answer input_required.
      multiRound: true,
      cache: LIVE_PRIVATE_CACHE,
      async handler({ uri }, context) {
        const found = registry.findResource(uri);
        if (found === undefined) throw notFound(uri);
        const contents = 'resource' in found ? await found.resource.read(context) : await found.template.definition.read(uri, found.variables, context);
        if (contents === undefined) throw notFound(uri);
        return { contents };
      },
    }),
    defineMethod({
      method: 'resources/subscribe',
      params: URI_PARAMS,
      scopes: scopesOfUri,
      rateLimit: 'none',
      // MCP 2026-07-28 replaces it with subscriptions/listen (basic/versioning.mdx).
      eras: LEGACY_ONLY,
      // Updates and list changes both travel on the legacy GET stream, so both flags are this era's;
      // the modern era declares them with subscriptions/listen (issue 12).
      capability: { name: 'resources', flags: { subscribe: true, listChanged: true } },
      handler({ uri }, context) {
        const { subscriptions } = legacySession(context);
        // checklist R11/R12: the URI is validated as resources/read does; a possible but absent id may be awaited.
        if (registry.findResource(uri) === undefined) throw notFound(uri);
        // server/resources.mdx "Security Considerations": bounded per session, like every client-fed table.
        if (subscriptions.size >= MAX_SUBSCRIPTIONS && !subscriptions.has(uri)) {
          throw invalidParams(`A session may subscribe to at most ${MAX_SUBSCRIPTIONS} resources`, { field: '/uri' });
        }
        subscriptions.add(uri);
        return EMPTY_RESULT;
      },
    }),
    defineMethod({
      method: 'resources/unsubscribe',
      params: URI_PARAMS,
      scopes: noScopes,
      rateLimit: 'none',
      eras: LEGACY_ONLY,
      capability: { name: 'resources' },
      handler({ uri }, context) {
        legacySession(context).subscriptions.delete(uri);
        return EMPTY_RESULT;
      },
    }),
  ];
}
