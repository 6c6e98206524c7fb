/**
 * Property-based tests of src/transport/media-type.ts (RFC 9110 §8.3.1, §5.6, §12.5.1; issue 15):
 * the parsers are total on any header text, every media type written per the grammar parses back
 * to its parts, an Accept list means the same in any order, the most specific range decides, and
 * the time is linear in the header's length whatever it holds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { acceptsMediaType, isJsonContentType, parseMediaType } from '../../src/transport/media-type.ts';

const HEADER_LIMIT = 16 * 1024;
const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split('');
const token = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 12 });
const ows = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 2 });
/** qdtext and quoted-pair contents (RFC 9110 §5.6.4), obs-text included. */
const quotedChar = fc.oneof(fc.constantFrom('"', '\\', ' ', '\t', ',', ';', '=', 'é', 'a'), fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }).filter((c) => c >= ' ' && c !== '\x7f'));
const paramValue = fc.oneof(token, fc.string({ unit: quotedChar, maxLength: 10 }));

/** RFC 9110 §5.6.4: a value that is not a token travels as a quoted-string with quoted-pairs. */
function writeValue(value: string): string {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

const mediaType = fc.record({
  type: token,
  subtype: token,
  params: fc.uniqueArray(fc.tuple(token, paramValue), { selector: ([name]) => name.toLowerCase(), maxLength: 4 }),
  spacing: fc.array(fc.tuple(ows, ows), { minLength: 5, maxLength: 5 }),
});

const grammarChar = fc.oneof(
  fc.constantFrom('/', ';', '=', ',', '"', '\\', ' ', '\t', 'q', '0', '.', '1', '*', 'a', 'é', '\x7f', '\0'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const anyHeader = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: grammarChar }));

test('the parsers are total: any header text gives a MediaType, undefined or a boolean, never a throw', () => {
  fc.assert(
    fc.property(fc.option(anyHeader, { nil: undefined }), (header) => {
      const parsed = parseMediaType(header);
      if (parsed !== undefined) {
        assert.equal(parsed.type, parsed.type.toLowerCase());
        assert.notEqual(parsed.type, '');
        assert.notEqual(parsed.subtype, '');
      }
      assert.equal(typeof acceptsMediaType(header, 'application/json'), 'boolean');
      assert.equal(typeof isJsonContentType(header), 'boolean');
    }),
    { numRuns: 3000 },
  );
});

test('RFC 9110 §8.3.1: a media type written per the grammar parses back: names lower-cased, values unescaped', () => {
  fc.assert(
    fc.property(mediaType, ({ type, subtype, params, spacing }) => {
      const [lead, afterType] = spacing[0] ?? ['', ''];
      const rest = spacing.slice(1);
      const text = `${lead}${type}/${subtype}${afterType}${params.map(([name, value], i) => `;${rest[i]?.[0] ?? ''}${name}=${writeValue(value)}${rest[i]?.[1] ?? ''}`).join('')}`;
      const parsed = parseMediaType(text);
      assert.ok(parsed, text);
      assert.equal(parsed.type, type.toLowerCase());
      assert.equal(parsed.subtype, subtype.toLowerCase());
      assert.deepEqual([...parsed.params], params.map(([name, value]) => [name.toLowerCase(), value]));
    }),
    { numRuns: 2000 },
  );
});

const range = fc.oneof(
  fc.tuple(fc.constantFrom('application/json', 'application/*', '*/*', 'text/event-stream', 'text/*', 'image/png'), fc.option(fc.constantFrom('0', '0.5', '1', '0.001', '1.000'), { nil: undefined })),
).map(([name, q]) => (q === undefined ? name : `${name};q=${q}`));

test('RFC 9110 §12.5.1: an Accept list means the same in any order (well-formed elements)', () => {
  fc.assert(
    fc.property(fc.array(range, { minLength: 1, maxLength: 6 }).chain((ranges) => fc.tuple(fc.constant(ranges), fc.shuffledSubarray(ranges, { minLength: ranges.length }))), ([ranges, shuffled]) => {
      for (const type of ['application/json', 'text/event-stream']) {
        assert.equal(acceptsMediaType(shuffled.join(', '), type), acceptsMediaType(ranges.join(',\t'), type), `${ranges.join(', ')} / ${type}`);
      }
    }),
    { numRuns: 2000 },
  );
});

test('RFC 9110 §12.5.1: the exact type decides over wildcards: appending type;q=0 refuses it, appending type accepts it', () => {
  const others = fc.array(range.filter((r) => !r.startsWith('application/json')), { maxLength: 5 });
  fc.assert(
    fc.property(others, (ranges) => {
      assert.equal(acceptsMediaType([...ranges, 'application/json;q=0'].join(', '), 'application/json'), false);
      assert.equal(acceptsMediaType([...ranges, 'Application/JSON'].join(', '), 'application/json'), true);
    }),
  );
});

test('RFC 8259 §8.1: application/json is JSON with no charset or utf-8 in any case, and nothing else is', () => {
  fc.assert(
    fc.property(fc.mixedCase(fc.constant('application/json')), fc.option(fc.mixedCase(fc.constantFrom('utf-8', 'latin1', 'utf-16')), { nil: undefined }), (name, charset) => {
      const header = charset === undefined ? name : `${name}; charset=${charset}`;
      assert.equal(isJsonContentType(header), charset === undefined || charset.toLowerCase() === 'utf-8');
    }),
  );
});

/** The fastest of three runs in ms: the minimum is robust to a noisy, shared machine. */
function fastest(run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

test('parsing is linear: any short pattern repeated to 16 KiB parses in well under 50 ms (issue 15)', () => {
  const frame = fc.constantFrom('', 'a/b', 'a/b;', 'a/b;q=', 'a/b;p="', 'application/json;q=0.5,');
  fc.assert(
    fc.property(frame, fc.string({ unit: grammarChar, minLength: 1, maxLength: 4 }), (head, unit) => {
      const header = (head + unit.repeat(Math.ceil(HEADER_LIMIT / unit.length))).slice(0, HEADER_LIMIT);
      const ms = fastest(() => {
        parseMediaType(header);
        acceptsMediaType(header, 'application/json');
      });
      assert.ok(ms < 50, `${JSON.stringify(head)} + ${JSON.stringify(unit)}×n: ${ms.toFixed(1)} ms`);
    }),
    { numRuns: 100, examples: [['a/b', ';'], ['a/b;p="', '\\a'], ['', ','], ['a/b;q=', '0']] },
  );
});
