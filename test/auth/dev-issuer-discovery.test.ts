import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DevIssuer } from '../../src/auth/dev-issuer.ts';
import { startIssuer } from '../helpers/issuer.ts';

let issuer: DevIssuer;
before(async () => {
  issuer = await startIssuer();
});
after(() => issuer.close());

async function document(name: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${issuer.issuer}/.well-known/${name}`);
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

test('RFC 8414 §2 + Okta custom authorization server: the metadata lists Okta\'s endpoints at Okta\'s paths', async () => {
  const metadata = await document('oauth-authorization-server');
  const base = issuer.issuer;
  assert.deepEqual(
    [metadata['issuer'], metadata['authorization_endpoint'], metadata['token_endpoint'], metadata['jwks_uri'], metadata['introspection_endpoint'], metadata['revocation_endpoint'], metadata['end_session_endpoint']],
    [base, `${base}/v1/authorize`, `${base}/v1/token`, `${base}/v1/keys`, `${base}/v1/introspect`, `${base}/v1/revoke`, `${base}/v1/logout`],
  );
  assert.equal(Object.hasOwn(metadata, 'registration_endpoint'), false, 'no open dynamic registration, as Okta');
  assert.equal(Object.hasOwn(metadata, 'userinfo_endpoint'), false, 'userinfo belongs to the OIDC document');
});

test('RFC 8414 §2 + Okta: the metadata lists exactly the grants, modes, methods and algorithms implemented', async () => {
  const metadata = await document('oauth-authorization-server');
  const methods = ['client_secret_basic', 'client_secret_post', 'none'];
  assert.deepEqual(metadata['response_types_supported'], ['code']);
  assert.deepEqual(metadata['response_modes_supported'], ['query']);
  assert.deepEqual(metadata['grant_types_supported'], ['authorization_code', 'refresh_token', 'client_credentials']);
  assert.deepEqual(metadata['subject_types_supported'], ['public']);
  assert.deepEqual(metadata['scopes_supported'], ['openid', 'profile', 'email', 'offline_access', 'incidents:read', 'incidents:write']);
  assert.deepEqual(metadata['token_endpoint_auth_methods_supported'], methods);
  assert.deepEqual(metadata['introspection_endpoint_auth_methods_supported'], methods);
  assert.deepEqual(metadata['revocation_endpoint_auth_methods_supported'], methods);
  assert.deepEqual(metadata['code_challenge_methods_supported'], ['S256']);
  assert.deepEqual(metadata['claims_supported'], ['ver', 'jti', 'iss', 'aud', 'iat', 'exp', 'cid', 'uid', 'scp', 'sub']);
  assert.equal(metadata['request_parameter_supported'], false);
  assert.equal(metadata['authorization_response_iss_parameter_supported'], true);
  assert.deepEqual(metadata['dpop_signing_alg_values_supported'], ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512']);
});

test('OpenID Connect Discovery 1.0 §3: the OIDC document adds userinfo, subject types and ID-token algorithms (what SDK clients require)', async () => {
  const oidc = await document('openid-configuration');
  const metadata = await document('oauth-authorization-server');
  assert.equal(oidc['userinfo_endpoint'], `${issuer.issuer}/v1/userinfo`);
  assert.deepEqual(oidc['id_token_signing_alg_values_supported'], ['RS256']);
  assert.deepEqual(oidc['subject_types_supported'], ['public']);
  for (const claim of ['sub', 'email', 'name', 'preferred_username', 'nonce', 'cid', 'uid', 'scp']) assert.ok((oidc['claims_supported'] as string[]).includes(claim), claim);
  for (const [name, value] of Object.entries(metadata)) if (name !== 'claims_supported') assert.deepEqual(oidc[name], value, name);
});

test('RFC 8414 §2: every endpoint the documents list answers (none is a 404)', async () => {
  const oidc = await document('openid-configuration');
  for (const name of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'introspection_endpoint', 'revocation_endpoint', 'end_session_endpoint', 'userinfo_endpoint']) {
    const url = String(oidc[name]);
    const post = ['token_endpoint', 'introspection_endpoint', 'revocation_endpoint'].includes(name);
    const response = await fetch(url, post ? { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' } : {});
    await response.arrayBuffer();
    assert.notEqual(response.status, 404, name);
    assert.notEqual(response.status, 405, name);
  }
});

test('Fetch §3.2.2 + Okta trusted origins: a loopback preflight to discovery, keys, token, introspect, revoke and userinfo → 204 with Allow-* headers', async () => {
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/v1/keys', '/v1/token', '/v1/introspect', '/v1/revoke', '/v1/userinfo']) {
    for (const origin of ['http://localhost:6274', 'http://127.0.0.1:5173', 'http://[::1]:8080']) {
      const response = await fetch(`${issuer.issuer}${path}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, mcp-protocol-version' },
      });
      assert.equal(response.status, 204, `${path} ${origin}`);
      assert.equal(response.headers.get('access-control-allow-origin'), origin);
      assert.match(response.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/);
      assert.equal(response.headers.get('access-control-allow-headers'), 'authorization, content-type, mcp-protocol-version');
      assert.ok(Number(response.headers.get('access-control-max-age')) > 0);
      assert.match(response.headers.get('vary') ?? '', /Origin/);
    }
  }
});

test('Fetch §3.2: actual requests from a loopback origin carry Access-Control-Allow-Origin; a foreign origin gets none and its preflight 403', async () => {
  const allowed = await fetch(`${issuer.issuer}/.well-known/oauth-authorization-server`, { headers: { origin: 'http://localhost:6274' } });
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://localhost:6274');
  const token = await fetch(issuer.tokenEndpoint, { method: 'POST', headers: { origin: 'http://localhost:6274', 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
  assert.equal(token.status, 401);
  assert.equal(token.headers.get('access-control-allow-origin'), 'http://localhost:6274', 'errors are readable by the page too');
  for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'null']) {
    const foreign = await fetch(issuer.jwksUri, { headers: { origin } });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null, origin);
    const preflight = await fetch(issuer.tokenEndpoint, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 403, origin);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  }
});

test('Fetch §3.2.2: a preflight asking for malformed header names gets no Allow-Headers', async () => {
  const response = await fetch(issuer.tokenEndpoint, { method: 'OPTIONS', headers: { origin: 'http://localhost:6274', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-a, (bad)' } });
  assert.equal(response.status, 204);
  assert.equal(response.headers.get('access-control-allow-headers'), null);
});
