/**
 * Tests for src/protocol/lifecycle.ts and core.ts through createProtocolCore with a real
 * FeatureRegistry: initialize (version negotiation, identity, capabilities from the registry),
 * a second initialize, what a session keeps of initialize, ping, logging/setLevel and
 * notifications/initialized.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createProtocolCore } from '../../src/protocol/core.ts';
import type { FeatureSet, PromptDefinition, ToolDefinition } from '../../src/protocol/definitions.ts';
import type { Params } from '../../src/protocol/messages.ts';
import { FeatureRegistry } from '../../src/protocol/registry.ts';
import { Session } from '../../src/protocol/session.ts';
import { SUPPORTED_VERSIONS } from '../../src/protocol/versions.ts';
import { silentLogger } from '../../src/log.ts';
import { call, errorOf, openedSession, resultOf } from './helpers.ts';

const IDENTITY = { name: 'test-server', title: 'Test Server', version: '9.9.9', description: 'For tests', instructions: 'Be brief.' };

const tool: ToolDefinition = {
  name: 'noop',
  description: 'Does nothing',
  inputSchema: { type: 'object' },
  requiredScopes: [],
  call: async () => ({ content: [] }),
};

const prompt: PromptDefinition = {
  name: 'greet',
  arguments: [{ name: 'who', required: true }],
  requiredScopes: [],
  get: async (args) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Hello ${args.who ?? ''}` } }] }),
  complete: { who: async () => ({ values: ['world'] }) },
};

function core(features: FeatureSet = {}) {
  return createProtocolCore(new FeatureRegistry().add(features), IDENTITY, silentLogger).dispatcher;
}

function initParams(protocolVersion: unknown = '2025-11-25'): Params {
  return { protocolVersion, capabilities: { roots: {} }, clientInfo: { name: 'client', version: '1.0' } };
}

describe('initialize', () => {
  for (const version of SUPPORTED_VERSIONS) {
    test(`a client asking for ${version} gets ${version} back (basic/lifecycle.mdx: MUST answer with the same version)`, async () => {
      const session = new Session('s');
      const result = resultOf(await call(core(), session, 'initialize', initParams(version)));
      assert.equal(result.protocolVersion, version);
      assert.equal(session.protocolVersion, version);
      assert.equal(session.opened, true);
      assert.equal(session.initialized, false);
      assert.deepEqual(session.clientCapabilities, { roots: {} });
      assert.deepEqual(session.clientInfo, { name: 'client', version: '1.0' });
    });
  }

  test('an unsupported version gets a counter-offer of 2025-11-25, not an error (basic/lifecycle.mdx, checklist L4)', async () => {
    const session = new Session('s');
    const result = resultOf(await call(core(), session, 'initialize', initParams('1999-01-01')));
    assert.equal(result.protocolVersion, '2025-11-25');
    assert.equal(session.protocolVersion, '2025-11-25');
  });

  test('the result carries serverInfo and instructions (schema.ts InitializeResult, Implementation)', async () => {
    const result = resultOf(await call(core(), new Session('s'), 'initialize', initParams()));
    assert.deepEqual(result.serverInfo, { name: 'test-server', version: '9.9.9', title: 'Test Server', description: 'For tests' });
    assert.equal(result.instructions, 'Be brief.');
  });

  test('instructions and optional identity fields are left out when not configured (schema.ts InitializeResult)', async () => {
    const dispatcher = createProtocolCore(new FeatureRegistry(), { name: 'n', version: '1' }, silentLogger).dispatcher;
    const result = resultOf(await call(dispatcher, new Session('s'), 'initialize', initParams()));
    assert.deepEqual(result.serverInfo, { name: 'n', version: '1' });
    assert.equal(Object.hasOwn(result, 'instructions'), false);
  });

  test('a second initialize on an opened session is -32600 and changes nothing (checklist §10, docs/decisions.md)', async () => {
    const session = new Session('s');
    const dispatcher = core();
    await call(dispatcher, session, 'initialize', initParams('2025-06-18'));
    const error = errorOf(await call(dispatcher, session, 'initialize', initParams('2025-11-25')));
    assert.deepEqual(error, { code: -32600, message: 'Session is already initialized' });
    assert.equal(session.protocolVersion, '2025-06-18');
  });

  test('a missing clientInfo is -32602 naming /clientInfo, and the session stays unopened (schema.ts InitializeRequestParams)', async () => {
    const session = new Session('s');
    const error = errorOf(await call(core(), session, 'initialize', { protocolVersion: '2025-11-25', capabilities: {} }));
    assert.equal(error.code, -32602);
    assert.deepEqual(error.data, { field: '/clientInfo', problem: 'is required' });
    assert.equal(session.opened, false);
  });

  test('clientInfo without a version, capabilities missing, or a non-string version are -32602 (schema.ts InitializeRequestParams)', async () => {
    const cases: Array<[Params, string]> = [
      [{ ...initParams(), clientInfo: { name: 'c' } }, '/clientInfo/version'],
      [{ protocolVersion: '2025-11-25', clientInfo: { name: 'c', version: '1' } }, '/capabilities'],
      [initParams(20251125), '/protocolVersion'],
      [initParams(''), '/protocolVersion'],
    ];
    for (const [params, field] of cases) {
      const error = errorOf(await call(core(), new Session('s'), 'initialize', params));
      assert.equal(error.code, -32602, field);
      assert.equal((error.data as { field: string }).field, field);
    }
  });

  test('issue #15: an initialize carrying 1 MB of capabilities leaves the session holding only what it declared', async () => {
    const session = new Session('s');
    const ballast = 'x'.repeat(1_000_000);
    const params = { protocolVersion: '2025-11-25', capabilities: { elicitation: { form: {}, ballast }, experimental: { ballast: { ballast } } }, clientInfo: { name: 'c', version: ballast } };
    resultOf(await call(core(), session, 'initialize', params));
    assert.deepEqual(session.clientCapabilities, { elicitation: { form: {} } });
    assert.deepEqual(session.clientInfo, { name: 'c', version: 'x'.repeat(256) });
  });
});

describe('capabilities derived from the registry (basic/lifecycle.mdx "Capability Negotiation")', () => {
  async function capabilities(features: FeatureSet) {
    return resultOf(await call(core(features), new Session('s'), 'initialize', initParams())).capabilities;
  }

  test('an empty registry declares logging only (server/utilities/logging.mdx)', async () => {
    assert.deepEqual(await capabilities({}), { logging: {} });
  });

  test('a tool adds tools (server/tools.mdx)', async () => {
    assert.deepEqual(await capabilities({ tools: [tool] }), { logging: {}, tools: { listChanged: false } });
  });

  test('a prompt with completers adds prompts and completions (server/utilities/completion.mdx)', async () => {
    assert.deepEqual(await capabilities({ prompts: [prompt] }), { logging: {}, completions: {}, prompts: { listChanged: false } });
  });

  test('a prompt without completers adds prompts only', async () => {
    const { complete: _unused, ...plain } = prompt;
    assert.deepEqual(await capabilities({ prompts: [plain] }), { logging: {}, prompts: { listChanged: false } });
  });

  test('a resource adds resources with subscribe and listChanged (server/resources.mdx)', async () => {
    const resource = { uri: 'test://a', name: 'a', requiredScopes: [], read: async () => [] };
    assert.deepEqual(await capabilities({ resources: [resource] }), { logging: {}, resources: { subscribe: true, listChanged: true } });
  });

  test('methods of undeclared features are -32601 (checklist L9, completion.mdx)', async () => {
    const dispatcher = core();
    for (const method of ['tools/list', 'resources/list', 'prompts/list', 'completion/complete']) {
      assert.equal(dispatcher.hasMethod(method), false, method);
      assert.equal(errorOf(await call(dispatcher, openedSession(), method)).code, -32601);
    }
    const full = core({ tools: [tool], prompts: [prompt] });
    for (const method of ['tools/list', 'tools/call', 'prompts/list', 'prompts/get', 'completion/complete']) assert.equal(full.hasMethod(method), true, method);
  });
});

describe('ping, logging/setLevel and notifications/initialized', () => {
  test('ping answers an empty result, before initialize too (basic/utilities/ping.mdx)', async () => {
    assert.deepEqual(resultOf(await call(core(), new Session('s'), 'ping')), {});
    assert.deepEqual(resultOf(await call(core(), openedSession(), 'ping', { _meta: { progressToken: 1 } })), {});
  });

  test('logging/setLevel with a valid level answers {} and sets the threshold (server/utilities/logging.mdx)', async () => {
    const session = openedSession();
    assert.deepEqual(resultOf(await call(core(), session, 'logging/setLevel', { level: 'warning' })), {});
    assert.equal(session.logLevel, 'warning');
  });

  test('logging/setLevel with an invalid or missing level is -32602 naming the allowed levels (logging.mdx)', async () => {
    const session = openedSession();
    const invalid = errorOf(await call(core(), session, 'logging/setLevel', { level: 'verbose' }));
    assert.equal(invalid.code, -32602);
    assert.equal(invalid.message, 'Invalid params: level must be one of: debug, info, notice, warning, error, critical, alert, emergency');
    assert.equal(errorOf(await call(core(), session, 'logging/setLevel', {})).code, -32602);
    assert.equal(session.logLevel, undefined);
  });

  test('notifications/initialized marks the session initialized (basic/lifecycle.mdx)', () => {
    const session = openedSession();
    core().notification({ jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    assert.equal(session.initialized, true);
  });
});
