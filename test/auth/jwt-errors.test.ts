import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errors } from 'jose';
import { keyResolutionFailure, toAuthFailure, UNAVAILABLE_DESCRIPTION, UNKNOWN_KEY_DESCRIPTION } from '../../src/auth/jwt-errors.ts';
import { AuthFailure } from '../../src/auth/principal.ts';

const expected = { issuer: 'https://dev-1.okta.com/oauth2/default', audience: 'api://default' };

test('okta.md "Outage": key-resolution failures other than an unknown kid are "unavailable", with the cause in the detail only', () => {
  for (const error of [new errors.JWKSTimeout(), new errors.JOSEError('Expected 200 OK'), new errors.JWKSInvalid('bad'), new TypeError('fetch failed')]) {
    const failure = keyResolutionFailure(error);
    assert.equal(failure.kind, 'unavailable');
    assert.equal(failure.description, UNAVAILABLE_DESCRIPTION);
    assert.match(failure.detail, /^JWKS: \S/);
  }
  assert.equal(keyResolutionFailure('odd').detail, 'JWKS: odd');
});

test('okta.md "Key rotation": no matching key, or several, is an invalid token', () => {
  for (const error of [new errors.JWKSNoMatchingKey(), new errors.JWKSMultipleMatchingKeys()]) {
    const failure = keyResolutionFailure(error);
    assert.deepEqual([failure.kind, failure.description], ['invalid', UNKNOWN_KEY_DESCRIPTION]);
  }
});

test('an AuthFailure raised while resolving keys passes through toAuthFailure with the cid attached', () => {
  const failure = toAuthFailure(new AuthFailure('unavailable', UNAVAILABLE_DESCRIPTION, 'JWKS: x'), expected, '0oa1');
  assert.deepEqual([failure.kind, failure.detail, failure.clientId], ['unavailable', 'JWKS: x', '0oa1']);
});

test('RFC 8707 §2: long claim values are truncated in the log detail', () => {
  const error = new errors.JWTClaimValidationFailed('unexpected "aud" claim value', { aud: 'a'.repeat(500) }, 'aud', 'check_failed');
  const failure = toAuthFailure(error, expected, undefined);
  assert.ok(failure.detail.length < 300);
  assert.ok(failure.detail.endsWith('…'));
});

test('any other jose error is an invalid token; a non-jose error is a programming error and is rethrown', () => {
  const failure = toAuthFailure(new errors.JOSENotSupported('nope'), expected, undefined);
  assert.deepEqual([failure.kind, failure.detail], ['invalid', 'ERR_JOSE_NOT_SUPPORTED: nope']);
  const bug = new RangeError('bug');
  assert.throws(() => toAuthFailure(bug, expected, undefined), (error: unknown) => error === bug);
});
