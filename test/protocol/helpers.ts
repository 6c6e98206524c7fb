/**
 * Shared pieces for the protocol tests: a principal literal, collecting sinks and loggers (plain
 * objects implementing our own interfaces, not mocks of our components), and `call`, which runs
 * one request through a real Dispatcher and checks the answer against the official schema.
 */
import assert from 'node:assert/strict';
import type { Principal } from '../../src/auth/principal.ts';
import type { LogFields, Logger, LogThreshold } from '../../src/log.ts';
import type { JsonObject } from '../../src/protocol/definitions.ts';
import type { Dispatcher, RequestEnvironment } from '../../src/protocol/dispatcher.ts';
import type { ErrorObject } from '../../src/protocol/errors.ts';
import type { JsonRpcMessage, JsonRpcResponse, Params, RequestId } from '../../src/protocol/messages.ts';
import { BOTH_ERAS, defineMethod, noScopes, type MethodDescriptor, type RegisteredMethod } from '../../src/protocol/method.ts';
import { paramsSchema, type ParamsSchema } from '../../src/protocol/params-schema.ts';
import { Session, type MessageSink } from '../../src/protocol/session.ts';
import { LATEST_VERSION } from '../../src/protocol/versions.ts';
import { assertSchema, assertServerMessage } from '../helpers/schema.ts';

export const principal: Principal = {
  issuer: 'https://issuer.example/oauth2/default',
  subject: 'alice@example.com',
  clientId: 'client-1',
  userId: 'user-1',
  scopes: new Set(['test:read']),
  expiresAt: 4102444800,
};

/**
 * Checks a message the server sends against the official schema. Responses go through
 * assertServerMessage; server notifications and requests are checked whole, because in
 * schema.json `ServerNotification` and `ServerRequest` require `jsonrpc` (and `id`) themselves.
 */
export function assertWire(message: unknown, method?: string): void {
  const m = message as { id?: unknown; method?: unknown };
  if (typeof m.method !== 'string') return assertServerMessage(message, method);
  assertSchema('JSONRPCMessage', message);
  assertSchema(m.id === undefined ? 'ServerNotification' : 'ServerRequest', message);
}

/** A MessageSink that keeps what it is given, checking each message against the schema. */
export interface CollectingSink extends MessageSink {
  readonly messages: JsonRpcMessage[];
}

export function collectingSink(): CollectingSink {
  const messages: JsonRpcMessage[] = [];
  return {
    messages,
    send(message) {
      assertWire(message);
      messages.push(message);
    },
  };
}

export interface LogEntry {
  level: LogThreshold;
  msg: string;
  fields: LogFields | undefined;
}

/** A Logger (src/log.ts) that keeps its entries. */
export function collectingLogger(): Logger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (msg: string, fields?: LogFields): void => void entries.push({ level, msg, fields });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A session that has answered `initialize` (what every method after it sees). */
export function openedSession(id = 'session-1'): Session {
  const session = new Session(id);
  session.open(LATEST_VERSION, {}, { name: 'test-client', version: '1.0.0' });
  return session;
}

export type EnvironmentExtras = Pick<RequestEnvironment, 'onDisconnect' | 'closeStream'>;

/** The environment of a legacy request in `session`, by the test principal. */
export function environment(session: Session, related: MessageSink = collectingSink(), extra: EnvironmentExtras = {}): RequestEnvironment {
  return { state: session.requestState(principal), session, related, correlationId: 'corr-1', ...extra };
}

/** Params of any object. */
export const ANY_PARAMS = paramsSchema({ type: 'object' });

/** A descriptor for a test method: no scopes, no rate limit, both eras. */
export function testMethod<P extends JsonObject>(method: string, params: ParamsSchema<P>, handler: MethodDescriptor<P>['handler']): RegisteredMethod {
  return defineMethod({ method, params, scopes: noScopes, rateLimit: 'none', eras: BOTH_ERAS, handler });
}

let nextId = 1;

/** Sends one request through the dispatcher; the response must exist and be valid on the wire. */
export async function call(
  dispatcher: Dispatcher,
  session: Session,
  method: string,
  params?: Params,
  options: { id?: RequestId; related?: MessageSink } = {},
): Promise<JsonRpcResponse> {
  const id = options.id ?? nextId++;
  const message = params === undefined ? { jsonrpc: '2.0' as const, id, method } : { jsonrpc: '2.0' as const, id, method, params };
  const response = await dispatcher.request(message, environment(session, options.related));
  assert.ok(response, `${method} got no response`);
  assert.equal(response.id, id);
  assertWire(response, method);
  return response;
}

export function resultOf(response: JsonRpcResponse): JsonObject {
  assert.ok('result' in response, `expected a result, got ${JSON.stringify(response)}`);
  return response.result;
}

export function errorOf(response: JsonRpcResponse): ErrorObject {
  assert.ok('error' in response, `expected an error, got ${JSON.stringify(response)}`);
  return response.error;
}

/** The text of a CallToolResult's single text block. */
export function toolText(result: JsonObject): string {
  const content = result.content as Array<{ type: string; text?: string }>;
  assert.equal(content.length, 1);
  assert.equal(content[0]?.type, 'text');
  return content[0]?.text ?? '';
}
