/**
 * Egress to the issuer through a proxy (src/auth/egress.ts): NO_PROXY matching as a table, then
 * real key fetches through a real loopback proxy: an https issuer (a TLS front with a test CA)
 * through a CONNECT tunnel when HTTPS_PROXY is set, an http issuer by absolute-form requests when
 * HTTP_PROXY is set, and straight to the issuer when NO_PROXY names its host. Also the wiring from
 * the environment through config.ts and app.ts to the running server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DevIssuer } from '../../src/auth/dev-issuer.ts';
import { bypassesProxy, proxyFor } from '../../src/auth/egress.ts';
import { OktaVerifier } from '../../src/auth/okta-verifier.ts';
import type { EgressConfig } from '../../src/config.ts';
import { startHttpsFront, startProxy, TEST_CERT, type TestProxy } from '../helpers/egress.ts';
import { authConfigFor, bearer, NOW, startIssuer } from '../helpers/issuer.ts';
import { startTestServer } from '../helpers/server.ts';

const egress = (overrides: Partial<EgressConfig>): EgressConfig => ({ httpsProxy: undefined, httpProxy: undefined, noProxy: [], ...overrides });

test('NO_PROXY: exact hosts, domain suffixes (with or without a leading dot or *.), *, and ports', () => {
  const cases: Array<[string, string[], boolean]> = [
    ['https://acme.okta.com/oauth2/default/v1/keys', ['acme.okta.com'], true],
    ['https://acme.okta.com/x', ['okta.com'], true],
    ['https://acme.okta.com/x', ['.okta.com'], true],
    ['https://acme.okta.com/x', ['*.okta.com'], true],
    ['https://okta.com/x', ['.okta.com'], true],
    ['https://notokta.com/x', ['okta.com'], false],
    ['https://acme.okta.com/x', ['*'], true],
    ['https://ACME.Okta.com/x', ['acme.OKTA.com'], true],
    ['https://acme.okta.com/x', ['acme.okta.com:443'], true],
    ['https://acme.okta.com/x', ['acme.okta.com:8443'], false],
    ['https://acme.okta.com:8443/x', ['acme.okta.com:8443'], true],
    ['http://127.0.0.1:9002/x', ['127.0.0.1'], true],
    ['http://127.0.0.1:9002/x', ['127.0.0.1:9002'], true],
    ['http://[::1]:9002/x', ['::1'], true],
    ['http://[::1]:9002/x', ['[::1]:9002'], true],
    ['https://acme.okta.com/x', ['other.example', ' acme.okta.com'], true],
    ['https://acme.okta.com/x', [], false],
    ['https://acme.okta.com/x', ['.'], false],
  ];
  for (const [url, noProxy, expected] of cases) assert.equal(bypassesProxy(new URL(url), noProxy), expected, `${url} ${noProxy.join(',')}`);
});

test('HTTPS_PROXY is for https issuers and HTTP_PROXY for http ones; NO_PROXY wins; an empty value is no proxy', () => {
  const both = egress({ httpsProxy: 'http://proxy:3128', httpProxy: 'http://plain:8080' });
  assert.equal(proxyFor(new URL('https://acme.okta.com/x'), both), 'http://proxy:3128');
  assert.equal(proxyFor(new URL('http://127.0.0.1:9002/x'), both), 'http://plain:8080');
  assert.equal(proxyFor(new URL('https://acme.okta.com/x'), { ...both, noProxy: ['okta.com'] }), undefined);
  assert.equal(proxyFor(new URL('https://acme.okta.com/x'), egress({ httpProxy: 'http://plain:8080' })), undefined);
  assert.equal(proxyFor(new URL('https://acme.okta.com/x'), egress({ httpsProxy: '' })), undefined);
});

describe('key fetches through a real loopback proxy', () => {
  let issuer: DevIssuer;
  let proxy: TestProxy;
  let front: Awaited<ReturnType<typeof startHttpsFront>>;
  before(async () => {
    issuer = await startIssuer();
    proxy = await startProxy();
    front = await startHttpsFront(new URL(issuer.issuer).origin);
  });
  after(async () => {
    await front.close();
    await proxy.close();
    await issuer.close();
  });

  /** A verifier of the https issuer behind the TLS front, trusting the test CA. */
  function httpsVerifier(config: EgressConfig): { verifier: OktaVerifier; httpsIssuer: string } {
    const httpsIssuer = `${front.origin}/oauth2/default`;
    const auth = authConfigFor(issuer, { issuer: httpsIssuer, jwksUri: `${httpsIssuer}/v1/keys` });
    return { verifier: new OktaVerifier(auth, { now: () => NOW, egress: config, tls: { ca: TEST_CERT }, fetchTimeoutMs: 2000 }), httpsIssuer };
  }

  test('HTTPS_PROXY: an https issuer\'s keys come through one CONNECT tunnel, and tokens verify', async () => {
    proxy.connects.length = 0;
    const { verifier, httpsIssuer } = httpsVerifier(egress({ httpsProxy: proxy.url }));
    assert.equal(await verifier.warmUp(), undefined);
    assert.deepEqual(proxy.connects, [new URL(front.origin).host]);
    const principal = await verifier.verify(bearer(await issuer.mint({ now: NOW, claims: { iss: httpsIssuer } })));
    assert.equal(principal.issuer, httpsIssuer);
  });

  test('NO_PROXY naming the issuer\'s host: the keys are fetched directly, no CONNECT', async () => {
    proxy.connects.length = 0;
    for (const noProxy of [['127.0.0.1'], [`127.0.0.1:${new URL(front.origin).port}`], ['*']]) {
      const { verifier } = httpsVerifier(egress({ httpsProxy: proxy.url, noProxy }));
      assert.equal(await verifier.warmUp(), undefined, noProxy.join());
    }
    assert.deepEqual(proxy.connects, []);
  });

  test('an https issuer whose certificate is not trusted is an outage, not an accepted token', async () => {
    const httpsIssuer = `${front.origin}/oauth2/default`;
    const verifier = new OktaVerifier(authConfigFor(issuer, { issuer: httpsIssuer, jwksUri: `${httpsIssuer}/v1/keys` }), { now: () => NOW, egress: egress({ httpsProxy: proxy.url }), fetchTimeoutMs: 2000 });
    assert.notEqual(await verifier.warmUp(), undefined);
    await assert.rejects(verifier.verify(bearer(await issuer.mint({ now: NOW, claims: { iss: httpsIssuer } }))), { kind: 'unavailable' });
  });

  test('HTTP_PROXY: an http issuer\'s keys come through the proxy as an absolute-form request', async () => {
    proxy.forwarded.length = 0;
    const verifier = new OktaVerifier(authConfigFor(issuer), { now: () => NOW, egress: egress({ httpProxy: proxy.url }) });
    assert.equal(await verifier.warmUp(), undefined);
    assert.deepEqual(proxy.forwarded, [issuer.jwksUri]);
    const direct = new OktaVerifier(authConfigFor(issuer), { now: () => NOW, egress: egress({ httpProxy: proxy.url, noProxy: ['localhost', '127.0.0.1'] }) });
    assert.equal(await direct.warmUp(), undefined);
    assert.deepEqual(proxy.forwarded, [issuer.jwksUri]);
  });

  test('the server reads HTTP_PROXY / NO_PROXY from its environment (config.ts → app.ts → verifier)', async () => {
    proxy.forwarded.length = 0;
    const proxied = await startTestServer({ env: { HTTP_PROXY: proxy.url } });
    try {
      const reply = await fetch(proxied.url, { method: 'POST', headers: { authorization: `Bearer ${await proxied.token()}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'egress', version: '1' } } }) });
      assert.equal(reply.status, 200);
      await reply.text();
      assert.deepEqual(proxy.forwarded, [proxied.issuer.jwksUri]);
    } finally {
      await proxied.close();
    }
    const bypassing = await startTestServer({ env: { http_proxy: proxy.url, no_proxy: '127.0.0.1' } });
    await bypassing.close();
    assert.equal(proxy.forwarded.length, 1);
  });
});
