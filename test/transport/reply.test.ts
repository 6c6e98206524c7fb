/**
 * Tests of src/transport/reply.ts on a real node:http response read back by a client: JSON
 * bodies in one write with an exact Content-Length, 202/204, and refuse() writing exactly what
 * refusal.ts maps for every kind (STYLE principle 5), with its log reason. The mapping itself is
 * tested without a socket in refusal.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { ErrorCode } from '../../src/protocol/errors.ts';
import type { RequestRecord } from '../../src/transport/context.ts';
import { answerRefusal, NO_CORS, REFUSALS, type Refusal } from '../../src/transport/refusal.ts';
import { accepted, noContent, rawRefusal, refuse, writeJson } from '../../src/transport/reply.ts';
import { loopbackServer } from '../helpers/loopback.ts';
import { KINDS, SAMPLES } from './refusal-samples.ts';

let handler: (res: ServerResponse) => void = (res) => res.end();
const { port } = await loopbackServer((_req, res) => handler(res));

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Runs `write` as the server's handler for one request and returns what the client received. */
async function answer(write: (res: ServerResponse) => void): Promise<Answer> {
  handler = write;
  const client = request({ host: '127.0.0.1', port, method: 'POST', agent: false });
  client.end();
  const [response] = (await once(client, 'response')) as [IncomingMessage];
  let body = '';
  response.setEncoding('utf8');
  for await (const chunk of response) body += chunk as string;
  return { status: response.statusCode ?? 0, headers: response.headers, body };
}

const ORIGIN = 'http://localhost:6274';

for (const kind of KINDS) {
  const refusal: Refusal = SAMPLES[kind];
  test(`STYLE 5: refuse() writes the ${REFUSALS[kind].status} that refusal.ts maps for ${kind}, headers and body included, and records its reason`, async () => {
    const mapped = answerRefusal(refusal, { origin: ORIGIN });
    const record: RequestRecord = {};
    const got = await answer((res) => refuse(res, refusal, { origin: ORIGIN }, record));
    assert.equal(got.status, mapped.status);
    for (const [name, value] of Object.entries(mapped.headers)) assert.equal(got.headers[name], String(value), name);
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['content-length'], String(Buffer.byteLength(got.body)));
    assert.deepEqual(JSON.parse(got.body), mapped.body);
    assert.equal(record.reason, mapped.reason);
  });
}

test('STYLE 5: refuse() with a known request id puts the id in the error response (JSON-RPC 2.0 §5)', async () => {
  const { code, message } = REFUSALS.rateLimited;
  const numeric = await answer((res) => refuse(res, { refusal: 'rateLimited', retryAfter: 20, id: 7 }, NO_CORS, {}));
  assert.equal(numeric.status, 429);
  assert.equal(numeric.headers['retry-after'], '20');
  assert.equal(numeric.body, `{"jsonrpc":"2.0","id":7,"error":{"code":${code},"message":"${message}"}}`);
  const text = await answer((res) => refuse(res, { refusal: 'rateLimited', retryAfter: 1, id: 'req-1' }, NO_CORS, {}));
  assert.equal(text.body, `{"jsonrpc":"2.0","id":"req-1","error":{"code":${code},"message":"${message}"}}`);
  const zero = await answer((res) => refuse(res, { refusal: 'rateLimited', retryAfter: 1, id: 0 }, NO_CORS, {}));
  assert.match(zero.body, /^\{"jsonrpc":"2.0","id":0,/);
});

test('checklist B8: refuse() without a request id writes no "id"', async () => {
  const { code, message } = REFUSALS.unknownSession;
  const got = await answer((res) => refuse(res, { refusal: 'unknownSession' }, NO_CORS, {}));
  assert.equal(got.status, 404);
  assert.equal(got.body, `{"jsonrpc":"2.0","error":{"code":${code},"message":${JSON.stringify(message)}}}`);
});

test('RFC 9110 §15.5.6: extra headers (Allow) are sent, but cannot change the content type or length', async () => {
  const got = await answer((res) => writeJson(res, 405, { jsonrpc: '2.0', error: { code: -32600, message: 'Method not allowed' } }, { allow: 'GET, POST, DELETE', 'content-type': 'text/html', 'content-length': 1 }));
  assert.equal(got.status, 405);
  assert.equal(got.headers.allow, 'GET, POST, DELETE');
  assert.equal(got.headers['content-type'], 'application/json');
  assert.equal(got.headers['content-length'], String(Buffer.byteLength(got.body)));
});

test('basic/transports.mdx: accepted() is 202 with Content-Length 0 and no body', async () => {
  const got = await answer((res) => accepted(res, { 'mcp-session-id': 's' }));
  assert.equal(got.status, 202);
  assert.equal(got.headers['content-length'], '0');
  assert.equal(got.headers['content-type'], undefined);
  assert.equal(got.headers['mcp-session-id'], 's');
  assert.equal(got.body, '');
});

test('noContent() is 204 with no body', async () => {
  const got = await answer((res) => noContent(res));
  assert.equal(got.status, 204);
  assert.equal(got.body, '');
});

test('JSON-RPC 2.0 §5.1: an invalid message is answered 400 with the given error, and the id only when known', async () => {
  const error = { code: ErrorCode.ParseError, message: 'Parse error' };
  const noId = await answer((res) => refuse(res, { refusal: 'invalidMessage', error }, NO_CORS, {}));
  assert.equal(noId.status, 400);
  assert.equal(noId.headers['content-type'], 'application/json');
  assert.equal(noId.body, '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"}}');
  const withId = await answer((res) => refuse(res, { refusal: 'invalidMessage', error: { code: ErrorCode.InvalidRequest, message: 'Invalid Request' }, id: 'x' }, NO_CORS, {}));
  assert.equal(withId.body, '{"jsonrpc":"2.0","id":"x","error":{"code":-32600,"message":"Invalid Request"}}');
});

test('STYLE 11: writeJson sends one body with an exact Content-Length, including multi-byte UTF-8', async () => {
  const got = await answer((res) => writeJson(res, 200, { jsonrpc: '2.0', id: 1, result: { title: 'café ☕' } }));
  assert.equal(got.status, 200);
  assert.equal(got.body, '{"jsonrpc":"2.0","id":1,"result":{"title":"café ☕"}}');
  assert.equal(got.headers['content-length'], String(Buffer.byteLength(got.body)));
});

test('a rejection after the headers went out is dropped instead of throwing (the stream owns that response)', async () => {
  let threw: unknown;
  const got = await answer((res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    try {
      refuse(res, { refusal: 'internal' }, NO_CORS, {});
    } catch (error) {
      threw = error;
    }
    res.end('data: x\n\n');
  });
  assert.equal(threw, undefined);
  assert.equal(got.status, 200);
  assert.equal(got.body, 'data: x\n\n');
});

test('RFC 9112 §9.6: a refusal marked close (431, 413, 501, framing, shutdown) is answered with Connection: close', async () => {
  const closing = KINDS.filter((kind) => answerRefusal(SAMPLES[kind], NO_CORS).headers.connection === 'close');
  assert.ok(['tooManyHeaders', 'bodyTooLarge', 'unsupportedTransferCoding', 'unframedBody', 'shuttingDown'].every((kind) => closing.includes(kind as (typeof KINDS)[number])));
  for (const kind of closing) {
    const got = await answer((res) => refuse(res, SAMPLES[kind], NO_CORS, {}));
    assert.equal(got.headers.connection, 'close', kind);
  }
});

test('RFC 9112 §2.2: rawRefusal is the whole answer as bytes, for a request the parser refused (no response object)', () => {
  assert.equal(
    rawRefusal({ refusal: 'malformedRequest' }).toString('latin1'),
    'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: 89\r\n\r\n{"jsonrpc":"2.0","error":{"code":-32600,"message":"Bad request: malformed HTTP message"}}',
  );
  assert.match(rawRefusal({ refusal: 'requestTimeout' }).toString('latin1'), /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.match(rawRefusal({ refusal: 'headersTooLarge' }).toString('latin1'), /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
});
