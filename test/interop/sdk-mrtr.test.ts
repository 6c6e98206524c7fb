/**
 * Multi round-trip requests with the official clients (MCP 2026-07-28 basic/patterns/mrtr.mdx)
 * against the conformance fixtures server: the same fixture features serve
 *
 * - the SDK v2 client pinned to 2026-07-28, which fulfils each `input_required` result from its own
 *   elicitation, sampling and roots handlers and retries with `inputResponses` and the echoed
 *   `requestState`;
 * - the SDK v1 client in a 2025-11-25 session, which never sees `input_required`: the core asks it
 *   with server-to-client requests on the call's stream instead, and runs the feature again.
 *
 * The wire of the v2 client is recorded and every server message checked against the 2026-07-28 schema.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startFixtureServer } from '../../fixtures/conformance/fixture-server.ts';
import type { RunningMcpServer } from '../../src/mcp-server.ts';
import { assertModernServerMessage } from '../helpers/schema-modern.ts';
import { memoryLogger } from '../helpers/server.ts';
import { recordingFetch, type RecordingFetch } from './recording-fetch.ts';

const CAPABILITIES = { elicitation: {}, sampling: {}, roots: {} };
const SAMPLED = { role: 'assistant' as const, content: { type: 'text' as const, text: 'Hello there, friend' }, model: 'test-model', stopReason: 'endTurn' };
const ROOTS = { roots: [{ uri: 'file:///work/project', name: 'Project' }] };

let server: RunningMcpServer;
before(async () => {
  server = await startFixtureServer({ host: '127.0.0.1', port: 0, logger: memoryLogger() });
});
after(async () => {
  await server.close(200);
});

function textOf(result: object): string {
  const [first] = ((result as { content?: unknown }).content ?? []) as Array<{ text?: string }>;
  return first?.text ?? '';
}

describe('SDK v2 client at 2026-07-28: input_required fulfilled and retried', () => {
  let client: ClientV2;
  let wire: RecordingFetch;
  const asked: string[] = [];
  before(async () => {
    wire = recordingFetch();
    const transport = new TransportV2(new URL(server.url), { fetch: wire.fetch });
    client = new ClientV2({ name: 'sdk-v2-mrtr-test', version: '1.0.0' }, { capabilities: CAPABILITIES, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(`elicitation:${request.params.message}`);
      const { message } = request.params;
      return { action: 'accept', content: message === 'Please confirm' ? { ok: true } : message.startsWith('Which topic') ? { topic: 'incidents' } : { name: 'Ada' } };
    });
    client.setRequestHandler('sampling/createMessage', async () => {
      asked.push('sampling');
      return SAMPLED;
    });
    client.setRequestHandler('roots/list', async () => {
      asked.push('roots');
      return ROOTS;
    });
    await client.connect(transport);
  });
  after(async () => {
    await client.close();
  });

  test('one round: an elicitation answered, the tool completes; no session, no GET (M-R1, M-R10)', async () => {
    const result = await client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} });
    assert.equal(textOf(result), 'user_name: accepted {"name":"Ada"}');
    assert.ok(wire.exchanges.every((exchange) => exchange.http === 'POST' && exchange.headers['mcp-session-id'] === undefined));
  });

  test('state kept across rounds: three kinds of input in one round, then a new state each round (M-R3, M-R7)', async () => {
    asked.length = 0;
    const all = await client.callTool({ name: 'test_input_required_result_multiple_inputs', arguments: {} });
    assert.match(textOf(all), /^state-ok: user_name accepted .*; sample sampled by test-model; roots roots file:\/\/\/work\/project$/);
    assert.deepEqual(asked.sort(), ['elicitation:What is your name?', 'roots', 'sampling']);
    const rounds = await client.callTool({ name: 'test_input_required_result_multi_round', arguments: {} });
    assert.equal(textOf(rounds), 'Completed after three rounds: first {"name":"Ada"}, then accepted {"ok":true}.');
    const states = wire.exchanges.flatMap((exchange) => exchange.replies).map((message) => (message as { result?: { requestState?: string } }).result?.requestState).filter((state) => state !== undefined);
    assert.equal(new Set(states).size, states.length, 'every round seals a new requestState');
  });

  test('prompts/get asks too, and every message the server sent is valid 2026-07-28', async () => {
    await wire.settled();
    const prompt = await client.getPrompt({ name: 'test_input_required_result_prompt' });
    assert.deepEqual(prompt.messages, [{ role: 'user', content: { type: 'text', text: 'Write a short note about incidents.' } }]);
    await wire.settled();
    assert.deepEqual(wire.problems, []);
    for (const exchange of wire.exchanges) for (const message of exchange.replies) assertModernServerMessage(message);
    const inputRequired = wire.exchanges.flatMap((exchange) => exchange.replies).filter((message) => (message as { result?: { resultType?: string } }).result?.resultType === 'input_required');
    assert.ok(inputRequired.length >= 5);
    for (const message of inputRequired) {
      const result = (message as { result: Record<string, unknown> }).result;
      // caching.mdx (M-R11): an InputRequiredResult carries no cache hints.
      assert.equal(result.ttlMs, undefined);
      assert.equal(result.cacheScope, undefined);
    }
  });
});

describe('SDK v1 client in a 2025-11-25 session: the same features ask with server-to-client requests', () => {
  test('elicitation, sampling and roots on the call stream; multi-round and prompts complete', async () => {
    const client = new ClientV1({ name: 'sdk-v1-mrtr-test', version: '1.0.0' }, { capabilities: CAPABILITIES });
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push('elicitation');
      return { action: 'accept', content: request.params.message === 'Please confirm' ? { ok: true } : { name: 'Grace' } };
    });
    client.setRequestHandler(CreateMessageRequestSchema, async () => {
      asked.push('sampling');
      return SAMPLED;
    });
    client.setRequestHandler(ListRootsRequestSchema, async () => {
      asked.push('roots');
      return ROOTS;
    });
    const transport = new TransportV1(new URL(server.url));
    await client.connect(transport);
    try {
      assert.equal(transport.sessionId !== undefined, true, 'a legacy session');
      const all = await client.callTool({ name: 'test_input_required_result_multiple_inputs', arguments: {} });
      assert.equal(textOf(all), 'state-ok: user_name accepted {"name":"Grace"}; sample sampled by test-model; roots roots file:///work/project');
      assert.deepEqual(asked.sort(), ['elicitation', 'roots', 'sampling']);
      const rounds = await client.callTool({ name: 'test_input_required_result_multi_round', arguments: {} });
      assert.equal(textOf(rounds), 'Completed after three rounds: first {"name":"Grace"}, then accepted {"ok":true}.');
      const prompt = await client.getPrompt({ name: 'test_input_required_result_prompt' });
      assert.equal(prompt.messages.length, 1);
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  });

  test('a session that declared no elicitation gets an error for a tool that needs it, never a hang (basic/lifecycle.mdx)', async () => {
    const client = new ClientV1({ name: 'sdk-v1-mrtr-test', version: '1.0.0' }, { capabilities: {} });
    const transport = new TransportV1(new URL(server.url));
    await client.connect(transport);
    try {
      await assert.rejects(client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} }), /did not declare the elicitation capability/);
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  });
});
