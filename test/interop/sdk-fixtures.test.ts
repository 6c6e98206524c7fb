/**
 * The conformance fixtures server (fixtures/conformance) driven by the official SDK client, for
 * what the incident server never does: sampling and elicitation requests on a call's SSE stream,
 * log and progress notifications during a call, and a server-initiated disconnect that the client
 * resumes with GET and Last-Event-ID (MCP 2025-11-25 basic/transports.mdx, SEP-1699). Raw HTTP
 * checks that the disconnect is refused where it would break the older protocol or a JSON answer.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { RunningMcpServer } from '../../src/mcp-server.ts';
import { startFixtureServer } from '../../fixtures/conformance/fixture-server.ts';
import { memoryLogger, TestClient } from '../helpers/server.ts';

const logger = memoryLogger();
let server: RunningMcpServer;

before(async () => {
  server = await startFixtureServer({ host: '127.0.0.1', port: 0, logger, retryMs: 50 });
});

after(async () => {
  await server.close(200);
});

async function sdkClient(capabilities: Record<string, object>): Promise<{ client: Client; close(): Promise<void> }> {
  const client = new Client({ name: 'sdk-fixtures-test', version: '1.0.0' }, { capabilities });
  const transport = new StreamableHTTPClientTransport(new URL(server.url));
  await client.connect(transport);
  return { client, close: async () => { await transport.terminateSession(); await client.close(); } };
}

function textOf(result: object): string {
  const [first] = ((result as { content?: unknown }).content ?? []) as Array<{ text?: string }>;
  return first?.text ?? '';
}

test('the SDK client resumes a call with GET and Last-Event-ID after the server closes the stream mid-call (basic/transports.mdx, SEP-1699)', async () => {
  const { client, close } = await sdkClient({});
  const result = await client.callTool({ name: 'test_reconnection', arguments: {} });
  assert.equal(textOf(result), 'Reconnection test completed successfully');
  const resumed = logger.lines.filter((line) => line.msg === 'request' && line.method === 'GET' && String(line.reason).startsWith('resume stream'));
  assert.ok(resumed.length >= 1, 'the client must have resumed the POST stream with a GET');
  await close();
});

test('a 2025-06-18 session gets the whole answer on one connection: no early close before that version (basic/transports.mdx)', async () => {
  const raw = new TestClient(server.url, undefined);
  await raw.connect('2025-06-18');
  const reply = await raw.request('tools/call', { name: 'test_reconnection', arguments: {} });
  assert.equal(reply.status, 200);
  assert.match(JSON.stringify(reply.body), /without a disconnect/);
  await raw.close();
});

test('a client that accepts only JSON gets the whole answer as JSON: an answer it cannot resume is never cut (checklist H11)', async () => {
  const raw = new TestClient(server.url, undefined);
  await raw.connect();
  const reply = await raw.request('tools/call', { name: 'test_reconnection', arguments: {} }, { accept: 'application/json' });
  assert.equal(reply.headers.get('content-type'), 'application/json');
  assert.match(JSON.stringify(reply.body), /without a disconnect/);
  await raw.close();
});

test('sampling and elicitation requests reach the SDK client on the call’s stream and their answers come back (client/sampling.mdx, client/elicitation.mdx)', async () => {
  const { client, close } = await sdkClient({ sampling: {}, elicitation: {} });
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    assert.equal(request.params.maxTokens, 100);
    return { role: 'assistant', content: { type: 'text', text: 'forty-two' }, model: 'test-model', stopReason: 'endTurn' };
  });
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { username: 'ada', email: 'ada@example.com' } }));
  assert.equal(textOf(await client.callTool({ name: 'test_sampling', arguments: { prompt: 'What is six times seven?' } })), 'LLM response: forty-two');
  assert.match(textOf(await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } })), /action=accept, content=\{"username":"ada"/);
  await close();
});

test('a tool that needs sampling answers isError when the client did not declare the capability (basic/lifecycle.mdx)', async () => {
  const { client, close } = await sdkClient({});
  const result = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hello' } });
  assert.equal(result.isError, true);
  assert.match(textOf(result), /sampling capability/);
  await close();
});

test('log messages and progress notifications arrive while the call runs, before its result (logging.mdx, progress.mdx)', async () => {
  const { client, close } = await sdkClient({});
  const logs: string[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
  await client.setLoggingLevel('info');
  await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
  assert.deepEqual(logs, ['Tool execution started', 'Tool processing data', 'Tool execution completed']);
  const progress: number[] = [];
  await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, CallToolResultSchema, { onprogress: (p) => void progress.push(p.progress) });
  assert.deepEqual(progress, [0, 50, 100]);
  await close();
});
