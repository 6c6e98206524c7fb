/**
 * The issuer's keys endpoint failing (issue #7 "Outages"; okta.md "Outage" and "Key rotation"):
 * down, slow or answering garbage, from start-up or while the server runs. Every request that
 * needs the keys gets 503 with Retry-After (never a 401 blaming the token, never a token accepted
 * unverified), the issuer is not hammered, and service comes back by itself when the keys do.
 * Then a key rotation under load, with not one failed request.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '../../src/app.ts';
import { startDevIssuer, type JwksMode } from '../../src/auth/dev-issuer.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { withServer } from '../helpers/http.ts';
import { compactJws, currentPublicKeyPem, payloadOf } from '../helpers/issuer.ts';
import { TestClient, type Reply, type TestServer } from '../helpers/server.ts';
import { assertSchema } from '../helpers/schema.ts';
import { sleep, until } from './helpers.ts';

const FETCH_TIMEOUT_MS = 300;
const BACKOFF_MS = 200;
/** A verifier that gives up on a slow issuer quickly and retries soon, so outages end in test time. */
const OUTAGE = { verifierOptions: { fetchTimeoutMs: FETCH_TIMEOUT_MS, failureBackoffMs: BACKOFF_MS, refreshCooldownMs: 500 } };

function assertUnavailable(reply: Reply): void {
  assert.equal(reply.status, 503, reply.text);
  assert.equal(reply.headers.get('retry-after'), '5');
  assert.equal(reply.headers.get('www-authenticate'), null, 'an outage is not a challenge to the client');
  assertSchema('JSONRPCErrorResponse', JSON.parse(reply.text));
  assert.match(reply.text, /token issuer cannot be reached/);
}

type Target = Pick<TestServer, 'url' | 'issuer' | 'token'>;

/** The real server started while the issuer's keys endpoint is already failing. */
async function withFailingIssuer(mode: JwksMode, body: (target: Target) => Promise<void>): Promise<void> {
  const issuer = await startDevIssuer({ host: '127.0.0.1', port: 0 });
  issuer.setJwksMode(mode);
  const dir = await mkdtemp(join(tmpdir(), 'mcp-outage-'));
  const config = loadConfig({ PORT: '0', OKTA_ISSUER: issuer.issuer, OKTA_AUDIENCE: issuer.audience, INCIDENTS_FILE: join(dir, 'incidents.json'), TOOL_RATE_LIMIT: '0' });
  try {
    const running = await startServer(config, { logger: silentLogger, ...OUTAGE });
    try {
      await body({ url: running.url, issuer, token: () => issuer.mint() });
    } finally {
      await running.close(500);
    }
  } finally {
    await issuer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Tokens no verifier may ever accept: unsigned, HMAC'd with the public key, tampered, an unknown key. */
async function forgeries(server: Target): Promise<string[]> {
  const genuine = await server.token();
  const payload = { ...payloadOf(genuine), scp: ['incidents:read', 'incidents:write', 'admin'] };
  const [head = '', , signature = ''] = genuine.split('.');
  const tampered = `${head}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
  const hmacHeader = Buffer.from(JSON.stringify({ alg: 'HS256', kid: server.issuer.currentKid })).toString('base64url');
  const hmacBody = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const hmac = createHmac('sha256', currentPublicKeyPem(server.issuer)).update(`${hmacHeader}.${hmacBody}`).digest('base64url');
  return [
    compactJws({ alg: 'none', kid: server.issuer.currentKid }, payload),
    `${hmacHeader}.${hmacBody}.${hmac}`,
    tampered,
    await server.issuer.mint({ header: { kid: randomBytes(12).toString('base64url') } }),
  ];
}

async function ping(server: Target, token: string, sessionId?: string): Promise<Reply> {
  const client = new TestClient(server.url, token);
  if (sessionId !== undefined) {
    client.sessionId = sessionId;
    return client.request('ping');
  }
  return client.request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'outage', version: '1' } });
}

for (const mode of ['down', 'slow', 'garbage'] as const satisfies readonly JwksMode[]) {
  test(`keys endpoint ${mode} from start-up: 503 with Retry-After for every request, no forgery accepted, the issuer not hammered, then recovery (okta.md "Outage")`, async () => {
    await withFailingIssuer(mode, async (server) => {
      const token = await server.token();
      const started = Date.now();
      const replies = await Promise.all(Array.from({ length: 30 }, () => ping(server, token)));
      for (const reply of replies) assertUnavailable(reply);
      // A slow issuer is given up on at the fetch timeout, not waited for (its answer would take 10 s).
      assert.ok(Date.now() - started < 3000, `answered after ${Date.now() - started} ms`);
      for (const forged of await forgeries(server)) assert.notEqual((await ping(server, forged)).status, 200, 'a forged token was accepted during the outage');
      // At most one fetch per back-off period (and one more if keys are fetched ahead at start-up).
      assert.ok(server.issuer.fetchCount <= 2 + Math.ceil((Date.now() - started) / BACKOFF_MS), `${server.issuer.fetchCount} JWKS fetches`);

      server.issuer.setJwksMode('ok');
      await until(async () => (await ping(server, token)).status === 200, 5000, 'service to come back');
      for (const forged of await forgeries(server)) assert.equal((await ping(server, forged)).status, 401, 'forgeries are refused once keys are known');
    });
  });

  test(`keys endpoint ${mode} while running: tokens under known keys still work, tokens that need new keys get 503, and recover (okta.md "Outage", "Key rotation")`, async () => {
    await withServer({ start: OUTAGE }, async (server) => {
      const before = new TestClient(server.url, await server.token());
      await before.connect();
      await sleep(600); // past the refresh cooldown of the first fetch
      server.issuer.setJwksMode(mode);
      // An emergency rotation during the outage: new tokens are signed by a key the server has not seen.
      await server.issuer.rotate();
      const fresh = await server.token();
      const sessionId = before.sessionId as string;
      assert.equal((await before.request('ping')).status, 200, 'a token verified before the outage keeps working');
      for (let i = 0; i < 10; i++) assertUnavailable(await ping(server, fresh, sessionId));
      for (const forged of await forgeries(server)) assert.notEqual((await ping(server, forged, sessionId)).status, 200);

      server.issuer.setJwksMode('ok');
      await until(async () => (await ping(server, fresh, sessionId)).status === 200, 5000, 'the new key to be fetched');
      assert.equal((await ping(server, await server.token(), sessionId)).status, 200);
    });
  });
}

test('key rotation under load: requests signed by the old key, then the new one, never fail, with one JWKS refresh (okta.md "Key rotation")', { timeout: 30_000 }, async () => {
  await withServer({ start: OUTAGE }, async (server) => {
    const owner = new TestClient(server.url, await server.token());
    await owner.connect();
    const sessionId = owner.sessionId as string;
    await sleep(600); // past the refresh cooldown of the first fetch
    const fetchesBefore = server.issuer.fetchCount;
    let running = true;
    const failures: string[] = [];
    const kids = new Set<string>();
    let requests = 0;
    const workers = Array.from({ length: 16 }, async (_, w) => {
      while (running) {
        // A fresh token for every request: each is verified, none is served from the cache.
        const token = await server.issuer.mint({ claims: { jti: `w${w}-${requests}` } });
        kids.add(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')).kid as string);
        const client = new TestClient(server.url, token);
        client.sessionId = sessionId;
        const reply = await client.request('tools/call', { name: 'list_incidents', arguments: { limit: 1 } });
        requests++;
        if (reply.status !== 200 || (reply.body.result as { isError?: boolean } | undefined)?.isError === true) failures.push(`${reply.status} ${reply.text.slice(0, 200)}`);
      }
    });
    await sleep(700);
    await server.issuer.rotate();
    await sleep(700);
    // The old key leaves the key set; tokens it signed before are still within their lifetime.
    server.issuer.dropOldKeys();
    await sleep(500);
    running = false;
    await Promise.all(workers);
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${requests} requests failed during the rotation`);
    assert.equal(kids.size, 2, 'requests were signed by both keys');
    assert.equal(server.issuer.fetchCount - fetchesBefore, 1, 'the new kid cost one JWKS refresh, shared by every waiting request');
    assert.ok(requests > 100, `only ${requests} requests ran`);
  });
});
