/**
 * The protocol core in one piece: a FeatureRegistry and the server's identity in, a Dispatcher
 * serving every MCP method out, each method one descriptor (method.ts). The server capabilities
 * are derived from those descriptors (basic/lifecycle.mdx: declare what you serve), so a method
 * registered is a capability declared and the other way round. This is the seam the transport
 * uses; feature modules never see it.
 */
import type { Logger } from '../log.ts';
import type { JsonObject } from './definitions.ts';
import { completionMethods } from './completion.ts';
import { InputRounds } from './input-required.ts';
import { Dispatcher } from './dispatcher.ts';
import { discoverMethod, lifecycleMethods, lifecycleNotifications, loggingMethods, type ServerIdentity } from './lifecycle.ts';
import { serverCapabilities } from './method.ts';
import type { ServerImplementation } from './modern-result.ts';
import { promptMethods } from './prompts.ts';
import { listenMethod } from './listen.ts';
import type { FeatureRegistry } from './registry.ts';
import { createRequestStateCodec } from './request-state-codec.ts';
import { resourceMethods } from './resources.ts';
import { DEFAULT_LISTEN_LIMITS, SubscriptionHub, type ListenLimits } from './subscriptions.ts';
import { toolMethods } from './tools.ts';

export interface ProtocolCore {
  readonly dispatcher: Dispatcher;
  readonly registry: FeatureRegistry;
  /** The modern listen streams (subscriptions/listen), fed by the registry's change events. */
  readonly subscriptions: SubscriptionHub;
  /** MCP 2026-07-28 basic/index.mdx "Per-response protocol fields": named in every modern result's `_meta`. */
  readonly serverInfo: ServerImplementation;
}

export interface CoreOptions {
  /** Bounds of listen streams (DEFAULT_LISTEN_LIMITS when absent). */
  readonly listen?: ListenLimits | undefined;
  /** The key sealing multi round-trip `requestState`; one drawn at start-up when absent. */
  readonly requestStateKey?: Uint8Array | undefined;
}

/** Builds the dispatcher once, at start-up, for exactly the features registered. */
export function createProtocolCore(registry: FeatureRegistry, identity: ServerIdentity, logger: Logger, options: CoreOptions = {}): ProtocolCore {
  const subscriptions = new SubscriptionHub(options.listen ?? DEFAULT_LISTEN_LIMITS);
  // Checklist M-E23: one change source; the modern delivery joins the legacy one (mcp-server.ts).
  registry.attach(subscriptions);
  let modern: JsonObject = {};
  const served = [
    ...loggingMethods(),
    ...(registry.tools.size > 0 ? toolMethods(registry) : []),
    ...(registry.hasResources ? resourceMethods(registry) : []),
    ...(registry.prompts.size > 0 ? promptMethods(registry) : []),
    ...completionMethods(registry),
    listenMethod(subscriptions, registry, () => modern),
  ];
  const capabilities = serverCapabilities(served, 'legacy');
  modern = serverCapabilities(served, 'modern');
  // MCP 2026-07-28 logging.mdx: declare logging when notifications/message may be sent; the modern
  // era sends them for requests naming a logLevel, through the same FeatureContext.log as legacy.
  if (capabilities.logging !== undefined) modern.logging = capabilities.logging;
  const methods = [...lifecycleMethods(identity, capabilities), discoverMethod(identity, modern), ...served];
  const serverInfo: ServerImplementation = identity.title === undefined ? { name: identity.name, version: identity.version } : { name: identity.name, version: identity.version, title: identity.title };
  // mrtr.mdx #4: requestState integrity under the configured key (docs/decisions.md "Multi round-trip requests").
  const rounds = new InputRounds(createRequestStateCodec({ key: options.requestStateKey }), logger);
  return { dispatcher: new Dispatcher(methods, lifecycleNotifications, logger, rounds), registry, subscriptions, serverInfo };
}
