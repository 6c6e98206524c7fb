/**
 * The lifecycle and always-available methods (MCP 2025-11-25 basic/lifecycle.mdx,
 * basic/utilities/ping.mdx, basic/utilities/cancellation.mdx, server/utilities/logging.mdx):
 * initialize with version negotiation, notifications/initialized, ping, notifications/cancelled
 * and logging/setLevel. Creating and ending sessions is the transport's part.
 */
import { LOG_LEVELS, type JsonObject, type LogLevel } from './definitions.ts';
import type { MethodDescriptor, NotificationDescriptor } from './dispatcher.ts';
import { ErrorCode, ProtocolError } from './errors.ts';
import { EMPTY_RESULT, constantResult } from './messages.ts';
import { negotiateVersion, SUPPORTED_VERSIONS } from './versions.ts';

/** schema.ts `Implementation` plus the optional `instructions` of InitializeResult. */
export interface ServerIdentity {
  name: string;
  title?: string;
  version: string;
  description?: string;
  instructions?: string;
}

const REQUEST_ID = { type: ['string', 'integer'] };

export function lifecycleMethods(identity: ServerIdentity, capabilities: JsonObject): MethodDescriptor[] {
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
    {
      method: 'initialize',
      // schema.ts InitializeRequestParams: protocolVersion, capabilities and clientInfo are required.
      params: {
        type: 'object',
        required: ['protocolVersion', 'capabilities', 'clientInfo'],
        properties: {
          protocolVersion: { type: 'string', minLength: 1 },
          capabilities: { type: 'object' },
          clientInfo: { type: 'object', required: ['name', 'version'], properties: { name: { type: 'string' }, version: { type: 'string' } } },
        },
      },
      handler(params, { session }) {
        // Unspecified by the spec (checklist §10); a session is initialized once (docs/decisions.md).
        if (session.opened) throw new ProtocolError(ErrorCode.InvalidRequest, 'Session is already initialized');
        const version = negotiateVersion(params.protocolVersion as string);
        // Issue #15: the session keeps what it uses of the params, bounded (client-declaration.ts), never the params.
        session.open(version, params.capabilities as JsonObject, params.clientInfo as JsonObject);
        return results.get(version) as JsonObject;
      },
    },
    {
      method: 'ping',
      // basic/utilities/ping.mdx: answer promptly with an empty result.
      params: { type: 'object' },
      handler: () => EMPTY_RESULT,
    },
    {
      method: 'logging/setLevel',
      // server/utilities/logging.mdx: an invalid level is -32602 (enforced by the schema).
      params: { type: 'object', required: ['level'], properties: { level: { enum: [...LOG_LEVELS] } } },
      handler(params, { session }) {
        session.logLevel = params.level as LogLevel;
        return EMPTY_RESULT;
      },
    },
  ];
}

export const lifecycleNotifications: NotificationDescriptor[] = [
  {
    method: 'notifications/initialized',
    params: { type: 'object' },
    handler(_params, session) {
      session.initialized = true;
    },
  },
  {
    method: 'notifications/cancelled',
    // cancellation.mdx: requestId MUST be given for non-task requests; malformed ones are ignored.
    params: { type: 'object', required: ['requestId'], properties: { requestId: REQUEST_ID, reason: { type: 'string' } } },
    handler(params, session) {
      session.cancel(params.requestId as string | number, typeof params.reason === 'string' ? params.reason : 'cancelled by the client');
    },
  },
];
