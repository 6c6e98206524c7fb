/**
 * `subscriptions/listen` (MCP 2026-07-28 basic/patterns/subscriptions.mdx), modern-only: the
 * descriptor, with every fact about the method. Its handler honours the filter (what the modern
 * capabilities declare, URIs that can name a resource), refuses past the bounds before anything
 * is sent (M-S13), sends the acknowledgement first (M-S4), then holds the subscription in the
 * hub until the client closes the stream (no response) or the server ends it (the graceful-close
 * result, M-S11). The stream itself, its expiry and its keep-alives are the transport's.
 */
import type { JsonObject } from './definitions.ts';
import { ErrorCode, ProtocolError } from './errors.ts';
import { defineMethod, MODERN_ONLY, type RegisteredMethod } from './method.ts';
import { paramsSchema } from './params-schema.ts';
import type { FeatureRegistry } from './registry.ts';
import { isEmptyFilter, ownerOf, subscriptionMeta, type SubscriptionFilter, type SubscriptionHub } from './subscriptions.ts';

/** What the modern capabilities let a listen stream carry (M-S5: the rest is omitted from the ack). */
interface Supported {
  readonly toolsListChanged: boolean;
  readonly promptsListChanged: boolean;
  readonly resourcesListChanged: boolean;
  readonly resourceSubscriptions: boolean;
}

const flag = (capabilities: JsonObject, name: string, sub: string): boolean => {
  const capability = capabilities[name];
  return typeof capability === 'object' && capability !== null && (capability as JsonObject)[sub] === true;
};

function supportedBy(capabilities: JsonObject): Supported {
  return {
    toolsListChanged: flag(capabilities, 'tools', 'listChanged'),
    promptsListChanged: flag(capabilities, 'prompts', 'listChanged'),
    resourcesListChanged: flag(capabilities, 'resources', 'listChanged'),
    resourceSubscriptions: flag(capabilities, 'resources', 'subscribe'),
  };
}

/**
 * The subset of `asked` this server honours (subscriptions.mdx "Acknowledgment"): flags it
 * declares, and the URIs that can name a resource (the question resources/read asks), once each.
 */
function honour(asked: SubscriptionFilter, supported: Supported, registry: FeatureRegistry): SubscriptionFilter {
  const honoured: SubscriptionFilter = {};
  if (asked.toolsListChanged === true && supported.toolsListChanged) honoured.toolsListChanged = true;
  if (asked.promptsListChanged === true && supported.promptsListChanged) honoured.promptsListChanged = true;
  if (asked.resourcesListChanged === true && supported.resourcesListChanged) honoured.resourcesListChanged = true;
  if (supported.resourceSubscriptions) {
    const uris = [...new Set(asked.resourceSubscriptions)].filter((uri) => registry.findResource(uri) !== undefined);
    if (uris.length > 0) honoured.resourceSubscriptions = uris;
  }
  return honoured;
}

/**
 * The listen descriptor. `capabilities` are the modern server capabilities, read when a stream
 * opens (they are derived from the descriptors, this one included, after it is built).
 */
export function listenMethod(hub: SubscriptionHub, registry: FeatureRegistry, capabilities: () => JsonObject): RegisteredMethod {
  // schema.ts SubscriptionsListenRequestParams: `notifications` required (M-S2); the URI bound is M-S13's (-32602).
  const params = paramsSchema({
    type: 'object',
    required: ['notifications'],
    properties: {
      notifications: {
        type: 'object',
        properties: {
          toolsListChanged: { type: 'boolean' },
          promptsListChanged: { type: 'boolean' },
          resourcesListChanged: { type: 'boolean' },
          resourceSubscriptions: { type: 'array', maxItems: hub.limits.maxUris, items: { type: 'string', minLength: 1, maxLength: 2048 } },
        },
      },
    },
  });
  return defineMethod({
    method: 'subscriptions/listen',
    params,
    // A stream tells only what its token may read: subscribing to a URI needs the scopes reading it
    // needs, as resources/subscribe does; list changes are filtered by audience instead.
    scopes: ({ notifications }) => [...new Set((notifications.resourceSubscriptions ?? []).flatMap((uri) => registry.scopesOfUri(uri)))],
    rateLimit: 'none',
    eras: MODERN_ONLY,
    // Checklist M-S14: the modern era declares resource updates and list changes once listen carries them.
    ...(registry.hasResources ? { capability: { name: 'resources', flags: { subscribe: true, listChanged: true } } as const } : {}),
    longLived: true,
    async handler({ notifications }, context) {
      if (context.related.deliverable === false) throw new ProtocolError(ErrorCode.InvalidRequest, 'subscriptions/listen answers with an event stream: Accept must allow text/event-stream');
      const honoured = honour(notifications, supportedBy(capabilities()), registry);
      // Checklist M-S13 (SDK v2 practice): in-band, before the acknowledgement.
      if (hub.full(ownerOf(context.principal))) throw new ProtocolError(ErrorCode.InternalError, 'Subscription limit reached', { limit: hub.limits.maxStreamsPerPrincipal });
      const _meta = subscriptionMeta(context.requestId);
      // subscriptions.mdx "Acknowledgment": MUST come first, with the honoured subset (M-S4, M-S5).
      context.related.send({ jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { _meta, notifications: honoured } });
      // Checklist M-S13: with nothing to carry, the stream ends at once, gracefully (SDK v2 does the same).
      if (!isEmptyFilter(honoured)) await hub.hold(context.requestId, context.principal, honoured, context.related, context.signal);
      // subscriptions.mdx "Graceful Closure": the result carries the subscription id in `_meta`.
      return { _meta };
    },
  });
}
