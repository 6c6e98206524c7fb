/**
 * Tests of src/auth/fetch-errors.ts: a failed fetch of the issuer's keys is logged in words
 * (DNS, refused, timeout, TLS, HTTP status), found in the error's cause chain, never as a bare
 * "fetch failed". Real failures where this machine can produce them, built errors for the rest.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { errors } from 'jose';
import { describeFetchFailure, IssuerHttpStatus } from '../../src/auth/fetch-errors.ts';

/** What undici throws: a TypeError "fetch failed" whose cause carries the system or TLS code. */
function fetchFailed(code: string, message = code): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
}

test('a real refused connection is described as such, with its code', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  const error = await fetch(`http://127.0.0.1:${port}/`).then(() => undefined, (failure: unknown) => failure);
  assert.equal(describeFetchFailure(error), 'connection refused: nothing listens at that address and port (ECONNREFUSED)');
});

test('DNS failures, resets and timeouts are named in words', () => {
  assert.equal(describeFetchFailure(fetchFailed('ENOTFOUND')), 'DNS lookup failed: no such host (ENOTFOUND)');
  assert.equal(describeFetchFailure(fetchFailed('EAI_AGAIN')), 'DNS lookup failed for now (no answer from the resolver) (EAI_AGAIN)');
  assert.equal(describeFetchFailure(fetchFailed('ECONNRESET')), 'connection reset by the issuer or a proxy (ECONNRESET)');
  assert.equal(describeFetchFailure(fetchFailed('UND_ERR_CONNECT_TIMEOUT')), 'connection timed out (UND_ERR_CONNECT_TIMEOUT)');
  assert.equal(describeFetchFailure(new errors.JWKSTimeout()), "timed out waiting for the issuer's keys");
});

test('TLS errors keep their own message, which names the certificate problem', () => {
  assert.equal(describeFetchFailure(fetchFailed('CERT_HAS_EXPIRED', 'certificate has expired')), 'TLS error: certificate has expired (CERT_HAS_EXPIRED)');
  assert.equal(describeFetchFailure(fetchFailed('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain')), 'TLS error: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN)');
  assert.equal(describeFetchFailure(fetchFailed('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames")), "TLS error: Hostname/IP does not match certificate's altnames (ERR_TLS_CERT_ALTNAME_INVALID)");
});

test('an HTTP status other than 200 is named with the URL', () => {
  assert.equal(describeFetchFailure(new IssuerHttpStatus(404, 'https://x.okta.com/oauth2/default/v1/keys')), 'the issuer answered HTTP 404 for https://x.okta.com/oauth2/default/v1/keys');
});

test('anything else falls back to its name and message; a cyclic cause chain ends', () => {
  assert.equal(describeFetchFailure(new TypeError('fetch failed')), 'TypeError: fetch failed');
  const cyclic = new Error('loop');
  (cyclic as { cause?: unknown }).cause = cyclic;
  assert.equal(describeFetchFailure(cyclic), 'Error: loop');
  assert.equal(describeFetchFailure('odd'), 'odd');
});
