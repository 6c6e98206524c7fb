/**
 * Black-box scenarios for the MCP server as an OAuth 2.1 resource server (MCP 2025-11-25
 * basic/authorization.mdx; RFC 6750 §3; RFC 9728): the exact challenges for missing, invalid and
 * malformed credentials, Protected Resource Metadata, per-method scopes with step-up 403s, an
 * unreachable issuer, and tokens kept out of the logs. Real dev issuer, real JWKS, real HTTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient, type TestServer } from '../helpers/server.ts';
import { assertErrorBody, withClient, withServer } from '../helpers/http.ts';

const INVALID_REQUEST = -32600;
const INTERNAL_ERROR = -32603;
const READ = 'incidents:read';
const WRITE = 'incidents:write';
const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'auth-test', version: '1' } } };

const prmUrl = (server: TestServer): string => `${server.origin}/.well-known/oauth-protected-resource/mcp`;

function postRaw(server: TestServer, authorization: string | undefined, body: object = INIT, extra: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...extra };
  if (authorization !== undefined) headers.authorization = authorization;
  return fetch(server.url, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** A connected client whose token carries exactly `scopes`. */
async function clientWith(server: TestServer, scopes: readonly string[]): Promise<TestClient> {
  const client = new TestClient(server.url, await server.token(scopes));
  await client.connect();
  return client;
}

const callTool = (name: string, args: object = {}): object => ({ name, arguments: args });

/** The bare challenge: Bearer first, then DPoP with its algorithms (RFC 6750 §3; RFC 9449 §7.1), each with resource_metadata and the minimal scope. */
const bareChallenge = (server: TestServer): string => {
  const parameters = `resource_metadata="${prmUrl(server)}", scope="${READ}"`;
  return `Bearer ${parameters}, DPoP algs="RS256 RS384 RS512 ES256 ES384 ES512", ${parameters}`;
};

test('no token is 401 with exactly resource_metadata and the minimal scope in both schemes, no error attribute (basic/authorization.mdx; RFC 6750 §3.1; RFC 9449 §7.1)', async () => {
  await withServer({}, async (server) => {
    for (const method of ['POST', 'GET', 'DELETE']) {
      const response = await fetch(server.url, { method, headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', 'mcp-session-id': 'unknown' }, ...(method === 'POST' ? { body: JSON.stringify(INIT) } : {}) });
      // Checklist §10 INTERP: authentication comes first, so session existence is not revealed.
      assert.equal(response.status, 401, method);
      assert.equal(response.headers.get('www-authenticate'), bareChallenge(server));
      assertErrorBody(await response.text(), INVALID_REQUEST);
    }
  });
});

test('expired, garbage, wrong-audience, wrong-issuer and forged tokens are 401 invalid_token (basic/authorization.mdx "Token Handling"; RFC 8707)', async () => {
  await withServer({}, async (server) => {
    const { issuer } = server;
    const tokens: Record<string, string> = {
      expired: await issuer.mint({ now: new Date(Date.now() - 2 * 3600_000), expiresIn: 600 }),
      garbage: 'abc.def.ghi',
      'not a JWT': 'x',
      // issue 15: a well-formed b64token that is not three dot-separated JWS parts is a bad token, not a bad request.
      'two parts': 'abc.def',
      'four parts': 'a.b.c.d',
      'padded b64token': 'abc==',
      'only dots': '...',
      'wrong audience': await issuer.mint({ claims: { aud: 'api://someone-else' } }),
      'wrong issuer': await issuer.mint({ claims: { iss: 'https://evil.example/oauth2/default' } }),
      'alg none': `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${(await issuer.mint()).split('.')[1] as string}.`,
      'bad signature': `${(await issuer.mint()).slice(0, -8)}AAAAAAAA`,
      'unknown kid': await issuer.mint({ header: { kid: 'not-a-published-kid' } }),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const response = await postRaw(server, `Bearer ${token}`);
      assert.equal(response.status, 401, name);
      const challenge = response.headers.get('www-authenticate') ?? '';
      assert.match(challenge, /^Bearer error="invalid_token", error_description="[^"\\]+", resource_metadata="[^"]+", scope="incidents:read"$/, `${name}: ${challenge}`);
      assert.ok(challenge.includes(`resource_metadata="${prmUrl(server)}"`));
      const text = await response.text();
      assertErrorBody(text, INVALID_REQUEST);
      assert.ok(!text.includes(token) && !challenge.includes(token), name);
    }
  });
});

test('an expired token is described as expired (basic/authorization.mdx: invalid or expired tokens get 401)', async () => {
  await withServer({}, async (server) => {
    const response = await postRaw(server, `Bearer ${await server.issuer.mint({ now: new Date(Date.now() - 2 * 3600_000), expiresIn: 600 })}`);
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /error_description="The access token expired"/);
    await response.arrayBuffer();
  });
});

test('another scheme (Basic, Token…) has no usable credentials: 401 with the bare challenge, no error attribute (RFC 6750 §3.1; issue 15)', async () => {
  await withServer({}, async (server) => {
    for (const authorization of ['Basic ZGV2OmRldg==', 'Basic', 'Token abc', 'Negotiate YII=', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln']) {
      const response = await postRaw(server, authorization);
      assert.equal(response.status, 401, authorization);
      assert.equal(response.headers.get('www-authenticate'), bareChallenge(server), authorization);
      assertErrorBody(await response.text(), INVALID_REQUEST);
    }
  });
});

test('a token only in ?access_token= is an unsupported method: 401 with the bare challenge (basic/authorization.mdx; RFC 6750 §3.1; issue 15)', async () => {
  await withServer({}, async (server) => {
    const token = await server.token();
    const response = await fetch(`${server.url}?access_token=${token}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(INIT) });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), bareChallenge(server));
    const text = await response.text();
    assertErrorBody(text, INVALID_REQUEST);
    assert.ok(!text.includes(token));
  });
});

test('malformed Bearer credentials, and a token sent both in the header and the query, are 400 invalid_request (RFC 6750 §3.1)', async () => {
  await withServer({}, async (server) => {
    const token = await server.token();
    for (const authorization of ['Bearer', 'Bearer a b', 'Bearer tok"en', 'Bearer a,b', 'Bearer a, Bearer b', 'Bearer\ttok', '"Bearer" tok']) {
      const response = await postRaw(server, authorization);
      assert.equal(response.status, 400, authorization);
      assert.equal(response.headers.get('www-authenticate'), `Bearer error="invalid_request", error_description="Malformed Authorization header", resource_metadata="${prmUrl(server)}"`);
      assertErrorBody(await response.text(), INVALID_REQUEST);
    }
    // RFC 6750 §3.1: "uses more than one method for including an access token", whatever the header holds.
    for (const authorization of [`Bearer ${token}`, 'Basic ZGV2OmRldg==']) {
      const response = await fetch(`${server.url}?access_token=${token}`, { method: 'POST', headers: { authorization, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(INIT) });
      assert.equal(response.status, 400, authorization.slice(0, 6));
      assert.equal(response.headers.get('www-authenticate'), `Bearer error="invalid_request", error_description="Send the token in the Authorization header only", resource_metadata="${prmUrl(server)}"`);
      assertErrorBody(await response.text(), INVALID_REQUEST);
    }
  });
});

test('a session is bound to (issuer, subject, client) without ambiguity: colliding principals of the old "\n"-joined key get 404 (security_best_practices.mdx "Session Hijacking"; issue 15)', async () => {
  await withServer({}, async (server) => {
    const pairs: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [{ sub: 'alice', cid: '' }, { sub: 'alice', cid: undefined }],
      [{ sub: 'x\ny', cid: 'z' }, { sub: 'x', cid: 'y\nz' }],
    ];
    for (const [ownerClaims, otherClaims] of pairs) {
      const owner = new TestClient(server.url, await server.issuer.mint({ claims: ownerClaims }));
      await owner.connect();
      const other = new TestClient(server.url, await server.issuer.mint({ claims: otherClaims }));
      other.sessionId = owner.sessionId;
      const reply = await other.request('ping');
      assert.equal(reply.status, 404, JSON.stringify(otherClaims));
      assertErrorBody(reply.text, INVALID_REQUEST);
      assert.equal((await owner.request('ping')).status, 200);
    }
  });
});

test('Protected Resource Metadata is served without a token at the path-inserted and root URLs (basic/authorization.mdx; RFC 9728 §3)', async () => {
  await withServer({}, async (server) => {
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const response = await fetch(new URL(path, server.origin));
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('content-type'), 'application/json');
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      const document = (await response.json()) as Record<string, unknown>;
      // RFC 9728 §3.3: resource is the MCP endpoint URL exactly.
      assert.equal(document.resource, server.url);
      assert.deepEqual(document.authorization_servers, [server.issuer.issuer]);
      assert.deepEqual(document.scopes_supported, [READ, WRITE]);
      assert.deepEqual(document.bearer_methods_supported, ['header']);
      assert.equal(typeof document.resource_name, 'string');
    }
  });
});

test('the resource_metadata URL of a challenge resolves to the metadata document (RFC 9728 §5.1)', async () => {
  await withServer({}, async (server) => {
    const unauthorized = await postRaw(server, undefined);
    const url = /resource_metadata="([^"]+)"/.exec(unauthorized.headers.get('www-authenticate') ?? '')?.[1];
    await unauthorized.arrayBuffer();
    assert.ok(url);
    const response = await fetch(url, { headers: { origin: 'https://any.example' } });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { resource: string }).resource, server.url);
  });
});

test('Protected Resource Metadata answers a CORS preflight and refuses POST with 405 (RFC 9728 §3; Fetch CORS)', async () => {
  await withServer({}, async (server) => {
    const url = prmUrl(server);
    const preflight = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://any.example', 'access-control-request-method': 'GET' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET, OPTIONS');
    const post = await fetch(url, { method: 'POST', body: '{}' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD, OPTIONS');
    await post.arrayBuffer();
  });
});

test('a read-only token lists incidents but gets a 403 step-up challenge for create_incident (basic/authorization.mdx "Runtime Insufficient Scope Errors")', async () => {
  await withServer({}, async (server) => {
    const client = await clientWith(server, [READ]);
    const listed = await client.call('tools/call', callTool('list_incidents'));
    assert.equal(listed.isError, undefined);
    const reply = await client.request('tools/call', callTool('create_incident', { title: 'Needs write' }));
    assert.equal(reply.status, 403);
    assert.equal(
      reply.headers.get('www-authenticate'),
      `Bearer error="insufficient_scope", scope="${READ} ${WRITE}", resource_metadata="${prmUrl(server)}", error_description="This request needs ${WRITE}"`,
    );
    assertErrorBody(reply.text, INVALID_REQUEST);
    // basic/authorization.mdx: the refusal happens before processing; nothing was created.
    const all = await client.call('resources/read', { uri: 'incidents://all' });
    assert.ok(!JSON.stringify(all).includes('Needs write'));
    // The same principal re-authorized with more scope continues in the same session.
    client.token = await server.token([READ, WRITE]);
    assert.equal((await client.call('tools/call', callTool('create_incident', { title: 'Now allowed' }))).isError, undefined);
  });
});

test('update_incident also needs incidents:write (basic/authorization.mdx "Scope Challenge Handling")', async () => {
  await withServer({}, async (server) => {
    const client = await clientWith(server, [READ]);
    const reply = await client.request('tools/call', callTool('update_incident', { id: '1', status: 'resolved' }));
    assert.equal(reply.status, 403);
    assert.match(reply.headers.get('www-authenticate') ?? '', /error="insufficient_scope", scope="incidents:read incidents:write"/);
  });
});

test('resources/read needs incidents:read: a write-only token gets 403 naming both scopes (basic/authorization.mdx "Scope Challenge Handling")', async () => {
  await withServer({}, async (server) => {
    const client = await clientWith(server, [WRITE]);
    for (const uri of ['incidents://all', 'incidents://1']) {
      const reply = await client.request('resources/read', { uri });
      assert.equal(reply.status, 403, uri);
      const challenge = reply.headers.get('www-authenticate') ?? '';
      const scopes = (/scope="([^"]*)"/.exec(challenge)?.[1] ?? '').split(' ').sort();
      assert.deepEqual(scopes, [READ, WRITE]);
      assert.match(challenge, /^Bearer error="insufficient_scope", /);
      assert.ok(challenge.includes(`resource_metadata="${prmUrl(server)}"`));
    }
    const subscribe = await client.request('resources/subscribe', { uri: 'incidents://all' });
    assert.equal(subscribe.status, 403);
  });
});

test('initialize, ping and tools/list need only a valid token, even one with no scopes (basic/authorization.mdx "Scope Selection Strategy")', async () => {
  await withServer({}, async (server) => {
    const client = await clientWith(server, []);
    assert.deepEqual(await client.call('ping'), {});
    const tools = (await client.call('tools/list')).tools as unknown[];
    assert.equal(tools.length, 3);
    const list = await client.request('tools/call', callTool('list_incidents'));
    assert.equal(list.status, 403);
    assert.equal(list.headers.get('www-authenticate'), `Bearer error="insufficient_scope", scope="${READ}", resource_metadata="${prmUrl(server)}", error_description="This request needs ${READ}"`);
  });
});

test('resources/list shows incident resources only to a token that may read them: no titles leak without incidents:read', async () => {
  await withServer({}, async (server) => {
    const none = await clientWith(server, []);
    const listed = (await none.call('resources/list')).resources as Array<{ uri: string }>;
    assert.deepEqual(listed.map((r) => r.uri), ['incidents://all']);
    const reader = await clientWith(server, [READ]);
    const all = (await reader.call('resources/list')).resources as Array<{ uri: string }>;
    assert.deepEqual(all.map((r) => r.uri), ['incidents://all', 'incidents://4', 'incidents://3', 'incidents://2', 'incidents://1']);
  });
});

test('a session keeps checking the token on every request: an expired one mid-session is 401 (basic/authorization.mdx; security_best_practices.mdx S1)', async () => {
  await withClient({}, async (client, server) => {
    client.token = await server.issuer.mint({ now: new Date(Date.now() - 2 * 3600_000), expiresIn: 600 });
    const reply = await client.request('ping');
    assert.equal(reply.status, 401);
    assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
    client.token = undefined;
    assert.equal((await client.request('ping')).status, 401);
  });
});

test('an unreachable JWKS is 503 with Retry-After and the token is never accepted, then service recovers (okta.md "Outage"; basic/authorization.mdx)', async () => {
  await withServer({ jwksMode: 'down' }, async (server) => {
    const token = await server.token();
    for (let i = 0; i < 3; i++) {
      const response = await postRaw(server, `Bearer ${token}`);
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '5');
      assert.equal(response.headers.get('www-authenticate'), null);
      assertErrorBody(await response.text(), INTERNAL_ERROR);
    }
    // The verifier does not hammer the issuer: one fetch (at start-up), then a back-off.
    assert.equal(server.issuer.fetchCount, 1);
    assert.ok(server.logger.lines.some((line) => line.level === 'warn' && /not reachable at start-up/.test(String(line.msg))));
    assert.ok(server.logger.lines.some((line) => line.level === 'error' && line.msg === 'token issuer unavailable'));

    server.issuer.setJwksMode('ok');
    // The verifier backs off for 1 s after a failure; retry until it fetches again.
    const deadline = Date.now() + 5000;
    let status = 503;
    while (status === 503) {
      assert.ok(Date.now() < deadline, 'the verifier never recovered');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const response = await postRaw(server, `Bearer ${token}`);
      status = response.status;
      await response.arrayBuffer();
    }
    assert.equal(status, 200);
  });
});

test('no log line ever contains a token, whatever happened to it (basic/authorization.mdx; OAuth 2.1 §7.1)', async () => {
  await withServer({}, async (server) => {
    const good = await server.token();
    const readOnly = await server.token([READ]);
    const expired = await server.issuer.mint({ now: new Date(Date.now() - 2 * 3600_000), expiresIn: 600 });
    const foreign = await server.issuer.mint({ claims: { aud: 'api://other' } });
    const client = new TestClient(server.url, good);
    await client.connect();
    await client.call('tools/call', callTool('create_incident', { title: 'Logged safely' }));
    client.token = readOnly;
    await client.request('tools/call', callTool('create_incident', { title: 'Refused' }));
    for (const token of [expired, foreign, 'Zm9vYmFy.c2VjcmV0.dG9rZW4']) await (await postRaw(server, `Bearer ${token}`)).arrayBuffer();
    await (await postRaw(server, `Basic ${Buffer.from('dev-client:dev-secret').toString('base64')}`)).arrayBuffer();
    await (await fetch(`${server.url}?access_token=${good}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).arrayBuffer();
    server.issuer.setJwksMode('down');
    const fresh = await server.issuer.mint({ header: { kid: 'rotated-away' } });
    await (await postRaw(server, `Bearer ${fresh}`)).arrayBuffer();

    const log = JSON.stringify(server.logger.lines);
    assert.ok(server.logger.lines.length > 10);
    for (const token of [good, readOnly, expired, foreign, fresh, 'Zm9vYmFy.c2VjcmV0.dG9rZW4']) {
      assert.ok(!log.includes(token), 'a whole token was logged');
      assert.ok(!log.includes(token.split('.')[2] as string), 'a token signature was logged');
    }
    assert.ok(!log.includes('ZGV2LWNsaWVudDpkZXYtc2VjcmV0') && !log.includes('dev-secret'), 'Basic credentials were logged');
  });
});
