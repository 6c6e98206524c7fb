/**
 * Tests of src/transport/connection.ts on a real node:http server over loopback: the lingering
 * close (RFC 9112 §9.6: half-close, drain for a bounded time and amount, then close), parser
 * failures answered after the earlier answers (RFC 9112 §9.3.2), and the request predicates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { connect, Socket } from 'node:net';
import { bodyPending, expectsContinue, LINGER_BYTES, LINGER_MS, manageConnections, trackResponse } from '../../src/transport/connection.ts';
import { rawRefusal } from '../../src/transport/reply.ts';
import { loopbackServer } from '../helpers/loopback.ts';

const { server, port } = await loopbackServer();
manageConnections(server, rawRefusal);
server.on('request', (req, res) => {
  trackResponse(req, res);
  // Answers without reading the body, after a delay for /slow (an answer still being worked on).
  const answer = (): void => void res.writeHead(200, { connection: req.url === '/close' ? 'close' : 'keep-alive', 'content-length': 2 }).end('ok');
  if (req.url === '/slow') setTimeout(answer, 100);
  else answer();
});

/** A raw client; with `allowHalfOpen` it keeps sending after the server's FIN, as a client mid-upload does. */
function open(allowHalfOpen = false): { socket: Socket; received: () => string; events: string[]; closed: Promise<void> } {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen });
  let data = '';
  const events: string[] = [];
  socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
  socket.on('end', () => events.push('end'));
  socket.on('error', (error: NodeJS.ErrnoException) => events.push(error.code ?? 'error'));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => data, events, closed };
}

test('RFC 9112 §9.6: after a close the server half-closes, drains at most LINGER_BYTES of an endless body, then drops the connection', async () => {
  const client = open(true);
  client.socket.write(`POST /close HTTP/1.1\r\nHost: x\r\nContent-Length: ${1024 ** 3}\r\n\r\n`);
  const chunk = Buffer.alloc(64 * 1024);
  const pump = setInterval(() => void (client.socket.destroyed || client.socket.write(chunk)), 1);
  const started = Date.now();
  await client.closed;
  clearInterval(pump);
  assert.match(client.received(), /^HTTP\/1\.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n.*\r\n\r\nok$/s);
  // The half-close (FIN) came first: the client saw the end of the answer before any reset.
  assert.equal(client.events[0], 'end');
  assert.ok(client.socket.bytesWritten > LINGER_BYTES, 'the server kept reading after its answer');
  assert.ok(Date.now() - started < LINGER_MS, 'the drain stopped at LINGER_BYTES, before LINGER_MS');
});

test('RFC 9112 §9.6: a client that closes after the answer is let go at once, without waiting LINGER_MS', async () => {
  const client = open();
  client.socket.end('GET /close HTTP/1.1\r\nHost: x\r\n\r\n');
  const started = Date.now();
  await client.closed;
  assert.match(client.received(), /\r\n\r\nok$/);
  assert.ok(Date.now() - started < LINGER_MS / 2);
});

test('RFC 9112 §9.3.2: a malformed request after pipelined ones is answered 400 after their answers, then the connection closes', async () => {
  const client = open();
  client.socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n\x01garbage\r\n\r\n');
  await client.closed;
  const statuses = [...client.received().matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
  assert.deepEqual(statuses, ['200', '200', '400']);
  assert.match(client.received(), /connection: close\r\ncontent-type: application\/json\r\ncontent-length: \d+\r\n\r\n\{"jsonrpc":"2\.0","error":\{"code":-32600,"message":"Bad request: malformed HTTP message"\}\}$/);
});

function request(headers: Record<string, string>, complete = false): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = headers;
  req.complete = complete;
  return req;
}

test('RFC 9112 §6.3: a body is pending while a declared or chunked body has not fully arrived', () => {
  assert.equal(bodyPending(request({ 'content-length': '5' })), true);
  assert.equal(bodyPending(request({ 'transfer-encoding': 'chunked' })), true);
  assert.equal(bodyPending(request({ 'content-length': '5' }, true)), false);
  assert.equal(bodyPending(request({ 'content-length': '0' })), false);
  assert.equal(bodyPending(request({})), false);
});

test('RFC 9110 §10.1.1: Expect: 100-continue is recognised in any case, and nothing else is', () => {
  assert.equal(expectsContinue(request({ expect: '100-continue' })), true);
  assert.equal(expectsContinue(request({ expect: '100-Continue' })), true);
  assert.equal(expectsContinue(request({ expect: 'x-200-continue' })), false);
  assert.equal(expectsContinue(request({})), false);
});
