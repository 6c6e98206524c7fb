/**
 * The modern delivery of change events (MCP 2026-07-28 basic/patterns/subscriptions.mdx): the
 * live `subscriptions/listen` streams, each with the filter the server honours, its id (the listen
 * request's JSON-RPC id) and the sink its messages ride. It owns the subscriptions and their
 * per-principal count; it decides which stream hears an event (M-S3, M-S9) and tags each copy
 * (M-S6). It does not open or close connections: a subscription lives as long as its listen
 * request runs (listen.ts), and ends when that request is aborted or `endAll` answers it.
 */
import type { ChangeDelivery, ChangeEvent } from './changes.ts';
import type { JsonObject } from './definitions.ts';
import { META_KEYS } from './envelope.ts';
import type { Identity } from './identity.ts';
import type { JsonRpcNotification, RequestId } from './messages.ts';
import type { Audience, MessageSink } from './session.ts';

/** schema.ts SubscriptionFilter: an omitted field means "not subscribed" (checklist M-S2). */
export interface SubscriptionFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

/** The bounds of listen streams (docs/decisions.md M-S13; the configuration table of README.md). */
export interface ListenLimits {
  /** Listen streams one principal may hold open at once. */
  readonly maxStreamsPerPrincipal: number;
  /** URIs one listen request may name in `resourceSubscriptions`. */
  readonly maxUris: number;
}

export const DEFAULT_LISTEN_LIMITS: ListenLimits = { maxStreamsPerPrincipal: 10, maxUris: 100 };

/** The subscription id of every message on the stream of listen request `id` (checklist M-S6). */
export function subscriptionMeta(id: RequestId): JsonObject {
  return { [META_KEYS.subscriptionId]: id };
}

/** True when the honoured filter asks for nothing: no event could ever reach its stream. */
export function isEmptyFilter(filter: SubscriptionFilter): boolean {
  return filter.toolsListChanged !== true && filter.promptsListChanged !== true && filter.resourcesListChanged !== true && (filter.resourceSubscriptions?.length ?? 0) === 0;
}

const LIST_FLAG = { resources: 'resourcesListChanged', tools: 'toolsListChanged', prompts: 'promptsListChanged' } as const;

/** One open listen stream. */
interface Subscription {
  readonly id: RequestId;
  readonly owner: string;
  readonly filter: SubscriptionFilter;
  /** The URIs of `resourceSubscriptions`, matched exactly (checklist M-S9). */
  readonly uris: ReadonlySet<string>;
  /** The scopes of the token that opened it: it hears only what they may read. */
  readonly scopes: ReadonlySet<string>;
  readonly sink: MessageSink;
  /** Answers the listen request: the server ended the subscription gracefully (M-S11). */
  readonly end: () => void;
}

/** Who holds a subscription, for the per-principal bound: the subject through its client. */
export function ownerOf(identity: Identity): string {
  return `${identity.subject}\u0000${identity.clientId ?? ''}`;
}

export class SubscriptionHub implements ChangeDelivery {
  private readonly live = new Set<Subscription>();
  private readonly owned = new Map<string, number>();

  constructor(readonly limits: ListenLimits = DEFAULT_LISTEN_LIMITS) {}

  /** Listen streams open now. */
  get size(): number {
    return this.live.size;
  }

  /** True when `owner` holds as many streams as it may. */
  full(owner: string): boolean {
    return (this.owned.get(owner) ?? 0) >= this.limits.maxStreamsPerPrincipal;
  }

  /**
   * Holds a subscription until `signal` aborts (the client closed its stream: M-S12, its state is
   * freed and the promise rejects with the abort reason) or `endAll` ends it (resolves: answer the
   * listen request with the graceful-close result, M-S11).
   */
  hold(id: RequestId, identity: Identity, filter: SubscriptionFilter, sink: MessageSink, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const owner = ownerOf(identity);
      const release = (): void => {
        if (!this.live.delete(subscription)) return;
        const left = (this.owned.get(owner) ?? 1) - 1;
        if (left > 0) this.owned.set(owner, left);
        else this.owned.delete(owner);
        signal.removeEventListener('abort', aborted);
      };
      const aborted = (): void => {
        release();
        reject(signal.reason);
      };
      const subscription: Subscription = {
        id, owner, filter, sink,
        uris: new Set(filter.resourceSubscriptions),
        scopes: identity.scopes,
        end: () => {
          release();
          resolve();
        },
      };
      if (signal.aborted) return reject(signal.reason);
      this.live.add(subscription);
      this.owned.set(owner, (this.owned.get(owner) ?? 0) + 1);
      signal.addEventListener('abort', aborted, { once: true });
    });
  }

  /** Ends every subscription gracefully (shutdown): each listen request gets its result. */
  endAll(): void {
    for (const subscription of [...this.live]) subscription.end();
  }

  /**
   * Checklist M-E23/M-S3: an event goes to each stream whose filter asks for it and whose holder is
   * in `audience`, tagged with that stream's subscription id.
   */
  deliver(event: ChangeEvent, audience: Audience): void {
    for (const subscription of this.live) {
      if (!wants(subscription, event) || !audience(subscription.scopes)) continue;
      subscription.sink.send(tagged(event, subscription.id));
    }
  }
}

function wants(subscription: Subscription, event: ChangeEvent): boolean {
  // Checklist M-S9: exact URI match, as SDK v2 does; sub-resources are not matched.
  if (event.kind === 'resourceUpdated') return subscription.uris.has(event.uri);
  return subscription.filter[LIST_FLAG[event.list]] === true;
}

function tagged(event: ChangeEvent, id: RequestId): JsonRpcNotification {
  const _meta = subscriptionMeta(id);
  if (event.kind === 'resourceUpdated') return { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { _meta, uri: event.uri } };
  return { jsonrpc: '2.0', method: `notifications/${event.list}/list_changed`, params: { _meta } };
}
