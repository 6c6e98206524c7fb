/**
 * Black-box scenarios for the Streamable HTTP endpoint itself (MCP 2025-11-25 basic/transports.mdx):
 * methods and routing, media types, body framing and JSON-RPC classification, Origin/Host
 * defences and CORS, and the header-level auth refusals. Real server, real issuer, real HTTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from '../helpers/server.ts';
import { assertErrorBody, assertNoInternals, openGet, rawRequest, SseReader, withClient, withServer } from '../helpers/http.ts';
import { SseParser } from '../../src/transport/sse.ts';

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const PING = { jsonrpc: '2.0', id: 1, method: 'ping' };

async function send(client: TestClient, init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array; path?: string }): Promise<Response> {
  const url = init.path === undefined ? client.url : new URL(init.path, client.url).href;
  const method = init.method ?? 'POST';
  const body = init.body ?? (method === 'POST' ? JSON.stringify(PING) : undefined);
  return fetch(url, { method, headers: client.headers(init.headers), ...(body === undefined ? {} : { body }) });
}

test('POST, GET, DELETE and OPTIONS are all served on the one MCP endpoint (basic/transports.mdx)', async () => {
  await withClient({}, async (client) => {
    const post = await send(client, {});
    assert.equal(post.status, 200);
    assert.equal(post.headers.get('content-type'), 'application/json');
    assert.deepEqual(await post.json(), { jsonrpc: '2.0', id: 1, result: {} });

    const get = await openGet(client);
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('content-type'), 'text/event-stream');
    await new SseReader(get).cancel();

    const options = await send(client, { method: 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('allow'), 'GET, POST, DELETE, OPTIONS');

    const del = await send(client, { method: 'DELETE' });
    assert.equal(del.status, 204);
    assert.equal(await del.text(), '');
  });
});

test('PUT on the endpoint is 405 with Allow listing the served methods (basic/transports.mdx, RFC 9110 §15.5.6)', async () => {
  await withClient({}, async (client) => {
    const response = await send(client, { method: 'PUT' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, POST, DELETE, OPTIONS');
    assertErrorBody(await response.text(), INVALID_REQUEST);
  });
});

test('a path other than the MCP endpoint is 404 (basic/transports.mdx: one endpoint)', async () => {
  await withClient({}, async (client) => {
    for (const path of ['/other', '/mcp/', '/', '/MCP']) {
      const response = await send(client, { path });
      assert.equal(response.status, 404, path);
      assertErrorBody(await response.text(), INVALID_REQUEST);
    }
  });
});

test('a text/plain body is 415 (basic/transports.mdx; checklist H8, SDK practice)', async () => {
  await withClient({}, async (client) => {
    const response = await send(client, { headers: { 'content-type': 'text/plain' } });
    assert.equal(response.status, 415);
    assertErrorBody(await response.text(), INVALID_REQUEST);
  });
});

test('Accept: text/html is 406 (basic/transports.mdx; checklist H8)', async () => {
  await withClient({}, async (client) => {
    const response = await send(client, { headers: { accept: 'text/html' } });
    assert.equal(response.status, 406);
    assertErrorBody(await response.text(), INVALID_REQUEST);
  });
});

test('a client accepting only application/json gets one JSON response (basic/transports.mdx)', async () => {
  await withClient({}, async (client) => {
    const response = await send(client, { headers: { accept: 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 'a', method: 'tools/list' }) });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const body = (await response.json()) as { id: string; result: { tools: unknown[] } };
    assert.equal(body.id, 'a');
    assert.equal(body.result.tools.length, 3);
  });
});

test('a client accepting only text/event-stream gets an SSE stream ending with the response (basic/transports.mdx)', async () => {
  await withClient({}, async (client) => {
    const response = await send(client, { headers: { accept: 'text/event-stream' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const events = new SseParser().push(await response.text());
    // basic/transports.mdx: a priming event (id, empty data) first for a 2025-11-25 session.
    assert.equal(events.length, 2);
    assert.equal(events[0]?.data, '');
    assert.match(events[0]?.id ?? '', /^\w+-\d+$/);
    assert.deepEqual(JSON.parse(events[1]?.data ?? ''), { jsonrpc: '2.0', id: 1, result: {} });
  });
});

test('a body over MAX_BODY_BYTES is 413, declared or chunked (basic/transports.mdx; RFC 9110 §15.5.14)', async () => {
  await withClient({ env: { MAX_BODY_BYTES: '2048' } }, async (client, server) => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: { pad: 'x'.repeat(4096) } } });
    const response = await send(client, { body: big });
    assert.equal(response.status, 413);
    assertErrorBody(await response.text(), INVALID_REQUEST);

    const head = [
      'POST /mcp HTTP/1.1',
      `Host: 127.0.0.1:${server.running.port}`,
      `Authorization: Bearer ${client.token}`,
      `MCP-Session-Id: ${client.sessionId}`,
      'Content-Type: application/json',
      'Accept: application/json, text/event-stream',
      'Transfer-Encoding: chunked',
    ];
    const chunked = await rawRequest(server.running.port, head, `${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`);
    assert.equal(chunked.status, 413);
    assertErrorBody(chunked.body, INVALID_REQUEST);

    const fits = await send(client, { body: JSON.stringify({ ...PING, params: { _meta: { pad: 'x'.repeat(1500) } } }) });
    assert.equal(fits.status, 200);
  });
});

test('a body that is not valid UTF-8 is 400 with -32700 and no id (basic/index.mdx: UTF-8)', async () => {
  await withClient({}, async (client) => {
    const bytes = Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
    const response = await send(client, { body: new Uint8Array(bytes) });
    assert.equal(response.status, 400);
    assertErrorBody(await response.text(), PARSE_ERROR);
  });
});

test('invalid JSON is 400 with exactly a -32700 error and no id key (JSON-RPC 2.0 §5.1; checklist B8)', async () => {
  await withClient({}, async (client) => {
    const response = await send(client, { body: '{"jsonrpc":"2.0","id":1,' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal(await response.text(), '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error: the body is not valid JSON"}}');
  });
});

test('a JSON array (batch) is 400 with -32600 and no id (basic/transports.mdx: batching removed in 2025-06-18)', async () => {
  await withClient({}, async (client) => {
    const response = await send(client, { body: JSON.stringify([PING]) });
    assert.equal(response.status, 400);
    assertErrorBody(await response.text(), INVALID_REQUEST);
  });
});

test('an accepted notification is 202 with an empty body and Content-Length 0 (basic/transports.mdx)', async () => {
  await withClient({}, async (client) => {
    const response = await send(client, { body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 99 } }) });
    assert.equal(response.status, 202);
    assert.equal(response.headers.get('content-length'), '0');
    assert.equal(response.headers.get('content-type'), null);
    assert.equal(await response.text(), '');
  });
});

test('a response to no request of ours is 400 (basic/transports.mdx: a response the server cannot accept)', async () => {
  await withClient({}, async (client) => {
    const response = await send(client, { body: JSON.stringify({ jsonrpc: '2.0', id: 'never-sent', result: {} }) });
    assert.equal(response.status, 400);
    assertErrorBody(await response.text(), INVALID_REQUEST);
  });
});

test('a request with id null is 400 with -32600 and no id (basic/index.mdx: ids MUST NOT be null)', async () => {
  await withClient({}, async (client) => {
    const response = await send(client, { body: JSON.stringify({ jsonrpc: '2.0', id: null, method: 'ping' }) });
    assert.equal(response.status, 400);
    assertErrorBody(await response.text(), INVALID_REQUEST);
  });
});

test('an Origin that is not allowed is 403 for every method (MCP 2025-11-25 basic/transports.mdx)', async () => {
  await withClient({}, async (client) => {
    for (const method of ['POST', 'GET', 'DELETE', 'OPTIONS']) {
      const response = await send(client, { method, headers: { origin: 'http://evil.example' } });
      assert.equal(response.status, 403, method);
      assert.equal(response.headers.get('access-control-allow-origin'), null);
      assertErrorBody(await response.text(), INVALID_REQUEST);
    }
    // The session survived: the refused DELETE did nothing.
    assert.equal((await send(client, {})).status, 200);
  });
});

test('a loopback browser Origin is allowed and gets CORS headers exposing the MCP headers (basic/transports.mdx)', async () => {
  await withClient({}, async (client) => {
    const response = await send(client, { headers: { origin: 'http://localhost:5173' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').split(',').map((h) => h.trim().toLowerCase());
    for (const name of ['mcp-session-id', 'mcp-protocol-version', 'www-authenticate']) assert.ok(exposed.includes(name), name);
    assert.equal(response.headers.get('vary'), 'Origin');
    await response.arrayBuffer();

    // Errors to an allowed origin carry CORS too, so the browser can read them.
    const errors: Array<[number, Parameters<typeof send>[1]]> = [
      [401, { headers: { authorization: '' } }],
      [400, { body: '{' }],
      [400, { body: '[]' }],
      [404, { headers: { 'mcp-session-id': 'gone' } }],
      [415, { headers: { 'content-type': 'text/plain' } }],
    ];
    for (const [status, init] of errors) {
      const refused = await send(client, { ...init, headers: { ...init.headers, origin: 'http://localhost:5173' } });
      assert.equal(refused.status, status);
      assert.equal(refused.headers.get('access-control-allow-origin'), 'http://localhost:5173', `${status} ${JSON.stringify(init)}`);
      await refused.arrayBuffer();
    }
  });
});

test('ALLOWED_ORIGINS adds a browser origin and nothing else (basic/transports.mdx: Origin validation)', async () => {
  await withClient({ env: { ALLOWED_ORIGINS: 'https://app.example.com' } }, async (client) => {
    const allowed = await send(client, { headers: { origin: 'https://app.example.com' } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.com');
    await allowed.arrayBuffer();
    for (const origin of ['http://app.example.com', 'https://app.example.com:8443', 'https://evil.app.example.com', 'null']) {
      const refused = await send(client, { headers: { origin } });
      assert.equal(refused.status, 403, origin);
      await refused.arrayBuffer();
    }
  });
});

test('a CORS preflight from an allowed origin lists the methods and MCP headers (basic/transports.mdx; Fetch CORS-preflight)', async () => {
  await withServer({}, async (server) => {
    const response = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, mcp-session-id' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://127.0.0.1:3000');
    assert.equal(response.headers.get('access-control-allow-methods'), 'GET, POST, DELETE, OPTIONS');
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/,\s*/);
    for (const name of ['authorization', 'content-type', 'accept', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id']) assert.ok(allowed.includes(name), name);
    assert.equal(await response.text(), '');
  });
});

test('a Host header naming another site is 403 (basic/transports.mdx: DNS rebinding; checklist H4)', async () => {
  await withServer({}, async (server) => {
    const token = await server.token();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    const head = (host: string): string[] => [
      'POST /mcp HTTP/1.1',
      `Host: ${host}`,
      `Authorization: Bearer ${token}`,
      'Content-Type: application/json',
      'Accept: application/json, text/event-stream',
      `Content-Length: ${Buffer.byteLength(body)}`,
    ];
    for (const host of ['evil.example', `evil.example:${server.running.port}`, '127.0.0.1:1', 'localhost']) {
      const reply = await rawRequest(server.running.port, head(host), body);
      assert.equal(reply.status, 403, host);
      assertErrorBody(reply.body, INVALID_REQUEST);
    }
    for (const host of [`127.0.0.1:${server.running.port}`, `localhost:${server.running.port}`]) {
      const reply = await rawRequest(server.running.port, head(host), body);
      assert.equal(reply.status, 200, host);
    }
  });
});

test('a duplicated Authorization (or MCP-Session-Id) header is 400 (RFC 9110 §5.3; basic/authorization.mdx "Error Handling")', async () => {
  await withClient({}, async (client, server) => {
    const token = client.token as string;
    for (const duplicated of [`Authorization: Bearer ${token}`, `mcp-session-id: ${client.sessionId as string}`]) {
      const reply = await rawRequest(server.running.port, [
        'POST /mcp HTTP/1.1',
        `Host: 127.0.0.1:${server.running.port}`,
        `Authorization: Bearer ${token}`,
        `MCP-Session-Id: ${client.sessionId as string}`,
        duplicated,
        'Content-Type: application/json',
        'Accept: application/json',
        `Content-Length: ${JSON.stringify(PING).length}`,
      ], JSON.stringify(PING));
      assert.equal(reply.status, 400, duplicated);
      assertErrorBody(reply.body, INVALID_REQUEST);
      assert.ok(!reply.body.includes(token));
    }
  });
});

test('a token in ?access_token= is 400 invalid_request even with a valid header (basic/authorization.mdx: never in the query)', async () => {
  await withClient({}, async (client, server) => {
    const response = await send(client, { path: `/mcp?access_token=${client.token}` });
    assert.equal(response.status, 400);
    const challenge = response.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer error="invalid_request", error_description="[^"]+", resource_metadata="[^"]+"$/);
    assert.ok(challenge.includes(`resource_metadata="${server.origin}/.well-known/oauth-protected-resource/mcp"`));
    const text = await response.text();
    assertErrorBody(text, INVALID_REQUEST);
    assert.ok(!text.includes(client.token as string));
    assert.ok(!server.logger.lines.some((line) => JSON.stringify(line).includes(client.token as string)));
  });
});

test('no error body carries a stack, a path or a header value (STYLE principle 3; security_best_practices.mdx)', async () => {
  await withClient({ env: { MAX_BODY_BYTES: '1024' } }, async (client) => {
    const cases: Array<Parameters<typeof send>[1]> = [
      { body: '\u0000' },
      { body: '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope"}}' },
      { body: '{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///etc/passwd"}}' },
      { body: 'x'.repeat(5000) },
      { headers: { 'mcp-session-id': 'Bearer secret-looking' } },
      { headers: { 'mcp-protocol-version': '1999-01-01' } },
      { headers: { authorization: 'Bearer not.a.jwt' } },
      { headers: { 'content-type': 'application/json; charset=utf-16' } },
    ];
    for (const init of cases) {
      const response = await send(client, init);
      const text = await response.text();
      assertNoInternals(text);
      assert.ok(!text.includes('secret-looking') && !text.includes('not.a.jwt'), text);
    }
  });
});
