/**
 * Property-based tests of src/transport/sse.ts (WHATWG HTML §9.2 "Server-sent events", issue 15):
 * any events encoded by encodeEvent and fed to SseParser in any chunking come back as they were
 * (data line breaks normalised to LF, as the spec's parser does); the parser never throws on any
 * text in any chunking; and its work grows linearly with its input, however that input is cut.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { encodeComment, encodeEvent, SseParser, type SseEvent } from '../../src/transport/sse.ts';

/** Any code points, lone surrogates included (the parser reads decoded text). */
const text = fc.string({ unit: fc.oneof(fc.constantFrom('\r', '\n', '\r\n', ':', ' ', '\0', '\uFEFF'), fc.string({ unit: 'binary', maxLength: 1 })) });
const noLineBreak = text.map((s) => s.replace(/[\r\n]/g, ''));

const event: fc.Arbitrary<SseEvent> = fc
  .record({ id: noLineBreak.map((s) => s.replace(/\0/g, '')), event: noLineBreak, data: text, retry: fc.nat() }, { requiredKeys: [] })
  .filter((e) => Object.keys(e).length > 0);

/** Cuts `whole` at the given offsets (any number, any order, repeats allowed). */
function cut(whole: string, offsets: readonly number[]): string[] {
  const points = [...new Set(offsets.map((o) => o % (whole.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let at = 0;
  for (const point of points) {
    pieces.push(whole.slice(at, point));
    at = point;
  }
  pieces.push(whole.slice(at));
  return pieces;
}

/** What the parser must report for an encoded event: data line breaks become LF ("data" joins lines with LF). */
function expected(e: SseEvent): SseEvent {
  const out: SseEvent = {};
  if (e.id !== undefined) out.id = e.id;
  if (e.event !== undefined) out.event = e.event;
  if (e.retry !== undefined) out.retry = e.retry;
  if (e.data !== undefined) out.data = e.data.replace(/\r\n|\r/g, '\n');
  return out;
}

test('any events, encoded and then parsed in any chunking, come back field for field (WHATWG "interpret an event stream")', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(event, noLineBreak.map((c) => c as string | SseEvent)), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (items, offsets) => {
      const events = items.filter((item): item is SseEvent => typeof item !== 'string');
      const stream = items.map((item) => (typeof item === 'string' ? encodeComment(item) : encodeEvent(item))).join('');
      const parser = new SseParser();
      const parsed = cut(stream, offsets).flatMap((piece) => parser.push(piece));
      assert.deepEqual(parsed, events.map(expected));
      const ids = events.filter((e) => e.id !== undefined);
      assert.equal(parser.lastEventId, ids.at(-1)?.id ?? '');
    }),
    { numRuns: 2000 },
  );
});

test('the parser never throws and reports only well-formed events, on any text in any chunking', () => {
  fc.assert(
    fc.property(text, fc.array(fc.nat(), { maxLength: 20 }), (input, offsets) => {
      const parser = new SseParser();
      for (const piece of cut(input, offsets)) {
        for (const e of parser.push(piece)) {
          for (const [key, value] of Object.entries(e)) {
            assert.ok(['id', 'event', 'data', 'retry'].includes(key), key);
            if (key === 'retry') assert.ok(Number.isSafeInteger(value) && (value as number) >= 0, String(value));
            else assert.equal(typeof value, 'string');
          }
          if (e.id !== undefined) assert.ok(!e.id.includes('\0'));
        }
      }
    }),
    { numRuns: 2000 },
  );
});

test('a retry field too long to be a safe integer is ignored, never a reconnection time of Infinity', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push(`retry: ${'9'.repeat(400)}\ndata: x\n\n`), [{ data: 'x' }]);
  assert.equal(parser.reconnectionTime, undefined);
});

test('parsing is linear: 1 MiB of pathological input parses within a fixed bound, in one piece or one character per push', () => {
  const size = 1024 * 1024;
  const shapes = ['data: ' + 'x'.repeat(size), '\r'.repeat(size), 'data:\r\n'.repeat(size / 7), ':'.repeat(size), 'id'.repeat(size / 2) + '\n\n'];
  for (const shape of shapes) {
    const whole = time(() => new SseParser().push(shape));
    const pieces = time(() => {
      const parser = new SseParser();
      for (let i = 0; i < shape.length; i += 1) parser.push(shape[i] as string);
    });
    // Linear here is well under a second even on a loaded shared machine; quadratic joining would
    // take minutes, so the bounds are generous (a busy CI core once took 666 ms for the whole feed).
    assert.ok(whole < 5000 && pieces < 15000, `${JSON.stringify(shape.slice(0, 8))}…: ${whole.toFixed(0)} ms whole, ${pieces.toFixed(0)} ms char by char`);
  }
});

function time(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}
