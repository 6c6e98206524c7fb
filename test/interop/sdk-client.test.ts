/**
 * Interoperability with a real third-party client: the official MCP TypeScript SDK's Client and
 * StreamableHTTPClientTransport (devDependency only; src/ never imports the SDK) against the real
 * incident server on port 0, with a bearer token from the development issuer. Every tool,
 * resource, template, prompt, completion and subscription, once per protocol version: the SDK's
 * own offer (2025-11-25) and, because Client.connect always offers the SDK's latest version with
 * no option to choose, 2025-06-18 and 2025-03-26 through a transport that rewrites the offer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ErrorCode, McpError, ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema, type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { startTestServer, type TestServer } from '../helpers/server.ts';

type SendOptions = Parameters<StreamableHTTPClientTransport['send']>[1];

/** Offers `version` in initialize instead of the SDK's latest; everything else is the stock transport. */
class VersionOfferingTransport extends StreamableHTTPClientTransport {
  constructor(url: URL, private readonly offered: string, options: ConstructorParameters<typeof StreamableHTTPClientTransport>[1]) {
    super(url, options);
  }

  override send(message: JSONRPCMessage | JSONRPCMessage[], options?: SendOptions): Promise<void> {
    if (!Array.isArray(message) && 'method' in message && message.method === 'initialize' && 'id' in message) {
      return super.send({ ...message, params: { ...message.params, protocolVersion: this.offered } }, options);
    }
    return super.send(message, options);
  }
}

interface Connection {
  client: Client;
  transport: StreamableHTTPClientTransport;
  /** Notifications received, by method, in arrival order. */
  received: string[];
}

async function connect(server: TestServer, version: string): Promise<Connection> {
  const url = new URL(server.url);
  const options = { requestInit: { headers: { Authorization: `Bearer ${await server.token()}` } } };
  const transport = version === 'sdk-default' ? new StreamableHTTPClientTransport(url, options) : new VersionOfferingTransport(url, version, options);
  const client = new Client({ name: 'sdk-interop-test', version: '1.0.0' }, { capabilities: {} });
  const received: string[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void received.push(`${n.method} ${n.params.uri}`));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, (n) => void received.push(n.method));
  await client.connect(transport);
  return { client, transport, received };
}

/** Polls until `predicate` holds, failing after `timeoutMs`. */
async function waitFor(predicate: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function textOf(result: object): string {
  const [first] = ((result as { content?: unknown }).content ?? []) as Array<{ type: string; text?: string }>;
  assert.equal(first?.type, 'text');
  return first.text ?? '';
}

for (const [offered, negotiated] of [['sdk-default', '2025-11-25'], ['2025-06-18', '2025-06-18'], ['2025-03-26', '2025-03-26']] as const) {
  describe(`the official SDK client, offering ${offered === 'sdk-default' ? 'its latest version' : offered}`, () => {
    let server: TestServer;
    let c: Connection;

    before(async () => {
      server = await startTestServer();
      c = await connect(server, offered);
    });

    after(async () => {
      await c.transport.terminateSession();
      await c.client.close();
      await server.close();
    });

    test(`negotiates ${negotiated} and sees the server's identity, instructions and capabilities (basic/lifecycle.mdx)`, () => {
      assert.equal(c.transport.protocolVersion, negotiated);
      assert.equal(c.client.getServerVersion()?.name, 'incident-mcp-server');
      assert.match(c.client.getInstructions() ?? '', /incidents/);
      const capabilities = c.client.getServerCapabilities();
      assert.deepEqual(capabilities?.resources, { subscribe: true, listChanged: true });
      assert.ok(capabilities?.tools && capabilities.prompts && capabilities.completions && capabilities.logging);
    });

    test('pings and sets the log level, both answered with an empty result (ping.mdx, logging.mdx)', async () => {
      assert.deepEqual(await c.client.ping(), {});
      assert.deepEqual(await c.client.setLoggingLevel('warning'), {});
    });

    test('lists the three tools with their schemas (server/tools.mdx)', async () => {
      const { tools } = await c.client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ['create_incident', 'list_incidents', 'update_incident']);
      for (const tool of tools) assert.equal(tool.inputSchema.type, 'object');
    });

    test('creates, lists and updates an incident, the SDK checking structuredContent against each outputSchema', async () => {
      const created = await c.client.callTool({ name: 'create_incident', arguments: { title: 'Disk full on db-2', severity: 'high' } });
      assert.notEqual(created.isError, true, textOf(created));
      const incident = (created.structuredContent as { incident: { id: string; severity: string; status: string } }).incident;
      assert.equal(incident.severity, 'high');
      assert.equal(incident.status, 'open');

      const listed = await c.client.callTool({ name: 'list_incidents', arguments: { severity: 'high', status: 'open' } });
      const ids = (listed.structuredContent as { incidents: Array<{ id: string }> }).incidents.map((i) => i.id);
      assert.ok(ids.includes(incident.id), textOf(listed));

      const updated = await c.client.callTool({ name: 'update_incident', arguments: { id: incident.id, status: 'resolved' } });
      assert.equal((updated.structuredContent as { incident: { status: string } }).incident.status, 'resolved');
    });

    test('gets a tool execution error, not a protocol error, for arguments that break the inputSchema (SEP-1303)', async () => {
      const result = await c.client.callTool({ name: 'create_incident', arguments: { title: 'x', severity: 'catastrophic' } });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /severity/);
    });

    test('lists resources and templates and reads incidents://all and incidents://{id} (server/resources.mdx)', async () => {
      const { resources } = await c.client.listResources();
      assert.ok(resources.some((r) => r.uri === 'incidents://all'));
      assert.ok(resources.some((r) => r.uri === 'incidents://1'));
      const { resourceTemplates } = await c.client.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ['incidents://{id}']);

      const all = await c.client.readResource({ uri: 'incidents://all' });
      assert.ok(Array.isArray(JSON.parse((all.contents[0] as { text: string }).text)));
      const one = await c.client.readResource({ uri: 'incidents://1' });
      assert.equal(JSON.parse((one.contents[0] as { text: string }).text).id, '1');
    });

    test('receives the -32002 error for an incident that does not exist, as an McpError (server/resources.mdx)', async () => {
      await assert.rejects(c.client.readResource({ uri: 'incidents://999' }), (error: unknown) => error instanceof McpError && error.code === -32002);
    });

    test('lists the triage prompt and gets it for both focuses (server/prompts.mdx)', async () => {
      const { prompts } = await c.client.listPrompts();
      assert.deepEqual(prompts.map((p) => p.name), ['triage_incidents']);
      const bySeverity = await c.client.getPrompt({ name: 'triage_incidents', arguments: { focus: 'severity' } });
      assert.match(JSON.stringify(bySeverity.messages), /most severe first/);
      const byPattern = await c.client.getPrompt({ name: 'triage_incidents', arguments: { focus: 'patterns' } });
      assert.match(JSON.stringify(byPattern.messages), /patterns/);
      await assert.rejects(c.client.getPrompt({ name: 'triage_incidents', arguments: { focus: 'vibes' } }), (error: unknown) => error instanceof McpError && error.code === ErrorCode.InvalidParams);
    });

    test("completes the prompt's focus and the template's id (server/utilities/completion.mdx)", async () => {
      const focus = await c.client.complete({ ref: { type: 'ref/prompt', name: 'triage_incidents' }, argument: { name: 'focus', value: 'pa' } });
      assert.deepEqual(focus.completion.values, ['patterns']);
      const id = await c.client.complete({ ref: { type: 'ref/resource', uri: 'incidents://{id}' }, argument: { name: 'id', value: '1' } });
      assert.ok(id.completion.values.includes('1'));
    });

    test('subscribes, then gets notifications/resources/updated on its GET stream after a create, and none after unsubscribing', async () => {
      const sessionId = c.transport.sessionId ?? assert.fail('no session id');
      // The SDK opens its GET stream after notifications/initialized; notifications need it attached.
      await waitFor(() => server.running.sessions.get(sessionId)?.standalone?.attached === true, 'the SDK client to open its GET stream');
      await c.client.subscribeResource({ uri: 'incidents://all' });
      c.received.length = 0;
      await c.client.callTool({ name: 'create_incident', arguments: { title: 'Queue backlog growing' } });
      await waitFor(() => c.received.includes('notifications/resources/list_changed'), 'list_changed');
      assert.deepEqual(c.received, ['notifications/resources/updated incidents://all', 'notifications/resources/list_changed']);

      await c.client.unsubscribeResource({ uri: 'incidents://all' });
      c.received.length = 0;
      await c.client.callTool({ name: 'create_incident', arguments: { title: 'Cache hit rate dropped' } });
      // Same stream, same order: an updated notification would have arrived before list_changed.
      await waitFor(() => c.received.includes('notifications/resources/list_changed'), 'list_changed');
      assert.deepEqual(c.received, ['notifications/resources/list_changed']);
    });
  });
}
