/**
 * Interoperability with the official MCP TypeScript SDK v2 client (`@modelcontextprotocol/client`,
 * a devDependency only) against the real incident server on port 0, in the client's three
 * negotiation modes (ClientOptions.versionNegotiation.mode):
 *
 * - default (`'legacy'`): a plain 2025 `initialize` offering 2025-11-25, a session, no probe;
 * - `'auto'`: a `server/discover` probe first, falling back to `initialize` silently on anything
 *   that is not a usable DiscoverResult — so here the test asserts that no fallback happened;
 * - `{ pin: '2026-07-28' }`: the probe must offer 2026-07-28; no fallback at all.
 *
 * Every tool, resource, template, prompt and completion in each mode. A recording fetch
 * (recording-fetch.ts) keeps the wire exchanges, so the tests also assert what the SDK sent
 * (methods, MCP-Protocol-Version / Mcp-Method / Mcp-Name headers, `_meta`) and what the server
 * answered before the SDK parsed it (resultType, ttlMs, cacheScope, `_meta` serverInfo on
 * 2026-07-28; none of those on 2025-11-25, whose messages are checked against its schema).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  Client, ProtocolError, ResourceNotFoundError, StreamableHTTPClientTransport, type VersionNegotiationOptions,
} from '@modelcontextprotocol/client';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertServerMessage } from '../helpers/schema.ts';
import { assertModernServerMessage } from '../helpers/schema-modern.ts';
import { recordingFetch, type RecordingFetch, type WireExchange } from './recording-fetch.ts';

const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
} as const;
/** The results that carry ttlMs and cacheScope on 2026-07-28 (caching.mdx "Cacheable Results"). */
const CACHEABLE = new Set(['server/discover', 'tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read']);

interface Mode {
  title: string;
  negotiation: VersionNegotiationOptions | undefined;
  era: 'legacy' | 'modern';
}

const MODES: Mode[] = [
  { title: 'default mode (legacy)', negotiation: undefined, era: 'legacy' },
  { title: "mode 'auto'", negotiation: { mode: 'auto' }, era: 'modern' },
  { title: `mode { pin: '${MODERN}' }`, negotiation: { mode: { pin: MODERN } }, era: 'modern' },
];

interface Connection {
  client: Client;
  transport: StreamableHTTPClientTransport;
  wire: RecordingFetch;
  /** Settles when connect() does; rejects with its error, annotated with the wire so far. */
  ready: Promise<void>;
}

/**
 * Checks each message the server sent: a JSON-RPC error never has `"id": null` in reply to a
 * request; every message is valid against its era's schema (2025-11-25 or 2026-07-28).
 */
function checkMessage(message: unknown, exchange: WireExchange): void {
  const m = message as { id?: unknown; error?: unknown };
  if (exchange.method !== undefined && (exchange.body as { id?: unknown }).id !== undefined && m.error !== undefined) {
    assert.notEqual(m.id, null, `${exchange.method}: an error answering a request must carry its id`);
  }
  if (exchange.meta?.[META.protocolVersion] === undefined) assertServerMessage(message, exchange.method);
  else assertModernServerMessage(message, exchange.method);
}

async function connect(server: TestServer, mode: Mode): Promise<Connection> {
  const wire = recordingFetch(checkMessage);
  const transport = new StreamableHTTPClientTransport(new URL(server.url), {
    fetch: wire.fetch,
    requestInit: { headers: { Authorization: `Bearer ${await server.token()}` } },
  });
  const client = new Client(
    { name: 'sdk-v2-interop-test', version: '1.0.0' },
    mode.negotiation === undefined ? { capabilities: {} } : { capabilities: {}, versionNegotiation: mode.negotiation },
  );
  const ready = client.connect(transport).catch(async (error: unknown) => {
    await wire.settled();
    const probe = wire.of('server/discover')[0];
    throw new Error(
      `connect() failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n` +
        `wire:\n${wire.summary()}${probe === undefined ? '' : `\nprobe reply: ${probe.status} ${probe.text ?? ''}`}`,
      { cause: error },
    );
  });
  ready.catch(() => {}); // each test awaits it; an unobserved rejection must not end the run
  return { client, transport, wire, ready };
}

function textOf(result: { content?: unknown }): string {
  const [first] = (result.content ?? []) as Array<{ type: string; text?: string }>;
  assert.equal(first?.type, 'text');
  return first.text ?? '';
}

function isProtocolError(code: number) {
  return (error: unknown) => {
    assert.ok(error instanceof ProtocolError, `expected a ProtocolError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

for (const mode of MODES) {
  describe(`the official SDK v2 client (${mode.title})`, () => {
    const modern = mode.era === 'modern';
    let server: TestServer;
    let c: Connection;

    /** The last result the server sent for `method`, checked for this era's result shape. */
    async function wireResult(method: string): Promise<Record<string, unknown>> {
      await c.wire.settled();
      const result = c.wire.lastResult(method);
      if (modern) {
        assert.equal(result.resultType, 'complete', `${method}: every 2026-07-28 result has resultType "complete"`);
        const serverInfo = (result._meta as Record<string, unknown> | undefined)?.[META.serverInfo] as { name?: string } | undefined;
        assert.equal(serverInfo?.name, 'incident-mcp-server', `${method}: _meta["${META.serverInfo}"]`);
        if (CACHEABLE.has(method)) {
          assert.ok(Number.isInteger(result.ttlMs) && (result.ttlMs as number) >= 0, `${method}: ttlMs must be an integer >= 0, got ${String(result.ttlMs)}`);
          assert.ok(result.cacheScope === 'public' || result.cacheScope === 'private', `${method}: cacheScope, got ${String(result.cacheScope)}`);
        }
      } else {
        for (const field of ['resultType', 'ttlMs', 'cacheScope']) assert.ok(!(field in result), `${method}: no 2026 field ${field} on a legacy result`);
      }
      return result;
    }

    before(async () => {
      server = await startTestServer();
      c = await connect(server, mode);
    });

    after(async () => {
      await c.ready.catch(() => {});
      await c.transport.terminateSession().catch(() => {});
      await c.client.close();
      await server.close();
    });

    if (modern) {
      test(`settles on ${MODERN} through server/discover, with no fallback to initialize`, async () => {
        await c.ready;
        await c.wire.settled();
        const [probe] = c.wire.exchanges;
        assert.equal(probe?.method, 'server/discover', `the first request must be the probe; wire:\n${c.wire.summary()}`);
        assert.equal(c.wire.of('initialize').length, 0, `fallback to legacy happened (probe answered ${probe?.status}: ${probe?.text ?? ''}); wire:\n${c.wire.summary()}`);
        assert.equal(c.client.getProtocolEra(), 'modern');
        assert.equal(c.client.getNegotiatedProtocolVersion(), MODERN);
        assert.ok(c.client.getDiscoverResult()?.supportedVersions.includes(MODERN));
        assert.equal(c.transport.sessionId, undefined, 'no session on 2026-07-28');
      });

      test('sent the probe with the 2026 headers and the full _meta envelope, and got a cacheable DiscoverResult', async () => {
        await c.ready;
        const [probe] = c.wire.of('server/discover');
        assert.ok(probe);
        assert.equal((probe.body as { id?: unknown }).id, 'server-discover-probe-1');
        assert.equal(probe.headers['mcp-protocol-version'], MODERN);
        assert.equal(probe.headers['mcp-method'], 'server/discover');
        assert.match(probe.headers.authorization ?? '', /^Bearer /);
        assert.equal(probe.headers['mcp-session-id'], undefined);
        assert.equal(probe.meta?.[META.protocolVersion], MODERN);
        assert.deepEqual(probe.meta?.[META.clientInfo], { name: 'sdk-v2-interop-test', version: '1.0.0' });
        assert.deepEqual(probe.meta?.[META.clientCapabilities], {});
        await c.wire.settled();
        assert.equal(probe.status, 200, `the probe must be answered 200, got ${probe.status}: ${probe.text ?? ''}`);
        const discover = await wireResult('server/discover');
        assert.ok((discover.supportedVersions as string[]).includes(MODERN), JSON.stringify(discover));
      });
    } else {
      test(`negotiates ${LEGACY} with initialize and a session, with no probe`, async () => {
        await c.ready;
        const [init, initialized] = c.wire.exchanges;
        assert.equal(init?.method, 'initialize', c.wire.summary());
        assert.equal((init.body as { params: { protocolVersion: string } }).params.protocolVersion, LEGACY);
        assert.equal(initialized?.method, 'notifications/initialized');
        assert.equal(c.wire.of('server/discover').length, 0, c.wire.summary());
        assert.equal(c.client.getProtocolEra(), 'legacy');
        assert.equal(c.client.getNegotiatedProtocolVersion(), LEGACY);
        assert.equal(c.client.getDiscoverResult(), undefined);
        assert.ok(c.transport.sessionId, 'initialize returned MCP-Session-Id');
        const result = await wireResult('initialize');
        assert.equal(result.protocolVersion, LEGACY);
      });
    }

    test("sees the server's identity, instructions and capabilities", async () => {
      await c.ready;
      assert.equal(c.client.getServerVersion()?.name, 'incident-mcp-server');
      assert.match(c.client.getInstructions() ?? '', /incidents/);
      const capabilities = c.client.getServerCapabilities();
      assert.ok(capabilities?.tools && capabilities.prompts && capabilities.resources && capabilities.completions, JSON.stringify(capabilities));
    });

    test('lists the three tools with their schemas', async () => {
      await c.ready;
      const { tools } = await c.client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ['create_incident', 'list_incidents', 'update_incident']);
      for (const tool of tools) assert.equal(tool.inputSchema.type, 'object');
      const wire = await wireResult('tools/list');
      assert.equal((wire.tools as unknown[]).length, 3);
    });

    test('list_incidents filters by status and pages with a cursor', async () => {
      await c.ready;
      const first = await c.client.callTool({ name: 'list_incidents', arguments: { status: 'open', limit: 1 } });
      assert.notEqual(first.isError, true, textOf(first));
      const page1 = first.structuredContent as { incidents: Array<{ id: string; status: string }>; nextCursor?: string };
      assert.equal(page1.incidents.length, 1);
      assert.ok(page1.nextCursor, textOf(first));
      await wireResult('tools/call');

      const second = await c.client.callTool({ name: 'list_incidents', arguments: { status: 'open', limit: 1, cursor: page1.nextCursor } });
      const page2 = second.structuredContent as { incidents: Array<{ id: string; status: string }>; nextCursor?: string };
      assert.equal(page2.nextCursor, undefined);
      assert.deepEqual([...page1.incidents, ...page2.incidents].map((i) => i.id).sort(), ['1', '3']);
      assert.ok([...page1.incidents, ...page2.incidents].every((i) => i.status === 'open'));

      const bySeverity = await c.client.callTool({ name: 'list_incidents', arguments: { severity: 'critical' } });
      assert.deepEqual((bySeverity.structuredContent as { incidents: Array<{ id: string }> }).incidents.map((i) => i.id), ['1']);
      const byQuery = await c.client.callTool({ name: 'list_incidents', arguments: { query: 'WEBHOOK' } });
      assert.deepEqual((byQuery.structuredContent as { incidents: Array<{ id: string }> }).incidents.map((i) => i.id), ['3']);
    });

    test('creates and updates an incident, the SDK checking structuredContent against each outputSchema', async () => {
      await c.ready;
      const created = await c.client.callTool({ name: 'create_incident', arguments: { title: 'Disk full on db-2', severity: 'high', status: 'investigating' } });
      assert.notEqual(created.isError, true, textOf(created));
      const incident = (created.structuredContent as { incident: { id: string; severity: string; status: string } }).incident;
      assert.deepEqual([incident.severity, incident.status], ['high', 'investigating']);
      assert.equal(((await wireResult('tools/call')).structuredContent as { incident: { id: string } }).incident.id, incident.id);

      const listed = await c.client.callTool({ name: 'list_incidents', arguments: { severity: 'high', status: 'investigating' } });
      assert.ok((listed.structuredContent as { incidents: Array<{ id: string }> }).incidents.some((i) => i.id === incident.id), textOf(listed));

      const updated = await c.client.callTool({ name: 'update_incident', arguments: { id: incident.id, status: 'resolved' } });
      assert.equal((updated.structuredContent as { incident: { status: string } }).incident.status, 'resolved');
      await wireResult('tools/call');
    });

    test('gets tool execution errors (isError), not protocol errors, for bad arguments and unknown ids', async () => {
      await c.ready;
      const badSeverity = await c.client.callTool({ name: 'create_incident', arguments: { title: 'x', severity: 'catastrophic' } });
      assert.equal(badSeverity.isError, true);
      assert.match(textOf(badSeverity), /severity/);
      await wireResult('tools/call');
      const unknown = await c.client.callTool({ name: 'update_incident', arguments: { id: '999', status: 'resolved' } });
      assert.equal(unknown.isError, true);
      assert.match(textOf(unknown), /999/);
    });

    test('lists resources and the incidents://{id} template, and reads incidents://all and incidents://1', async () => {
      await c.ready;
      const { resources } = await c.client.listResources();
      assert.ok(resources.some((r) => r.uri === 'incidents://all'));
      assert.ok(resources.some((r) => r.uri === 'incidents://1'));
      await wireResult('resources/list');
      const { resourceTemplates } = await c.client.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ['incidents://{id}']);
      await wireResult('resources/templates/list');

      const all = await c.client.readResource({ uri: 'incidents://all' });
      const incidents = JSON.parse((all.contents[0] as { text: string }).text) as Array<{ id: string }>;
      assert.ok(incidents.some((i) => i.id === '4'));
      await wireResult('resources/read');
      const one = await c.client.readResource({ uri: 'incidents://1' });
      assert.equal((JSON.parse((one.contents[0] as { text: string }).text) as { id: string }).id, '1');
      assert.equal(((await wireResult('resources/read')).contents as Array<{ uri: string }>)[0]?.uri, 'incidents://1');
    });

    test(`answers an unknown incident with ${modern ? '-32602' : '-32002'} and data.uri, which the SDK turns into ResourceNotFoundError`, async () => {
      await c.ready;
      // SDK v2 surfaces both codes as ResourceNotFoundError with code -32602 (a -32602 only when
      // data is exactly { uri }), so the era's code is asserted on the wire.
      await assert.rejects(c.client.readResource({ uri: 'incidents://999' }), (error: unknown) => {
        assert.ok(error instanceof ResourceNotFoundError, `expected ResourceNotFoundError, got ${String(error)}`);
        assert.equal(error.uri, 'incidents://999');
        return true;
      });
      await c.wire.settled();
      const { error } = c.wire.lastReply('resources/read') as { error?: { code: number; data?: unknown } };
      assert.equal(error?.code, modern ? -32602 : -32002, JSON.stringify(error));
      if (modern) assert.deepEqual(error?.data, { uri: 'incidents://999' });
      else assert.equal((error?.data as { uri?: string } | undefined)?.uri, 'incidents://999');
    });

    test('lists the triage prompt and gets it for both focuses; an invalid focus is -32602', async () => {
      await c.ready;
      const { prompts } = await c.client.listPrompts();
      assert.deepEqual(prompts.map((p) => p.name), ['triage_incidents']);
      await wireResult('prompts/list');
      const bySeverity = await c.client.getPrompt({ name: 'triage_incidents', arguments: { focus: 'severity' } });
      assert.match(JSON.stringify(bySeverity.messages), /most severe first/);
      await wireResult('prompts/get');
      const byPattern = await c.client.getPrompt({ name: 'triage_incidents', arguments: { focus: 'patterns' } });
      assert.match(JSON.stringify(byPattern.messages), /patterns/);
      await assert.rejects(c.client.getPrompt({ name: 'triage_incidents', arguments: { focus: 'vibes' } }), isProtocolError(-32602));
    });

    test("completes the prompt's focus and the template's {id}", async () => {
      await c.ready;
      const focus = await c.client.complete({ ref: { type: 'ref/prompt', name: 'triage_incidents' }, argument: { name: 'focus', value: 'pa' } });
      assert.deepEqual(focus.completion.values, ['patterns']);
      await wireResult('completion/complete');
      const id = await c.client.complete({ ref: { type: 'ref/resource', uri: 'incidents://{id}' }, argument: { name: 'id', value: '1' } });
      assert.ok(id.completion.values.includes('1'), JSON.stringify(id.completion));
    });

    if (modern) {
      test(`sent every request statelessly: the _meta envelope, MCP-Protocol-Version ${MODERN}, Mcp-Method and Mcp-Name; no session, GET or DELETE`, async () => {
        await c.ready;
        await c.wire.settled();
        const { exchanges } = c.wire;
        assert.deepEqual(exchanges.filter((e) => e.http !== 'POST').map((e) => e.http), []);
        for (const e of exchanges) {
          const what = `${e.method} ${JSON.stringify(e.headers)}`;
          assert.equal(e.headers['mcp-session-id'], undefined, what);
          assert.equal(e.headers['mcp-protocol-version'], MODERN, what);
          assert.equal(e.headers['mcp-method'], e.method, what);
          assert.equal(e.meta?.[META.protocolVersion], MODERN, what);
          assert.ok(e.meta?.[META.clientInfo] && e.meta[META.clientCapabilities], what);
          const params = (e.body as { params?: { name?: string; uri?: string } }).params;
          if (e.method === 'tools/call' || e.method === 'prompts/get') assert.equal(e.headers['mcp-name'], params?.name, what);
          if (e.method === 'resources/read') assert.equal(e.headers['mcp-name'], params?.uri, what);
        }
        assert.equal(exchanges.filter((e) => e.method === 'initialize' || e.method === 'notifications/initialized').length, 0, c.wire.summary());
      });
    } else {
      test(`sent every request after initialize in the session, with MCP-Protocol-Version ${LEGACY} and no 2026 headers or _meta`, async () => {
        await c.ready;
        for (const e of c.wire.exchanges) {
          const what = `${e.http} ${e.method} ${JSON.stringify(e.headers)}`;
          assert.equal(e.headers['mcp-method'], undefined, what);
          assert.equal(e.headers['mcp-name'], undefined, what);
          assert.equal(e.meta?.[META.protocolVersion], undefined, what);
          if (e.method === 'initialize') continue;
          assert.equal(e.headers['mcp-session-id'], c.transport.sessionId, what);
          assert.equal(e.headers['mcp-protocol-version'], LEGACY, what);
        }
      });
    }

    test('every message the server sent was well formed for its era', async () => {
      await c.ready;
      await c.wire.settled();
      assert.deepEqual(c.wire.problems, []);
    });
  });
}
