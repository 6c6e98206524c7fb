/**
 * DPoP with the official SDK v2 client (@modelcontextprotocol/client, RFC 9449 / SEP-1932): its
 * ClientCredentialsProvider given a DpopSession starts from a bare 401, sends a proof to the
 * development issuer's token endpoint, gets a DPoP-bound token, and then calls the real server
 * with `Authorization: DPoP` and a fresh proof per request, in both protocol eras.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClientCredentialsProvider, Client, DpopSession, StreamableHTTPClientTransport, type DpopAlg } from '@modelcontextprotocol/client';
import { payloadOf } from '../helpers/issuer.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { OKTA_REQUIRE_DPOP: '1' } });
});
after(() => server.close());

/** The SDK's client-credentials provider, with a DPoP key for the lifetime of the registration. */
class DpopClientCredentials extends ClientCredentialsProvider {
  readonly session: Promise<DpopSession>;
  constructor(issuer: string, alg: DpopAlg) {
    super({ clientId: 'dev-client', clientSecret: 'dev-secret', expectedIssuer: issuer, scope: 'incidents:read incidents:write' });
    this.session = DpopSession.create({ alg });
  }
  dpop(): Promise<DpopSession> {
    return this.session;
  }
}

for (const [era, alg] of [['2025-11-25', 'ES256'], ['2026-07-28', 'RS256']] as const) {
  test(`RFC 9449 + SEP-1932: SDK v2 with a DpopSession (${alg}) gets a DPoP-bound token and uses it (${era}; OKTA_REQUIRE_DPOP=1)`, async () => {
    const authProvider = new DpopClientCredentials(server.issuer.issuer, alg);
    // Default negotiation stays legacy; pinning 2026-07-28 makes every request a modern one.
    const client = new Client({ name: 'dpop-interop', version: '1.0.0' }, era === '2025-11-25' ? { capabilities: {} } : { capabilities: {}, versionNegotiation: { mode: { pin: era } } });
    const transport = new StreamableHTTPClientTransport(new URL(server.url), { authProvider });
    await client.connect(transport);
    try {
      assert.equal(transport.protocolVersion, era);
      const tools = await client.listTools();
      assert.deepEqual(tools.tools.map((t) => t.name).sort(), ['create_incident', 'list_incidents', 'update_incident']);
      const created = await client.callTool({ name: 'create_incident', arguments: { title: `DPoP ${era}`, severity: 'low' } });
      assert.equal(created.isError, undefined);
      const read = await client.readResource({ uri: 'incidents://1' });
      assert.equal(read.contents.length, 1);
      const prompt = await client.getPrompt({ name: 'triage_incidents', arguments: { focus: 'severity' } });
      assert.ok(prompt.messages.length > 0);
      const tokens = authProvider.tokens();
      assert.equal(tokens?.token_type, 'DPoP');
      assert.deepEqual(payloadOf(tokens?.access_token ?? '')['cnf'], { jkt: (await authProvider.session).thumbprint });
    } finally {
      await client.close();
    }
  });
}
