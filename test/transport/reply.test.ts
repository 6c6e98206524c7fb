/**
 * Tests of src/transport/reply.ts (STYLE principle 5: HTTP status and JSON-RPC code decided
 * together in one place; principle 3: no token, header, path or stack in a message). Every
 * REJECTIONS entry is written through reject() on a real node:http response and read back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { loopbackServer } from '../helpers/loopback.ts';
import { accepted, noContent, rawRejection, reject, rejectMessage, REJECTIONS, writeJson, type Rejection, type RejectionName } from '../../src/transport/reply.ts';

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

const NAMES = Object.keys(REJECTIONS) as RejectionName[];
const JSONRPC_CODES = new Set<number>(Object.values(ErrorCode));

for (const name of NAMES) {
  const { status, code, message } = REJECTIONS[name];
  test(`STYLE 5: reject('${name}') answers ${status} with a JSON-RPC error ${code} and no id (checklist B8)`, async () => {
    const got = await answer((res) => reject(res, name));
    assert.equal(got.status, status);
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['content-length'], String(Buffer.byteLength(got.body)));
    assert.equal(got.body, `{"jsonrpc":"2.0","error":{"code":${code},"message":${JSON.stringify(message)}}}`);
  });
}

test('STYLE 5: reject() with a known request id puts the id in the error response (JSON-RPC 2.0 §5)', async () => {
  const { code, message } = REJECTIONS.rateLimited;
  const numeric = await answer((res) => reject(res, 'rateLimited', { 'retry-after': 20 }, 7));
  assert.equal(numeric.status, 429);
  assert.equal(numeric.headers['retry-after'], '20');
  assert.equal(numeric.body, `{"jsonrpc":"2.0","id":7,"error":{"code":${code},"message":"${message}"}}`);
  const text = await answer((res) => reject(res, 'rateLimited', {}, 'req-1'));
  assert.equal(text.body, `{"jsonrpc":"2.0","id":"req-1","error":{"code":${code},"message":"${message}"}}`);
  const zero = await answer((res) => reject(res, 'rateLimited', {}, 0));
  assert.match(zero.body, /^\{"jsonrpc":"2.0","id":0,/);
});

test('RFC 9110 §15.5.6: extra headers (Allow) are sent, but cannot change the content type or length', async () => {
  const got = await answer((res) => reject(res, 'methodNotAllowed', { allow: 'GET, POST, DELETE', 'content-type': 'text/html', 'content-length': 1 }));
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

test('JSON-RPC 2.0 §5.1: rejectMessage() answers 400 with the given error, and the id only when known', async () => {
  const error = { code: ErrorCode.ParseError, message: 'Parse error' };
  const noId = await answer((res) => rejectMessage(res, error));
  assert.equal(noId.status, 400);
  assert.equal(noId.headers['content-type'], 'application/json');
  assert.equal(noId.body, '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"}}');
  const withId = await answer((res) => rejectMessage(res, { code: ErrorCode.InvalidRequest, message: 'Invalid Request' }, 'x'));
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
      reject(res, 'internal');
    } catch (error) {
      threw = error;
    }
    res.end('data: x\n\n');
  });
  assert.equal(threw, undefined);
  assert.equal(got.status, 200);
  assert.equal(got.body, 'data: x\n\n');
});

test('STYLE 3: no REJECTIONS message holds a path, a stack frame, an "Error:" prefix or a line break', () => {
  for (const name of NAMES) {
    const { message } = REJECTIONS[name];
    assert.doesNotMatch(message, /Error:/, name);
    assert.doesNotMatch(message, /(?:^|\n)\s*at |\bat \S+ \(|\bat (?:file|node):/, name);
    assert.doesNotMatch(message, /(?:^|\s)(?:\/|\.{1,2}\/|~\/)[\w.-]|[A-Za-z]:\\|\.(?:ts|js|mjs|json)\b|node_modules|file:/, name);
    assert.doesNotMatch(message, /[\r\n]/, name);
    assert.ok(message.length > 0 && message.length <= 120, name);
  }
});

test('STYLE 5: every rejection maps a 4xx/5xx status to a JSON-RPC error code from the one catalogue', () => {
  for (const name of NAMES) {
    const { status, code } = REJECTIONS[name];
    assert.ok(status >= 400 && status <= 599, name);
    assert.ok(JSONRPC_CODES.has(code), `${name}: ${code} is not in ErrorCode`);
  }
});

test('fastify anchor (error catalogue): every REJECTIONS entry is used somewhere in src', () => {
  const src = fileURLToPath(new URL('../../src', import.meta.url));
  const text = (readdirSync(src, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts') && !file.endsWith('reply.ts'))
    .map((file) => readFileSync(join(src, file), 'utf8'))
    .join('\n');
  const unused = NAMES.filter((name) => !text.includes(`'${name}'`));
  assert.deepEqual(unused, []);
});

test('RFC 9112 §9.6: a refusal marked close (431, 413, 501, framing, shutdown) is answered with Connection: close', async () => {
  const closing = NAMES.filter((name) => (REJECTIONS[name] as Rejection).close === true);
  assert.ok(['tooManyHeaders', 'bodyTooLarge', 'unsupportedTransferCoding', 'unframedBody', 'shuttingDown'].every((name) => closing.includes(name as RejectionName)));
  for (const name of closing) {
    const got = await answer((res) => reject(res, name));
    assert.equal(got.headers.connection, 'close', name);
  }
});

test('RFC 9112 §2.2: rawRejection is the whole answer as bytes, for a request the parser refused (no response object)', () => {
  assert.equal(
    rawRejection('malformedRequest').toString('latin1'),
    'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: 89\r\n\r\n{"jsonrpc":"2.0","error":{"code":-32600,"message":"Bad request: malformed HTTP message"}}',
  );
  assert.match(rawRejection('requestTimeout').toString('latin1'), /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.match(rawRejection('headersTooLarge').toString('latin1'), /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
});
