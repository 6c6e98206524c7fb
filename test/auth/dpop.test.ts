/**
 * DPoP at the resource server (RFC 9449 §7), end to end: the real server and the real development
 * issuer on port 0, DPoP-bound tokens from the issuer's token endpoint, proofs signed by a real
 * client key. Both protocol eras go through the same authenticate stage; each refusal is checked
 * with its exact status, challenge and body.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { META_KEYS } from '../../src/protocol/envelope.ts';
import { DpopKey, dpopToken, type ProofOptions } from '../helpers/issuer.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const ALGS = 'RS256 RS384 RS512 ES256 ES384 ES512';
const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'dpop-test', version: '1' } } };
const TOOLS_LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
const UNAUTHORIZED = { jsonrpc: '2.0', error: { code: -32600, message: 'Unauthorized: the access token or its proof is not valid' } };
const MODERN_META = { [META_KEYS.protocolVersion]: '2026-07-28', [META_KEYS.clientCapabilities]: {}, [META_KEYS.clientInfo]: { name: 'dpop-test', version: '1' } };

const prmUrl = (server: TestServer): string => `${server.origin}/.well-known/oauth-protected-resource/mcp`;

interface Call {
  /** Authorization header value; default `DPoP <token>`. */
  authorization?: string;
  /** The DPoP header values to send (default: one fresh proof for POST to the server URL). */
  proofs?: readonly string[];
  headers?: Record<string, string>;
  body?: unknown;
  method?: string;
}

async function call(server: TestServer, token: string, call: Call = {}): Promise<{ status: number; challenge: string | null; body: unknown }> {
  const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: call.authorization ?? `DPoP ${token}`, ...call.headers });
  for (const proof of call.proofs ?? []) headers.append('dpop', proof);
  const method = call.method ?? 'POST';
  const response = await fetch(server.url, { method, headers, ...(method === 'POST' ? { body: JSON.stringify(call.body ?? INIT) } : {}) });
  const text = await response.text();
  const body = text === '' ? undefined : response.headers.get('content-type')?.startsWith('text/event-stream') === true ? JSON.parse(text.split('\n').filter((l) => l.startsWith('data: ')).at(-1)?.slice(6) ?? '{}') : JSON.parse(text);
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body };
}

function proofChallenge(server: TestServer, description: string): string {
  return `DPoP error="invalid_dpop_proof", error_description="${description}", algs="${ALGS}", resource_metadata="${prmUrl(server)}", scope="incidents:read"`;
}

describe('DPoP-bound tokens at the resource server (RFC 9449 §7)', () => {
  let server: TestServer;
  let key: DpopKey;
  let token: string;
  const proof = (options: ProofOptions & { htm?: string; htu?: string } = {}): Promise<string> =>
    key.proof(options.htm ?? 'POST', options.htu ?? server.url, { accessToken: token, ...options });

  before(async () => {
    server = await startTestServer();
    key = await DpopKey.create();
    token = await dpopToken(server.issuer, key);
  });
  after(() => server.close());

  test('RFC 9449 §7.1: a DPoP token with a valid proof works in the legacy era: initialize, then tools/list in the session', async () => {
    const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `DPoP ${token}`, dpop: await proof() });
    const init = await fetch(server.url, { method: 'POST', headers, body: JSON.stringify(INIT) });
    assert.equal(init.status, 200);
    const session = init.headers.get('mcp-session-id') ?? '';
    await init.text();
    const list = await call(server, token, { proofs: [await proof()], body: TOOLS_LIST, headers: { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' } });
    assert.equal(list.status, 200);
    const names = ((list.body as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name)).sort();
    assert.deepEqual(names, ['create_incident', 'list_incidents', 'update_incident']);
    // The GET stream and DELETE carry their own proofs, with their own htm.
    const ended = await call(server, token, { method: 'DELETE', proofs: [await proof({ htm: 'DELETE' })], headers: { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' } });
    assert.equal(ended.status, 204);
  });

  test('RFC 9449 §7.1: a DPoP token with a valid proof works in the modern era (2026-07-28, _meta in every request)', async () => {
    const reply = await call(server, token, {
      proofs: [await proof()],
      headers: { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
      body: { jsonrpc: '2.0', id: 7, method: 'tools/list', params: { _meta: MODERN_META } },
    });
    assert.equal(reply.status, 200);
    const result = (reply.body as { id: number; result: { resultType: string; tools: unknown[] } });
    assert.equal(result.id, 7);
    assert.equal(result.result.resultType, 'complete');
    assert.equal(result.result.tools.length, 3);
  });

  test('RFC 9449 §11.1: a replayed proof (same jti) is 401 invalid_dpop_proof, in both eras', async () => {
    const once = await proof();
    assert.equal((await call(server, token, { proofs: [once] })).status, 200);
    const replayed = await call(server, token, { proofs: [once] });
    assert.equal(replayed.status, 401);
    assert.equal(replayed.challenge, proofChallenge(server, 'The DPoP proof was already used'));
    assert.deepEqual(replayed.body, UNAUTHORIZED);
    const modern = await call(server, token, { proofs: [once], headers: { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' }, body: { jsonrpc: '2.0', id: 8, method: 'tools/list', params: { _meta: MODERN_META } } });
    assert.equal(modern.status, 401);
    assert.equal(modern.challenge, proofChallenge(server, 'The DPoP proof was already used'));
  });

  test('RFC 9449 §4.3 steps 8-9: a proof for another URL or another method is 401 invalid_dpop_proof', async () => {
    for (const htu of [`${server.origin}/other`, server.url.replace('127.0.0.1', 'localhost'), `https://${new URL(server.url).host}/mcp`]) {
      const reply = await call(server, token, { proofs: [await proof({ htu })] });
      assert.equal(reply.status, 401, htu);
      assert.equal(reply.challenge, proofChallenge(server, 'The DPoP proof is for another URL'));
    }
    const wrongMethod = await call(server, token, { proofs: [await proof({ htm: 'GET' })] });
    assert.equal(wrongMethod.status, 401);
    assert.equal(wrongMethod.challenge, proofChallenge(server, 'The DPoP proof is for another HTTP method'));
  });

  test('RFC 9449 §4.3 step 9: htu is compared without its query and fragment', async () => {
    const reply = await call(server, token, { proofs: [await proof({ htu: `${server.url}?x=1#frag` })] });
    assert.equal(reply.status, 200);
  });

  test('RFC 9449 §4.3 step 12: an ath for another token is 401 invalid_dpop_proof; no ath at all likewise', async () => {
    const other = await dpopToken(server.issuer, key);
    for (const [name, options] of [['other token', { accessToken: other }], ['no ath', { claims: { ath: undefined } }]] as const) {
      const reply = await call(server, token, { proofs: [await proof(options)] });
      assert.equal(reply.status, 401, name);
      assert.equal(reply.challenge, proofChallenge(server, 'The DPoP proof is for another access token'), name);
    }
  });

  test('RFC 9449 §4.3 step 12 + §6.1: a proof by another key than cnf.jkt is 401 invalid_dpop_proof', async () => {
    const thief = await DpopKey.create('RS256');
    const reply = await call(server, token, { proofs: [await thief.proof('POST', server.url, { accessToken: token })] });
    assert.equal(reply.status, 401);
    assert.equal(reply.challenge, proofChallenge(server, 'The DPoP proof key does not match the key the access token is bound to'));
  });

  test('RFC 9449 §4.3 step 1: the DPoP scheme without a proof, or with two, is 401 invalid_dpop_proof', async () => {
    const missing = await call(server, token, { proofs: [] });
    assert.equal(missing.status, 401);
    assert.equal(missing.challenge, proofChallenge(server, 'A DPoP proof is required with the DPoP scheme'));
    const two = await call(server, token, { proofs: [await proof(), await proof()] });
    assert.equal(two.status, 401);
    assert.equal(two.challenge, proofChallenge(server, 'Send exactly one DPoP proof'));
  });

  test('RFC 9449 §4.3 steps 4-5, 11: a proof with the wrong typ, alg none, or an old iat is refused; nothing of it is echoed', async () => {
    const cases: Array<[string, string, string]> = [
      ['typ', await proof({ header: { typ: 'JWT' } }), 'The DPoP proof must have typ dpop+jwt'],
      ['iat', await proof({ now: new Date(Date.now() - 120_000) }), 'The DPoP proof is too old or from the future'],
      ['future', await proof({ now: new Date(Date.now() + 120_000) }), 'The DPoP proof is too old or from the future'],
      ['unsigned', `${(await proof()).split('.').slice(0, 2).join('.')}.`, 'The DPoP proof is not a valid JWT'],
      ['garbage', 'not-a-jwt', 'The DPoP proof is not a valid JWT'],
    ];
    for (const [name, bad, description] of cases) {
      const reply = await call(server, token, { proofs: [bad] });
      assert.equal(reply.status, 401, name);
      assert.equal(reply.challenge, proofChallenge(server, description), name);
      assert.ok(!JSON.stringify(reply.body).includes(bad) && !(reply.challenge ?? '').includes(token), name);
    }
  });

  test('RFC 9449 §7.2: a DPoP-bound token sent as Bearer is 401 invalid_token in the Bearer scheme', async () => {
    const reply = await call(server, token, { authorization: `Bearer ${token}`, proofs: [await proof()] });
    assert.equal(reply.status, 401);
    assert.equal(reply.challenge, `Bearer error="invalid_token", error_description="The access token is DPoP-bound: send it with the DPoP scheme and a DPoP proof", resource_metadata="${prmUrl(server)}", scope="incidents:read"`);
    assert.deepEqual(reply.body, UNAUTHORIZED);
  });

  test('RFC 9449 §7.1: an unbound token sent with the DPoP scheme is 401 invalid_token in the DPoP scheme', async () => {
    const bearer = await server.token();
    const reply = await call(server, bearer, { proofs: [await key.proof('POST', server.url, { accessToken: bearer })] });
    assert.equal(reply.status, 401);
    assert.equal(reply.challenge, `DPoP error="invalid_token", error_description="The access token is not DPoP-bound: send it with the Bearer scheme", algs="${ALGS}", resource_metadata="${prmUrl(server)}", scope="incidents:read"`);
  });

  test('RFC 9449 §7.1 + RFC 6750 §3.1: no credentials get both challenges, Bearer first; plain Bearer tokens keep working', async () => {
    const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(INIT) });
    assert.equal(response.status, 401);
    const params = `resource_metadata="${prmUrl(server)}", scope="incidents:read"`;
    assert.equal(response.headers.get('www-authenticate'), `Bearer ${params}, DPoP algs="${ALGS}", ${params}`);
    await response.text();
    const bearer = await call(server, '', { authorization: `Bearer ${await server.token()}` });
    assert.equal(bearer.status, 200);
  });

  test('RFC 9449 §7.1: a read-only DPoP token gets its 403 step-up challenge in the DPoP scheme', async () => {
    const readOnly = await dpopToken(server.issuer, key, 'incidents:read');
    const reply = await call(server, readOnly, {
      proofs: [await key.proof('POST', server.url, { accessToken: readOnly })],
      headers: { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'create_incident' },
      body: { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'create_incident', arguments: { title: 'x' }, _meta: MODERN_META } },
    });
    assert.equal(reply.status, 403);
    assert.equal(reply.challenge, `DPoP error="insufficient_scope", scope="incidents:read incidents:write", algs="${ALGS}", resource_metadata="${prmUrl(server)}", error_description="This request needs incidents:write"`);
  });

  test('RFC 9728 §2: the Protected Resource Metadata lists the DPoP proof algorithms, and does not say DPoP is required', async () => {
    const document = (await (await fetch(prmUrl(server))).json()) as Record<string, unknown>;
    assert.deepEqual(document['dpop_signing_alg_values_supported'], ALGS.split(' '));
    assert.equal(Object.hasOwn(document, 'dpop_bound_access_tokens_required'), false);
  });
});

describe('OKTA_REQUIRE_DPOP=1 (RFC 9449 §7.1; RFC 9728 §2)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { OKTA_REQUIRE_DPOP: '1' } });
  });
  after(() => server.close());

  test('a Bearer token, even a valid one, gets 401 with the DPoP challenge only (an unsupported method: no error attribute)', async () => {
    const reply = await call(server, '', { authorization: `Bearer ${await server.token()}` });
    assert.equal(reply.status, 401);
    assert.equal(reply.challenge, `DPoP algs="${ALGS}", resource_metadata="${prmUrl(server)}", scope="incidents:read"`);
    assert.deepEqual(reply.body, { jsonrpc: '2.0', error: { code: -32600, message: 'Unauthorized: an access token is required' } });
  });

  test('a DPoP-bound token with its proof is accepted', async () => {
    const key = await DpopKey.create();
    const token = await dpopToken(server.issuer, key);
    const reply = await call(server, token, { proofs: [await key.proof('POST', server.url, { accessToken: token })] });
    assert.equal(reply.status, 200);
  });

  test('the Protected Resource Metadata says DPoP-bound tokens are required', async () => {
    const document = (await (await fetch(prmUrl(server))).json()) as Record<string, unknown>;
    assert.equal(document['dpop_bound_access_tokens_required'], true);
  });
});
