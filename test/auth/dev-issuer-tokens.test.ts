import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DevIssuer } from '../../src/auth/dev-issuer.ts';
import { userTokens } from '../helpers/dev-oauth.ts';
import { startIssuer } from '../helpers/issuer.ts';

let issuer: DevIssuer;
before(async () => {
  issuer = await startIssuer();
});
after(() => issuer.close());

const BASIC = `Basic ${Buffer.from('dev-client:dev-secret').toString('base64')}`;

async function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${issuer.issuer}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

test('RFC 7662 §2.2: introspection of a live access token → active with scope, client_id, sub and exp; garbage → active false', async () => {
  const token = await issuer.mint({ scopes: ['incidents:read'] });
  const live = await post('/v1/introspect', { token, token_type_hint: 'access_token' }, { authorization: BASIC });
  assert.equal(live.status, 200);
  assert.deepEqual([live.body['active'], live.body['scope'], live.body['client_id'], live.body['sub'], live.body['token_type']], [true, 'incidents:read', 'dev-client', 'dev-client', 'Bearer']);
  assert.equal(typeof live.body['exp'], 'number');
  const dead = await post('/v1/introspect', { token: 'not-a-token' }, { authorization: BASIC });
  assert.deepEqual([dead.status, dead.body], [200, { active: false }]);
});

test('RFC 7662 §2.1: introspection requires client authentication (→ 401 invalid_client) and a token (→ 400)', async () => {
  const anonymous = await post('/v1/introspect', { token: 'x' });
  assert.deepEqual([anonymous.status, anonymous.body['error']], [401, 'invalid_client']);
  const wrong = await post('/v1/introspect', { token: 'x', client_id: 'dev-client', client_secret: 'nope' });
  assert.equal(wrong.status, 401);
  const empty = await post('/v1/introspect', {}, { authorization: BASIC });
  assert.deepEqual([empty.status, empty.body['error']], [400, 'invalid_request']);
});

test('RFC 7009 §2: revoking a refresh token kills it; the public client authenticates with its client_id; unknown tokens → 200', async () => {
  const { body } = await userTokens(issuer, 'offline_access openid incidents:read');
  const refresh = String(body['refresh_token']);
  const introspected = await post('/v1/introspect', { token: refresh, client_id: 'dev-public' });
  assert.deepEqual([introspected.body['active'], introspected.body['username'], introspected.body['client_id']], [true, 'ada@example.com', 'dev-public']);
  assert.equal((await post('/v1/revoke', { token: refresh, token_type_hint: 'refresh_token', client_id: 'dev-public' })).status, 200);
  assert.deepEqual((await post('/v1/introspect', { token: refresh, client_id: 'dev-public' })).body, { active: false });
  const used = await post('/v1/token', { grant_type: 'refresh_token', client_id: 'dev-public', refresh_token: refresh });
  assert.deepEqual([used.status, used.body['error']], [400, 'invalid_grant']);
  assert.equal((await post('/v1/revoke', { token: 'unknown', client_id: 'dev-public' })).status, 200);
});

test('RFC 7009 §2.1: a client revokes only its own access tokens; a revoked one introspects inactive', async () => {
  const { body } = await userTokens(issuer, 'incidents:read');
  const access = String(body['access_token']);
  await post('/v1/revoke', { token: access }, { authorization: BASIC });
  assert.equal((await post('/v1/introspect', { token: access }, { authorization: BASIC })).body['active'], true, 'not dev-client\'s token');
  await post('/v1/revoke', { token: access, client_id: 'dev-public' });
  assert.equal((await post('/v1/introspect', { token: access }, { authorization: BASIC })).body['active'], false);
});

test('OpenID Connect Core §5.3: userinfo answers the user\'s claims for a token with openid, 401 otherwise', async () => {
  const { body } = await userTokens(issuer, 'openid profile email incidents:read');
  const response = await fetch(`${issuer.issuer}/v1/userinfo`, { headers: { authorization: `Bearer ${String(body['access_token'])}` } });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { sub: '00u1devada00000000x7', name: 'Ada Lovelace', preferred_username: 'ada@example.com', email: 'ada@example.com', email_verified: true });
  const machine = await fetch(`${issuer.issuer}/v1/userinfo`, { headers: { authorization: `Bearer ${await issuer.mint()}` } });
  assert.equal(machine.status, 401);
  assert.match(machine.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
});

test('RP-Initiated Logout 1.0 §3: logout redirects to a registered post_logout_redirect_uri with state, and shows a page otherwise', async () => {
  const back = await fetch(`${issuer.issuer}/v1/logout?client_id=dev-public&post_logout_redirect_uri=${encodeURIComponent('http://localhost:6274/oauth/callback')}&state=s1`, { redirect: 'manual' });
  assert.equal(back.status, 302);
  assert.equal(back.headers.get('location'), 'http://localhost:6274/oauth/callback?state=s1');
  const foreign = await fetch(`${issuer.issuer}/v1/logout?client_id=dev-public&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`, { redirect: 'manual' });
  assert.deepEqual([foreign.status, foreign.headers.get('location')], [200, null]);
});
