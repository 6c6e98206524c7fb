/**
 * What "one line" means for incident text, and how any text is shown inside one line. A line
 * ends at each of Unicode's mandatory breaks (UAX #14 classes BK, CR, LF, NL: LF, VT, FF, CR,
 * NEL, LS, PS). A one-line field (a title) holds none of them, no other control character, and no
 * bidi embedding, override or isolate (which can reorder how the rest of its line reads). Stored
 * text is never rewritten; it is quoted where it is shown, so old data still loads and still
 * cannot start a line of its own.
 */

// C0 (LF VT FF CR among them), DEL, C1 (NEL among them), LS, PS; UAX #9 §2.1–2.3 LRE RLE PDF LRO RLO, LRI RLI FSI PDI.
const FORBIDDEN = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';

/** JSON Schema `pattern` for one line of text (Ajv compiles patterns with the `u` flag). */
export const ONE_LINE_PATTERN = `^[^${FORBIDDEN}]*$`;

const UNSAFE = new RegExp(`[${FORBIDDEN}]`, 'gu');

/**
 * `text` as a JSON string literal in which every forbidden character is an escape: JSON.stringify
 * escapes C0 controls but leaves DEL, C1, LS, PS and the bidi controls raw (ECMA-262
 * QuoteJSONString), so those are escaped as `\uXXXX` here. The result is still valid JSON.
 */
export function quoteOneLine(text: string): string {
  const quoted = JSON.stringify(text);
  return hasForbidden(text) ? quoted.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : quoted;
}

/** True when `text` holds a character of FORBIDDEN (the same ranges, as code units): most titles hold none. */
function hasForbidden(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
    if (c >= 0x2028 && (c <= 0x202e || (c >= 0x2066 && c <= 0x2069))) return true;
  }
  return false;
}
