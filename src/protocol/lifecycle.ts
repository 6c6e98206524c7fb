/**
 * The lifecycle and always-available methods (MCP 2025-11-25 basic/lifecycle.mdx,
 * basic/utilities/ping.mdx, basic/utilities/cancellation.mdx, server/utilities/logging.mdx):
 * initialize with version negotiation, notifications/initialized, ping, notifications/cancelled
 * and logging/setLevel (legacy), and server/discover (MCP 2026-07-28, modern). Creating and
 * ending sessions is the transport's part.
 */
import { legacySession } from './context.ts';
import { LOG_LEVELS, type JsonObject } from './definitions.ts';
import { ErrorCode, ProtocolError } from './errors.ts';
import { EMPTY_RESULT, constantResult } from './messages.ts';
import { defineMethod, defineNotification, LEGACY_ONLY, MODERN_ONLY, noScopes, type RegisteredMethod, type RegisteredNotification } from './method.ts';
import { paramsSchema } from './params-schema.ts';
import { CONSTANT_CACHE } from './modern-result.ts';
import { MODERN_VERSIONS, negotiateVersion, SUPPORTED_VERSIONS } from './versions.ts';

/** schema.ts `Implementation` plus the optional `instructions` of InitializeResult. */
export interface ServerIdentity {
  name: string;
  title?: string;
  version: string;
  description?: string;
  instructions?: string;
}

// schema.ts InitializeRequestParams: protocolVersion, capabilities and clientInfo are required.
const INITIALIZE_PARAMS = paramsSchema({
  type: 'object',
  required: ['protocolVersion', 'capabilities', 'clientInfo'],
  properties: {
    protocolVersion: { type: 'string', minLength: 1 },
    capabilities: { type: 'object' },
    clientInfo: { type: 'object', required: ['name', 'version'], properties: { name: { type: 'string' }, version: { type: 'string' } } },
  },
});
const ANY_PARAMS = paramsSchema({ type: 'object' });

/** logging/setLevel (server/utilities/logging.mdx): legacy-only; MCP 2026-07-28 carries the level in each request's `_meta`. */
export function loggingMethods(): RegisteredMethod[] {
  return [
    defineMethod({
      method: 'logging/setLevel',
      // server/utilities/logging.mdx: an invalid level is -32602 (enforced by the schema).
      params: paramsSchema({ type: 'object', required: ['level'], properties: { level: { enum: LOG_LEVELS } } }),
      scopes: noScopes,
      rateLimit: 'none',
      eras: LEGACY_ONLY,
      capability: { name: 'logging' },
      handler(params, context) {
        legacySession(context).logLevel = params.level;
        return EMPTY_RESULT;
      },
    }),
  ];
}

/** initialize and ping, legacy-only (MCP 2026-07-28 has no handshake; basic/versioning.mdx). */
export function lifecycleMethods(identity: ServerIdentity, capabilities: JsonObject): RegisteredMethod[] {
  const serverInfo: JsonObject = { name: identity.name, version: identity.version };
  if (identity.title !== undefined) serverInfo.title = identity.title;
  if (identity.description !== undefined) serverInfo.description = identity.description;
  // One InitializeResult per version we can negotiate, encoded once.
  const results = new Map(SUPPORTED_VERSIONS.map((version) => {
    const result: JsonObject = { protocolVersion: version, capabilities, serverInfo };
    if (identity.instructions !== undefined) result.instructions = identity.instructions;
    return [version, constantResult(result)] as const;
  }));
  return [
    defineMethod({
      method: 'initialize',
      params: INITIALIZE_PARAMS,
      scopes: noScopes,
      rateLimit: 'session',
      eras: LEGACY_ONLY,
      opensSession: true,
      handler(params, context) {
        const session = legacySession(context);
        // Unspecified by the spec (checklist §10); a session is initialized once (docs/decisions.md).
        if (session.opened) throw new ProtocolError(ErrorCode.InvalidRequest, 'Session is already initialized');
        const version = negotiateVersion(params.protocolVersion);
        // Issue #15: the session keeps what it uses of the params, bounded (client-declaration.ts), never the params.
        session.open(version, params.capabilities, params.clientInfo);
        const result = results.get(version);
        if (result === undefined) throw new TypeError(`No InitializeResult for ${version}`);
        return result;
      },
    }),
    defineMethod({
      method: 'ping',
      // basic/utilities/ping.mdx: answer promptly with an empty result.
      params: ANY_PARAMS,
      scopes: noScopes,
      rateLimit: 'none',
      eras: LEGACY_ONLY,
      handler: () => EMPTY_RESULT,
    }),
  ];
}

/**
 * server/discover (MCP 2026-07-28 server/discover.mdx), modern-only: the versions a request may
 * name in `_meta`, the capabilities the modern era serves, and the instructions. It needs a token
 * like every request but no scope (checklist M-D5), and is the same for every caller (public).
 */
export function discoverMethod(identity: ServerIdentity, capabilities: JsonObject): RegisteredMethod {
  const result: JsonObject = { supportedVersions: [...MODERN_VERSIONS], capabilities };
  if (identity.instructions !== undefined) result.instructions = identity.instructions;
  const discovered = constantResult(result);
  return defineMethod({
    method: 'server/discover',
    params: ANY_PARAMS,
    scopes: noScopes,
    rateLimit: 'none',
    eras: MODERN_ONLY,
    cache: CONSTANT_CACHE,
    handler: () => discovered,
  });
}

export const lifecycleNotifications: RegisteredNotification[] = [
  defineNotification({
    method: 'notifications/initialized',
    params: ANY_PARAMS,
    scopes: noScopes,
    rateLimit: 'none',
    eras: LEGACY_ONLY,
    handler(_params, session) {
      session.initialized = true;
    },
  }),
  defineNotification({
    method: 'notifications/cancelled',
    // cancellation.mdx: requestId MUST be given for non-task requests; malformed ones are ignored.
    params: paramsSchema({ type: 'object', required: ['requestId'], properties: { requestId: { type: ['string', 'integer'] }, reason: { type: 'string' } } }),
    scopes: noScopes,
    rateLimit: 'none',
    // MCP 2026-07-28: closing the response stream is the cancellation (checklist M-C1); legacy keeps the notification (M-C4).
    eras: LEGACY_ONLY,
    handler(params, session) {
      session.cancel(params.requestId, params.reason ?? 'cancelled by the client');
    },
  }),
];
