/**
 * Checks messages against the official MCP 2026-07-28 JSON Schema (fixtures/mcp-schema-2026-07-28),
 * as helpers/schema.ts does for 2025-11-25: everything the server sends on the modern path must be
 * valid on that wire.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const schema = JSON.parse(readFileSync(new URL('../../fixtures/mcp-schema-2026-07-28/schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(schema, 'mcp2026');

/** Which result definition answers each modern method. */
export const MODERN_RESULT_OF: Readonly<Record<string, string>> = {
  'server/discover': 'DiscoverResult',
  'tools/list': 'ListToolsResult',
  'tools/call': 'CallToolResult',
  'resources/list': 'ListResourcesResult',
  'resources/templates/list': 'ListResourceTemplatesResult',
  'resources/read': 'ReadResourceResult',
  'prompts/list': 'ListPromptsResult',
  'prompts/get': 'GetPromptResult',
  'completion/complete': 'CompleteResult',
};

/** Error responses with a required `data` shape, by code (each a whole JSON-RPC error response). */
const ERROR_OF: Readonly<Record<number, string>> = { [-32020]: 'HeaderMismatchError', [-32021]: 'MissingRequiredClientCapabilityError', [-32022]: 'UnsupportedProtocolVersionError' };

/** Asserts `value` is valid against `#/$defs/<definition>` of the 2026-07-28 schema. */
export function assertModernSchema(definition: string, value: unknown): void {
  const validate = ajv.getSchema(`mcp2026#/$defs/${definition}`);
  assert.ok(validate, `no definition ${definition}`);
  assert.ok(validate(value), `${definition} invalid: ${JSON.stringify(validate.errors?.slice(0, 3))}\n${JSON.stringify(value).slice(0, 500)}`);
}

/** Asserts a message the server sent on the modern path is valid, with its method's result shape. */
export function assertModernServerMessage(message: unknown, method?: string): void {
  assertModernSchema('JSONRPCMessage', message);
  const m = message as { id?: unknown; method?: string; result?: { resultType?: unknown }; error?: { code?: number } };
  if (m.method !== undefined) {
    assertModernSchema('ServerNotification', message);
  } else if (m.result !== undefined && method !== undefined) {
    const definition = m.result.resultType === 'input_required' ? 'InputRequiredResult' : MODERN_RESULT_OF[method];
    if (definition !== undefined) assertModernSchema(definition, m.result);
  } else if (m.error?.code !== undefined && ERROR_OF[m.error.code] !== undefined) {
    assertModernSchema(ERROR_OF[m.error.code] as string, message);
  }
}
