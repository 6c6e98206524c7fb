/**
 * Checks messages against the official MCP 2025-11-25 JSON Schema (fixtures/mcp-schema), so
 * scenario tests can assert that everything the server sends is valid on the wire.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const schema = JSON.parse(readFileSync(new URL('../../fixtures/mcp-schema/schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(schema, 'mcp');

/** Which result definition answers each method. */
export const RESULT_OF: Readonly<Record<string, string>> = {
  initialize: 'InitializeResult',
  ping: 'EmptyResult',
  'logging/setLevel': 'EmptyResult',
  'tools/list': 'ListToolsResult',
  'tools/call': 'CallToolResult',
  'resources/list': 'ListResourcesResult',
  'resources/templates/list': 'ListResourceTemplatesResult',
  'resources/read': 'ReadResourceResult',
  'resources/subscribe': 'EmptyResult',
  'resources/unsubscribe': 'EmptyResult',
  'prompts/list': 'ListPromptsResult',
  'prompts/get': 'GetPromptResult',
  'completion/complete': 'CompleteResult',
};

/** Asserts `value` is valid against `#/$defs/<definition>`. */
export function assertSchema(definition: string, value: unknown): void {
  const validate = ajv.getSchema(`mcp#/$defs/${definition}`);
  assert.ok(validate, `no definition ${definition}`);
  const ok = validate(value);
  assert.ok(ok, `${definition} invalid: ${JSON.stringify(validate.errors?.slice(0, 3))}\n${JSON.stringify(value).slice(0, 500)}`);
}

/**
 * Asserts a message the server sent is a valid JSON-RPC message and, when it answers a known
 * method, that its result has that method's shape; notifications and requests are checked as
 * ServerNotification / ServerRequest.
 */
export function assertServerMessage(message: unknown, method?: string): void {
  assertSchema('JSONRPCMessage', message);
  const m = message as { id?: unknown; method?: string; result?: unknown; error?: unknown };
  if (m.method !== undefined) {
    assertSchema(m.id === undefined ? 'ServerNotification' : 'ServerRequest', message);
  } else if (m.result !== undefined && method !== undefined && RESULT_OF[method] !== undefined) {
    assertSchema(RESULT_OF[method] as string, m.result);
  }
}
