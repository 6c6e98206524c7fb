/**
 * Tests of the body reader against a real `node:http` server on 127.0.0.1:0, driven by raw
 * `node:net` sockets so chunking, lying Content-Length and early closes are real; plus pure
 * tests of strict UTF-8 decoding (RFC 8259 §8.1, RFC 3629 §3, MCP 2025-11-25 basic/index).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, IncomingMessage, type Server } from 'node:http';
import { connect, Socket as NetSocket, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { BodyError, decodeChunks, readBody } from '../../src/transport/body.ts';

const LIMIT = 64;

/** What the server saw for one request. */
interface Outcome {
  body?: string;
  error?: string;
  chunks: number;
}

const outcomes: Outcome[] = [];
const waiting: Array<(outcome: Outcome) => void> = [];
function record(outcome: Outcome): void {
  const waiter = waiting.shift();
  if (waiter === undefined) outcomes.push(outcome);
  else waiter(outcome);
}
function nextOutcome(): Promise<Outcome> {
  const outcome = outcomes.shift();
  return outcome !== undefined ? Promise.resolve(outcome) : new Promise((resolve) => waiting.push(resolve));
}

let server: Server;
let port: number;

before(async () => {
  server = createServer((request, response) => {
    let chunks = 0;
    request.on('data', () => chunks++);
    readBody(request, { limit: LIMIT }).then(
      (body) => {
        record({ body, chunks });
        response.writeHead(200, { connection: 'close' }).end(body);
      },
      (error: unknown) => {
        const kind = error instanceof BodyError ? error.kind : String(error);
        record({ error: kind, chunks });
        response.writeHead(kind === 'too-large' ? 413 : 400, { connection: 'close' }).end(kind);
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.close();
  await once(server, 'close');
});

/** Opens a raw connection; `response` resolves with everything the server sent before closing. */
async function open(): Promise<{ socket: Socket; response: Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  const response = new Promise<string>((resolve) => {
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
  });
  return { socket, response };
}

function head(headers: string): string {
  return `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${headers}\r\n`;
}

/** Sends a body with a correct Content-Length in the given pieces, pausing between writes. */
async function sendInPieces(pieces: Buffer[]): Promise<{ outcome: Outcome; response: string }> {
  const { socket, response } = await open();
  const length = pieces.reduce((sum, piece) => sum + piece.length, 0);
  socket.write(head(`Content-Length: ${length}\r\n`));
  for (const piece of pieces) {
    await sleep(15);
    socket.write(piece);
  }
  return { outcome: await nextOutcome(), response: await response };
}

function statusOf(response: string): number {
  return Number(response.slice(9, 12));
}

test('readBody returns a JSON body sent in one write', async () => {
  const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
  const { outcome, response } = await sendInPieces([Buffer.from(body)]);
  assert.deepEqual(outcome, { body, chunks: 1 });
  assert.equal(statusOf(response), 200);
});

test('readBody joins a body that arrives one byte per TCP write', async () => {
  const body = '{"jsonrpc":"2.0","method":"x"}';
  const pieces = [...Buffer.from(body)].map((byte) => Buffer.of(byte));
  const { outcome } = await sendInPieces(pieces);
  assert.equal(outcome.body, body);
  assert.ok(outcome.chunks > 1, `expected several chunks, got ${outcome.chunks}`);
});

test('RFC 3629: a multi-byte character split across two TCP writes decodes as one character', async () => {
  const euro = Buffer.from('"€😀"'); // 22 E2 82 AC F0 9F 98 80 22
  const { outcome } = await sendInPieces([euro.subarray(0, 2), euro.subarray(2, 6), euro.subarray(6)]);
  assert.deepEqual(outcome, { body: '"€😀"', chunks: 3 });
});

test('RFC 8259 §8.1: a leading UTF-8 BOM may be ignored and is stripped', async () => {
  const { outcome } = await sendInPieces([Buffer.from('\uFEFF{}')]);
  assert.equal(outcome.body, '{}');
});

test('readBody accepts an empty body and a body of exactly the limit', async () => {
  assert.equal((await sendInPieces([])).outcome.body, '');
  const exact = 'x'.repeat(LIMIT);
  assert.equal((await sendInPieces([Buffer.from(exact)])).outcome.body, exact);
});

const invalidUtf8: Array<[string, number[]]> = [
  ['C3 28 (a lead byte followed by ASCII)', [0xc3, 0x28]],
  ['a lone FF (never valid in UTF-8)', [0xff]],
  ['the overlong C0 80 (RFC 3629 §3 forbids overlong forms)', [0xc0, 0x80]],
  ['the surrogate ED A0 80 (RFC 3629 §3: U+D800..U+DFFF are not characters)', [0xed, 0xa0, 0x80]],
  ['a truncated sequence E2 82 at the end', [0x22, 0xe2, 0x82]],
];

for (const [name, bytes] of invalidUtf8) {
  test(`MCP basic/index and RFC 8259 §8.1 (bodies are UTF-8): readBody rejects ${name} as invalid-utf8`, async () => {
    const { outcome, response } = await sendInPieces([Buffer.from([0x7b, ...bytes, 0x7d])]);
    assert.equal(outcome.error, 'invalid-utf8');
    assert.equal(statusOf(response), 400);
  });
}

test('RFC 9110 §8.6: a Content-Length over the limit is refused at once, before any body byte is sent', async () => {
  const { socket, response } = await open();
  socket.write(head(`Content-Length: ${LIMIT + 1}\r\n`));
  assert.deepEqual(await nextOutcome(), { error: 'too-large', chunks: 0 });
  assert.equal(statusOf(await response), 413);
});

test('readBody stops at the limit for a chunked body with no Content-Length (RFC 9112 §7.1)', async () => {
  const { socket, response } = await open();
  const chunk = 'y'.repeat(40);
  socket.write(head('Transfer-Encoding: chunked\r\n'));
  socket.write(`28\r\n${chunk}\r\n`);
  await sleep(15);
  socket.write(`28\r\n${chunk}\r\n`);
  const outcome = await nextOutcome();
  assert.equal(outcome.error, 'too-large');
  assert.equal(statusOf(await response), 413);
});

test('readBody accepts a chunked body within the limit', async () => {
  const { socket, response } = await open();
  socket.write(head('Transfer-Encoding: chunked\r\n'));
  socket.write('3\r\n{"a\r\n');
  await sleep(15);
  socket.write('3\r\n":1\r\n1\r\n}\r\n0\r\n\r\n');
  assert.equal((await nextOutcome()).body, '{"a":1}');
  assert.equal(statusOf(await response), 200);
});

test('a body shorter than its Content-Length, then a half-close, is truncated and does not hang', async () => {
  const { socket, response } = await open();
  socket.write(head('Content-Length: 20\r\n') + '{"jsonrpc"');
  await sleep(15);
  socket.end();
  assert.equal((await nextOutcome()).error, 'truncated');
  await response;
});

test('a body cut off by a reset connection is truncated and does not hang', async () => {
  const { socket, response } = await open();
  socket.write(head('Content-Length: 20\r\n') + '{"jsonrpc"');
  await sleep(15);
  socket.resetAndDestroy();
  assert.equal((await nextOutcome()).error, 'truncated');
  await response;
});

test('decodeChunks decodes a character split at every byte position', () => {
  const bytes = Buffer.from('a€😀ü');
  for (let i = 0; i <= bytes.length; i++) {
    for (let j = i; j <= bytes.length; j++) {
      const chunks = [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)];
      assert.equal(decodeChunks(chunks, bytes.length), 'a€😀ü', `split at ${i}, ${j}`);
    }
  }
});

test('decodeChunks decodes no chunks as the empty string and strips one BOM only', () => {
  assert.equal(decodeChunks([], 0), '');
  const twoBoms = Buffer.from('\uFEFF\uFEFFx');
  assert.equal(decodeChunks([twoBoms], twoBoms.length), '\uFEFFx');
});

test('RFC 3629 §3: decodeChunks rejects ill-formed sequences even when split across chunks', () => {
  for (const [, bytes] of invalidUtf8) {
    const buffer = Buffer.from(bytes);
    const chunks = [buffer.subarray(0, 1), buffer.subarray(1)];
    assert.throws(
      () => decodeChunks(chunks, buffer.length),
      (error: unknown) => error instanceof BodyError && error.kind === 'invalid-utf8' && error.name === 'BodyError',
    );
  }
});

test('decodeChunks treats a total that differs from the chunks as caller misuse (TypeError)', () => {
  assert.throws(() => decodeChunks([Buffer.from('abc')], 2), TypeError);
  assert.throws(() => decodeChunks([Buffer.from('abc')], 4), TypeError);
});

test('readBody treats a limit that is not a non-negative integer as caller misuse (TypeError)', () => {
  const request = {} as Parameters<typeof readBody>[0];
  assert.throws(() => readBody(request, { limit: -1 }), TypeError);
  assert.throws(() => readBody(request, { limit: 1.5 }), TypeError);
});

/** A real IncomingMessage whose body is pushed by the test (no socket traffic). */
function pushed(headers: Record<string, string>): IncomingMessage {
  const req = new IncomingMessage(new NetSocket());
  req.headers = headers;
  return req;
}

test('RFC 9110 §10.1.1: invite (the place for 100 Continue) runs once, after the declared length is accepted and before reading', async () => {
  const calls: string[] = [];
  const req = pushed({ 'content-length': '2' });
  req.on('data', () => calls.push('data'));
  const body = readBody(req, { limit: LIMIT, invite: () => calls.push('invite') });
  req.push(Buffer.from('{}'));
  req.push(null);
  assert.equal(await body, '{}');
  assert.deepEqual(calls, ['invite', 'data']);
});

test('RFC 9110 §10.1.1: a declared length over the limit is refused without invite, so no 100 Continue invites it', async () => {
  let invited = false;
  const req = pushed({ 'content-length': String(LIMIT + 1) });
  await assert.rejects(readBody(req, { limit: LIMIT, invite: () => (invited = true) }), (error: unknown) => error instanceof BodyError && error.kind === 'too-large');
  assert.equal(invited, false);
});
