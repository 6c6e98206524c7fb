/**
 * The request metadata headers of a modern request (MCP 2026-07-28 basic/transports/
 * streamable-http.mdx "Standard Request Headers", "Server Validation", "Value Encoding", "Custom
 * Headers"): MCP-Protocol-Version, Mcp-Method, Mcp-Name and Mcp-Param-*, each a copy of part of the
 * body, compared with the body it mirrors. Owns the `=?base64?…?=` sentinel. Pure: the pipeline
 * turns a mismatch into 400 + -32020 (HeaderMismatch). The body stays the source of truth.
 */
import type { ParamHeader } from '../protocol/param-headers.ts';
import { decodeUtf8 } from '../utf8.ts';

/** A header that is missing, contradicts the body, or cannot be decoded. */
export interface HeaderMismatch {
  readonly header: string;
  readonly problem: string;
}

/** What the standard headers said (req.headers, names already lower-cased by node:http). */
export interface StandardHeaders {
  readonly protocolVersion: string | undefined;
  readonly method: string | undefined;
  readonly name: string | undefined;
}

const SENTINEL_START = '=?base64?';
const SENTINEL_END = '?=';
/** RFC 4648 §4: the standard alphabet, padded to a multiple of four. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * "Value Encoding": a value wrapped in `=?base64?` and `?=` (both markers, exactly) is the Base64
 * of UTF-8 text; anything else is the literal value. Undefined for a sentinel that does not decode.
 */
export function decodeHeaderValue(raw: string): string | undefined {
  if (!raw.startsWith(SENTINEL_START) || !raw.endsWith(SENTINEL_END) || raw.length < SENTINEL_START.length + SENTINEL_END.length) return raw;
  const encoded = raw.slice(SENTINEL_START.length, raw.length - SENTINEL_END.length);
  if (!BASE64.test(encoded)) return undefined;
  try {
    return decodeUtf8(Buffer.from(encoded, 'base64'));
  } catch {
    return undefined;
  }
}

/**
 * "Server Validation", first part (checklist M-E10): a header that is present and contradicts the
 * body. Checked before the version is judged, so a header naming 2026-07-28 over a body claiming
 * another version is a mismatch (-32020), not an unsupported version.
 */
export function contradiction(headers: StandardHeaders, version: string, method: string): HeaderMismatch | undefined {
  if (headers.protocolVersion !== undefined && headers.protocolVersion !== version) {
    return { header: 'MCP-Protocol-Version', problem: 'does not match params._meta["io.modelcontextprotocol/protocolVersion"]' };
  }
  // "Case Sensitivity": header names are case-insensitive, values are not (TOOLS/LIST ≠ tools/list).
  if (headers.method !== undefined && headers.method !== method) return { header: 'Mcp-Method', problem: 'does not match the method' };
  return undefined;
}

/**
 * "Server Validation", second part (checklist M-E12): every POST carries MCP-Protocol-Version and
 * Mcp-Method; a method whose params name a target (its descriptor's `namedBy`: tools/call and
 * prompts/get → params.name, resources/read → params.uri) carries it in Mcp-Name.
 */
export function missingOrMisnamed(headers: StandardHeaders, namedBy: 'name' | 'uri' | undefined, params: { readonly [key: string]: unknown } | undefined): HeaderMismatch | undefined {
  if (headers.protocolVersion === undefined) return { header: 'MCP-Protocol-Version', problem: 'is required' };
  if (headers.method === undefined) return { header: 'Mcp-Method', problem: 'is required' };
  const field = namedBy;
  if (field === undefined) return undefined;
  const target = params?.[field];
  if (headers.name === undefined) return typeof target === 'string' ? { header: 'Mcp-Name', problem: 'is required' } : undefined;
  const decoded = decodeHeaderValue(headers.name);
  if (decoded === undefined) return { header: 'Mcp-Name', problem: 'is not valid =?base64?…?= encoding' };
  return decoded === target ? undefined : { header: 'Mcp-Name', problem: `does not match params.${field}` };
}

/** Whether a decoded header value equals the argument it mirrors ("Server Behavior for Custom Headers"). */
function sameValue(decoded: string, value: unknown, type: ParamHeader['type']): boolean {
  switch (type) {
    case 'string':
      return decoded === value;
    case 'boolean':
      return decoded === String(value);
    case 'integer':
      // A note in "Server Validation": compare integers numerically, so 42.0 equals 42.
      return decoded.trim() !== '' && Number(decoded) === value;
  }
}

/**
 * "Server Behavior for Custom Headers": each annotated argument present in the body must come with
 * its header, decoding to the same value; an absent or null argument expects no header.
 */
export function paramHeaderMismatch(declared: readonly ParamHeader[], args: { readonly [key: string]: unknown } | undefined, headers: { readonly [name: string]: string | string[] | undefined }): HeaderMismatch | undefined {
  for (const { header, property, type } of declared) {
    const value = args?.[property];
    if (value === undefined || value === null) continue;
    const raw = headers[header];
    if (typeof raw !== 'string') return { header, problem: 'is required when the argument is given' };
    const decoded = decodeHeaderValue(raw);
    if (decoded === undefined) return { header, problem: 'is not valid =?base64?…?= encoding' };
    if (!sameValue(decoded, value, type)) return { header, problem: `does not match arguments.${property}` };
  }
  return undefined;
}
