/**
 * Tests of src/incidents/one-line.ts: quoteOneLine is a JSON string literal in which every
 * character that could end or reorder a line is an escape (UAX #14 mandatory breaks, C0, DEL, C1,
 * UAX #9 embeddings, overrides and isolates), plain text is exactly JSON.stringify's output, and
 * ONE_LINE_PATTERN refuses the same characters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ONE_LINE_PATTERN, quoteOneLine } from '../../src/incidents/one-line.ts';

const FORBIDDEN_SAMPLES = ['\u0000', '\n', '\u000b', '\u000c', '\r', '\u001f', '\u007f', '\u0085', '\u009f', '\u2028', '\u2029', '\u202a', '\u202e', '\u2066', '\u2069'];
const ALLOWED_SAMPLES = ['a', ' ', '~', '\u00a0', 'é', '\u2027', '\u202f', '\u2065', '\u206a', '😀', '"', '\\'];

test('text without forbidden characters is quoted exactly as JSON.stringify quotes it', () => {
  for (const text of ['', 'Checkout API returns 502 under load', 'Disk "full" \\ on db-2', ...ALLOWED_SAMPLES]) {
    assert.equal(quoteOneLine(text), JSON.stringify(text));
  }
});

test('UAX #14 and UAX #9: every forbidden character becomes a \\uXXXX escape and the result is JSON for the same text', () => {
  for (const c of FORBIDDEN_SAMPLES) {
    const quoted = quoteOneLine(`a${c}b`);
    assert.equal(JSON.parse(quoted), `a${c}b`);
    assert.ok(!new RegExp(`[${ONE_LINE_PATTERN.slice(3, -3)}]`, 'u').test(quoted.slice(1, -1)), `U+${c.charCodeAt(0).toString(16)} left raw`);
    assert.match(quoted, /\\u00[0-9a-f]{2}|\\u20[0-9a-f]{2}|\\[nrtbf]/);
  }
});

test('ONE_LINE_PATTERN accepts the allowed samples and refuses each forbidden one', () => {
  const pattern = new RegExp(ONE_LINE_PATTERN, 'u');
  for (const c of ALLOWED_SAMPLES) assert.ok(pattern.test(`x${c}y`), `U+${c.codePointAt(0)?.toString(16)}`);
  for (const c of FORBIDDEN_SAMPLES) assert.ok(!pattern.test(`x${c}y`), `U+${c.charCodeAt(0).toString(16)}`);
});
