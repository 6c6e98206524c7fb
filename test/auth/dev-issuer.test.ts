import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { DEV_SCOPES, startDevIssuer } from '../../src/auth/dev-issuer.ts';
import type { DevIssuer } from '../../src/auth/dev-issuer.ts';
import { NOW, NOW_SECONDS, payloadOf, startIssuer } from '../helpers/issuer.ts';

let issuer: DevIssuer;
before(async () => {
  issuer = await startIssuer();
});
after(() => issuer.close());

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basicAuth = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function tokenRequest(form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(issuer.tokenEndpoint, { method: 'POST', headers: { ...FORM, ...headers }, body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

const withBasic = (form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> =>
  tokenRequest(form, { authorization: basicAuth('dev-client', 'dev-secret') });

test('okta.md: the project scopes are incidents:read and incidents:write', () => {
  assert.deepEqual(DEV_SCOPES, ['incidents:read', 'incidents:write']);
});

test('okta.md: the issuer is http://127.0.0.1:{port}/oauth2/{authServerId} with Okta endpoint paths', () => {
  assert.match(issuer.issuer, /^http:\/\/127\.0\.0\.1:\d+\/oauth2\/default$/);
  assert.equal(issuer.jwksUri, `${issuer.issuer}/v1/keys`);
  assert.equal(issuer.tokenEndpoint, `${issuer.issuer}/v1/token`);
  assert.equal(issuer.audience, 'api://default');
});

test('MCP basic/security_best_practices.mdx "Local MCP Server Compromise": a non-loopback host is refused with a TypeError', async () => {
  for (const host of ['0.0.0.0', '192.168.1.10', 'example.com', '::']) {
    await assert.rejects(startDevIssuer({ host }), (error: unknown) => error instanceof TypeError && /loopback only/.test(error.message));
  }
  await assert.rejects(startDevIssuer({ authServerId: '../x' }), TypeError);
});

test('RFC 8414 §3 + okta.md: both discovery documents are served as JSON at the Okta paths (fields: dev-issuer-discovery.test.ts)', async () => {
  for (const name of ['openid-configuration', 'oauth-authorization-server']) {
    const response = await fetch(`${issuer.issuer}/.well-known/${name}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const document = (await response.json()) as Record<string, unknown>;
    assert.equal(document['issuer'], issuer.issuer);
    assert.equal(document['token_endpoint'], issuer.tokenEndpoint);
  }
});

test('RFC 7517 §5 + okta.md: the JWKS publishes RS256 public keys with kid, alg and use, and no private members', async () => {
  const response = await fetch(issuer.jwksUri);
  assert.equal(response.status, 200);
  const { keys } = (await response.json()) as { keys: Array<Record<string, unknown>> };
  assert.equal(keys.length, 1);
  const [key] = keys;
  assert.equal(key?.['kty'], 'RSA');
  assert.equal(key?.['alg'], 'RS256');
  assert.equal(key?.['use'], 'sig');
  assert.equal(key?.['kid'], issuer.currentKid);
  for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(Object.hasOwn(key ?? {}, member), false, member);
});

test('okta.md: a minted token has Okta claims (ver, jti, iss, aud, iat, exp, cid, sub, scp) and verifies with the JWKS', async () => {
  const token = await issuer.mint({ now: NOW });
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(issuer.jwks()), { currentDate: NOW });
  assert.deepEqual(protectedHeader, { kid: issuer.currentKid, alg: 'RS256' });
  assert.equal(payload['ver'], 1);
  assert.match(String(payload.jti), /^AT\./);
  assert.deepEqual(
    { iss: payload.iss, aud: payload.aud, iat: payload.iat, exp: payload.exp, cid: payload['cid'], sub: payload.sub, scp: payload['scp'] },
    { iss: issuer.issuer, aud: 'api://default', iat: NOW_SECONDS, exp: NOW_SECONDS + 3600, cid: 'dev-client', sub: 'dev-client', scp: ['incidents:read', 'incidents:write'] },
  );
  assert.notEqual(payloadOf(await issuer.mint()).jti, payload.jti, 'jti is random');
});

test('mint options override, add and delete claims and header members, for building bad tokens', async () => {
  const token = await issuer.mint({
    now: NOW,
    scopes: ['incidents:read'],
    expiresIn: 60,
    notBefore: 10,
    claims: { aud: 'other', uid: '00u1', cid: undefined },
    header: { kid: 'k-foreign', typ: 'JWT' },
  });
  const payload = payloadOf(token);
  assert.deepEqual([payload['scp'], payload['exp'], payload['nbf'], payload['aud'], payload['uid']], [['incidents:read'], NOW_SECONDS + 60, NOW_SECONDS + 10, 'other', '00u1']);
  assert.equal(Object.hasOwn(payload, 'cid'), false);
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as Record<string, unknown>;
  assert.deepEqual(header, { kid: 'k-foreign', alg: 'RS256', typ: 'JWT' });
});

test('okta.md "Key rotation": rotate() publishes a new signing key beside the old one; dropOldKeys() unpublishes the old', async () => {
  const rotating = await startIssuer();
  try {
    const oldKid = rotating.currentKid;
    const newKid = await rotating.rotate();
    assert.equal(rotating.currentKid, newKid);
    assert.deepEqual(rotating.jwks().keys.map((k) => k.kid), [oldKid, newKid]);
    const header = JSON.parse(Buffer.from((await rotating.mint()).split('.')[0] ?? '', 'base64url').toString()) as { kid: string };
    assert.equal(header.kid, newKid);
    rotating.dropOldKeys();
    assert.deepEqual(rotating.jwks().keys.map((k) => k.kid), [newKid]);
  } finally {
    await rotating.close();
  }
});

test('RFC 6749 §4.4 + §5.1: client_credentials with client_secret_basic returns an Okta-shaped, uncached token response', async () => {
  const { status, body, headers } = await withBasic({ grant_type: 'client_credentials' });
  assert.equal(status, 200);
  assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
  assert.equal(body['token_type'], 'Bearer');
  assert.equal(body['expires_in'], 3600);
  assert.equal(body['scope'], 'incidents:read incidents:write');
  assert.equal(headers.get('cache-control'), 'no-store');
  assert.equal(headers.get('pragma'), 'no-cache');
  const { payload } = await jwtVerify(String(body['access_token']), createLocalJWKSet(issuer.jwks()), { issuer: issuer.issuer, audience: issuer.audience });
  assert.equal(payload.sub, 'dev-client');
});

test('RFC 6749 §2.3.1: client_secret_post is accepted, and the scope parameter selects a subset', async () => {
  const { status, body } = await tokenRequest({ grant_type: 'client_credentials', client_id: 'dev-client', client_secret: 'dev-secret', scope: 'incidents:read' });
  assert.equal(status, 200);
  assert.equal(body['scope'], 'incidents:read');
  assert.deepEqual(payloadOf(String(body['access_token']))['scp'], ['incidents:read']);
});

test('RFC 6749 §5.2: a wrong secret, an unknown client or no credentials → 401 invalid_client with a Basic challenge', async () => {
  for (const attempt of [
    withBasicAs('dev-client', 'wrong'),
    withBasicAs('someone', 'dev-secret'),
    tokenRequest({ grant_type: 'client_credentials', client_id: 'dev-client', client_secret: 'nope' }),
    tokenRequest({ grant_type: 'client_credentials' }),
    tokenRequest({ grant_type: 'client_credentials' }, { authorization: 'Basic bm9jb2xvbg==' }),
  ]) {
    const { status, body, headers } = await attempt;
    assert.equal(status, 401);
    assert.equal(body['error'], 'invalid_client');
    assert.equal(headers.get('www-authenticate'), 'Basic realm="dev-issuer"');
  }
});

function withBasicAs(id: string, secret: string): ReturnType<typeof tokenRequest> {
  return tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(id, secret) });
}

test('RFC 6749 §2.3: using two client authentication methods at once → 400 invalid_request', async () => {
  const { status, body } = await withBasic({ grant_type: 'client_credentials', client_secret: 'dev-secret' });
  assert.deepEqual([status, body['error']], [400, 'invalid_request']);
});

test('RFC 6749 §5.2: unknown scopes → invalid_scope; unknown grants → unsupported_grant_type; the machine client\'s code or refresh grant → unauthorized_client; no grant → invalid_request', async () => {
  const scope = await withBasic({ grant_type: 'client_credentials', scope: 'incidents:read incidents:admin' });
  assert.deepEqual([scope.status, scope.body['error']], [400, 'invalid_scope']);
  for (const grant of ['password', 'implicit', 'urn:ietf:params:oauth:grant-type:device_code']) {
    const answer = await withBasic({ grant_type: grant });
    assert.deepEqual([answer.status, answer.body['error']], [400, 'unsupported_grant_type']);
  }
  for (const grant of ['authorization_code', 'refresh_token']) {
    const answer = await withBasic({ grant_type: grant });
    assert.deepEqual([answer.status, answer.body['error']], [400, 'unauthorized_client']);
  }
  const none = await withBasic({});
  assert.deepEqual([none.status, none.body['error']], [400, 'invalid_request']);
});

test('RFC 6749 §3.2: the token endpoint takes only form-encoded POSTs', async () => {
  const get = await fetch(issuer.tokenEndpoint);
  assert.deepEqual([get.status, get.headers.get('allow')], [405, 'POST']);
  const json = await fetch(issuer.tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(json.status, 400);
  const huge = await withBasic({ grant_type: 'client_credentials', padding: 'x'.repeat(20_000) });
  assert.equal(huge.status, 400);
});

test('unknown paths answer 404 and non-GET requests to metadata answer 405', async () => {
  assert.equal((await fetch(`${issuer.issuer}/v1/device/authorize`)).status, 404);
  assert.equal((await fetch(`${issuer.issuer}/v1/clients`)).status, 404);
  assert.equal((await fetch(new URL('/', issuer.issuer))).status, 404);
  assert.equal((await fetch(issuer.jwksUri, { method: 'DELETE' })).status, 405);
});

test('okta.md "Outage": setJwksMode simulates 503, garbage and a slow JWKS, and fetchCount counts every request', async () => {
  const flaky = await startIssuer({ slowMs: 150 });
  try {
    flaky.setJwksMode('down');
    assert.equal((await fetch(flaky.jwksUri)).status, 503);
    flaky.setJwksMode('garbage');
    const garbage = await fetch(flaky.jwksUri);
    assert.equal(garbage.status, 200);
    await assert.rejects(garbage.json() as Promise<unknown>, SyntaxError);
    flaky.setJwksMode('slow');
    const started = Date.now();
    const slow = await fetch(flaky.jwksUri);
    assert.ok(Date.now() - started >= 140, 'answered after the delay');
    assert.equal(((await slow.json()) as { keys: unknown[] }).keys.length, 1);
    assert.equal(flaky.fetchCount, 3);
  } finally {
    await flaky.close();
  }
});

test('close() returns promptly while a slow JWKS answer is pending', async () => {
  const slow = await startIssuer({ slowMs: 60_000 });
  slow.setJwksMode('slow');
  const pending = fetch(slow.jwksUri).then(() => 'answered', () => 'aborted');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = Date.now();
  await slow.close();
  assert.ok(Date.now() - started < 1000);
  assert.equal(await pending, 'aborted');
});

const execFileAsync = promisify(execFile);
const runTokenScript = (args: string[]): Promise<{ stdout: string; stderr: string }> =>
  execFileAsync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], { cwd: process.cwd(), timeout: 20_000 });

test('scripts/token.ts: `npm run token -- --scope` prints only the access token', async () => {
  const { stdout } = await runTokenScript(['--issuer', issuer.issuer, '--scope', 'incidents:read']);
  const token = stdout.trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.deepEqual(payloadOf(token)['scp'], ['incidents:read']);
});

test('scripts/token.ts: with nothing listening it says to start `npm run dev` and exits 1', async () => {
  const gone = await startIssuer();
  const url = gone.issuer;
  await gone.close();
  await assert.rejects(runTokenScript(['--issuer', url]), (error: { code?: number; stderr?: string }) => {
    assert.equal(error.code, 1);
    assert.match(error.stderr ?? '', /start `npm run dev` first/);
    return true;
  });
});

test('scripts/token.ts: an error answer from the issuer is reported on stderr with exit code 1', async () => {
  await assert.rejects(runTokenScript(['--issuer', issuer.issuer, '--scope', 'incidents:admin']), (error: { code?: number; stdout?: string; stderr?: string }) => {
    assert.equal(error.code, 1);
    assert.equal(error.stdout, '');
    assert.match(error.stderr ?? '', /answered 400 \(invalid_scope: /);
    return true;
  });
});
