/**
 * Tests for src/protocol/registry.ts: the start-up checks on definitions (tool names, schema
 * dialect and root type, duplicates), finding the resource behind a URI, the scopes each method's
 * descriptor asks of it, and resource events fanned out to the listening sessions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PromptDefinition, ResourceDefinition, ResourceTemplateDefinition, ToolDefinition } from '../../src/protocol/definitions.ts';
import { silentLogger } from '../../src/log.ts';
import { createProtocolCore } from '../../src/protocol/core.ts';
import type { Params } from '../../src/protocol/messages.ts';
import { FeatureRegistry } from '../../src/protocol/registry.ts';
import { Session } from '../../src/protocol/session.ts';
import { collectingSink, openedSession } from './helpers.ts';

function tool(name: string, extra: Partial<ToolDefinition> = {}): ToolDefinition {
  return { name, description: 'd', inputSchema: { type: 'object' }, requiredScopes: ['tools:use'], call: async () => ({ content: [] }), ...extra };
}

const resource: ResourceDefinition = { uri: 'test://status', name: 'status', requiredScopes: ['res:read'], read: async () => [] };
const template: ResourceTemplateDefinition = {
  uriTemplate: 'test://items/{id}',
  name: 'item',
  requiredScopes: ['items:read'],
  read: async () => undefined,
  complete: { id: async () => ({ values: [] }) },
};
const prompt: PromptDefinition = { name: 'greet', requiredScopes: ['prompts:use'], get: async () => ({ messages: [] }) };

describe('tool registration (server/tools.mdx "Tool Names")', () => {
  test('names of 1 to 128 characters from A-Z a-z 0-9 _ - . are accepted', () => {
    const names = ['a', 'get_weather', 'Admin.Tools-v2', 'x'.repeat(128), '0.1_-'];
    const registry = new FeatureRegistry().add({ tools: names.map((n) => tool(n)) });
    assert.deepEqual([...registry.tools.keys()], names);
  });

  test('other names are a TypeError at registration', () => {
    for (const name of ['', 'x'.repeat(129), 'has space', 'a/b', 'a,b', 'café', 'tool\n', 'a:b']) {
      assert.throws(() => new FeatureRegistry().add({ tools: [tool(name)] }), TypeError, JSON.stringify(name));
    }
  });

  test('a tool registered twice is a TypeError (names are unique, server/tools.mdx)', () => {
    assert.throws(() => new FeatureRegistry().add({ tools: [tool('a')] }).add({ tools: [tool('a')] }), /registered twice/);
  });

  test('an inputSchema or outputSchema whose root is not "type": "object" is rejected (schema.ts Tool)', () => {
    for (const inputSchema of [{ type: 'array' }, {}, { type: ['object', 'null'] }]) {
      assert.throws(() => new FeatureRegistry().add({ tools: [tool('t', { inputSchema })] }), /must be "type": "object"/);
    }
    assert.throws(() => new FeatureRegistry().add({ tools: [tool('t', { outputSchema: { type: 'string' } })] }), /outputSchema/);
  });

  test('a $schema naming another dialect is rejected; 2020-12 named explicitly is accepted (basic/index.mdx, SEP-1613)', () => {
    const draft7 = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' };
    assert.throws(() => new FeatureRegistry().add({ tools: [tool('t', { inputSchema: draft7 })] }), /unsupported JSON Schema dialect/);
    assert.throws(() => new FeatureRegistry().add({ tools: [tool('t', { outputSchema: draft7 })] }), TypeError);
    const explicit = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' };
    assert.equal(new FeatureRegistry().add({ tools: [tool('t', { inputSchema: explicit, outputSchema: explicit })] }).tools.size, 1);
  });

  test('an inputSchema that is invalid for its dialect fails at start-up (basic/index.mdx: schemas MUST be valid)', () => {
    assert.throws(() => new FeatureRegistry().add({ tools: [tool('t', { inputSchema: { type: 'object', properties: { a: { type: 'nope' } } } })] }));
  });

  test('the wire Tool keeps name, title, description, schemas and annotations in that order', () => {
    const t = tool('t', { title: 'T', outputSchema: { type: 'object' }, annotations: { readOnlyHint: true } });
    const { wire } = new FeatureRegistry().add({ tools: [t] }).tools.get('t') ?? assert.fail();
    assert.deepEqual(Object.keys(wire), ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations']);
    assert.equal(Object.hasOwn(wire, 'requiredScopes'), false);
  });
});

describe('other registrations', () => {
  test('a resource or a prompt registered twice is a TypeError', () => {
    assert.throws(() => new FeatureRegistry().add({ resources: [resource, resource] }), TypeError);
    assert.throws(() => new FeatureRegistry().add({ prompts: [prompt, prompt] }), TypeError);
  });

  test('a template beyond RFC 6570 level 1 is a TypeError at registration', () => {
    assert.throws(() => new FeatureRegistry().add({ resourceTemplates: [{ ...template, uriTemplate: 'test://{+path}' }] }), TypeError);
  });

  test('findResource prefers the exact resource, then the first matching template, with its variables (server/resources.mdx)', () => {
    const registry = new FeatureRegistry().add({ resources: [resource], resourceTemplates: [template] });
    assert.deepEqual(registry.findResource('test://status'), { resource });
    const found = registry.findResource('test://items/42');
    assert.ok(found && 'template' in found);
    assert.deepEqual(found.variables, { id: '42' });
    assert.equal(registry.findResource('test://other'), undefined);
  });
});

describe('the scope rules of the method descriptors, decided before dispatch (basic/authorization.mdx "Scope Challenge Handling")', () => {
  const registry = new FeatureRegistry().add({ tools: [tool('t')], resources: [resource], resourceTemplates: [template], prompts: [prompt] });
  const { dispatcher } = createProtocolCore(registry, { name: 's', version: '1' }, silentLogger);
  /** The scopes the descriptor of `method` asks for these params (none when they are invalid: nothing runs). */
  const requiredScopes = (method: string, params: Params | undefined) =>
    dispatcher.admit(params === undefined ? { jsonrpc: '2.0', id: 1, method } : { jsonrpc: '2.0', id: 1, method, params }, 'legacy').scopes;
  const argument = { name: 'id', value: '' };

  test('tools/call needs the named tool\'s scopes; unknown or malformed names need none', () => {
    assert.deepEqual(requiredScopes('tools/call', { name: 't' }), ['tools:use']);
    assert.deepEqual(requiredScopes('tools/call', { name: 'nope' }), []);
    assert.deepEqual(requiredScopes('tools/call', { name: 5 }), []);
    assert.deepEqual(requiredScopes('tools/call', undefined), []);
  });

  test('prompts/get needs the named prompt\'s scopes', () => {
    assert.deepEqual(requiredScopes('prompts/get', { name: 'greet' }), ['prompts:use']);
    assert.deepEqual(requiredScopes('prompts/get', { name: 'nope' }), []);
  });

  test('resources/read and resources/subscribe need the resource\'s or the template\'s scopes', () => {
    for (const method of ['resources/read', 'resources/subscribe']) {
      assert.deepEqual(requiredScopes(method, { uri: 'test://status' }), ['res:read']);
      assert.deepEqual(requiredScopes(method, { uri: 'test://items/7' }), ['items:read']);
      assert.deepEqual(requiredScopes(method, { uri: 'test://unknown' }), []);
      assert.deepEqual(requiredScopes(method, { uri: 7 }), []);
    }
  });

  test('completion/complete needs the scopes of the prompt or template it references', () => {
    assert.deepEqual(requiredScopes('completion/complete', { ref: { type: 'ref/prompt', name: 'greet' }, argument }), ['prompts:use']);
    assert.deepEqual(requiredScopes('completion/complete', { ref: { type: 'ref/resource', uri: 'test://items/{id}' }, argument }), ['items:read']);
    assert.deepEqual(requiredScopes('completion/complete', { ref: { type: 'ref/resource', uri: 'test://items/1' }, argument }), []);
    assert.deepEqual(requiredScopes('completion/complete', { ref: 'x', argument }), []);
    assert.deepEqual(requiredScopes('completion/complete', { ref: null, argument }), []);
  });

  test('list methods and lifecycle methods need no scope', () => {
    const params: Record<string, Params> = {
      initialize: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
      'resources/unsubscribe': { uri: 'test://status' },
    };
    for (const method of ['tools/list', 'resources/list', 'prompts/list', 'initialize', 'ping', 'resources/unsubscribe']) {
      const admission = dispatcher.admit({ jsonrpc: '2.0', id: 1, method, params: params[method] ?? {} }, 'legacy');
      assert.equal(admission.error, undefined, method);
      assert.deepEqual(admission.scopes, [], method);
    }
  });
});

describe('resource events (server/resources.mdx)', () => {
  test('with no sessions attached, events are no-ops', () => {
    const registry = new FeatureRegistry().add({ resources: [resource] });
    registry.updated('test://status');
    registry.listChanged();
  });

  test('updated(uri) reaches only the sessions subscribed to that uri ("Subscriptions")', () => {
    const registry = new FeatureRegistry().add({ resources: [resource] });
    const subscribed = openedSession('a');
    const other = openedSession('b');
    const [sinkA, sinkB] = [collectingSink(), collectingSink()];
    subscribed.standalone = sinkA;
    other.standalone = sinkB;
    registry.attachSessions(() => [subscribed, other]);
    subscribed.subscriptions.add('test://status');
    registry.updated('test://status');
    registry.updated('test://elsewhere');
    assert.deepEqual(sinkA.messages, [{ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'test://status' } }]);
    assert.deepEqual(sinkB.messages, []);
  });

  test('a closed session forgets its subscriptions: nothing is kept for it', () => {
    const registry = new FeatureRegistry().add({ resources: [resource] });
    const session = openedSession('a');
    const sink = collectingSink();
    session.standalone = sink;
    registry.attachSessions(() => [session]);
    session.subscriptions.add('test://status');
    session.close();
    session.standalone = sink;
    registry.updated('test://status');
    assert.deepEqual(sink.messages, []);
    assert.equal(session.subscriptions.size, 0);
  });

  test('listChanged reaches opened sessions only ("List Changed Notification", checklist L9)', () => {
    const registry = new FeatureRegistry().add({ resources: [resource] });
    const opened = openedSession('a');
    const fresh = new Session('b');
    const [sinkA, sinkB] = [collectingSink(), collectingSink()];
    opened.standalone = sinkA;
    fresh.standalone = sinkB;
    registry.attachSessions(() => new Set([opened, fresh]));
    registry.listChanged();
    assert.deepEqual(sinkA.messages, [{ jsonrpc: '2.0', method: 'notifications/resources/list_changed' }]);
    assert.deepEqual(sinkB.messages, []);
  });
});
