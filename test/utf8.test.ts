/**
 * Tests for src/utf8.ts, the one strict UTF-8 decoder (MCP basic/index.mdx: messages MUST be UTF-8;
 * WHATWG Encoding "fatal" mode): well-formed text decodes, a leading BOM is removed, and every kind
 * of ill-formed sequence throws a TypeError instead of becoming U+FFFD.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeUtf8 } from '../src/utf8.ts';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

test('decodes well-formed UTF-8, multi-byte characters included', () => {
  assert.equal(decodeUtf8(Buffer.from('{"a":"é€😀"}', 'utf8')), '{"a":"é€😀"}');
  assert.equal(decodeUtf8(bytes()), '');
});

test('removes one leading byte order mark (RFC 8259 §8.1: parsers MAY ignore it), keeps a second', () => {
  assert.equal(decodeUtf8(bytes(0xef, 0xbb, 0xbf, 0x7b, 0x7d)), '{}');
  assert.equal(decodeUtf8(bytes(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf)), '\ufeff');
});

test('throws TypeError on overlong, surrogate, truncated and stray-continuation sequences, never U+FFFD', () => {
  const bad = { overlong: bytes(0xc0, 0xaf), surrogate: bytes(0xed, 0xa0, 0x80), truncated: bytes(0xe2, 0x82), stray: bytes(0x80), 'beyond U+10FFFF': bytes(0xf4, 0x90, 0x80, 0x80) };
  for (const [label, input] of Object.entries(bad)) assert.throws(() => decodeUtf8(input), TypeError, label);
});

test('one decoder serves every call: a failure leaves no state behind', () => {
  assert.throws(() => decodeUtf8(bytes(0xe2, 0x82)), TypeError);
  assert.equal(decodeUtf8(Buffer.from('ok', 'utf8')), 'ok');
});
