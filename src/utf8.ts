/**
 * Strict UTF-8 decoding, the one decoder for bytes that come from outside: request bodies and
 * the incidents file and its journal. MCP 2025-11-25 basic/index.mdx: "JSON-RPC messages MUST be
 * UTF-8 encoded"; RFC 8259 §8.1: JSON exchanged between systems MUST be UTF-8, and a parser MAY
 * ignore a byte order mark. It owns no I/O and never replaces bad bytes: callers turn the error
 * into their own (a 400 for a body, a load error for a file).
 */

// WHATWG Encoding §7.2 TextDecoder: error mode "fatal" (an ill-formed sequence throws, never
// U+FFFD); ignoreBOM false (a leading BOM is removed). Without `stream`, each decode is whole.
const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The text of `bytes`, a leading BOM removed.
 * @throws TypeError on an ill-formed sequence (overlong, surrogate, truncated, stray continuation).
 */
export function decodeUtf8(bytes: Uint8Array): string {
  return DECODER.decode(bytes);
}
