/**
 * The whole OAuth flow with the official SDK clients (issue 14), against the real incident server
 * and the development issuer on port 0. Each client starts from a bare 401 with no token, reads the
 * Protected Resource Metadata and the issuer's discovery, gets a token, then lists tools, calls
 * list_incidents, reads incidents://1 and gets triage_incidents:
 * (a) client credentials with SDK v1's and v2's ClientCredentialsProvider;
 * (b) authorization code + PKCE with an OAuthClientProvider for the public client, the sign-in
 *     page driven by a scripted form post (helpers/dev-oauth.ts), the callback handed to finishAuth.
 * SDK v1 (@modelcontextprotocol/sdk) speaks 2025-11-25; SDK v2 (@modelcontextprotocol/client) runs
 * in its default legacy negotiation and pinned to 2026-07-28. The wire is recorded and every message
 * the server sends checked against its era's schema. The 403 step-up is oauth-step-up.test.ts's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ClientCredentialsProvider as V2ClientCredentials, Client as V2Client, OAuthError as V2OAuthError, StreamableHTTPClientTransport as V2Transport, UnauthorizedError as V2Unauthorized,
  type OAuthClientProvider as V2Provider, type OAuthDiscoveryState as V2Discovery, type StoredOAuthTokens as V2Tokens,
} from '@modelcontextprotocol/client';
import { ClientCredentialsProvider as V1ClientCredentials } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { UnauthorizedError as V1Unauthorized, type OAuthClientProvider as V1Provider, type OAuthDiscoveryState as V1Discovery } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InvalidGrantError as V1InvalidGrant } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { OAuthTokens as V1Tokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { ScriptedPublicClient, pkce } from '../helpers/dev-oauth.ts';
import { payloadOf } from '../helpers/issuer.ts';
import { assertServerMessage } from '../helpers/schema.ts';
import { assertModernServerMessage } from '../helpers/schema-modern.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { recordingFetch, type RecordingFetch, type WireExchange } from './recording-fetch.ts';

const LEGACY = '2025-11-25';
const MODERN = '2026-07-28';
const VERSION_META = 'io.modelcontextprotocol/protocolVersion';

/** What the tests use of either SDK's Client. */
interface Calls {
  listTools(): Promise<{ tools: Array<{ name: string }> }>;
  callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<Record<string, unknown>>;
  readResource(params: { uri: string }): Promise<{ contents: Array<{ uri: string; text?: string | undefined }> }>;
  getPrompt(params: { name: string; arguments?: Record<string, string> }): Promise<{ messages: unknown[] }>;
  close(): Promise<void>;
}

interface Connection {
  readonly client: Calls;
  readonly wire: RecordingFetch;
  connect(): Promise<void>;
  /** finishAuth with the redirect back to the client, as each SDK takes it (v2: all of it, so `iss` is checked). */
  finish(callback: URL): Promise<void>;
  protocolVersion(): string | undefined;
}

type Scripted = ScriptedPublicClient<{ access_token: string }, unknown>;

interface Flavor {
  readonly title: string;
  readonly era: typeof LEGACY | typeof MODERN;
  /** The error the SDK throws once it has sent the person to the sign-in page. */
  readonly Unauthorized: abstract new (...args: never[]) => Error;
  /** Whether `error` is the SDK's invalid_grant from the token endpoint (RFC 6749 §5.2). */
  invalidGrant(error: unknown): boolean;
  /** The scope the SDK's ClientCredentialsProvider asks for, given SCOPES and the 401's scope="incidents:read". */
  readonly credentialsScope: readonly string[];
  /** The public client signing in as `login`; `open()` makes a new client and transport on it each time. */
  code(server: TestServer, login: string, redirectUri?: string): { provider: Scripted; open(): Connection };
  /** The SDK's ClientCredentialsProvider for dev-client, and its current access token. */
  credentials(server: TestServer): { connection: Connection; token(): string };
}

/** Every message the server sent on the MCP endpoint is valid against its era's schema (OAuth endpoints carry no JSON-RPC method). */
function checkMessage(message: unknown, exchange: WireExchange): void {
  if (exchange.method === undefined) return;
  if (exchange.meta?.[VERSION_META] === undefined) assertServerMessage(message, exchange.method);
  else assertModernServerMessage(message, exchange.method);
}

function v1Connection(server: TestServer, authProvider: V1Provider): Connection {
  const wire = recordingFetch(checkMessage);
  const transport = new V1Transport(new URL(server.url), { authProvider, fetch: wire.fetch });
  const client = new V1Client({ name: 'oauth-interop-v1', version: '1.0.0' });
  return { client, wire, connect: () => client.connect(transport), finish: (back) => transport.finishAuth(back.searchParams.get('code') ?? ''), protocolVersion: () => transport.protocolVersion };
}

function v2Connection(server: TestServer, era: Flavor['era'], authProvider: V2Provider): Connection {
  const wire = recordingFetch(checkMessage);
  const transport = new V2Transport(new URL(server.url), { authProvider, fetch: wire.fetch });
  // Default negotiation stays legacy; pinning 2026-07-28 makes every request a modern one.
  const client = new V2Client({ name: 'oauth-interop-v2', version: '1.0.0' }, era === LEGACY ? { capabilities: {} } : { capabilities: {}, versionNegotiation: { mode: { pin: era } } });
  return { client, wire, connect: () => client.connect(transport), finish: (back) => transport.finishAuth(back.searchParams), protocolVersion: () => transport.protocolVersion };
}

const SCOPES = 'incidents:read incidents:write';

const FLAVORS: readonly Flavor[] = [
  {
    title: 'SDK v1',
    era: LEGACY,
    Unauthorized: V1Unauthorized,
    invalidGrant: (error) => error instanceof V1InvalidGrant,
    // v1's provider sends the scope it was configured with.
    credentialsScope: ['incidents:read', 'incidents:write'],
    code(server, login, redirectUri) {
      const provider = new ScriptedPublicClient<V1Tokens, V1Discovery>(login, redirectUri);
      return { provider, open: () => v1Connection(server, provider) };
    },
    credentials(server) {
      const provider = new V1ClientCredentials({ clientId: 'dev-client', clientSecret: 'dev-secret', expectedIssuer: server.issuer.issuer, scope: SCOPES });
      return { connection: v1Connection(server, provider), token: () => provider.tokens()?.access_token ?? '' };
    },
  },
  ...([LEGACY, MODERN] as const).map((era): Flavor => ({
    title: `SDK v2 (${era === LEGACY ? 'default negotiation' : `pinned to ${MODERN}`})`,
    era,
    Unauthorized: V2Unauthorized,
    invalidGrant: (error) => error instanceof V2OAuthError && error.code === 'invalid_grant',
    // SEP-835: v2 asks for the scope the 401 challenge names, not the one it was configured with.
    credentialsScope: ['incidents:read'],
    code(server, login, redirectUri) {
      const provider = new ScriptedPublicClient<V2Tokens, V2Discovery>(login, redirectUri);
      return { provider, open: () => v2Connection(server, era, provider) };
    },
    credentials(server) {
      const provider = new V2ClientCredentials({ clientId: 'dev-client', clientSecret: 'dev-secret', expectedIssuer: server.issuer.issuer, scope: SCOPES });
      return { connection: v2Connection(server, era, provider), token: () => provider.tokens()?.access_token ?? '' };
    },
  })),
];

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

/** The first request reached the server with no credentials at all and met the 401 challenge. */
async function assertBare401(wire: RecordingFetch, era: Flavor['era']): Promise<void> {
  await wire.settled();
  const [first] = wire.exchanges;
  assert.equal(first?.method, era === LEGACY ? 'initialize' : 'server/discover', wire.summary());
  assert.deepEqual([first.http, first.status, first.headers.authorization], ['POST', 401, undefined]);
}

/** tools/list, list_incidents, incidents://1 and triage_incidents, in the connection's era, each 200 and schema-valid on the wire. */
async function exercise(c: Connection, era: Flavor['era']): Promise<void> {
  assert.equal(c.protocolVersion(), era);
  assert.deepEqual((await c.client.listTools()).tools.map((t) => t.name).sort(), ['create_incident', 'list_incidents', 'update_incident']);
  const listed = await c.client.callTool({ name: 'list_incidents', arguments: { status: 'open' } });
  assert.equal(listed['isError'], undefined);
  assert.match(JSON.stringify(listed['content']), /Database connection pool exhausted/);
  const read = await c.client.readResource({ uri: 'incidents://1' });
  assert.equal(read.contents[0]?.uri, 'incidents://1');
  assert.equal((JSON.parse(read.contents[0]?.text ?? '{}') as { id?: string }).id, '1');
  const prompt = await c.client.getPrompt({ name: 'triage_incidents', arguments: { focus: 'severity' } });
  assert.ok(prompt.messages.length > 0);
  await c.wire.settled();
  assert.deepEqual(c.wire.problems, [], 'every server message is valid against its era\'s schema');
  for (const method of ['tools/list', 'tools/call', 'resources/read', 'prompts/get']) {
    const [exchange] = c.wire.of(method);
    assert.equal(exchange?.status, 200, `${method}\n${c.wire.summary()}`);
    assert.ok(exchange.replies.length > 0, `${method}: the reply was read and checked`);
    assert.equal(exchange.meta?.[VERSION_META], era === MODERN ? MODERN : undefined, `${method}: the era of the request`);
    assert.match(exchange.headers.authorization ?? '', /^Bearer /);
  }
}

for (const flavor of FLAVORS) {
  describe(`${flavor.title}, ${flavor.era}`, () => {
    test('RFC 6749 §4.4 + MCP authorization: ClientCredentialsProvider goes from a bare 401 to tools, resources and prompts', async () => {
      const { connection, token } = flavor.credentials(server);
      await connection.connect();
      try {
        await assertBare401(connection.wire, flavor.era);
        const claims = payloadOf(token());
        assert.deepEqual([claims['sub'], claims['cid'], claims['scp']], ['dev-client', 'dev-client', flavor.credentialsScope]);
        await exercise(connection, flavor.era);
      } finally {
        await connection.client.close();
      }
    });

    test('RFC 6749 §4.1 + RFC 7636 + RFC 9207: authorization code + PKCE through the sign-in page (scripted form post), then tools, resources and prompts', async () => {
      const { provider, open } = flavor.code(server, 'reader@example.com');
      const first = open();
      // MCP authorization: the SDK sends the person to the authorization endpoint and stops with UnauthorizedError.
      await assert.rejects(first.connect(), flavor.Unauthorized);
      await assertBare401(first.wire, flavor.era);
      assert.equal(provider.trips.length, 1, 'the person was sent to the sign-in page once');
      const asked = provider.trips[0]?.authorize.searchParams;
      // RFC 8707 resource = the PRM's resource; the scope is the 401's (v2 adds offline_access, which discovery lists).
      assert.deepEqual([asked?.get('client_id'), asked?.get('code_challenge_method'), asked?.get('resource')], ['dev-public', 'S256', server.url]);
      const back = provider.lastCallback();
      // The SDKs leave `state` to the application (RFC 6749 §10.12): checked here, as an app would.
      assert.deepEqual([back.searchParams.get('state'), back.searchParams.get('iss')], ['scripted-state', server.issuer.issuer]);
      await first.finish(back);
      await first.client.close();
      const claims = payloadOf(provider.tokens()?.access_token ?? '');
      assert.deepEqual([claims['sub'], claims['cid']], ['reader@example.com', 'dev-public']);
      assert.ok((claims['scp'] as string[]).includes('incidents:read'));
      const connection = open();
      await connection.connect();
      try {
        assert.equal(provider.trips.length, 1, 'a new client on the stored token needs no second sign-in');
        await exercise(connection, flavor.era);
      } finally {
        await connection.client.close();
      }
    });

    test('RFC 7636 §4.6 at the SDK: a wrong code_verifier makes finishAuth fail with invalid_grant and stores no token', async () => {
      const { provider, open } = flavor.code(server, 'ada@example.com');
      const c = open();
      await assert.rejects(c.connect(), flavor.Unauthorized);
      provider.verifierOverride = pkce().verifier;
      await assert.rejects(c.finish(provider.lastCallback()), flavor.invalidGrant);
      assert.deepEqual([provider.tokens(), provider.invalidated], [undefined, ['tokens']]);
      await c.client.close();
    });

    test('RFC 6749 §4.1.2 at the SDK: finishAuth with a code already redeemed fails with invalid_grant, and the SDK drops the stored tokens', async () => {
      const { provider, open } = flavor.code(server, 'ada@example.com');
      const c = open();
      await assert.rejects(c.connect(), flavor.Unauthorized);
      await c.finish(provider.lastCallback());
      const token = provider.tokens()?.access_token;
      assert.ok(token !== undefined);
      await assert.rejects(c.finish(provider.lastCallback()), flavor.invalidGrant);
      assert.deepEqual(provider.invalidated, ['tokens']);
      assert.equal(provider.tokens(), undefined);
      await c.client.close();
    });

    test('RFC 6749 §4.1.2.1 at the SDK: a client whose redirect URI is not registered is stopped on the issuer\'s page, never redirected', async () => {
      const { provider, open } = flavor.code(server, 'ada@example.com', 'https://evil.example/oauth/callback');
      const c = open();
      await assert.rejects(c.connect(), flavor.Unauthorized);
      const [trip] = provider.trips;
      assert.equal(trip?.authorize.searchParams.get('redirect_uri'), 'https://evil.example/oauth/callback');
      assert.deepEqual([trip.callback, trip.refused?.status], [undefined, 400]);
      assert.match(trip.refused?.text ?? '', /redirect_uri is not registered for this client/);
      assert.equal(provider.tokens(), undefined);
      await c.client.close();
    });
  });
}
