/**
 * One change source, two delivery adapters (checklist M-E23): the registry turns feature events
 * into ChangeEvents, each with the Audience allowed to hear it, and hands them to every delivery
 * attached. The legacy adapter here tells the sessions listening on a GET stream (2025-11-25
 * resources/subscribe and list_changed); the modern one (subscriptions.ts) tells the listen
 * streams whose filter asks. Neither owns the events, and neither knows how a message travels.
 */
import type { Audience, Session } from './session.ts';

/** What changed: a resource, or one of the lists (server/resources.mdx, tools.mdx, prompts.mdx). */
export type ChangeEvent =
  | { readonly kind: 'resourceUpdated'; readonly uri: string }
  | { readonly kind: 'listChanged'; readonly list: 'resources' | 'tools' | 'prompts' };

/** Where change events go; `audience` names who may be told (the scopes reading the data needs). */
export interface ChangeDelivery {
  deliver(event: ChangeEvent, audience: Audience): void;
}

/**
 * The legacy delivery (MCP 2025-11-25 server/resources.mdx "Subscriptions", "List Changed
 * Notification"): an update to each listening session subscribed to the URI, a list change to
 * every opened listening session; each on its GET stream, to the stream's holder if in `audience`.
 */
export function sessionDelivery(listening: () => Iterable<Session>): ChangeDelivery {
  return {
    deliver(event, audience) {
      if (event.kind === 'resourceUpdated') {
        const message = { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: event.uri } } as const;
        for (const session of listening()) if (session.subscriptions.has(event.uri)) session.notify(message, audience);
        return;
      }
      const message = { jsonrpc: '2.0', method: `notifications/${event.list}/list_changed` } as const;
      for (const session of listening()) if (session.opened) session.notify(message, audience);
    },
  };
}
