import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractBearer, extractCredentials, hasQueryToken, MALFORMED_DESCRIPTION, MISSING_DESCRIPTION, queryTokenFailure } from '../../src/auth/bearer.ts';
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

test('RFC 6750 §3.1: another scheme is "an unsupported authentication method": "missing" (401, no error attribute)', () => {
  for (const header of ['Basic ZGV2LWNsaWVudDpkZXYtc2VjcmV0', 'DPoP abc', 'Token abc', 'Basic', 'Negotiate a b c', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln', 'Bearer-x tok']) {
    const failure = failureOf(header);
    assert.equal(failure.kind, 'missing', header);
    assert.equal(failure.description, MISSING_DESCRIPTION);
    assert.match(failure.detail, /^Authorization header (does not use the Bearer scheme|uses neither the Bearer nor the DPoP scheme)$/);
  }
});

test('RFC 9449 §7.1: extractCredentials reads the DPoP scheme (case-insensitive) with the token68 grammar of b64token', () => {
  assert.deepEqual(extractCredentials('DPoP abc.DEF-123_~+/'), { scheme: 'DPoP', token: 'abc.DEF-123_~+/' });
  assert.deepEqual(extractCredentials('dpop  tok=='), { scheme: 'DPoP', token: 'tok==' });
  assert.deepEqual(extractCredentials('Bearer tok'), { scheme: 'Bearer', token: 'tok' });
  for (const header of ['DPoP', 'DPoP a b', 'DPoP a,b', 'DPoP "a"']) {
    let failure: unknown;
    try {
      extractCredentials(header);
    } catch (error) {
      failure = error;
    }
    assert.ok(failure instanceof AuthFailure, header);
    assert.equal(failure.kind, 'malformed', header);
    assert.equal(failure.scheme, 'DPoP', header);
  }
  assert.throws(() => extractCredentials('Basic abc'), { kind: 'missing', scheme: 'Bearer' });
});

test('RFC 9110 §11.4: a value that does not start with an auth-scheme token is "malformed"', () => {
  for (const header of [',Bearer tok', '"Bearer" tok', 'Bearer\ttok', 'Bear(er tok', 'é tok']) assertKind(header, 'malformed');
});

test('RFC 6750 §2.1: a Bearer header without a token is "malformed"', () => {
  assertKind('Bearer', 'malformed');
  assertKind('Bearer ', 'malformed');
});

test('RFC 6750 §2.1: exactly one b64token; two tokens or commas are "malformed"', () => {
  for (const header of ['Bearer a b', 'Bearer a, Bearer b', 'Bearer a,b', 'Bearer abc, realm="x"']) assertKind(header, 'malformed');
});

test('RFC 6750 §2.1: characters outside b64token (quotes, "=" inside, tabs, non-ASCII) are "malformed"', () => {
  for (const header of ['Bearer "abc"', 'Bearer a=b', 'Bearer\tabc', 'Bearer abç', 'Bearer =abc', 'Bearer a%20b', 'Bearer a\tb', 'Bearer a==b==']) {
    assertKind(header, 'malformed');
  }
});

test('RFC 6750 §3.1: malformed headers share one safe description and the value never reaches the log detail', () => {
  const failure = failureOf('Bearer c2VjcmV0LXBhc3N3b3Jk "x"');
  assert.equal(failure.description, MALFORMED_DESCRIPTION);
  assert.equal(failure.description, 'Malformed Authorization header');
  assert.ok(!failure.detail.includes('c2VjcmV0'), 'detail does not echo the credentials');
  assert.ok(!failureOf('Basic c2VjcmV0LXBhc3N3b3Jk').detail.includes('c2VjcmV0'), 'detail does not echo other credentials');
  assert.ok(!failureOf('Bearer sec ret').detail.includes('sec'), 'detail does not echo the token');
});

test('MCP basic/authorization.mdx: a token only in the query is "missing" (unsupported method); beside a header it is "malformed" (RFC 6750 §3.1: two methods)', () => {
  for (const header of [undefined, '', ' \t ']) {
    const failure = queryTokenFailure(header);
    assert.equal(failure.kind, 'missing', JSON.stringify(header));
    assert.equal(failure.description, MISSING_DESCRIPTION);
  }
  for (const header of ['Bearer s3cr3t', 'Basic s3cr3t==', 'x']) {
    const failure = queryTokenFailure(header);
    assert.equal(failure.kind, 'malformed', header);
    assert.equal(failure.description, 'Send the token in the Authorization header only');
    assert.ok(!failure.detail.includes('s3cr3t') && !failure.description.includes('s3cr3t'));
  }
});

test('MCP basic/authorization.mdx: an access_token in the query string is detected', () => {
  assert.equal(hasQueryToken(new URLSearchParams('access_token=abc')), true);
  assert.equal(hasQueryToken(new URLSearchParams('a=1&access_token=')), true);
  assert.equal(hasQueryToken(new URLSearchParams('a=1&token=abc')), false);
  assert.equal(hasQueryToken(new URLSearchParams('')), false);
});
