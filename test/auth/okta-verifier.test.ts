import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { DevIssuer } from '../../src/auth/dev-issuer.ts';
import type { OktaVerifier } from '../../src/auth/okta-verifier.ts';
import { AuthFailure } from '../../src/auth/principal.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { bearer, compactJws, currentPublicKeyPem, NOW, NOW_SECONDS, payloadOf, startIssuer, TestClock, verifierFor } from '../helpers/issuer.ts';

let issuer: DevIssuer;
before(async () => {
  issuer = await startIssuer();
});
after(() => issuer.close());

async function rejection(verifier: OktaVerifier, token: string | undefined): Promise<AuthFailure> {
  let principal: Principal | undefined;
  try {
    principal = await verifier.verify(token === undefined ? undefined : bearer(token));
  } catch (error) {
    assert.ok(error instanceof AuthFailure, `an AuthFailure, not ${String(error)}`);
    return error;
  }
  assert.fail(`token accepted as ${JSON.stringify(principal)}`);
}

async function assertInvalid(verifier: OktaVerifier, token: string, description: string): Promise<AuthFailure> {
  const failure = await rejection(verifier, token);
  assert.equal(failure.kind, 'invalid', `kind (detail: ${failure.detail})`);
  assert.equal(failure.description, description);
  return failure;
}

function hs256(header: unknown, payload: unknown, secret: string | Buffer): string {
  const unsigned = compactJws(header, payload).slice(0, -1);
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

test('RFC 9068 §4: a well-formed Okta token yields its principal (iss, sub, cid, scp, exp)', async () => {
  const principal = await verifierFor(issuer).verify(bearer(await issuer.mint({ now: NOW })));
  assert.equal(principal.issuer, issuer.issuer);
  assert.equal(principal.subject, 'dev-client');
  assert.equal(principal.clientId, 'dev-client');
  assert.equal(principal.userId, undefined);
  assert.deepEqual([...principal.scopes], ['incidents:read', 'incidents:write']);
  assert.equal(principal.expiresAt, NOW_SECONDS + 3600);
  assert.ok(Object.isFrozen(principal));
});

test('okta.md: a user token carries uid, which becomes userId', async () => {
  const token = await issuer.mint({ now: NOW, claims: { uid: '00u1abc', sub: 'ada@example.com' } });
  const principal = await verifierFor(issuer).verify(bearer(token));
  assert.equal(principal.userId, '00u1abc');
  assert.equal(principal.subject, 'ada@example.com');
});

test('okta.md: scopes come from the scp array; the RFC 9068 space-separated scope string is the fallback', async () => {
  const verifier = verifierFor(issuer);
  const scopesOf = async (claims: Record<string, unknown>): Promise<string[]> =>
    [...(await verifier.verify(bearer(await issuer.mint({ now: NOW, claims })))).scopes];
  assert.deepEqual(await scopesOf({ scp: ['incidents:read'], scope: 'incidents:write' }), ['incidents:read']);
  assert.deepEqual(await scopesOf({ scp: undefined, scope: 'incidents:read  incidents:write' }), ['incidents:read', 'incidents:write']);
  assert.deepEqual(await scopesOf({ scp: 'incidents:read', scope: 'incidents:write' }), ['incidents:write']);
  assert.deepEqual(await scopesOf({ scp: ['incidents:read', 7] }), []);
  assert.deepEqual(await scopesOf({ scp: undefined }), []);
});

test('RFC 8707 §2 + MCP basic/authorization.mdx: an aud array naming this server is accepted', async () => {
  const token = await issuer.mint({ now: NOW, claims: { aud: ['api://other', issuer.audience] } });
  assert.equal((await verifierFor(issuer).verify(bearer(token))).subject, 'dev-client');
});

test('RFC 7519 §4.1.4: an expired token is invalid with "The access token expired"', async () => {
  const token = await issuer.mint({ now: new Date((NOW_SECONDS - 7200) * 1000) });
  const failure = await assertInvalid(verifierFor(issuer), token, 'The access token expired');
  assert.equal(failure.clientId, 'dev-client', 'the unverified cid is kept for the log');
});

test('RFC 7519 §4.1.4: exp within the clock tolerance is still accepted on first verification', async () => {
  const token = await issuer.mint({ now: NOW, expiresIn: -10 });
  assert.equal((await verifierFor(issuer).verify(bearer(token))).expiresAt, NOW_SECONDS - 10);
});

test('RFC 7519 §4.1.5: a token not yet valid (nbf beyond tolerance) is invalid', async () => {
  await assertInvalid(verifierFor(issuer), await issuer.mint({ now: NOW, notBefore: 120 }), 'The access token is not yet valid');
  assert.ok(await verifierFor(issuer).verify(bearer(await issuer.mint({ now: NOW, notBefore: 20 }))));
});

test('RFC 7519 §4.1.6: a token issued in the future beyond the tolerance is invalid; within it, accepted', async () => {
  const verifier = verifierFor(issuer);
  await assertInvalid(verifier, await issuer.mint({ now: new Date((NOW_SECONDS + 120) * 1000) }), 'The access token was issued in the future');
  await assertInvalid(verifier, await issuer.mint({ now: NOW, claims: { iat: 'yesterday' } }), 'The access token has an invalid claim');
  assert.ok(await verifier.verify(bearer(await issuer.mint({ now: new Date((NOW_SECONDS + 20) * 1000) }))));
});

test('RFC 9068 §4: a token from another issuer is invalid; the log detail names both issuers', async () => {
  const failure = await assertInvalid(
    verifierFor(issuer),
    await issuer.mint({ now: NOW, claims: { iss: 'https://evil.example.com/oauth2/default' } }),
    'The access token is from another issuer',
  );
  assert.equal(failure.detail, `issuer: expected "${issuer.issuer}", got "https://evil.example.com/oauth2/default"`);
});

test('RFC 8707 §2 + okta.md: a token for another audience is invalid; the detail says expected and got', async () => {
  const token = await issuer.mint({ now: NOW, claims: { aud: 'https://mcp-incidents-api' } });
  const failure = await assertInvalid(verifierFor(issuer), token, 'The access token is not for this server');
  assert.equal(failure.detail, 'audience: expected "api://default", got "https://mcp-incidents-api"');
  assert.ok(!failure.description.includes('api://'), 'the audiences stay out of the client description');
});

test('RFC 8725 §3.1: alg "none" is refused before any key is fetched', async () => {
  const payload = payloadOf(await issuer.mint({ now: NOW }));
  const verifier = verifierFor(issuer);
  const before = issuer.fetchCount;
  await assertInvalid(verifier, compactJws({ alg: 'none' }, payload), 'The access token is not signed with RS256');
  await assertInvalid(verifier, compactJws({ alg: 'none', kid: issuer.currentKid }, payload, randomBytes(4)), 'The access token is not signed with RS256');
  assert.equal(issuer.fetchCount, before);
});

test('RFC 8725 §2.1: HS256 signed with the RSA public key bytes (algorithm confusion) is refused', async () => {
  const payload = payloadOf(await issuer.mint({ now: NOW }));
  const pem = currentPublicKeyPem(issuer);
  const verifier = verifierFor(issuer);
  await assertInvalid(verifier, hs256({ alg: 'HS256', kid: issuer.currentKid }, payload, pem), 'The access token is not signed with RS256');
  await assertInvalid(verifier, hs256({ alg: 'HS256' }, payload, Buffer.from(pem)), 'The access token is not signed with RS256');
});

test('RFC 7515 §4.1.1: other algorithms (RS512, PS256, ES256) are refused even with a valid RS256 signature', async () => {
  for (const alg of ['RS512', 'PS256', 'ES256']) {
    await assertInvalid(verifierFor(issuer), await issuer.mint({ now: NOW, header: { alg } }), 'The access token is not signed with RS256');
  }
});

test('okta.md "Key rotation": an unknown kid is invalid, and a flood of random kids triggers no flood of JWKS requests', async () => {
  const verifier = verifierFor(issuer);
  await verifier.verify(bearer(await issuer.mint({ now: NOW })));
  const before = issuer.fetchCount;
  for (let i = 0; i < 50; i += 1) {
    const token = await issuer.mint({ now: NOW, header: { kid: randomBytes(12).toString('base64url') } });
    await assertInvalid(verifier, token, 'Unknown signing key');
  }
  assert.ok(issuer.fetchCount - before <= 1, `JWKS fetched ${issuer.fetchCount - before} times for 50 unknown kids`);
});

test('RFC 7515 §5.2: a tampered payload fails the signature check', async () => {
  const [header, , signature] = (await issuer.mint({ now: NOW })).split('.');
  const forged = Buffer.from(JSON.stringify({ ...payloadOf(await issuer.mint({ now: NOW })), scp: ['incidents:admin'] })).toString('base64url');
  await assertInvalid(verifierFor(issuer), `${header}.${forged}.${signature}`, 'The access token signature is invalid');
});

test('RFC 7515 §5.2: a tampered signature fails the signature check', async () => {
  const token = await issuer.mint({ now: NOW });
  const signature = Buffer.from(token.split('.')[2] ?? '', 'base64url');
  signature[10] = (signature[10] ?? 0) ^ 0xff;
  const tampered = `${token.split('.').slice(0, 2).join('.')}.${signature.toString('base64url')}`;
  await assertInvalid(verifierFor(issuer), tampered, 'The access token signature is invalid');
  await assertInvalid(verifierFor(issuer), token.slice(0, token.lastIndexOf('.') + 1), 'The access token signature is invalid');
});

test('okta.md: a token without exp is invalid (Okta always sets it)', async () => {
  await assertInvalid(verifierFor(issuer), await issuer.mint({ now: NOW, claims: { exp: undefined } }), 'The access token has no "exp" claim');
  await assertInvalid(verifierFor(issuer), await issuer.mint({ now: NOW, claims: { exp: 'tomorrow' } }), 'The access token has an invalid claim');
});

test('okta.md: a token without a string sub is invalid', async () => {
  await assertInvalid(verifierFor(issuer), await issuer.mint({ now: NOW, claims: { sub: undefined } }), 'The access token has no "sub" claim');
  await assertInvalid(verifierFor(issuer), await issuer.mint({ now: NOW, claims: { sub: 42 } }), 'The access token has no subject');
  await assertInvalid(verifierFor(issuer), await issuer.mint({ now: NOW, claims: { sub: '' } }), 'The access token has no subject');
});

test('RFC 7519 §7.2: strings that are not JWTs are invalid, never an error of another kind', async () => {
  const verifier = verifierFor(issuer);
  for (const garbage of ['garbage', 'a.b.c', 'a.b', 'e30.e30.e30.e30', 'e30.e30.c2ln']) {
    await assertInvalid(verifier, garbage, 'The access token is not a valid JWT');
  }
  // RFC 7515 §5.2: the signature is checked before the payload is read.
  await assertInvalid(verifier, 'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln', 'The access token signature is invalid');
});

test('RFC 6750 §3.1: an oversized token is invalid without being parsed or fetching keys', async () => {
  const verifier = verifierFor(issuer, { maxTokenBytes: 1024 });
  const before = issuer.fetchCount;
  const failure = await assertInvalid(verifier, 'a'.repeat(1025), 'The access token is too large');
  assert.equal(failure.detail, '1025 bytes, limit 1024');
  await assertInvalid(verifierFor(issuer), `${await issuer.mint({ now: NOW })}${'A'.repeat(8192)}`, 'The access token is too large');
  assert.equal(issuer.fetchCount, before);
});

test('RFC 6750 §3.1: no credentials or another scheme is "missing", a malformed Bearer header "malformed", and neither reaches the issuer', async () => {
  const verifier = verifierFor(issuer);
  const before = issuer.fetchCount;
  assert.equal((await rejection(verifier, undefined)).kind, 'missing');
  await assert.rejects(verifier.verify('Basic ZGV2LWNsaWVudDpkZXYtc2VjcmV0'), { kind: 'missing' });
  await assert.rejects(verifier.verify('Bearer a b'), { kind: 'malformed' });
  assert.equal(issuer.fetchCount, before);
});

test('RFC 6750 §3.1: a b64token that is not a three-part JWS is "invalid" (invalid_token), not a malformed request (issue 15)', async () => {
  const verifier = verifierFor(issuer);
  for (const token of ['x', 'abc.def', 'a.b.c.d', 'abc==', '...', 'a.b.c']) {
    await assert.rejects(verifier.verify(`Bearer ${token}`), { kind: 'invalid', description: 'The access token is not a valid JWT' }, token);
  }
});

test('okta.md: with an allow-list, a cid outside it is "Client not allowed" and the cid is logged', async () => {
  const verifier = verifierFor(issuer, {}, { clientIds: ['0oa-allowed'] });
  const failure = await assertInvalid(verifier, await issuer.mint({ now: NOW }), 'Client not allowed');
  assert.equal(failure.clientId, 'dev-client');
  await assertInvalid(verifier, await issuer.mint({ now: NOW, claims: { cid: undefined } }), 'Client not allowed');
  const allowed = await verifier.verify(bearer(await issuer.mint({ now: NOW, claims: { cid: '0oa-allowed' } })));
  assert.equal(allowed.clientId, '0oa-allowed');
});

test('okta.md "Key rotation": a token signed with a new key verifies after exactly one JWKS refresh', async () => {
  const rotating = await startIssuer();
  try {
    const verifier = verifierFor(rotating, { refreshCooldownMs: 0 });
    await verifier.verify(bearer(await rotating.mint({ now: NOW })));
    assert.equal(rotating.fetchCount, 1);
    await rotating.rotate();
    const principal = await verifier.verify(bearer(await rotating.mint({ now: NOW, claims: { jti: 'after-rotation' } })));
    assert.equal(principal.subject, 'dev-client');
    assert.equal(rotating.fetchCount, 2);
  } finally {
    await rotating.close();
  }
});

test('okta.md "Key rotation": within the refresh cooldown a new kid stays unknown instead of refetching', async () => {
  const rotating = await startIssuer();
  try {
    const verifier = verifierFor(rotating);
    await verifier.verify(bearer(await rotating.mint({ now: NOW })));
    await rotating.rotate();
    await assertInvalid(verifier, await rotating.mint({ now: NOW }), 'Unknown signing key');
    assert.equal(rotating.fetchCount, 1);
  } finally {
    await rotating.close();
  }
});

/** What the log says for each outage: words an operator can act on, not fetch's bare "fetch failed". */
const OUTAGE_DETAIL = {
  down: /^JWKS: the issuer answered HTTP 503 for http:\/\/127\.0\.0\.1:\d+\/oauth2\/default\/v1\/keys$/,
  slow: /^JWKS: timed out waiting for the issuer's keys$/,
  garbage: /^JWKS: JOSEError: Failed to parse the JSON Web Key Set HTTP response as JSON$/,
} as const;

for (const mode of ['down', 'slow', 'garbage'] as const) {
  test(`okta.md "Outage": JWKS ${mode} → "unavailable", never a principal; the detail says why in words`, async () => {
    const failing = await startIssuer({ slowMs: 5000 });
    try {
      failing.setJwksMode(mode);
      const verifier = verifierFor(failing, { fetchTimeoutMs: 200 });
      const failure = await rejection(verifier, await failing.mint({ now: NOW }));
      assert.equal(failure.kind, 'unavailable', failure.detail);
      assert.equal(failure.description, 'The token issuer cannot be reached');
      assert.equal(failure.clientId, 'dev-client');
      assert.match(failure.detail, OUTAGE_DETAIL[mode]);
    } finally {
      await failing.close();
    }
  });
}

test('okta.md "Outage": nothing listening at the JWKS URI → "unavailable", logged as a refused connection', async () => {
  const gone = await startIssuer();
  const token = await gone.mint({ now: NOW });
  const verifier = verifierFor(gone);
  await gone.close();
  const failure = await rejection(verifier, token);
  assert.equal(failure.kind, 'unavailable', failure.detail);
  assert.equal(failure.detail, 'JWKS: connection refused: nothing listens at that address and port (ECONNREFUSED)');
});

test('okta.md "Outage": after a failed fetch, requests do not hammer the issuer; recovery follows the back-off', async () => {
  const flaky = await startIssuer();
  try {
    flaky.setJwksMode('down');
    const verifier = verifierFor(flaky, { failureBackoffMs: 300 });
    const token = await flaky.mint({ now: NOW });
    for (let i = 0; i < 20; i += 1) assert.equal((await rejection(verifier, token)).kind, 'unavailable');
    assert.equal(flaky.fetchCount, 1);
    flaky.setJwksMode('ok');
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.equal((await verifier.verify(bearer(token))).subject, 'dev-client');
    assert.equal(flaky.fetchCount, 2);
  } finally {
    await flaky.close();
  }
});

test('okta.md "Outage": keys already fetched keep verifying new tokens while the JWKS endpoint is down', async () => {
  const flaky = await startIssuer();
  try {
    const verifier = verifierFor(flaky);
    await verifier.verify(bearer(await flaky.mint({ now: NOW })));
    flaky.setJwksMode('down');
    assert.ok(await verifier.verify(bearer(await flaky.mint({ now: NOW, claims: { jti: 'second' } }))));
    assert.equal(flaky.fetchCount, 1);
  } finally {
    await flaky.close();
  }
});

test('verified-token cache: a hit skips verification, and a cached token past exp is refused at once (injected clock)', async () => {
  const flaky = await startIssuer();
  try {
    const clock = new TestClock();
    const verifier = verifierFor(flaky, { now: clock.now });
    const token = await flaky.mint({ now: NOW, expiresIn: 60 });
    await verifier.verify(bearer(token));
    flaky.setJwksMode('down');
    flaky.dropOldKeys();
    clock.seconds = NOW_SECONDS + 59;
    assert.equal((await verifier.verify(bearer(token))).expiresAt, NOW_SECONDS + 60, 'served from the cache');
    clock.seconds = NOW_SECONDS + 60;
    const failure = await assertInvalid(verifier, token, 'The access token expired');
    assert.equal(failure.detail, `cached token expired at ${NOW_SECONDS + 60}`);
    assert.equal(flaky.fetchCount, 1);
  } finally {
    await flaky.close();
  }
});

test('verified-token cache: bounded, the oldest entry is evicted first', async () => {
  const clock = new TestClock();
  const verifier = verifierFor(issuer, { now: clock.now, cacheSize: 1 });
  const first = await issuer.mint({ now: NOW, expiresIn: 60, claims: { jti: 'first' } });
  const second = await issuer.mint({ now: NOW, expiresIn: 60, claims: { jti: 'second' } });
  await verifier.verify(bearer(first));
  await verifier.verify(bearer(second));
  clock.seconds = NOW_SECONDS + 70;
  // Evicted: verified afresh, where the clock tolerance applies.
  assert.ok(await verifier.verify(bearer(first)));
  // Still cached: refused at exp without tolerance.
  await assertInvalid(verifier, second, 'The access token expired');
});

test('warming up: warmUp fetches the JWKS once, so the first verification needs no fetch of its own', async (t) => {
  const issuer = await startIssuer();
  t.after(() => issuer.close());
  const verifier = verifierFor(issuer);
  assert.equal(await verifier.warmUp(), undefined);
  assert.equal(issuer.fetchCount, 1);
  await verifier.verify(bearer(await issuer.mint({ now: NOW })));
  assert.equal(issuer.fetchCount, 1);
});

test('warming up: warmUp reports an unreachable issuer as a reason, and never throws (okta.md "Outage")', async (t) => {
  const issuer = await startIssuer();
  t.after(() => issuer.close());
  issuer.setJwksMode('down');
  const reason = await verifierFor(issuer).warmUp();
  assert.equal(typeof reason, 'string');
});
