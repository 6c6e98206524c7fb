/**
 * Black-box scenarios for the request gate in front of the router (RFC 9112 §3.2, §6.1): the
 * Host header and an absolute-form target's authority, header fields that must appear once,
 * and transfer codings, checked the same way on every path the server serves (the MCP endpoint,
 * the Protected Resource Metadata documents, unknown paths). Raw requests over loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertErrorBody, rawRequest, withServer } from '../helpers/http.ts';

const INVALID_REQUEST = -32600;
const METADATA = '/.well-known/oauth-protected-resource/mcp';
const PATHS = ['/mcp', METADATA, '/.well-known/oauth-protected-resource', '/elsewhere'];

function get(target: string, headers: readonly string[]): string[] {
  return [`GET ${target} HTTP/1.1`, ...headers, 'Accept: application/json, text/event-stream'];
}

test('a Host that is repeated, carries userinfo or is not a host is 400 on every path (RFC 9112 §3.2; RFC 9110 §4.2.4)', async () => {
  await withServer({}, async (server) => {
    const good = `127.0.0.1:${server.running.port}`;
    const cases = [[`Host: ${good}`, `Host: ${good}`], [`Host: user@${good}`], ['Host: a b'], [`Host: ${good}/mcp`], [`Host: ${good}:1`], ['Host: [::1'], []];
    for (const path of PATHS) {
      for (const headers of cases) {
        const reply = await rawRequest(server.running.port, get(path, headers));
        assert.equal(reply.status, 400, `${path} ${JSON.stringify(headers)}`);
        if (headers.length > 0) assertErrorBody(reply.body, INVALID_REQUEST);
      }
    }
  });
});

test('a Host naming another site is 403 on every path, the metadata documents included (checklist H4: DNS rebinding)', async () => {
  await withServer({}, async (server) => {
    for (const path of PATHS) {
      const reply = await rawRequest(server.running.port, get(path, ['Host: evil.example']));
      assert.equal(reply.status, 403, path);
      assertErrorBody(reply.body, INVALID_REQUEST);
    }
  });
});

test('an absolute-form target is judged by its authority, which replaces Host, on every path (RFC 9112 §3.2.2)', async () => {
  await withServer({}, async (server) => {
    const port = server.running.port;
    const good = `127.0.0.1:${port}`;
    for (const path of PATHS) {
      // A good Host does not vouch for a foreign authority in the target.
      const foreign = await rawRequest(port, get(`http://evil.example${path}`, [`Host: ${good}`]));
      assert.equal(foreign.status, 403, path);
      assertErrorBody(foreign.body, INVALID_REQUEST);
      // Userinfo, another scheme or an authority that is no host: 400.
      for (const target of [`http://user@${good}${path}`, `ftp://${good}${path}`, `http://${good}:1${path}`]) {
        const reply = await rawRequest(port, get(target, [`Host: ${good}`]));
        assert.equal(reply.status, 400, target);
        assertErrorBody(reply.body, INVALID_REQUEST);
      }
    }
    // Our own authority is served like the origin-form target, whatever the Host says.
    const metadata = await rawRequest(port, get(`http://${good}${METADATA}`, ['Host: evil.example']));
    assert.equal(metadata.status, 200);
    assert.equal((JSON.parse(metadata.body) as { resource: string }).resource, server.url);
    const mcp = await rawRequest(port, [`POST http://localhost:${port}/mcp HTTP/1.1`, `Host: ${good}`, 'Content-Type: application/json', 'Content-Length: 2'], '{}');
    assert.equal(mcp.status, 401);
    assert.ok(mcp.headers.get('www-authenticate')?.startsWith('Bearer '));
  });
});

test('a header that must appear once is 400 when repeated, on the metadata path too (RFC 9110 §5.3)', async () => {
  await withServer({}, async (server) => {
    const host = `Host: 127.0.0.1:${server.running.port}`;
    for (const path of PATHS) {
      const reply = await rawRequest(server.running.port, get(path, [host, 'Authorization: Bearer a', 'Authorization: Bearer b']));
      assert.equal(reply.status, 400, path);
      assertErrorBody(reply.body, INVALID_REQUEST);
    }
  });
});

test('a transfer coding other than chunked alone is 501, and chunked not last is 400; both close the connection (RFC 9112 §6.1, §6.3)', async () => {
  await withServer({}, async (server) => {
    const port = server.running.port;
    const token = await server.token();
    const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const chunked = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    for (const path of PATHS) {
      for (const [coding, status] of [['gzip, chunked', 501], ['identity, chunked', 501], ['GZIP ,chunked', 501], ['chunked, gzip', 400], ['gzip', 400], ['chunked, chunked', 400]] as const) {
        const head = [`POST ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Authorization: Bearer ${token}`, 'Content-Type: application/json', 'Accept: application/json', `Transfer-Encoding: ${coding}`];
        const reply = await rawRequest(port, head, chunked);
        assert.equal(reply.status, status, `${path} ${coding}`);
        assert.equal(reply.headers.get('connection'), 'close');
        assertErrorBody(reply.body, INVALID_REQUEST);
      }
    }
  });
});
