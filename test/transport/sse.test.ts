/**
 * Byte-exact tests of the SSE encoder and the incremental parser (WHATWG HTML "server-sent
 * events", MCP 2025-11-25 basic/transports): golden frames, rejected inputs, and the parser
 * reading the encoder's output back in every chunk size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeComment, encodeEvent, SseParser, type SseEvent } from '../../src/transport/sse.ts';

const golden: Array<[string, SseEvent, string]> = [
  ['a JSON-RPC message is one data line', { data: '{"jsonrpc":"2.0","id":1}' }, 'data: {"jsonrpc":"2.0","id":1}\n\n'],
  ['fields come in the order id, event, retry, data', { data: 'x', retry: 5, event: 'message', id: '7' }, 'id: 7\nevent: message\nretry: 5\ndata: x\n\n'],
  ['an MCP priming event is an id and an empty data field', { id: 's1:0', data: '' }, 'id: s1:0\ndata:\n\n'],
  ['a retry hint alone is one retry line', { retry: 1000 }, 'retry: 1000\n\n'],
  ['retry 0 is written as 0', { retry: 0 }, 'retry: 0\n\n'],
  ['an empty id resets the last event ID and is written as "id:"', { id: '', data: 'x' }, 'id:\ndata: x\n\n'],
  ['data split on LF', { data: 'a\nb' }, 'data: a\ndata: b\n\n'],
  ['data split on CRLF', { data: 'a\r\nb' }, 'data: a\ndata: b\n\n'],
  ['data split on a lone CR', { data: 'a\rb' }, 'data: a\ndata: b\n\n'],
  ['data mixing CRLF, CR and LF', { data: 'a\r\nb\rc\nd' }, 'data: a\ndata: b\ndata: c\ndata: d\n\n'],
  ['CR followed by LF is one break, LF then CR is two', { data: 'a\n\rb' }, 'data: a\ndata:\ndata: b\n\n'],
  ['a trailing line break gives an empty last data line', { data: 'a\n' }, 'data: a\ndata:\n\n'],
  ['a leading space in data survives because one space is always written', { data: ' x' }, 'data:  x\n\n'],
  ['colons and NUL are any-char in data', { data: 'a:b\0c' }, 'data: a:b\0c\n\n'],
  ['an event with no fields is a lone blank line', {}, '\n'],
];

for (const [name, event, frame] of golden) {
  test(`WHATWG SSE encoding: ${name}`, () => {
    assert.equal(encodeEvent(event), frame);
  });
}

test('WHATWG SSE: a comment line starts with a colon and is ignored by clients (heartbeat)', () => {
  assert.equal(encodeComment('keep-alive'), ': keep-alive\n\n');
  assert.equal(encodeComment(''), ':\n\n');
  assert.deepEqual(new SseParser().push(encodeComment('keep-alive')), []);
});

const misuse: Array<[string, () => unknown]> = [
  ['an id with LF', () => encodeEvent({ id: 'a\nb' })],
  ['an id with CR', () => encodeEvent({ id: 'a\rb' })],
  ['an id with NUL (the parser would ignore it)', () => encodeEvent({ id: 'a\0b' })],
  ['an event type with LF', () => encodeEvent({ event: 'a\nb' })],
  ['an event type with CR', () => encodeEvent({ event: 'a\r' })],
  ['a negative retry', () => encodeEvent({ retry: -1 })],
  ['a fractional retry', () => encodeEvent({ retry: 1.5 })],
  ['a NaN retry', () => encodeEvent({ retry: Number.NaN })],
  ['an infinite retry', () => encodeEvent({ retry: Number.POSITIVE_INFINITY })],
  ['an unsafe integer retry', () => encodeEvent({ retry: 2 ** 53 })],
  ['a comment with LF', () => encodeComment('a\nb')],
  ['a comment with CR', () => encodeComment('a\r')],
];

for (const [name, call] of misuse) {
  test(`WHATWG SSE ABNF (any-char excludes CR and LF; retry is digits): rejects ${name} with TypeError`, () => {
    assert.throws(call, TypeError);
  });
}

const stream: SseEvent[] = [
  { id: 'p:0', data: '' },
  { data: '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}' },
  { id: 'p:1', event: 'message', data: 'line one\nline two\n\nline four' },
  { data: ' leading space and : colon' },
  { retry: 2500 },
  { id: '', event: 'x' },
  { data: 'é😀 non-ASCII' },
];
const encoded = encodeComment('hb') + stream.map(encodeEvent).join('') + encodeComment('');

test('WHATWG "interpret an event stream": the encoder output parses back to the same events in every chunk size', () => {
  for (let size = 1; size <= encoded.length; size++) {
    const parser = new SseParser();
    const events: SseEvent[] = [];
    for (let i = 0; i < encoded.length; i += size) events.push(...parser.push(encoded.slice(i, i + size)));
    assert.deepEqual(events, stream, `chunk size ${size}`);
    assert.equal(parser.lastEventId, '');
    assert.equal(parser.reconnectionTime, 2500);
  }
});

test('WHATWG SSE: data written with CRLF or CR comes back joined with LF', () => {
  assert.deepEqual(new SseParser().push(encodeEvent({ data: 'a\r\nb\rc' })), [{ data: 'a\nb\nc' }]);
});

test('WHATWG SSE: a CRLF split across two chunks is one line end, not two', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push('data: a\r'), []);
  assert.deepEqual(parser.push('\ndata: b\r\n\r'), [{ data: 'a\nb' }]);
  assert.deepEqual(parser.push('\n'), []);
});

test('WHATWG SSE: a CR ending a chunk followed by CR is a blank line that dispatches', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push('data: a\r'), []);
  assert.deepEqual(parser.push(''), []);
  assert.deepEqual(parser.push('\r'), [{ data: 'a' }]);
});

test('WHATWG SSE example: "data: YHOO / data: +2 / data: 10" is one event with three lines', () => {
  assert.deepEqual(new SseParser().push('data: YHOO\ndata: +2\ndata: 10\n\n'), [{ data: 'YHOO\n+2\n10' }]);
});

test('WHATWG SSE example: comments ignored, "id" with no colon resets the last event ID, one space stripped', () => {
  const parser = new SseParser();
  const events = parser.push(': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n');
  assert.deepEqual(events, [{ id: '1', data: 'first event' }, { id: '', data: 'second event' }, { data: ' third event' }]);
  assert.equal(parser.lastEventId, '');
});

test('WHATWG SSE example: "data" with no colon is an empty value; an unterminated block is discarded', () => {
  assert.deepEqual(new SseParser().push('data\n\ndata\ndata\n\ndata:'), [{ data: '' }, { data: '\n' }]);
});

test('WHATWG SSE: "data:test" and "data: test" are the same event', () => {
  assert.deepEqual(new SseParser().push('data:test\n\ndata: test\n\n'), [{ data: 'test' }, { data: 'test' }]);
});

test('WHATWG SSE: an id containing NUL is ignored and the last event ID keeps its value', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push('id: 1\ndata: a\n\nid: 2\0\ndata: b\n\n'), [{ id: '1', data: 'a' }, { data: 'b' }]);
  assert.equal(parser.lastEventId, '1');
});

test('WHATWG SSE: retry is applied only when the value is ASCII digits', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push('retry: 10x\n\nretry: -5\n\nretry:\n\nretry: 1e3\n\n'), []);
  assert.equal(parser.reconnectionTime, undefined);
  assert.deepEqual(parser.push('retry: 300\n\n'), [{ retry: 300 }]);
  assert.equal(parser.reconnectionTime, 300);
});

test('WHATWG SSE: unknown fields are ignored and field names are case-sensitive', () => {
  assert.deepEqual(new SseParser().push('foo: bar\nData: x\nDATA: y\n\n'), []);
});

test('MCP 2025-11-25 basic/transports: an id-only block is reported without data, as a browser would not dispatch it', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push('id: 42\n\n'), [{ id: '42' }]);
  assert.equal(parser.lastEventId, '42');
  assert.deepEqual(parser.push('id: 43\ndata:\n\n'), [{ id: '43', data: '' }]);
});

test('WHATWG SSE: one leading BOM is stripped from the stream, later ones are not', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push(''), []);
  assert.deepEqual(parser.push('\uFEFFdata: a\n\n\uFEFFdata: b\n\n'), [{ data: 'a' }]);
});
