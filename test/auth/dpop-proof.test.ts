/**
 * Tests of src/auth/dpop-proof.ts without a server (RFC 9449 §4.3): a valid proof gives its key's
 * thumbprint; the htu normalisation; ath; the bounds on size and jti. The HTTP-level refusals are
 * in dpop.test.ts and dev-issuer-dpop.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accessTokenHash, checkProof, hasOneProof, normaliseHtu } from '../../src/auth/dpop-proof.ts';
import { DpopKey, NOW } from '../helpers/issuer.ts';

const URL_ = 'https://mcp.example.com/mcp';
const expected = { method: 'POST', url: URL_, now: NOW, windowSeconds: 30 };

test('RFC 9449 §4.3: a valid proof gives the RFC 7638 thumbprint of its jwk and its jti', async () => {
  const key = await DpopKey.create();
  const checked = await checkProof(await key.proof('POST', URL_, { now: NOW, claims: { jti: 'j-1' } }), expected);
  assert.deepEqual(checked, { jkt: key.jkt, jti: 'j-1' });
});

test('RFC 9449 §4.3 step 9 + RFC 3986 §6.2: htu compared after normalisation, without query and fragment', () => {
  assert.equal(normaliseHtu('HTTPS://MCP.Example.com:443/mcp?a=1#f'), 'https://mcp.example.com/mcp');
  assert.equal(normaliseHtu('http://127.0.0.1:80/mcp'), 'http://127.0.0.1/mcp');
  assert.notEqual(normaliseHtu('https://mcp.example.com/MCP'), normaliseHtu(URL_));
  assert.equal(normaliseHtu('not a url'), undefined);
});

test('RFC 9449 §4.1: ath is base64url(SHA-256(token)), checked when a token is given', async () => {
  assert.equal(accessTokenHash('abc'), 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  const key = await DpopKey.create();
  const proof = await key.proof('POST', URL_, { now: NOW, accessToken: 'tok' });
  assert.ok(await checkProof(proof, { ...expected, accessToken: 'tok' }));
  await assert.rejects(checkProof(proof, { ...expected, accessToken: 'other' }), { kind: 'proof', scheme: 'DPoP', description: 'The DPoP proof is for another access token' });
});

test('iat window: ±windowSeconds around now, both edges included', async () => {
  const key = await DpopKey.create();
  for (const [offset, ok] of [[-30, true], [30, true], [-31, false], [31, false]] as const) {
    const proof = await key.proof('POST', URL_, { now: new Date(NOW.getTime() + offset * 1000) });
    if (ok) assert.ok(await checkProof(proof, expected), String(offset));
    else await assert.rejects(checkProof(proof, expected), { description: 'The DPoP proof is too old or from the future' }, String(offset));
  }
});

test('bounds: an oversized proof or jti, and an alg outside the allow-list, are refused before use', async () => {
  const key = await DpopKey.create();
  await assert.rejects(checkProof(`${'a'.repeat(9000)}.b.c`, expected), { description: 'The DPoP proof is not a valid JWT' });
  await assert.rejects(checkProof(await key.proof('POST', URL_, { now: NOW, claims: { jti: 'j'.repeat(257) } }), expected), { description: 'The DPoP proof needs a jti' });
  await assert.rejects(checkProof(await key.proof('POST', URL_, { now: NOW }), { ...expected, algorithms: ['RS256'] }), { description: 'The DPoP proof uses an algorithm this server does not accept' });
});

test('RFC 9449 §4.3 step 1: one proof; two field lines, or a comma-joined value, are several', () => {
  assert.equal(hasOneProof(['a.b.c']), true);
  assert.equal(hasOneProof(['a.b.c', 'd.e.f']), false);
  assert.equal(hasOneProof(['a.b.c, d.e.f']), false);
  assert.equal(hasOneProof([]), false);
});
