import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractBearer, hasQueryToken, MALFORMED_DESCRIPTION } from '../../src/auth/bearer.ts';
import { AuthFailure } from '../../src/auth/principal.ts';
import type { AuthFailureKind } from '../../src/auth/principal.ts';

function failureOf(header: string | undefined): AuthFailure {
  try {
    extractBearer(header);
  } catch (error) {
    assert.ok(error instanceof AuthFailure, 'throws an AuthFailure');
    return error;
  }
  assert.fail(`expected ${JSON.stringify(header)} to be refused`);
}

function assertKind(header: string | undefined, kind: AuthFailureKind): void {
  assert.equal(failureOf(header).kind, kind, `kind for ${JSON.stringify(header)}`);
}

test('RFC 6750 §2.1: a Bearer header yields its b64token unchanged', () => {
  assert.equal(extractBearer('Bearer abc.DEF-123_~+/'), 'abc.DEF-123_~+/');
  assert.equal(extractBearer('Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'), 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln');
});

test('RFC 6750 §2.1: b64token may end with any number of "=" padding characters', () => {
  assert.equal(extractBearer('Bearer abc=='), 'abc==');
  assert.equal(extractBearer('Bearer a='), 'a=');
});

test('RFC 9110 §11.1: the auth-scheme "Bearer" is matched case-insensitively', () => {
  for (const scheme of ['bearer', 'BEARER', 'bEaReR']) assert.equal(extractBearer(`${scheme} tok`), 'tok');
});

test('RFC 6750 §2.1: "Bearer" 1*SP b64token accepts several spaces before the token', () => {
  assert.equal(extractBearer('Bearer    tok'), 'tok');
});

test('RFC 9110 §5.5: leading and trailing whitespace around the field value is ignored', () => {
  assert.equal(extractBearer('  Bearer tok \t'), 'tok');
});

test('RFC 6750 §3.1: an absent or empty Authorization header is "missing" (no error attribute)', () => {
  assertKind(undefined, 'missing');
  assertKind('', 'missing');
  assertKind('   ', 'missing');
});

test('RFC 6750 §3.1: other schemes are "malformed" (invalid_request)', () => {
  for (const header of ['Basic ZGV2LWNsaWVudDpkZXYtc2VjcmV0', 'DPoP abc', 'Token abc', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln']) {
    assertKind(header, 'malformed');
  }
});

test('RFC 6750 §2.1: a Bearer header without a token is "malformed"', () => {
  assertKind('Bearer', 'malformed');
  assertKind('Bearer ', 'malformed');
});

test('RFC 6750 §2.1: exactly one b64token; two tokens or commas are "malformed"', () => {
  for (const header of ['Bearer a b', 'Bearer a, Bearer b', 'Bearer a,b', 'Bearer abc, realm="x"']) assertKind(header, 'malformed');
});

test('RFC 6750 §2.1: characters outside b64token (quotes, "=" inside, tabs, non-ASCII) are "malformed"', () => {
  for (const header of ['Bearer "abc"', 'Bearer a=b', 'Bearer\tabc', 'Bearer abç', 'Bearer =abc', 'Bearer a%20b']) {
    assertKind(header, 'malformed');
  }
});

test('RFC 6750 §3.1: malformed headers share one safe description and the value never reaches the log detail', () => {
  const failure = failureOf('Basic c2VjcmV0LXBhc3N3b3Jk');
  assert.equal(failure.description, MALFORMED_DESCRIPTION);
  assert.equal(failure.description, 'Malformed Authorization header');
  assert.ok(!failure.detail.includes('c2VjcmV0'), 'detail does not echo the credentials');
  assert.ok(!failureOf('Bearer sec ret').detail.includes('sec'), 'detail does not echo the token');
});

test('MCP basic/authorization.mdx: an access_token in the query string is detected', () => {
  assert.equal(hasQueryToken(new URLSearchParams('access_token=abc')), true);
  assert.equal(hasQueryToken(new URLSearchParams('a=1&access_token=')), true);
  assert.equal(hasQueryToken(new URLSearchParams('a=1&token=abc')), false);
  assert.equal(hasQueryToken(new URLSearchParams('')), false);
});
