/**
 * Attacks on SSE streams against the real server on port 0 (issue #15 "Hardening, round two"):
 * a GET whose client resets the connection while its token is being verified must leave no
 * stream behind, neither blocking later GETs with 409 nor keeping its session from idling out.
 * The verification is held open by the development issuer's slow JWKS mode and a token signed
 * with a key the server has not fetched yet; the reset is sent once the key fetch has begun.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { openGet, SseReader, withServer } from '../helpers/http.ts';
import { TestClient, type TestServer, type TestServerOptions } from '../helpers/server.ts';
import { buildRequest, until } from './helpers.ts';

/** A slow JWKS answer (the wait is not measured: the reset is sent once the fetch has begun). */
const SLOW_KEYS: TestServerOptions = { issuer: { slowMs: 500 }, start: { verifierOptions: { refreshCooldownMs: 0 } } };

/**
 * Sends a GET for `client`'s session with a token whose key the server must fetch, resets the
 * connection while that fetch is pending, then waits until the verification has finished (a ping
 * with the same token shares the fetch). `client` uses the fresh token from then on.
 */
async function resetWhileVerifying(server: TestServer, client: TestClient): Promise<void> {
  await server.issuer.rotate();
  server.issuer.setJwksMode('slow');
  const token = await server.issuer.mint();
  const before = server.issuer.fetchCount;
  const port = server.running.port;
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(buildRequest({
    method: 'GET',
    headers: [['Host', `127.0.0.1:${port}`], ['Authorization', `Bearer ${token}`], ['Accept', 'text/event-stream'], ['MCP-Session-Id', client.sessionId as string], ['MCP-Protocol-Version', client.protocolVersion]],
    contentLength: 'omit',
  }));
  await until(() => server.issuer.fetchCount > before, 5000, 'the server to fetch the new key');
  socket.resetAndDestroy();
  client.token = token;
  assert.equal((await client.request('ping')).status, 200);
  server.issuer.setJwksMode('ok');
}

test('a GET reset while its token is verified attaches nothing: the next GET gets 200, not 409 (basic/transports.mdx "Listening for Messages"; issue #15)', async () => {
  await withServer(SLOW_KEYS, async (server) => {
    const client = new TestClient(server.url, await server.token());
    await client.connect();
    await resetWhileVerifying(server, client);
    const response = await openGet(client);
    assert.equal(response.status, 200, response.status === 200 ? '' : await response.text());
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    await new SseReader(response).cancel();
  });
});

test('a session whose only GET was reset during verification still idles out (basic/transports.mdx: the server MAY terminate a session; issue #15)', async () => {
  await withServer({ ...SLOW_KEYS, env: { SESSION_IDLE_SECONDS: '1' }, start: { ...SLOW_KEYS.start, sweepMs: 100 } }, async (server) => {
    const client = new TestClient(server.url, await server.token());
    await client.connect();
    await resetWhileVerifying(server, client);
    await until(() => server.running.sessions.size === 0, 5000, 'the session to idle out');
    const reply = await client.request('ping');
    assert.equal(reply.status, 404);
    assert.equal((reply.body.error as { code: number }).code, -32600);
  });
});
