/**
 * DPoP at the development issuer's token endpoint (RFC 9449 §5): a token request with a valid
 * proof gets a DPoP-bound token (`cnf.jkt`, `token_type: "DPoP"`); a bad proof gets 400
 * `invalid_dpop_proof`; a public client's refresh token is bound to its key. Real HTTP, real keys.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type JWTHeaderParameters } from 'jose';
import type { DevIssuer } from '../../src/auth/dev-issuer.ts';
import { authorizeUrl, exchange, pkce, signIn, tokenRequest } from '../helpers/dev-oauth.ts';
import { DpopKey, payloadOf, requestToken, startIssuer } from '../helpers/issuer.ts';

let issuer: DevIssuer;
let key: DpopKey;
before(async () => {
  issuer = await startIssuer();
  key = await DpopKey.create();
});
after(() => issuer.close());

const BASIC = `Basic ${Buffer.from('dev-client:dev-secret').toString('base64')}`;

test('RFC 9449 §5 + §6.1: a client-credentials request with a valid proof gets token_type DPoP and cnf.jkt = the key thumbprint', async () => {
  for (const alg of ['ES256', 'RS256']) {
    const client = await DpopKey.create(alg);
    const { status, body } = await requestToken(issuer, await client.proof('POST', issuer.tokenEndpoint));
    assert.equal(status, 200, alg);
    assert.equal(body['token_type'], 'DPoP', alg);
    assert.deepEqual(payloadOf(String(body['access_token']))['cnf'], { jkt: client.jkt }, alg);
  }
});

test('RFC 9449 §6.2: introspection of a DPoP-bound token says token_type DPoP and gives its cnf', async () => {
  const { body } = await requestToken(issuer, await key.proof('POST', issuer.tokenEndpoint));
  const response = await fetch(`${issuer.issuer}/v1/introspect`, { method: 'POST', headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: String(body['access_token']) }) });
  const introspected = (await response.json()) as Record<string, unknown>;
  assert.deepEqual([introspected['active'], introspected['token_type'], introspected['cnf']], [true, 'DPoP', { jkt: key.jkt }]);
});

test('RFC 6749 §5.1: without a proof the token stays a Bearer token with no cnf', async () => {
  const { status, body } = await requestToken(issuer);
  assert.equal(status, 200);
  assert.equal(body['token_type'], 'Bearer');
  assert.equal(payloadOf(String(body['access_token']))['cnf'], undefined);
});

test('RFC 9449 §4.3 + §5: a bad proof at the token endpoint is 400 invalid_dpop_proof, with what was wrong', async () => {
  const url = issuer.tokenEndpoint;
  const cases: Array<[string, string, string]> = [
    ['htm', await key.proof('GET', url), 'The DPoP proof is for another HTTP method.'],
    ['htu', await key.proof('POST', `${issuer.issuer}/v1/keys`), 'The DPoP proof is for another URL.'],
    ['typ', await key.proof('POST', url, { header: { typ: 'JWT' } }), 'The DPoP proof must have typ dpop+jwt.'],
    ['jti', await key.proof('POST', url, { claims: { jti: undefined } }), 'The DPoP proof needs a jti.'],
    ['iat', await key.proof('POST', url, { now: new Date(Date.now() - 10 * 60_000) }), 'The DPoP proof is too old or from the future.'],
    ['no jwk', await key.proof('POST', url, { header: { jwk: undefined } }), 'The DPoP proof must carry a public signing key in jwk.'],
    ['garbage', 'a.b', 'The DPoP proof is not a valid JWT.'],
  ];
  for (const [name, proof, description] of cases) {
    const { status, body } = await requestToken(issuer, proof);
    assert.deepEqual([status, body], [400, { error: 'invalid_dpop_proof', error_description: description }], name);
  }
});

test('RFC 9449 §4.3 steps 5-7: a private key in jwk, an HMAC alg, or a signature by another key is refused', async () => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const withPrivate = await key.proof('POST', issuer.tokenEndpoint, { header: { jwk: privateJwk } });
  assert.equal((await requestToken(issuer, withPrivate)).body['error_description'], 'The DPoP proof must carry a public signing key in jwk.');
  const secret = new TextEncoder().encode('a shared secret of thirty-two bytes!');
  const hmac = await new SignJWT({ jti: 'h', htm: 'POST', htu: issuer.tokenEndpoint, iat: Math.floor(Date.now() / 1000) })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: Buffer.from(secret).toString('base64url') } } as unknown as JWTHeaderParameters)
    .sign(secret);
  assert.equal((await requestToken(issuer, hmac)).body['error_description'], 'The DPoP proof uses an algorithm this server does not accept.');
  const other = await DpopKey.create();
  const forged = await other.proof('POST', issuer.tokenEndpoint, { header: { jwk: key.publicJwk } });
  assert.equal((await requestToken(issuer, forged)).body['error_description'], 'The DPoP proof signature is invalid.');
});

test('RFC 9449 §11.1: a proof is used once at the token endpoint; two proofs in one request are refused', async () => {
  const proof = await key.proof('POST', issuer.tokenEndpoint);
  assert.equal((await requestToken(issuer, proof)).status, 200);
  assert.deepEqual(await requestToken(issuer, proof), { status: 400, body: { error: 'invalid_dpop_proof', error_description: 'The DPoP proof was already used.' } });
  const two = `${await key.proof('POST', issuer.tokenEndpoint)}, ${await key.proof('POST', issuer.tokenEndpoint)}`;
  assert.equal((await requestToken(issuer, two)).body['error_description'], 'Send exactly one DPoP proof.');
});

test('RFC 9449 §5: a public client\'s refresh token is bound to its DPoP key: another key or none is refused, the same key refreshes', async () => {
  const { verifier, challenge } = pkce();
  const back = await signIn(authorizeUrl(issuer, challenge, { scope: 'openid offline_access incidents:read' }));
  const exchanged = await tokenRequest(issuer, { grant_type: 'authorization_code', client_id: issuer.publicClientId, code: back.searchParams.get('code') ?? '', code_verifier: verifier, redirect_uri: 'http://localhost:6274/oauth/callback' }, { dpop: await key.proof('POST', issuer.tokenEndpoint) });
  assert.equal(exchanged.status, 200);
  assert.equal(exchanged.body['token_type'], 'DPoP');
  assert.deepEqual(payloadOf(String(exchanged.body['access_token']))['cnf'], { jkt: key.jkt });
  const refresh = { grant_type: 'refresh_token', client_id: issuer.publicClientId, refresh_token: String(exchanged.body['refresh_token']) };
  const thief = await DpopKey.create();
  for (const headers of [{}, { dpop: await thief.proof('POST', issuer.tokenEndpoint) }]) {
    assert.deepEqual(await tokenRequest(issuer, refresh, headers), { status: 400, body: { error: 'invalid_dpop_proof', error_description: 'The refresh token is bound to another DPoP key.' } });
  }
  const refreshed = await tokenRequest(issuer, refresh, { dpop: await key.proof('POST', issuer.tokenEndpoint) });
  assert.equal(refreshed.status, 200);
  assert.equal(refreshed.body['token_type'], 'DPoP');
  // Without DPoP the public client's flow is unchanged.
  const plain = pkce();
  const again = await signIn(authorizeUrl(issuer, plain.challenge, { scope: 'incidents:read' }));
  const bearer = await exchange(issuer, again.searchParams.get('code') ?? '', plain.verifier);
  assert.equal(bearer.body['token_type'], 'Bearer');
});
