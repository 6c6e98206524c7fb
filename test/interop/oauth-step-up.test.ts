/**
 * The 403 scope step-up with the official SDK clients (issue 14; MCP basic/authorization.mdx
 * "Runtime Insufficient Scope Errors", RFC 6750 §3.1), against the real server and the development
 * issuer on port 0. A person signs in through the scripted sign-in page (helpers/dev-oauth.ts) with
 * the scope the 401 names (incidents:read), then calls create_incident: the server answers 403
 * insufficient_scope naming "incidents:read incidents:write" (what the token has that still applies,
 * plus what the call needs).
 *
 * What both SDKs do with it (SDK v1 1.32.2, SDK v2 2.4.0, in both eras): the transport runs its auth
 * flow again with the widened scope (v1: the challenge's scope; v2: the union of what it asked, what
 * it holds and what the challenge names, forcing a new authorization over a refresh because a
 * refresh cannot widen, RFC 6749 §6), which for a public client sends the person to the sign-in page
 * and then fails the call with UnauthorizedError. Neither can finish an interactive step-up on its
 * own: the application takes the redirect back, calls the transport's finishAuth and repeats the
 * call on the same client, as it does after the first sign-in. That is what these tests do.
 * A user who may not have incidents:write (reader@example.com) gets a token without it: SDK v1 then
 * refuses the repeated call with StreamableHTTPError 403 "after trying upscoping"; SDK v2 sends the
 * person to the page again and fails with UnauthorizedError each time, so a host that wants to stop
 * asking sets onInsufficientScope: 'throw' and gets an InsufficientScopeError naming the scope.
 * With client credentials there is nobody to ask: SDK v2 gets the widened token and repeats the call
 * itself; SDK v1's provider asks again for the scope it was configured with and gives up with 403.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ClientCredentialsProvider as V2ClientCredentials, Client as V2Client, InsufficientScopeError, StreamableHTTPClientTransport as V2Transport, UnauthorizedError as V2Unauthorized,
  type OAuthClientProvider as V2Provider, type OAuthDiscoveryState as V2Discovery, type StoredOAuthTokens as V2Tokens,
} from '@modelcontextprotocol/client';
import { ClientCredentialsProvider as V1ClientCredentials } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { UnauthorizedError as V1Unauthorized, type OAuthDiscoveryState as V1Discovery } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthTokens as V1Tokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { ScriptedPublicClient } from '../helpers/dev-oauth.ts';
import { payloadOf } from '../helpers/issuer.ts';
import { assertServerMessage } from '../helpers/schema.ts';
import { assertModernServerMessage } from '../helpers/schema-modern.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { recordingFetch, type RecordingFetch, type WireExchange } from './recording-fetch.ts';

const LEGACY = '2025-11-25';
const MODERN = '2026-07-28';
const VERSION_META = 'io.modelcontextprotocol/protocolVersion';
const CREATE = { name: 'create_incident', arguments: { title: 'Disk full on db-2', severity: 'high' } };

interface Connection {
  readonly client: {
    connect(): Promise<void>;
    callTool(params: typeof CREATE | { name: string; arguments: Record<string, unknown> }): Promise<Record<string, unknown>>;
    close(): Promise<void>;
  };
  readonly wire: RecordingFetch;
  finish(callback: URL): Promise<void>;
}

type Scripted = ScriptedPublicClient<{ access_token: string }, unknown>;

interface Flavor {
  readonly title: string;
  readonly era: typeof LEGACY | typeof MODERN;
  readonly Unauthorized: abstract new (...args: never[]) => Error;
  /** The scope of the first authorization request: the 401's, plus offline_access for v2 (discovery lists it, the client may refresh). */
  readonly firstScope: string;
  /** The scope of the step-up authorization request. */
  readonly stepUpScope: string;
  /** How the SDK refuses the repeated create once the new token still lacks incidents:write, and whether it sent the person to the page again. */
  readonly refusedAgain: { readonly error: (error: unknown) => boolean; readonly newTrip: boolean };
  code(server: TestServer, login: string): { provider: Scripted; open(): Connection };
}

function checkMessage(message: unknown, exchange: WireExchange): void {
  if (exchange.method === undefined) return;
  if (exchange.meta?.[VERSION_META] === undefined) assertServerMessage(message, exchange.method);
  else assertModernServerMessage(message, exchange.method);
}

function v2Connection(server: TestServer, era: Flavor['era'], authProvider: V2Provider, onInsufficientScope?: 'throw'): Connection {
  const wire = recordingFetch(checkMessage);
  const transport = new V2Transport(new URL(server.url), { authProvider, fetch: wire.fetch, ...(onInsufficientScope === undefined ? {} : { onInsufficientScope }) });
  const client = new V2Client({ name: 'oauth-step-up-v2', version: '1.0.0' }, era === LEGACY ? { capabilities: {} } : { capabilities: {}, versionNegotiation: { mode: { pin: era } } });
  return { client: { connect: () => client.connect(transport), callTool: (p) => client.callTool(p), close: () => client.close() }, wire, finish: (back) => transport.finishAuth(back.searchParams) };
}

const FLAVORS: readonly Flavor[] = [
  {
    title: 'SDK v1',
    era: LEGACY,
    Unauthorized: V1Unauthorized,
    firstScope: 'incidents:read',
    stepUpScope: 'incidents:read incidents:write',
    refusedAgain: { error: (error) => error instanceof StreamableHTTPError && error.code === 403 && /after trying upscoping/.test(error.message), newTrip: false },
    code(server, login) {
      const provider = new ScriptedPublicClient<V1Tokens, V1Discovery>(login);
      return {
        provider,
        open() {
          const wire = recordingFetch(checkMessage);
          const transport = new V1Transport(new URL(server.url), { authProvider: provider, fetch: wire.fetch });
          const client = new V1Client({ name: 'oauth-step-up-v1', version: '1.0.0' });
          return { client: { connect: () => client.connect(transport), callTool: (p) => client.callTool(p), close: () => client.close() }, wire, finish: (back) => transport.finishAuth(back.searchParams.get('code') ?? '') };
        },
      };
    },
  },
  ...([LEGACY, MODERN] as const).map((era): Flavor => ({
    title: `SDK v2 (${era === LEGACY ? 'default negotiation' : `pinned to ${MODERN}`})`,
    era,
    Unauthorized: V2Unauthorized,
    firstScope: 'incidents:read offline_access',
    stepUpScope: 'incidents:read offline_access incidents:write',
    refusedAgain: { error: (error) => error instanceof V2Unauthorized, newTrip: true },
    code(server, login) {
      const provider = new ScriptedPublicClient<V2Tokens, V2Discovery>(login);
      return { provider, open: () => v2Connection(server, era, provider) };
    },
  })),
];

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const scopeOf = (provider: Scripted): unknown => payloadOf(provider.tokens()?.access_token ?? '')['scp'];
const askedScope = (provider: Scripted, trip: number): string | null | undefined => provider.trips[trip]?.authorize.searchParams.get('scope');

/** Signs `login` in with the 401's scope (first trip to the page), then connects a new client on the token. */
async function signedIn(flavor: Flavor, login: string): Promise<{ provider: Scripted; c: Connection }> {
  const { provider, open } = flavor.code(server, login);
  const first = open();
  await assert.rejects(first.client.connect(), flavor.Unauthorized);
  assert.equal(askedScope(provider, 0), flavor.firstScope);
  await first.finish(provider.lastCallback());
  await first.client.close();
  const c = open();
  await c.client.connect();
  return { provider, c };
}

/** The create met 403 insufficient_scope on the wire, and the server's refusal is valid for the era. */
async function assert403(c: Connection, index: number): Promise<void> {
  await c.wire.settled();
  const exchange = c.wire.of('tools/call')[index];
  assert.equal(exchange?.status, 403, c.wire.summary());
  assert.equal(exchange.replies.length, 1, 'the refusal carries a JSON-RPC error, checked against the era\'s schema');
  assert.deepEqual(c.wire.problems, []);
}

for (const flavor of FLAVORS) {
  describe(`${flavor.title}, ${flavor.era}`, () => {
    test('MCP authorization step-up: a user token with incidents:read meets 403 insufficient_scope on create, is widened through the sign-in page, and the create succeeds', async () => {
      const { provider, c } = await signedIn(flavor, 'ada@example.com');
      try {
        assert.equal((scopeOf(provider) as string[]).includes('incidents:write'), false);
        // The SDK re-authorizes with the widened scope (the person goes to the page), then fails the call.
        await assert.rejects(c.client.callTool(CREATE), flavor.Unauthorized);
        await assert403(c, 0);
        assert.equal(provider.trips.length, 2);
        assert.equal(askedScope(provider, 1), flavor.stepUpScope);
        // The application finishes the sign-in on the same transport and repeats the call.
        await c.finish(provider.lastCallback());
        assert.deepEqual(payloadOf(provider.tokens()?.access_token ?? '')['sub'], 'ada@example.com');
        assert.deepEqual(scopeOf(provider), flavor.stepUpScope.split(' '));
        const created = await c.client.callTool(CREATE);
        assert.equal(created['isError'], undefined);
        assert.match(JSON.stringify(created['content']), /Created incident #\d+ \\"Disk full on db-2\\" \(high, open\)/);
        // The widened token still reads (the union was asked for), with no further sign-in.
        const listed = await c.client.callTool({ name: 'list_incidents', arguments: { query: 'Disk full' } });
        assert.equal(listed['isError'], undefined);
        assert.equal(provider.trips.length, 2);
        await c.wire.settled();
        const calls = c.wire.of('tools/call');
        assert.deepEqual(calls.map((e) => e.status), [403, 200, 200]);
        // 2025-11-25: the session outlives the new token (same issuer, sub and client); 2026-07-28 has none.
        assert.equal(new Set(calls.map((e) => e.headers['mcp-session-id'])).size, 1);
        assert.equal(calls[0]?.headers['mcp-session-id'] === undefined, flavor.era === MODERN);
        assert.deepEqual(c.wire.problems, [], 'every server message is valid against its era\'s schema');
      } finally {
        await c.client.close();
      }
    });

    test('MCP authorization step-up: a read-only user (reader@example.com) cannot widen; the create stays refused and reading still works', async () => {
      const { provider, c } = await signedIn(flavor, 'reader@example.com');
      try {
        await assert.rejects(c.client.callTool(CREATE), flavor.Unauthorized);
        assert.equal(askedScope(provider, 1), flavor.stepUpScope);
        // Okta access policy: the page grants what the user may have of what was asked; incidents:write is not among it.
        await c.finish(provider.lastCallback());
        assert.deepEqual(scopeOf(provider), flavor.stepUpScope.split(' ').filter((s) => s !== 'incidents:write'));
        await assert.rejects(c.client.callTool(CREATE), flavor.refusedAgain.error);
        assert.equal(provider.trips.length, flavor.refusedAgain.newTrip ? 3 : 2);
        await assert403(c, 1);
        const listed = await c.client.callTool({ name: 'list_incidents', arguments: {} });
        assert.equal(listed['isError'], undefined);
      } finally {
        await c.client.close();
      }
    });
  });
}

test('SDK v2 onInsufficientScope "throw": a host that gates the consent prompt gets InsufficientScopeError naming the scope, and nobody is sent to the page', async () => {
  const provider = new ScriptedPublicClient<V2Tokens, V2Discovery>('reader@example.com');
  const first = v2Connection(server, LEGACY, provider);
  await assert.rejects(first.client.connect(), V2Unauthorized);
  await first.finish(provider.lastCallback());
  await first.client.close();
  for (const era of [LEGACY, MODERN] as const) {
    const c = v2Connection(server, era, provider, 'throw');
    await c.client.connect();
    try {
      await assert.rejects(c.client.callTool(CREATE), (error: unknown) => {
        assert.ok(error instanceof InsufficientScopeError, String(error));
        assert.deepEqual([error.requiredScope, error.errorDescription], ['incidents:read incidents:write', 'This request needs incidents:write']);
        assert.equal(error.resourceMetadataUrl?.href, new URL('/.well-known/oauth-protected-resource/mcp', server.url).href);
        return true;
      });
      assert.equal(provider.trips.length, 1);
      await assert403(c, 0);
    } finally {
      await c.client.close();
    }
  }
});

test('MCP authorization step-up, client credentials: SDK v2 widens on its own (one call, 403 then 200); SDK v1 asks again for its configured scope and gives up with 403', async () => {
  for (const era of [LEGACY, MODERN] as const) {
    const provider = new V2ClientCredentials({ clientId: 'dev-client', clientSecret: 'dev-secret', expectedIssuer: server.issuer.issuer, scope: 'incidents:read' });
    const c = v2Connection(server, era, provider);
    await c.client.connect();
    try {
      assert.deepEqual(payloadOf(provider.tokens()?.access_token ?? '')['scp'], ['incidents:read']);
      const created = await c.client.callTool(CREATE);
      assert.equal(created['isError'], undefined);
      assert.deepEqual(payloadOf(provider.tokens()?.access_token ?? '')['scp'], ['incidents:read', 'incidents:write']);
      await c.wire.settled();
      assert.deepEqual(c.wire.of('tools/call').map((e) => e.status), [403, 200], era);
      assert.deepEqual(c.wire.problems, []);
    } finally {
      await c.client.close();
    }
  }
  const provider = new V1ClientCredentials({ clientId: 'dev-client', clientSecret: 'dev-secret', expectedIssuer: server.issuer.issuer, scope: 'incidents:read' });
  const wire = recordingFetch(checkMessage);
  const client = new V1Client({ name: 'oauth-step-up-v1', version: '1.0.0' });
  await client.connect(new V1Transport(new URL(server.url), { authProvider: provider, fetch: wire.fetch }));
  try {
    // v1's ClientCredentialsProvider sends clientMetadata.scope, never the challenge's: the new token is as narrow as the old.
    await assert.rejects(client.callTool(CREATE), (error: unknown) => error instanceof StreamableHTTPError && error.code === 403 && /after trying upscoping/.test(error.message));
    assert.deepEqual(payloadOf(provider.tokens()?.access_token ?? '')['scp'], ['incidents:read']);
    await wire.settled();
    assert.deepEqual(wire.of('tools/call').map((e) => e.status), [403, 403]);
    assert.deepEqual(wire.problems, []);
  } finally {
    await client.close();
  }
});
