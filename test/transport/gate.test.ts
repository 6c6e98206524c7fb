/**
 * Tests of src/transport/gate.ts: the request gate every path passes (RFC 9112 §3.2 Host and
 * request-target forms, RFC 9110 §5.3 headers that must appear once, RFC 9112 §6.1/§6.3 transfer
 * codings, RFC 6585 §5 header count). Verdicts only: the scenarios check the written answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { admit, MAX_HEADER_FIELDS } from '../../src/transport/gate.ts';
import type { OriginPolicy } from '../../src/transport/origin.ts';

const policy: OriginPolicy = { allowedOrigins: [], publicHost: 'mcp.example.com', port: () => 9001 };

/** A real IncomingMessage with this target and header lines (as node would have parsed them). */
function request(url: string, lines: ReadonlyArray<readonly [string, string]>): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.url = url;
  req.rawHeaders = lines.flat();
  const headers: Record<string, string> = {};
  for (const [name, value] of lines) headers[name.toLowerCase()] ??= value;
  req.headers = headers;
  return req;
}

const HOST = ['Host', '127.0.0.1:9001'] as const;

function verdict(url: string, lines: ReadonlyArray<readonly [string, string]>): string {
  const result = admit(request(url, lines), policy);
  return 'url' in result ? `url ${result.url.pathname}${result.url.search}` : result.refusal;
}

test('an origin-form target with an allowed Host is admitted with its path and query as given', () => {
  assert.equal(verdict('/mcp?x=1', [HOST]), 'url /mcp?x=1');
  assert.equal(verdict('//mcp', [HOST]), 'url //mcp');
  assert.equal(verdict('/.well-known/oauth-protected-resource/mcp', [['Host', 'MCP.example.com']]), 'url /.well-known/oauth-protected-resource/mcp');
});

test('RFC 9112 §3.2.2: the authority of an absolute-form target replaces Host, for the allow-list too', () => {
  assert.equal(verdict('http://evil.example/mcp', [HOST]), 'hostForbidden');
  assert.equal(verdict('http://127.0.0.1:9001/mcp', [['Host', 'evil.example']]), 'url /mcp');
  assert.equal(verdict('HTTPS://mcp.example.com/mcp?q', [HOST]), 'url /mcp?q');
  assert.equal(verdict('http://localhost:9001', [HOST]), 'url /');
});

test('RFC 9112 §3.2.2, RFC 9110 §4.2.4: absolute-form with userinfo, another scheme or a bad authority is 400', () => {
  for (const target of ['http://user@127.0.0.1:9001/mcp', 'ftp://127.0.0.1:9001/mcp', 'http://127.0.0.1:9001:1/mcp', 'http://[::1/mcp', 'mcp', 'http:/mcp']) {
    assert.equal(verdict(target, [HOST]), 'badTarget', target);
  }
});

test('RFC 9112 §3.2: a Host with userinfo, a space, a path or two colons is 400; a foreign or empty one is 403', () => {
  for (const host of ['user@127.0.0.1:9001', 'a b', '127.0.0.1:9001/mcp', '127.0.0.1:9001:1', '[::1', '127.0.0.1:90a']) {
    assert.equal(verdict('/mcp', [['Host', host]]), 'badHost', host);
  }
  for (const host of ['evil.example', '127.0.0.1:9002', '']) assert.equal(verdict('/mcp', [['Host', host]]), 'hostForbidden', host);
  assert.equal(verdict('/mcp', []), 'hostForbidden');
});

test('RFC 9110 §5.3: a repeated Host, Authorization or MCP-Session-Id is 400 on any path; a repeated Origin is left to /mcp', () => {
  for (const name of ['Host', 'authorization', 'MCP-Session-Id', 'Content-Length']) {
    assert.equal(verdict('/anything', [HOST, [name, '1'], [name, '1']]), 'duplicateHeader', name);
  }
  assert.equal(verdict('/mcp', [HOST, ['Origin', 'http://a'], ['Origin', 'http://b']]), 'url /mcp');
});

test('RFC 6585 §5: more header fields than the limit is 431, checked first', () => {
  const lines = Array.from({ length: MAX_HEADER_FIELDS }, (_, i) => [`X-${i}`, 'v'] as const);
  assert.equal(verdict('/mcp', [HOST, ...lines.slice(1)]), 'url /mcp');
  assert.equal(verdict('http://evil.example/', [HOST, ...lines]), 'tooManyHeaders');
});

test('RFC 9112 §6.1: chunked alone (any case) is admitted, another coding before it is 501; §6.3: chunked not last is 400', () => {
  for (const coding of ['chunked', 'Chunked', ' chunked ']) assert.equal(verdict('/mcp', [HOST, ['Transfer-Encoding', coding]]), 'url /mcp', coding);
  for (const coding of ['gzip, chunked', 'identity,chunked', 'x-custom , CHUNKED']) assert.equal(verdict('/mcp', [HOST, ['Transfer-Encoding', coding]]), 'unsupportedTransferCoding', coding);
  for (const coding of ['gzip', 'chunked, gzip', '']) assert.equal(verdict('/mcp', [HOST, ['Transfer-Encoding', coding]]), 'unframedBody', coding);
});
