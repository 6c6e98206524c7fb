/**
 * Black-box scenarios for sessions over Streamable HTTP (MCP 2025-11-25 basic/transports.mdx
 * "Session Management" and "Protocol Version Header", basic/lifecycle.mdx, security_best_practices.mdx
 * "Session Hijacking"): ids, negotiation, 400/404 rules, the caps (in all and per principal), the
 * initialize rate limit, idle expiry and principal binding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient, type TestServer } from '../helpers/server.ts';
import { assertErrorBody, withClient, withServer } from '../helpers/http.ts';

const INVALID_REQUEST = -32600;
const INIT_PARAMS = (protocolVersion: string): object => ({ protocolVersion, capabilities: {}, clientInfo: { name: 'sessions-test', version: '1.0.0' } });

async function newClient(server: TestServer, scopes?: readonly string[]): Promise<TestClient> {
  return new TestClient(server.url, await server.token(scopes));
}

/** Polls a condition the server reaches on its own (its sweep timer), failing after `ms`. */
async function eventually(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    assert.ok(Date.now() < deadline, 'condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('initialize returns an MCP-Session-Id of at least 32 visible ASCII characters, new each time (basic/transports.mdx)', async () => {
  await withServer({}, async (server) => {
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const client = await newClient(server);
      await client.connect();
      const id = client.sessionId as string;
      assert.match(id, /^[\x21-\x7E]{32,}$/);
      ids.add(id);
    }
    assert.equal(ids.size, 3);
  });
});

test('the MCP-Session-Id header is exposed only on the InitializeResult response (basic/transports.mdx)', async () => {
  await withClient({}, async (client) => {
    const ping = await client.request('ping');
    assert.equal(ping.status, 200);
    assert.equal(ping.headers.get('mcp-session-id'), null);
  });
});

test('version negotiation over HTTP echoes each supported version and answers an unknown one with the latest (basic/lifecycle.mdx)', async () => {
  await withServer({}, async (server) => {
    const cases: Array<[string, string]> = [
      ['2025-11-25', '2025-11-25'],
      ['2025-06-18', '2025-06-18'],
      ['2025-03-26', '2025-03-26'],
      ['2099-01-01', '2025-11-25'],
      ['2024-11-05', '2025-11-25'],
    ];
    for (const [requested, negotiated] of cases) {
      const client = await newClient(server);
      const result = await client.connect(requested);
      assert.equal(result.protocolVersion, negotiated, requested);
      // basic/transports.mdx: later requests carry the negotiated version and are served.
      assert.equal(client.protocolVersion, negotiated);
      assert.equal((await client.request('ping')).status, 200, requested);
    }
  });
});

test('a non-initialize request without MCP-Session-Id is 400 (basic/transports.mdx)', async () => {
  await withClient({}, async (client) => {
    const reply = await client.request('ping', undefined, { 'mcp-session-id': '' });
    assert.equal(reply.status, 400);
    assertErrorBody(reply.text, INVALID_REQUEST);
    const bare = new TestClient(client.url, client.token);
    const notification = await bare.notify('notifications/initialized');
    assert.equal(notification.status, 400);
  });
});

test('an unknown session id gets 404 (basic/transports.mdx)', async () => {
  await withClient({}, async (client) => {
    for (const id of ['does-not-exist', `${client.sessionId as string}x`, 'A'.repeat(32)]) {
      const reply = await client.request('ping', undefined, { 'mcp-session-id': id });
      assert.equal(reply.status, 404, id);
      assertErrorBody(reply.text, INVALID_REQUEST);
    }
  });
});

test('DELETE ends the session with 204, after which POST, GET and DELETE get 404 (basic/transports.mdx)', async () => {
  await withClient({}, async (client) => {
    assert.equal(await client.close(), 204);
    const reply = await client.request('ping');
    assert.equal(reply.status, 404);
    assertErrorBody(reply.text, INVALID_REQUEST);
    const get = await fetch(client.url, { headers: { ...client.headers({ accept: 'text/event-stream' }) } });
    assert.equal(get.status, 404);
    await get.arrayBuffer();
    assert.equal(await client.close(), 404);
  });
});

test('DELETE without a session id is 400 (basic/transports.mdx)', async () => {
  await withServer({}, async (server) => {
    const client = await newClient(server);
    assert.equal(await client.close(), 400);
  });
});

test('initialize carrying MCP-Session-Id is 400 with the request id (basic/transports.mdx; basic/lifecycle.mdx)', async () => {
  await withClient({}, async (client) => {
    const reply = await client.post({ jsonrpc: '2.0', id: 'init-2', method: 'initialize', params: INIT_PARAMS('2025-11-25') });
    assert.equal(reply.status, 400);
    assert.equal(reply.headers.get('mcp-session-id'), null);
    assertErrorBody(reply.text, INVALID_REQUEST, { id: 'init-2' });
  });
});

test('an initialize that fails creates no session and hands out no session id (basic/lifecycle.mdx)', async () => {
  await withServer({}, async (server) => {
    const client = await newClient(server);
    const reply = await client.post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25' } });
    assert.equal(reply.status, 200);
    assert.equal((reply.body.error as { code: number }).code, -32602);
    assert.equal(reply.headers.get('mcp-session-id'), null);
    assert.equal(server.running.sessions.size, 0);
  });
});

test('an unsupported MCP-Protocol-Version is 400 (basic/transports.mdx)', async () => {
  await withClient({}, async (client) => {
    for (const version of ['2024-11-05', '1999-01-01', 'latest', '']) {
      const reply = await client.request('ping', undefined, { 'mcp-protocol-version': version });
      assert.equal(reply.status, 400, version);
      assertErrorBody(reply.text, INVALID_REQUEST);
    }
  });
});

test('an MCP-Protocol-Version other than the negotiated one is 400 (basic/transports.mdx; checklist H36)', async () => {
  await withClient({}, async (client) => {
    const reply = await client.request('ping', undefined, { 'mcp-protocol-version': '2025-06-18' });
    assert.equal(reply.status, 400);
    assertErrorBody(reply.text, INVALID_REQUEST);
  });
});

test('an absent MCP-Protocol-Version is accepted: the session knows its version (basic/transports.mdx)', async () => {
  await withClient({ version: '2025-06-18' }, async (client) => {
    const headers = client.headers();
    delete headers['mcp-protocol-version'];
    const response = await fetch(client.url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' }) });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { jsonrpc: '2.0', id: 7, result: {} });
  });
});

test('MCP-Protocol-Version on initialize itself is not checked (basic/transports.mdx; checklist H36)', async () => {
  await withServer({}, async (server) => {
    const client = await newClient(server);
    const reply = await client.post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: INIT_PARAMS('2025-06-18') }, { 'mcp-protocol-version': '1999-01-01' });
    assert.equal(reply.status, 200);
    assert.equal((reply.body.result as { protocolVersion: string }).protocolVersion, '2025-06-18');
  });
});

test('past MAX_SESSIONS, initialize is 503 with Retry-After and a clear message, until a session ends (basic/transports.mdx)', async () => {
  await withServer({ env: { MAX_SESSIONS: '2' } }, async (server) => {
    const first = await newClient(server);
    await first.connect();
    await (await newClient(server)).connect();
    const third = await newClient(server);
    const reply = await third.post({ jsonrpc: '2.0', id: 3, method: 'initialize', params: INIT_PARAMS('2025-11-25') });
    assert.equal(reply.status, 503);
    assert.equal(reply.headers.get('retry-after'), '60');
    assert.equal(reply.headers.get('mcp-session-id'), null);
    const body = assertErrorBody(reply.text, INVALID_REQUEST, { id: 3 });
    assert.match((body.error as { message: string }).message, /too many sessions/i);
    // Existing sessions keep working, and ending one frees a place.
    assert.equal((await first.request('ping')).status, 200);
    assert.equal(await first.close(), 204);
    await third.connect();
  });
});

test('past MAX_SESSIONS_PER_PRINCIPAL, initialize is 429 with Retry-After for that principal only, until one of its sessions ends (issue #15)', async () => {
  await withServer({ env: { MAX_SESSIONS_PER_PRINCIPAL: '2' } }, async (server) => {
    const first = await newClient(server);
    await first.connect();
    await (await newClient(server, ['incidents:read'])).connect();
    // Another token of the same principal (iss, sub, cid) shares its share.
    const third = await newClient(server, ['incidents:write']);
    const reply = await third.post({ jsonrpc: '2.0', id: 3, method: 'initialize', params: INIT_PARAMS('2025-11-25') });
    assert.equal(reply.status, 429);
    assert.equal(reply.headers.get('retry-after'), '60');
    assert.equal(reply.headers.get('mcp-session-id'), null);
    const body = assertErrorBody(reply.text, INVALID_REQUEST, { id: 3 });
    assert.match((body.error as { message: string }).message, /too many sessions for this client/i);
    // Another principal is not affected.
    await new TestClient(server.url, await server.issuer.mint({ claims: { sub: 'someone-else' } })).connect();
    assert.equal(await first.close(), 204);
    await third.connect();
  });
});

test('initialize is rate-limited per principal at TOOL_RATE_LIMIT, in a bucket apart from tool calls: 429 with Retry-After (issue #15)', async () => {
  await withServer({ env: { TOOL_RATE_LIMIT: '3' } }, async (server) => {
    const clients = await Promise.all([0, 1, 2].map(() => newClient(server)));
    for (const client of clients) await client.connect();
    const fourth = await newClient(server);
    const reply = await fourth.post({ jsonrpc: '2.0', id: 4, method: 'initialize', params: INIT_PARAMS('2025-11-25') });
    assert.equal(reply.status, 429);
    // 3 a minute is one every 20 s (RFC 9110 §10.2.3: delay-seconds).
    assert.equal(reply.headers.get('retry-after'), '20');
    assert.equal(reply.headers.get('mcp-session-id'), null);
    const body = assertErrorBody(reply.text, INVALID_REQUEST, { id: 4 });
    assert.match((body.error as { message: string }).message, /too many initialize requests/i);
    // The tool budget is untouched by the initializes; another principal may still initialize.
    const list = await (clients[0] as TestClient).request('tools/call', { name: 'list_incidents', arguments: {} });
    assert.equal(list.status, 200, list.text);
    await new TestClient(server.url, await server.issuer.mint({ claims: { sub: 'someone-else' } })).connect();
  });
});

test('an idle session expires and then gets 404 (basic/transports.mdx: the server MAY terminate a session)', async () => {
  await withClient({ env: { SESSION_IDLE_SECONDS: '1' }, start: { sweepMs: 50 } }, async (client, server) => {
    assert.equal((await client.request('ping')).status, 200);
    await eventually(() => server.running.sessions.size === 0);
    const reply = await client.request('ping');
    assert.equal(reply.status, 404);
    assertErrorBody(reply.text, INVALID_REQUEST);
  });
});

test('a session presented with another principal’s token is 404 and logged as a warning (security_best_practices.mdx "Session Hijacking")', async () => {
  await withClient({}, async (client, server) => {
    const thief = new TestClient(server.url, await server.issuer.mint({ claims: { sub: 'someone-else', cid: 'other' } }));
    thief.sessionId = client.sessionId;
    const reply = await thief.request('tools/list');
    assert.equal(reply.status, 404);
    assertErrorBody(reply.text, INVALID_REQUEST);
    const warning = server.logger.lines.find((line) => line.level === 'warn' && line.session === client.sessionId);
    assert.ok(warning, JSON.stringify(server.logger.lines.filter((l) => l.level !== 'info')));
    assert.equal(warning.clientId, 'other');
    // Same subject, other client: still another principal.
    const sameSub = new TestClient(server.url, await server.issuer.mint({ claims: { cid: 'other' } }));
    sameSub.sessionId = client.sessionId;
    assert.equal((await sameSub.request('ping')).status, 404);
    // A DELETE by the other principal does not end the session either.
    assert.equal(await thief.close(), 404);
    // The owner, with a fresh token for the same identity, keeps the session.
    client.token = await server.token();
    assert.equal((await client.request('ping')).status, 200);
  });
});

test('ping answers an empty result inside a session (basic/utilities/ping.mdx)', async () => {
  await withClient({}, async (client) => {
    const reply = await client.request('ping');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('content-type'), 'application/json');
    assert.deepEqual(reply.body, { jsonrpc: '2.0', id: 2, result: {} });
  });
});

test('tools/list lists create_incident, list_incidents and update_incident (server/tools.mdx)', async () => {
  await withClient({}, async (client) => {
    const result = await client.call('tools/list');
    const names = (result.tools as Array<{ name: string }>).map((tool) => tool.name).sort();
    assert.deepEqual(names, ['create_incident', 'list_incidents', 'update_incident']);
  });
});

test('requests before notifications/initialized are served: the client holds the InitializeResult (docs/decisions.md L6)', async () => {
  await withServer({}, async (server) => {
    const client = new TestClient(server.url, await server.token());
    const init = await client.request('initialize', INIT_PARAMS('2025-11-25'));
    client.sessionId = init.headers.get('mcp-session-id') ?? undefined;
    const tools = await client.request('tools/list');
    assert.equal(tools.status, 200, tools.text);
    assert.equal((tools.body.result as { tools: unknown[] }).tools.length, 3);
  });
});
