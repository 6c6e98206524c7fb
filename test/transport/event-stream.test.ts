/**
 * Tests of src/transport/event-stream.ts against real node:http responses read back byte for
 * byte (MCP 2025-11-25 basic/transports.mdx "Listening for Messages", "Resumability and
 * Redelivery"; WHATWG HTML §9.2 server-sent events): headers, the priming event, event ids
 * `<stream>-<seq>`, finish, retry-then-close, replay after Last-Event-ID, the bounded replay
 * log, heartbeats, and cutting off a reader that does not read; and (issue #15) no attaching to a
 * dead connection, the end of a connection at its token's exp, and messages told only to holders
 * whose scopes admit them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import type { JsonRpcMessage } from '../../src/protocol/messages.ts';
import { loopbackServer } from '../helpers/loopback.ts';
import { EventStream, isOpen, SSE_HEADERS, type StreamHolder, type StreamLimits } from '../../src/transport/event-stream.ts';

const { server, port } = await loopbackServer();

interface Received {
  /** The body as the client read it, chunked transfer coding removed. */
  readonly text: string;
  /** False when the connection was cut before the response ended. */
  readonly complete: boolean;
}

interface Connection {
  /** The server side, to hand to EventStream.attach. */
  readonly res: ServerResponse;
  readonly response: Promise<IncomingMessage>;
  readonly received: Promise<Received>;
  abort(): void;
}

/** Opens a GET to the test server and returns both ends of it. */
async function open(): Promise<Connection> {
  const serverSide = once(server, 'request') as Promise<[IncomingMessage, ServerResponse]>;
  const client = request({ host: '127.0.0.1', port, path: '/mcp', agent: false });
  let text = '';
  let response: IncomingMessage | undefined;
  const responded = new Promise<IncomingMessage>((resolve, reject) => {
    client.on('response', (r: IncomingMessage) => {
      response = r;
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => (text += chunk));
      r.on('error', () => {});
      resolve(r);
    });
    client.on('error', reject);
  });
  responded.catch(() => {});
  // 'close' on the request comes after the response's own 'close' (or alone when cut before headers).
  const received = new Promise<Received>((resolve) => client.on('close', () => resolve({ text, complete: response?.complete === true })));
  client.end();
  const [, res] = await serverSide;
  return { res, response: responded, received, abort: () => client.destroy() };
}

const LIMITS: StreamLimits = { replayEvents: 16, maxQueuedBytes: 1024 * 1024 };

function note(n: number, pad = ''): JsonRpcMessage {
  return pad === '' ? { jsonrpc: '2.0', method: 'notifications/message', params: { n } } : { jsonrpc: '2.0', method: 'notifications/message', params: { n, pad } };
}

const frame = (id: string, message: JsonRpcMessage): string => `id: ${id}\ndata: ${JSON.stringify(message)}\n\n`;

test('basic/transports.mdx: an attached stream answers 200 text/event-stream, no-cache, with the caller headers too', async () => {
  const stream = new EventStream('1', LIMITS);
  const conn = await open();
  stream.attach(conn.res, { priming: true, headers: { 'mcp-session-id': 'abc', 'content-type': 'text/plain' } });
  assert.equal(stream.attached, true);
  const response = await conn.response;
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'text/event-stream');
  assert.ok(response.headers['cache-control']?.split(/\s*,\s*/).includes('no-cache'));
  assert.equal(response.headers['cache-control'], SSE_HEADERS['cache-control']);
  assert.equal(response.headers['mcp-session-id'], 'abc');
  stream.finish();
  await conn.received;
});

test('basic/transports.mdx (2025-11-25): the priming event is exactly "id: 1-1\\ndata:\\n\\n"', async () => {
  const stream = new EventStream('1', LIMITS);
  const conn = await open();
  stream.attach(conn.res, { priming: true });
  stream.finish();
  assert.deepEqual(await conn.received, { text: 'id: 1-1\ndata:\n\n', complete: true });
});

test('send() writes one event per message with id <stream>-<seq>; finish() sends the last one and ends the response', async () => {
  const stream = new EventStream('1', LIMITS);
  const conn = await open();
  stream.attach(conn.res, { priming: true });
  const response: JsonRpcMessage = { jsonrpc: '2.0', id: 7, result: {} };
  stream.send(note(1));
  stream.finish(response);
  assert.equal(stream.finished, true);
  assert.equal(stream.attached, false);
  assert.deepEqual(await conn.received, { text: `id: 1-1\ndata:\n\n${frame('1-2', note(1))}${frame('1-3', response)}`, complete: true });
});

test('without priming (versions before 2025-11-25) the first event is the first message, id <stream>-1', async () => {
  const stream = new EventStream('4', LIMITS);
  const conn = await open();
  stream.attach(conn.res, { priming: false });
  stream.send(note(1));
  stream.finish();
  assert.deepEqual(await conn.received, { text: frame('4-1', note(1)), complete: true });
});

test('basic/transports.mdx: disconnect(retryMs) sends an id and a retry field, then closes; the stream lives on', async () => {
  const stream = new EventStream('1', LIMITS);
  const conn = await open();
  stream.attach(conn.res, { priming: true });
  stream.send(note(1));
  stream.disconnect(2500);
  assert.equal(stream.attached, false);
  assert.equal(stream.finished, false);
  assert.deepEqual(await conn.received, { text: `id: 1-1\ndata:\n\n${frame('1-2', note(1))}id: 1-3\nretry: 2500\n\n`, complete: true });
  assert.doesNotThrow(() => stream.disconnect(1000), 'disconnecting a detached stream is a no-op');
});

test('basic/transports.mdx resumability: re-attaching after Last-Event-ID replays exactly the later events of this stream', async () => {
  const stream = new EventStream('2', LIMITS);
  const first = await open();
  stream.attach(first.res, { priming: true });
  stream.send(note(1));
  stream.disconnect(10);
  await first.received;
  stream.send(note(2));
  stream.send(note(3));
  const lastEventId = EventStream.parseEventId('2-3');
  assert.deepEqual(lastEventId, { stream: '2', seq: 3 });
  const second = await open();
  stream.attach(second.res, { priming: true, afterSeq: lastEventId?.seq ?? -1 });
  stream.send(note(4));
  stream.finish();
  // No priming event on a resumed connection: the replay starts right after Last-Event-ID.
  assert.deepEqual(await second.received, { text: frame('2-4', note(2)) + frame('2-5', note(3)) + frame('2-6', note(4)), complete: true });
});

test('resumability: a finished stream replays what followed and then ends the new response', async () => {
  const stream = new EventStream('3', LIMITS);
  const first = await open();
  stream.attach(first.res, { priming: true });
  first.abort();
  await once(first.res, 'close');
  assert.equal(stream.attached, false, 'a closed client connection detaches the stream');
  stream.send(note(1));
  stream.finish(note(2));
  const second = await open();
  stream.attach(second.res, { priming: true, afterSeq: 1 });
  assert.deepEqual(await second.received, { text: frame('3-2', note(1)) + frame('3-3', note(2)), complete: true });
});

test('the replay log is bounded by replayEvents: only the newest events can be replayed', async () => {
  const stream = new EventStream('1', { ...LIMITS, replayEvents: 2 });
  for (let n = 1; n <= 5; n++) stream.send(note(n));
  const conn = await open();
  stream.attach(conn.res, { priming: true, afterSeq: 0 });
  stream.finish();
  assert.deepEqual(await conn.received, { text: frame('1-4', note(4)) + frame('1-5', note(5)), complete: true });
});

test('at most one connection per stream: attaching another ends the previous one', async () => {
  const stream = new EventStream('1', LIMITS);
  const first = await open();
  stream.attach(first.res, { priming: true });
  const second = await open();
  stream.attach(second.res, { priming: false, afterSeq: 1 });
  stream.send(note(1));
  stream.finish();
  assert.deepEqual(await first.received, { text: 'id: 1-1\ndata:\n\n', complete: true });
  assert.deepEqual(await second.received, { text: frame('1-2', note(1)), complete: true });
});

test('WHATWG SSE comment: heartbeat() writes ": keep-alive\\n\\n" when attached and nothing when detached', async () => {
  const stream = new EventStream('1', LIMITS);
  assert.doesNotThrow(() => stream.heartbeat());
  const conn = await open();
  stream.attach(conn.res, { priming: false });
  stream.heartbeat();
  stream.close();
  assert.equal(stream.finished, true);
  assert.deepEqual(await conn.received, { text: ': keep-alive\n\n', complete: true });
});

test('parseEventId reads <stream>-<seq> and rejects anything else', () => {
  assert.deepEqual(EventStream.parseEventId('3-17'), { stream: '3', seq: 17 });
  assert.deepEqual(EventStream.parseEventId('abc9-0'), { stream: 'abc9', seq: 0 });
  for (const bad of ['', '3', '3-', '-17', '3-17-1', '3-1x', '3:17', ' 3-17', '3-17\n', '3-1234567890123456', `${'a'.repeat(33)}-1`, '3-+1', '3--1']) {
    assert.equal(EventStream.parseEventId(bad), undefined, JSON.stringify(bad));
  }
});

test('STYLE 11 (drain respected): a reader that never reads is cut off once maxQueuedBytes is exceeded, and may resume', async () => {
  const limits: StreamLimits = { replayEvents: 1000, maxQueuedBytes: 64 * 1024 };
  const stream = new EventStream('1', limits);
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const serverSide = once(server, 'request') as Promise<[IncomingMessage, ServerResponse]>;
  socket.write('GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  socket.pause();
  const [, res] = await serverSide;
  stream.attach(res, { priming: true });
  const pad = 'x'.repeat(256 * 1024);
  let sent = 0;
  while (stream.attached && sent < 256) {
    stream.send(note(++sent, pad));
    await tick();
  }
  assert.equal(stream.attached, false, `still attached after ${sent} messages of 256 KiB`);
  assert.equal(res.destroyed, true);
  assert.equal(stream.finished, false, 'the stream itself survives the cut-off');
  socket.destroy();
  // The client resumes from the last event it saw; what followed is replayed.
  const lastSeq = sent + 1;
  stream.send(note(-1));
  const conn = await open();
  stream.attach(conn.res, { priming: true, afterSeq: lastSeq });
  stream.finish();
  assert.deepEqual(await conn.received, { text: frame(`1-${lastSeq + 1}`, note(-1)), complete: true });
});

test('STYLE 11: a reader that reads is not cut off by one event larger than maxQueuedBytes', async () => {
  const stream = new EventStream('1', { replayEvents: 16, maxQueuedBytes: 16 * 1024 });
  const conn = await open();
  stream.attach(conn.res, { priming: true });
  const big = note(1, 'y'.repeat(64 * 1024));
  stream.send(big);
  stream.finish();
  const received = await conn.received;
  assert.equal(received.complete, true, 'the connection was cut although the client was reading');
  assert.equal(received.text, `id: 1-1\ndata:\n\n${frame('1-2', big)}`);
});

test('basic/transports.mdx resumability: a replay larger than maxQueuedBytes reaches a reading client', async () => {
  const stream = new EventStream('1', { replayEvents: 16, maxQueuedBytes: 16 * 1024 });
  const messages = Array.from({ length: 8 }, (_, i) => note(i + 1, 'z'.repeat(4 * 1024)));
  for (const message of messages) stream.send(message);
  stream.finish();
  const conn = await open();
  stream.attach(conn.res, { priming: true, afterSeq: 0 });
  const received = await conn.received;
  assert.equal(received.complete, true, 'the resumed connection was cut, so this client can never catch up');
  assert.equal(received.text, messages.map((m, i) => frame(`1-${i + 1}`, m)).join(''));
});

test('disconnect() does not throw when its retry frame trips the back-pressure cut-off', async () => {
  const limits = { replayEvents: 16, maxQueuedBytes: Number.MAX_SAFE_INTEGER };
  const stream = new EventStream('1', limits);
  const conn = await open();
  stream.attach(conn.res, { priming: true });
  stream.send(note(1));
  // The queue is now exactly at the limit: the next write, the retry frame, exceeds it.
  limits.maxQueuedBytes = conn.res.writableLength;
  assert.doesNotThrow(() => stream.disconnect(1000));
  assert.equal(stream.attached, false);
  await conn.received;
});

test('resuming is refused once events after the given id fell out of the replay log (no silent gap, checklist H26)', () => {
  const stream = new EventStream('1', { replayEvents: 2, maxQueuedBytes: 1024 });
  for (let i = 0; i < 4; i++) stream.send({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: i } });
  // Events 1-4 were sent; the log keeps 3 and 4, so only a client that saw 2 or later can resume.
  assert.equal(stream.canResumeAfter(1), false);
  assert.equal(stream.canResumeAfter(2), true);
  assert.equal(stream.canResumeAfter(4), true);
});

const READ = (scopes: ReadonlySet<string>): boolean => scopes.has('read');
const holder = (scopes: string[], expiresAt = Number.MAX_SAFE_INTEGER): StreamHolder => ({ scopes: new Set(scopes), expiresAt });

test('issue #15: attach refuses a response whose client already reset the connection, and attaches nothing', async () => {
  const stream = new EventStream('1', LIMITS);
  const conn = await open();
  conn.abort();
  await once(conn.res, 'close');
  assert.equal(isOpen(conn.res), false);
  assert.equal(stream.attach(conn.res, { priming: true }), false);
  assert.equal(stream.attached, false);
  assert.equal(conn.res.headersSent, false);
});

test('issue #15: a connection whose socket is destroyed no longer counts as attached, before any close event', async () => {
  const stream = new EventStream('1', LIMITS);
  const conn = await open();
  assert.equal(stream.attach(conn.res, { priming: true }), true);
  conn.res.socket?.destroy();
  assert.equal(stream.attached, false);
  await conn.received;
});

test('basic/authorization.mdx (issue #15): a connection ends at its holder\'s exp; the stream lives on for resumption', async () => {
  const now = 1_900_000_000_000;
  const stream = new EventStream('1', LIMITS, () => now);
  const conn = await open();
  stream.attach(conn.res, { priming: true, holder: holder(['read'], now / 1000) });
  assert.deepEqual(await conn.received, { text: 'id: 1-1\ndata:\n\n', complete: true });
  assert.equal(stream.attached, false);
  assert.equal(stream.finished, false);
  const later = await open();
  stream.attach(later.res, { priming: false, afterSeq: 1, holder: holder(['read']) });
  stream.send(note(1));
  stream.finish();
  assert.deepEqual(await later.received, { text: frame('1-2', note(1)), complete: true });
});

test('a holder whose exp is beyond setTimeout\'s range keeps its connection (no overflow to an immediate end)', async () => {
  const stream = new EventStream('1', LIMITS, () => 0);
  const conn = await open();
  stream.attach(conn.res, { priming: false, holder: holder(['read'], 2 ** 40) });
  // Timers run in expiry order: a delay that overflowed to 1 ms would have fired before this one.
  await new Promise((resolve) => setTimeout(resolve, 2));
  assert.equal(stream.attached, true);
  stream.send(note(1));
  stream.finish();
  assert.deepEqual(await conn.received, { text: frame('1-1', note(1)), complete: true });
});

test('issue #15: a message for an audience is told only to a holder in it, and not even logged otherwise', async () => {
  const stream = new EventStream('1', LIMITS);
  const conn = await open();
  stream.attach(conn.res, { priming: false, holder: holder(['write']) });
  stream.send(note(1), READ);
  stream.send(note(2));
  stream.finish();
  assert.deepEqual(await conn.received, { text: frame('1-1', note(2)), complete: true });
  const reader = new EventStream('2', LIMITS);
  const seen = await open();
  reader.attach(seen.res, { priming: false, holder: holder(['read']) });
  reader.send(note(1), READ);
  reader.finish();
  assert.deepEqual(await seen.received, { text: frame('2-1', note(1)), complete: true });
  // A stream nobody holds (a POST answer) tells no audience-bound message.
  const bare = new EventStream('3', LIMITS);
  bare.send(note(1), READ);
  assert.equal(bare.canResumeAfter(0), true);
});

test('issue #15: resuming with a token that lacks an event\'s scopes skips that event in the replay', async () => {
  const stream = new EventStream('1', LIMITS);
  const first = await open();
  stream.attach(first.res, { priming: true, holder: holder(['read']) });
  stream.disconnect(10);
  await first.received;
  stream.send(note(1), READ);
  stream.send(note(2));
  const second = await open();
  stream.attach(second.res, { priming: false, afterSeq: 2, holder: holder([]) });
  stream.finish();
  assert.deepEqual(await second.received, { text: frame('1-4', note(2)), complete: true });
});
