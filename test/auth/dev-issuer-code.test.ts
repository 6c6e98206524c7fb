import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DevIssuer } from '../../src/auth/dev-issuer.ts';
import { OktaVerifier } from '../../src/auth/okta-verifier.ts';
import { REDIRECT_URI, authorizeUrl, exchange, pkce, postSignIn, readForm, signIn, tokenRequest, userTokens } from '../helpers/dev-oauth.ts';
import { authConfigFor, payloadOf, startIssuer } from '../helpers/issuer.ts';

/** The issuer's clock: tests move it forward instead of waiting. */
let clockMs = Date.now();
let issuer: DevIssuer;
before(async () => {
  issuer = await startIssuer({ now: () => new Date(clockMs) });
});
after(() => issuer.close());

test('RFC 6749 §4.1 + RFC 7636 + RFC 9207: page, form post, redirect with code, state and iss, then the exchange gives a user token', async () => {
  const { verifier, challenge } = pkce();
  const back = await signIn(authorizeUrl(issuer, challenge, { scope: 'openid profile email incidents:read incidents:write' }));
  assert.equal(`${back.origin}${back.pathname}`, REDIRECT_URI);
  assert.equal(back.searchParams.get('state'), 'st-123');
  assert.equal(back.searchParams.get('iss'), issuer.issuer);
  const code = back.searchParams.get('code') ?? '';
  assert.ok(code.length >= 32);
  const { status, body } = await exchange(issuer, code, verifier);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body['token_type'], 'Bearer');
  assert.equal(body['scope'], 'openid profile email incidents:read incidents:write');
  assert.equal(body['refresh_token'], undefined, 'Okta issues refresh tokens only with offline_access');
  const idToken = payloadOf(String(body['id_token']));
  assert.deepEqual([idToken['sub'], idToken['aud'], idToken['email'], idToken['preferred_username']], ['00u1devada00000000x7', 'dev-public', 'ada@example.com', 'ada@example.com']);
});

test('okta.md: the user token carries uid, sub = login, cid and scp, and the project\'s OktaVerifier accepts it unchanged', async () => {
  const { body } = await userTokens(issuer, 'incidents:read incidents:write');
  const verifier = new OktaVerifier(authConfigFor(issuer), { now: () => new Date(clockMs) });
  const principal = await verifier.verify(`Bearer ${String(body['access_token'])}`);
  assert.equal(principal.subject, 'ada@example.com');
  assert.equal(principal.userId, '00u1devada00000000x7');
  assert.equal(principal.clientId, 'dev-public');
  assert.deepEqual([...principal.scopes], ['incidents:read', 'incidents:write']);
  const claims = payloadOf(String(body['access_token']));
  assert.deepEqual([claims['ver'], claims['aud'], claims['iss']], [1, issuer.audience, issuer.issuer]);
});

test('Okta access policy: scp is what the user may have ∩ what was asked (the read-only user asking for write gets read)', async () => {
  const reader = await userTokens(issuer, 'incidents:read incidents:write', 'reader@example.com');
  assert.equal(reader.body['scope'], 'incidents:read');
  const claims = payloadOf(String(reader.body['access_token']));
  assert.deepEqual([claims['sub'], claims['uid'], claims['scp']], ['reader@example.com', '00u1devreader000000x7', ['incidents:read']]);
  const asksOne = await userTokens(issuer, 'incidents:write');
  assert.deepEqual(payloadOf(String(asksOne.body['access_token']))['scp'], ['incidents:write']);
});

test('RFC 6749 §4.1.2.1: nothing of the user\'s granted, or Deny pressed → access_denied with state and iss', async () => {
  const { challenge } = pkce();
  for (const [login, decision, scope] of [['reader@example.com', 'allow', 'incidents:write'], ['ada@example.com', 'deny', 'incidents:read']] as const) {
    const back = await signIn(authorizeUrl(issuer, challenge, { scope }), login, decision);
    assert.deepEqual([back.searchParams.get('error'), back.searchParams.get('state'), back.searchParams.get('iss'), back.searchParams.get('code')], ['access_denied', 'st-123', issuer.issuer, null]);
  }
});

test('RFC 7636 §4.6: a wrong code_verifier → invalid_grant, and the code is spent', async () => {
  const { verifier, challenge } = pkce();
  const code = (await signIn(authorizeUrl(issuer, challenge))).searchParams.get('code') ?? '';
  const wrong = await exchange(issuer, code, pkce().verifier);
  assert.deepEqual([wrong.status, wrong.body['error']], [400, 'invalid_grant']);
  const right = await exchange(issuer, code, verifier);
  assert.deepEqual([right.status, right.body['error']], [400, 'invalid_grant']);
});

test('RFC 7636 §4.3 + OAuth 2.1: code_challenge_method plain or absent → invalid_request redirected to the client', async () => {
  const { verifier } = pkce();
  for (const method of ['plain', undefined]) {
    const page = await fetch(authorizeUrl(issuer, verifier, { code_challenge_method: method }), { redirect: 'manual' });
    assert.equal(page.status, 303);
    const back = new URL(page.headers.get('location') ?? '');
    assert.deepEqual([back.searchParams.get('error'), back.searchParams.get('state'), back.searchParams.get('iss')], ['invalid_request', 'st-123', issuer.issuer]);
    assert.match(back.searchParams.get('error_description') ?? '', /S256/);
  }
  const none = await fetch(authorizeUrl(issuer, '', {}), { redirect: 'manual' });
  assert.equal(new URL(none.headers.get('location') ?? '').searchParams.get('error'), 'invalid_request');
});

test('RFC 6749 §4.1.2: a code is single-use (the second exchange → invalid_grant)', async () => {
  const { verifier, challenge } = pkce();
  const code = (await signIn(authorizeUrl(issuer, challenge))).searchParams.get('code') ?? '';
  assert.equal((await exchange(issuer, code, verifier)).status, 200);
  const again = await exchange(issuer, code, verifier);
  assert.deepEqual([again.status, again.body['error']], [400, 'invalid_grant']);
});

test('RFC 6749 §4.1.2: a code expires after 60 s (injected clock)', async () => {
  const { verifier, challenge } = pkce();
  const code = (await signIn(authorizeUrl(issuer, challenge))).searchParams.get('code') ?? '';
  clockMs += 61_000;
  const late = await exchange(issuer, code, verifier);
  assert.deepEqual([late.status, late.body['error']], [400, 'invalid_grant']);
});

test('RFC 6749 §4.1.3: the code is bound to its redirect_uri and its client', async () => {
  const { verifier, challenge } = pkce();
  const code = (await signIn(authorizeUrl(issuer, challenge))).searchParams.get('code') ?? '';
  const otherUri = await exchange(issuer, code, verifier, 'http://localhost:6275/oauth/callback');
  assert.deepEqual([otherUri.status, otherUri.body['error']], [400, 'invalid_grant']);
  const second = pkce();
  const code2 = (await signIn(authorizeUrl(issuer, second.challenge))).searchParams.get('code') ?? '';
  const machine = await tokenRequest(issuer, { grant_type: 'authorization_code', client_id: 'dev-client', client_secret: 'dev-secret', code: code2, code_verifier: second.verifier, redirect_uri: REDIRECT_URI });
  assert.deepEqual([machine.status, machine.body['error']], [400, 'unauthorized_client']);
});

test('RFC 6749 §4.1.2.1 + RFC 8252 §7.3: a foreign redirect URI is refused on the page, never redirected to; a loopback one on another port is accepted', async () => {
  const { challenge } = pkce();
  for (const uri of ['https://evil.example/oauth/callback', 'http://localhost:6274/other', 'http://localhost.evil.example:6274/oauth/callback', 'http://localhost:6274/oauth/callback#x', '']) {
    const page = await fetch(authorizeUrl(issuer, challenge, { redirect_uri: uri }), { redirect: 'manual' });
    assert.equal(page.status, 400, uri);
    assert.equal(page.headers.get('location'), null);
    assert.match(await page.text(), /redirect_uri is not registered/);
  }
  const unknownClient = await fetch(authorizeUrl(issuer, challenge, { client_id: 'nobody' }), { redirect: 'manual' });
  assert.deepEqual([unknownClient.status, unknownClient.headers.get('location')], [400, null]);
  // The Inspector's callback under each loopback name (it prints and opens 127.0.0.1), on any port.
  for (const uri of ['http://localhost:51234/oauth/callback', 'http://127.0.0.1:43123/oauth/callback', 'http://[::1]:6274/oauth/callback', 'http://127.0.0.1:40000/callback', 'http://localhost/callback']) {
    const back = await signIn(authorizeUrl(issuer, challenge, { redirect_uri: uri }));
    assert.equal(`${back.origin}${back.pathname}`, uri);
    assert.ok(back.searchParams.get('code'));
  }
});

test('RFC 6749 §4.1.2.1: response_type other than code, unknown scopes and other response modes are refused by redirect', async () => {
  const { challenge } = pkce();
  for (const [params, error] of [
    [{ response_type: 'token' }, 'unsupported_response_type'],
    [{ scope: 'incidents:read incidents:admin' }, 'invalid_scope'],
    [{ response_mode: 'fragment' }, 'invalid_request'],
  ] as const) {
    const page = await fetch(authorizeUrl(issuer, challenge, params), { redirect: 'manual' });
    assert.equal(new URL(page.headers.get('location') ?? '').searchParams.get('error'), error, JSON.stringify(params));
  }
});

test('RFC 6749 §6 + RFC 9700 §4.14.2: refresh tokens (with offline_access) rotate; the old one is refused after use', async () => {
  const first = await userTokens(issuer, 'offline_access incidents:read incidents:write');
  const refresh1 = String(first.body['refresh_token']);
  assert.ok(refresh1.length >= 32);
  const second = await tokenRequest(issuer, { grant_type: 'refresh_token', client_id: 'dev-public', refresh_token: refresh1, scope: 'incidents:read' });
  assert.equal(second.status, 200, JSON.stringify(second.body));
  assert.equal(second.body['scope'], 'incidents:read', 'a refresh may narrow');
  assert.notEqual(second.body['refresh_token'], refresh1);
  assert.deepEqual(payloadOf(String(second.body['access_token']))['sub'], 'ada@example.com');
  const replay = await tokenRequest(issuer, { grant_type: 'refresh_token', client_id: 'dev-public', refresh_token: refresh1 });
  assert.deepEqual([replay.status, replay.body['error']], [400, 'invalid_grant']);
  const widen = await tokenRequest(issuer, { grant_type: 'refresh_token', client_id: 'dev-public', refresh_token: String(second.body['refresh_token']), scope: 'incidents:write email' });
  assert.deepEqual([widen.status, widen.body['error']], [400, 'invalid_scope'], 'RFC 6749 §6: never more than the original grant');
  const third = await tokenRequest(issuer, { grant_type: 'refresh_token', client_id: 'dev-public', refresh_token: String(second.body['refresh_token']) });
  assert.equal(third.status, 200, 'a refused request does not spend the token');
});

test('RFC 6749 §2.3: the public client may not send a secret, and a confidential client needs its secret', async () => {
  const secret = await tokenRequest(issuer, { grant_type: 'refresh_token', client_id: 'dev-public', client_secret: 'x', refresh_token: 'y' });
  assert.deepEqual([secret.status, secret.body['error']], [401, 'invalid_client']);
  const noSecret = await tokenRequest(issuer, { grant_type: 'client_credentials', client_id: 'dev-client' });
  assert.deepEqual([noSecret.status, noSecret.body['error']], [401, 'invalid_client']);
  const publicCc = await tokenRequest(issuer, { grant_type: 'client_credentials', client_id: 'dev-public' });
  assert.deepEqual([publicCc.status, publicCc.body['error']], [400, 'unauthorized_client']);
});

test('the sign-in page is plain HTML without script, escapes what it reflects, and refuses framing', async () => {
  const { challenge } = pkce();
  const page = await fetch(authorizeUrl(issuer, challenge, { state: '"><script>alert(1)</script>' }));
  const html = await page.text();
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  assert.doesNotMatch(html, /<script/i);
  for (const login of ['ada@example.com', 'reader@example.com']) assert.match(html, new RegExp(`value="${login}"`));
  const { action, transaction } = readForm(html);
  assert.equal(action, issuer.authorizationEndpoint);
  const back = new URL((await postSignIn(action, { transaction, login: 'ada@example.com', decision: 'allow' })).headers.get('location') ?? '');
  assert.equal(back.searchParams.get('state'), '"><script>alert(1)</script>', 'state goes back to the client unchanged');
});

test('the sign-in form: an unknown transaction → 400 page; an unknown user → the page again; a transaction is used once', async () => {
  const stale = await postSignIn(issuer.authorizationEndpoint, { transaction: 'nope', login: 'ada@example.com', decision: 'allow' });
  assert.equal(stale.status, 400);
  assert.match(await stale.text(), /unknown or has expired/);
  const { challenge } = pkce();
  const { action, transaction } = readForm(await (await fetch(authorizeUrl(issuer, challenge))).text());
  const unknownUser = await postSignIn(action, { transaction, login: '<mallory@example.com>', decision: 'allow' });
  assert.equal(unknownUser.status, 400);
  assert.doesNotMatch(await unknownUser.text(), /<mallory/);
  assert.equal((await postSignIn(action, { transaction, login: 'ada@example.com', decision: 'allow' })).status, 303);
  assert.equal((await postSignIn(action, { transaction, login: 'ada@example.com', decision: 'allow' })).status, 400);
});
