/**
 * Tool parameters mirrored in HTTP headers (MCP 2026-07-28 server/tools.mdx "x-mcp-header",
 * basic/transports/streamable-http.mdx "Custom Headers"): a property schema carrying
 * `"x-mcp-header": "<Name>"` makes clients send `Mcp-Param-<Name>`. Read once per tool at
 * registration, where an annotation that breaks the rules is refused (clients would drop the
 * tool). The transport compares the headers with the arguments (transport/modern-headers.ts).
 */
import { isJsonObject, type JsonObject } from './definitions.ts';

/** One mirrored parameter: its header (lower-cased, as node:http names it), property and type. */
export interface ParamHeader {
  readonly header: string;
  readonly property: string;
  readonly type: 'string' | 'integer' | 'boolean';
}

/** RFC 9110 §5.6.2: token = 1*tchar. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const TYPES: ReadonlySet<unknown> = new Set(['string', 'integer', 'boolean']);

/**
 * The annotated top-level properties of `inputSchema` (server/tools.mdx: reachable from the root
 * through `properties` only; string, integer or boolean; a non-empty token; unique ignoring case).
 * @throws TypeError for an annotation that breaks a rule (a start-up error).
 */
export function paramHeadersOf(tool: string, inputSchema: JsonObject): readonly ParamHeader[] {
  const found: ParamHeader[] = [];
  const properties = isJsonObject(inputSchema.properties) ? inputSchema.properties : {};
  for (const [property, schema] of Object.entries(properties)) {
    if (!isJsonObject(schema) || !Object.hasOwn(schema, 'x-mcp-header')) continue;
    const name = schema['x-mcp-header'];
    const where = `tool ${tool}, property ${property}: x-mcp-header`;
    if (typeof name !== 'string' || !TOKEN.test(name)) throw new TypeError(`${where} must be a non-empty RFC 9110 token`);
    if (!TYPES.has(schema.type)) throw new TypeError(`${where} is allowed only on a string, integer or boolean property`);
    const header = `mcp-param-${name.toLowerCase()}`;
    if (found.some((other) => other.header === header)) throw new TypeError(`${where} ${JSON.stringify(name)} is used twice (names are case-insensitive)`);
    found.push({ header, property, type: schema.type as ParamHeader['type'] });
  }
  return found;
}
