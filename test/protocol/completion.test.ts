/**
 * Tests for src/protocol/completion.ts through createProtocolCore: completing prompt arguments
 * and template variables, the 100-value cap with hasMore, resolved arguments passed along, and
 * -32602 for references or arguments with nothing to complete (server/utilities/completion.mdx).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createProtocolCore } from '../../src/protocol/core.ts';
import type { PromptDefinition, ResourceTemplateDefinition } from '../../src/protocol/definitions.ts';
import type { Params } from '../../src/protocol/messages.ts';
import { FeatureRegistry } from '../../src/protocol/registry.ts';
import { silentLogger } from '../../src/log.ts';
import { call, errorOf, openedSession, resultOf } from './helpers.ts';

const COLOURS = ['red', 'green', 'blue', 'rose'];
const seen: Array<Record<string, string>> = [];

const paint: PromptDefinition = {
  name: 'paint',
  arguments: [{ name: 'colour', required: true }, { name: 'shade' }, { name: 'count' }],
  requiredScopes: [],
  get: async () => ({ messages: [] }),
  complete: {
    colour: async (value) => ({ values: COLOURS.filter((c) => c.startsWith(value)) }),
    shade: async (_value, _context, resolved) => {
      seen.push(resolved);
      return { values: [`${resolved.colour ?? 'any'}-light`, `${resolved.colour ?? 'any'}-dark`] };
    },
    count: async (value) => ({ values: Array.from({ length: 150 }, (_, i) => `${value}${i}`) }),
  },
};

const huge: PromptDefinition = {
  name: 'huge',
  requiredScopes: [],
  get: async () => ({ messages: [] }),
  complete: { n: async () => ({ values: Array.from({ length: 120 }, (_, i) => String(i)), total: 5000 }) },
};

const itemTemplate: ResourceTemplateDefinition = {
  uriTemplate: 'test://items/{id}',
  name: 'item',
  requiredScopes: [],
  read: async () => undefined,
  complete: { id: async (value) => ({ values: ['1', '12', '123'].filter((v) => v.startsWith(value)), total: 3, hasMore: false }) },
};

const dispatcher = createProtocolCore(new FeatureRegistry().add({ prompts: [paint, huge], resourceTemplates: [itemTemplate] }), { name: 's', version: '1' }, silentLogger).dispatcher;
const session = openedSession();

function complete(params: Params) {
  return call(dispatcher, session, 'completion/complete', params);
}

const promptRef = (name: string) => ({ type: 'ref/prompt', name });

describe('completion/complete (server/utilities/completion.mdx)', () => {
  test('a prompt argument is completed from what the user typed', async () => {
    const result = resultOf(await complete({ ref: promptRef('paint'), argument: { name: 'colour', value: 'r' } }));
    assert.deepEqual(result, { completion: { values: ['red', 'rose'] } });
  });

  test('a template variable is completed with ref/resource and the template as uri', async () => {
    const result = resultOf(await complete({ ref: { type: 'ref/resource', uri: 'test://items/{id}' }, argument: { name: 'id', value: '12' } }));
    assert.deepEqual(result, { completion: { values: ['12', '123'], total: 3, hasMore: false } });
  });

  test('previously resolved arguments in context.arguments reach the completer', async () => {
    seen.length = 0;
    const result = resultOf(await complete({ ref: promptRef('paint'), argument: { name: 'shade', value: '' }, context: { arguments: { colour: 'red' } } }));
    assert.deepEqual(result, { completion: { values: ['red-light', 'red-dark'] } });
    resultOf(await complete({ ref: promptRef('paint'), argument: { name: 'shade', value: '' } }));
    assert.deepEqual(seen, [{ colour: 'red' }, {}]);
  });

  test('more than 100 values are cut to 100 with hasMore and the total (schema.ts CompleteResult: max 100)', async () => {
    const result = resultOf(await complete({ ref: promptRef('paint'), argument: { name: 'count', value: 'x' } }));
    const completion = result.completion as { values: string[]; total: number; hasMore: boolean };
    assert.equal(completion.values.length, 100);
    assert.equal(completion.values[0], 'x0');
    assert.equal(completion.values[99], 'x99');
    assert.equal(completion.total, 150);
    assert.equal(completion.hasMore, true);
  });

  test('a total the completer knows is kept when the values are cut', async () => {
    const result = resultOf(await complete({ ref: promptRef('huge'), argument: { name: 'n', value: '' } }));
    assert.deepEqual({ ...(result.completion as object), values: undefined }, { values: undefined, total: 5000, hasMore: true });
  });

  test('an unknown prompt, template or argument is -32602 ("Error Handling")', async () => {
    const cases: Params[] = [
      { ref: promptRef('nope'), argument: { name: 'colour', value: '' } },
      { ref: promptRef('paint'), argument: { name: 'nope', value: '' } },
      { ref: { type: 'ref/resource', uri: 'test://items/1' }, argument: { name: 'id', value: '' } },
      { ref: { type: 'ref/resource', uri: 'test://other/{id}' }, argument: { name: 'id', value: '' } },
    ];
    for (const params of cases) {
      const error = errorOf(await complete(params));
      assert.equal(error.code, -32602, JSON.stringify(params));
      assert.deepEqual(error.data, { field: '/argument/name' });
    }
  });

  test('argument names that are Object.prototype members are unknown arguments, not -32603 (completion.mdx: validate inputs)', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const error = errorOf(await complete({ ref: promptRef('paint'), argument: { name, value: '' } }));
      assert.equal(error.code, -32602, name);
    }
  });

  test('a malformed ref, argument or context is -32602 (schema.ts CompleteRequestParams)', async () => {
    const cases: Params[] = [
      { argument: { name: 'colour', value: '' } },
      { ref: { type: 'ref/other', name: 'paint' }, argument: { name: 'colour', value: '' } },
      { ref: { type: 'ref/resource' }, argument: { name: 'id', value: '' } },
      { ref: promptRef('paint'), argument: { name: 'colour' } },
      { ref: promptRef('paint'), argument: { name: 'colour', value: 5 } },
      { ref: promptRef('paint'), argument: { name: 'colour', value: 'x'.repeat(1025) } },
      { ref: promptRef('paint'), argument: { name: 'colour', value: '' }, context: { arguments: { colour: 1 } } },
    ];
    for (const params of cases) assert.equal(errorOf(await complete(params)).code, -32602, JSON.stringify(params).slice(0, 120));
  });

  test('without any completer the method does not exist: -32601 ("Error Handling")', async () => {
    const { complete: _unused, ...plain } = paint;
    const none = createProtocolCore(new FeatureRegistry().add({ prompts: [plain] }), { name: 's', version: '1' }, silentLogger).dispatcher;
    const error = errorOf(await call(none, session, 'completion/complete', { ref: promptRef('paint'), argument: { name: 'colour', value: '' } }));
    assert.equal(error.code, -32601);
  });
});
