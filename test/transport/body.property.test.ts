/**
 * Property-based tests of the pure part of src/transport/body.ts, decodeChunks (RFC 3629 UTF-8;
 * RFC 8259 §8.1; issue 15): any well-formed text, cut into any chunks at any byte (inside a
 * multi-byte character too), decodes to itself with one leading BOM stripped; any byte sequence
 * either decodes exactly as a whole-buffer strict decoder does or is refused as 'invalid-utf8',
 * whatever the chunking; and nothing else is ever thrown.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BodyError, decodeChunks } from '../../src/transport/body.ts';

/** Cuts `bytes` at the given offsets (any number, any order). */
function cut(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let at = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(at, point));
    at = point;
  }
  chunks.push(bytes.subarray(at));
  return chunks;
}

const offsets = fc.array(fc.nat(), { maxLength: 16 });
const reference = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

test('RFC 3629: well-formed text in any chunking decodes to itself (one leading BOM stripped, RFC 8259 §8.1)', () => {
  // fast-check's 'binary' unit gives any Unicode scalar value: 1 to 4 UTF-8 bytes each.
  fc.assert(
    fc.property(fc.boolean(), fc.string({ unit: 'binary' }), offsets, (bom, text, at) => {
      const bytes = Buffer.from(bom ? `\uFEFF${text}` : text, 'utf8');
      assert.equal(decodeChunks(cut(bytes, at), bytes.length), text);
    }),
    { numRuns: 3000 },
  );
});

test('RFC 3629 §3: any bytes in any chunking decode exactly as a strict whole-buffer decoder, or are refused as invalid-utf8', () => {
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    // Mostly valid text with a few bytes flipped: the ill-formed sequences that matter (overlong, surrogates, truncated).
    fc.tuple(fc.string({ unit: 'binary', minLength: 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 3 })).map(([text, flips]) => {
      const out = Buffer.from(text, 'utf8');
      for (const [at, value] of flips) out[at % out.length] = value;
      return new Uint8Array(out);
    }),
  );
  fc.assert(
    fc.property(bytes, offsets, (raw, at) => {
      const buffer = Buffer.from(raw);
      let want: string | undefined;
      try {
        want = reference.decode(buffer);
      } catch {
        want = undefined;
      }
      try {
        assert.equal(decodeChunks(cut(buffer, at), buffer.length), want);
      } catch (error) {
        if (!(error instanceof BodyError)) throw error;
        assert.equal(error.kind, 'invalid-utf8');
        assert.equal(want, undefined, 'refused bytes a strict decoder accepts');
      }
    }),
    { numRuns: 3000 },
  );
});
