/**
 * The whole OAuth flow with the official SDK clients (issue 14), against the real incident server
 * and the development issuer on port 0: starting from a bare 401 with no token, each client reads
 * the Protected Resource Metadata, then the issuer's discovery, gets a token and lists tools.
 * (a) client credentials with SDK v1 and v2's ClientCredentialsProvider; (b) authorization code +
 * PKCE with SDK v1's OAuthClientProvider, the sign-in page driven by a scripted form post.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClientCredentialsProvider as V2ClientCredentials, Client as V2Client, StreamableHTTPClientTransport as V2Transport } from '@modelcontextprotocol/client';
import { ClientCredentialsProvider as V1ClientCredentials } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { REDIRECT_URI, signIn } from '../helpers/dev-oauth.ts';
import { payloadOf } from '../helpers/issuer.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const toolNames = (result: { tools: Array<{ name: string }> }): string[] => result.tools.map((t) => t.name).sort();

test('RFC 6749 §4.4 + MCP authorization: SDK v1 ClientCredentialsProvider goes from a bare 401 to tools/list', async () => {
  const authProvider = new V1ClientCredentials({ clientId: 'dev-client', clientSecret: 'dev-secret', expectedIssuer: server.issuer.issuer, scope: 'incidents:read incidents:write' });
  const client = new V1Client({ name: 'oauth-interop-v1', version: '1.0.0' });
  const transport = new V1Transport(new URL(server.url), { authProvider });
  await client.connect(transport);
  try {
    assert.ok(toolNames(await client.listTools()).includes('create_incident'));
    const token = authProvider.tokens()?.access_token ?? '';
    assert.equal(payloadOf(token)['sub'], 'dev-client');
  } finally {
    await client.close();
  }
});

test('RFC 6749 §4.4 + MCP authorization: SDK v2 ClientCredentialsProvider goes from a bare 401 to tools/list', async () => {
  const authProvider = new V2ClientCredentials({ clientId: 'dev-client', clientSecret: 'dev-secret', expectedIssuer: server.issuer.issuer, scope: 'incidents:read incidents:write' });
  const client = new V2Client({ name: 'oauth-interop-v2', version: '1.0.0' }, { capabilities: {} });
  const transport = new V2Transport(new URL(server.url), { authProvider });
  await client.connect(transport);
  try {
    assert.ok(toolNames(await client.listTools()).includes('create_incident'));
  } finally {
    await client.close();
  }
});

/** SDK v1's OAuthClientProvider for the public client; "redirecting" the person is a scripted sign-in. */
class ScriptedPublicClient implements OAuthClientProvider {
  #tokens: OAuthTokens | undefined;
  #verifier = '';
  /** The redirect back to the client, once the person has signed in. */
  callback: URL | undefined;

  constructor(private readonly login: string) {}

  get redirectUrl(): string {
    return REDIRECT_URI;
  }
  get clientMetadata() {
    return { redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], client_name: 'scripted' };
  }
  state(): string {
    return 'scripted-state';
  }
  clientInformation(): OAuthClientInformationMixed {
    return { client_id: 'dev-public' };
  }
  tokens(): OAuthTokens | undefined {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens;
  }
  async redirectToAuthorization(url: URL): Promise<void> {
    this.callback = await signIn(url.href, this.login);
  }
  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }
  codeVerifier(): string {
    return this.#verifier;
  }
}

test('RFC 6749 §4.1 + RFC 7636 + RFC 9207: SDK v1 completes authorization code + PKCE through the sign-in page, then tools/list', async () => {
  const provider = new ScriptedPublicClient('reader@example.com');
  const transport = new V1Transport(new URL(server.url), { authProvider: provider });
  const client = new V1Client({ name: 'oauth-interop-code', version: '1.0.0' });
  await assert.rejects(client.connect(transport), /Unauthorized/);
  const back = provider.callback;
  assert.ok(back !== undefined, 'the person was sent to the sign-in page');
  assert.equal(back.searchParams.get('state'), 'scripted-state');
  assert.equal(back.searchParams.get('iss'), server.issuer.issuer);
  await transport.finishAuth(back.searchParams.get('code') ?? '');
  const token = provider.tokens()?.access_token ?? '';
  assert.deepEqual([payloadOf(token)['sub'], payloadOf(token)['cid']], ['reader@example.com', 'dev-public']);
  const connected = new V1Client({ name: 'oauth-interop-code', version: '1.0.0' });
  await connected.connect(new V1Transport(new URL(server.url), { authProvider: provider }));
  try {
    assert.ok(toolNames(await connected.listTools()).includes('list_incidents'));
  } finally {
    await connected.close();
  }
});
