/**
 * Tests of src/transport/authenticate.ts that need no server: the session-binding key. It must be
 * injective on (issuer, subject, client id) (security_best_practices.mdx "Session Hijacking"; issue
 * 15): two principals that differ in any of them, including an absent versus an empty `cid`, never
 * share a session. The HTTP answers of authenticate() are covered in test/scenarios/auth.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Principal } from '../../src/auth/principal.ts';
import { principalKey } from '../../src/transport/authenticate.ts';

const ISSUER = 'https://example.okta.com/oauth2/default';

function principal(issuer: string, subject: string, clientId: string | undefined, scopes: readonly string[] = []): Principal {
  return { issuer, subject, clientId, userId: undefined, scopes: new Set(scopes), expiresAt: 2_000_000_000 };
}

test('an absent cid and an empty cid give different keys (issue 15: the old "\\n"-joined key made them equal)', () => {
  assert.notEqual(principalKey(principal(ISSUER, 'alice', undefined)), principalKey(principal(ISSUER, 'alice', '')));
});

test('a separator inside a claim cannot move a boundary: sub "x\\ny" with cid "z" differs from sub "x" with cid "y\\nz"', () => {
  assert.notEqual(principalKey(principal(ISSUER, 'x\ny', 'z')), principalKey(principal(ISSUER, 'x', 'y\nz')));
  assert.notEqual(principalKey(principal('a\nb', 'c', 'd')), principalKey(principal('a', 'b\nc', 'd')));
  assert.notEqual(principalKey(principal(ISSUER, 'x","y', undefined)), principalKey(principal(ISSUER, 'x', 'y')));
});

test('the key depends only on issuer, subject and client id: new scopes or expiry keep the session', () => {
  const first = principal(ISSUER, 'alice', 'app', ['incidents:read']);
  const refreshed = { ...principal(ISSUER, 'alice', 'app', ['incidents:read', 'incidents:write']), expiresAt: 2_000_003_600, userId: '00u1' };
  assert.equal(principalKey(first), principalKey(refreshed));
});

test('property: principalKey is injective on (issuer, subject, client id or absent)', () => {
  const text = fc.string({ unit: fc.constantFrom('a', '\n', '"', '\\', ',', '[', ']', 'null', '\0', '') });
  const triple = fc.tuple(text, text, fc.option(text, { nil: undefined }));
  fc.assert(
    fc.property(triple, triple, (a, b) => {
      const same = a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
      assert.equal(principalKey(principal(...a)) === principalKey(principal(...b)), same);
    }),
    { numRuns: 5000 },
  );
});
