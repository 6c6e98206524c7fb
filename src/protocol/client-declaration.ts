/**
 * What a session keeps of the client's `initialize` (MCP 2025-11-25 basic/lifecycle.mdx
 * "Capability Negotiation"): which known client capabilities it declared, as a value of fixed
 * shape, and its name and version cut to a bound. Nothing else of the params outlives the request,
 * so a session weighs the same whatever the client sent (issue #15: 1 MB of capabilities each).
 * It does not validate the params (lifecycle.ts's schema does) nor decide what a capability allows.
 */
import { isJsonObject, type JsonObject } from './definitions.ts';

/** Known sub-capabilities of a capability: each an object (declared or not) or a boolean flag. */
interface Shape {
  readonly [name: string]: Shape | 'flag';
}

/**
 * schema.ts ClientCapabilities (2025-11-25). `experimental` and names of the client's own are
 * dropped: nothing here reads them, and the schema leaves their size unbounded.
 */
const CLIENT_CAPABILITIES: Shape = {
  roots: { listChanged: 'flag' },
  sampling: { context: {}, tools: {} },
  elicitation: { form: {}, url: {} },
  tasks: { list: {}, cancel: {}, requests: { sampling: { createMessage: {} }, elicitation: { create: {} } } },
};

/** Longest clientInfo name or version kept, in UTF-16 code units. */
export const MAX_CLIENT_INFO_LENGTH = 256;

/** What the client told us about itself (schema.ts Implementation: name and version). */
export interface ClientIdentity {
  readonly name: string;
  readonly version: string;
}

function keep(given: JsonObject, shape: Shape): JsonObject {
  const kept: JsonObject = {};
  for (const [name, sub] of Object.entries(shape)) {
    if (!Object.hasOwn(given, name)) continue;
    const value = given[name];
    if (sub === 'flag') {
      if (typeof value === 'boolean') kept[name] = value;
    } else if (isJsonObject(value)) {
      kept[name] = keep(value, sub);
    }
  }
  return kept;
}

/**
 * The known capabilities `capabilities` declares, each reduced to its known sub-capabilities:
 * `{roots: {listChanged: true, x: 'y'.repeat(1e6)}, experimental: {…}}` → `{roots: {listChanged: true}}`.
 * A fresh value that shares nothing with its input.
 */
export function declaredCapabilities(capabilities: JsonObject): JsonObject {
  return keep(capabilities, CLIENT_CAPABILITIES);
}

/** A copy of `text` cut to MAX_CLIENT_INFO_LENGTH without splitting a surrogate pair. */
function bounded(text: unknown): string {
  if (typeof text !== 'string') return '';
  let end = Math.min(text.length, MAX_CLIENT_INFO_LENGTH);
  const last = text.charCodeAt(end - 1);
  if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
  // A copy, not a slice: V8 may keep a slice's whole parent string (the request body) alive.
  return Buffer.from(text.slice(0, end), 'utf8').toString('utf8');
}

/** clientInfo's name and version, bounded; everything else in it (icons, title…) is dropped. */
export function clientIdentity(clientInfo: JsonObject): ClientIdentity {
  return { name: bounded(clientInfo.name), version: bounded(clientInfo.version) };
}
