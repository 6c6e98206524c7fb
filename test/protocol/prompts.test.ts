/**
 * Tests for src/protocol/prompts.ts through createProtocolCore: prompts/list, prompts/get with
 * its arguments, and the -32602 answers for an unknown prompt, a missing required argument and
 * argument values that are not strings (server/prompts.mdx).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createProtocolCore } from '../../src/protocol/core.ts';
import type { PromptDefinition } from '../../src/protocol/definitions.ts';
import { invalidParams } from '../../src/protocol/errors.ts';
import { FeatureRegistry } from '../../src/protocol/registry.ts';
import { silentLogger } from '../../src/log.ts';
import { call, errorOf, openedSession, resultOf } from './helpers.ts';

const summarize: PromptDefinition = {
  name: 'summarize',
  title: 'Summarize an item',
  description: 'Asks for a summary of one item.',
  arguments: [
    { name: 'id', description: 'The item', required: true },
    { name: 'tone', description: 'formal or casual', required: false },
  ],
  requiredScopes: [],
  async get(args) {
    if (args.tone !== undefined && args.tone !== 'formal' && args.tone !== 'casual') {
      throw invalidParams('tone must be formal or casual', { field: '/arguments/tone' });
    }
    return {
      description: `Summary of ${args.id}`,
      messages: [{ role: 'user', content: { type: 'text', text: `Summarize item ${args.id ?? ''} (${args.tone ?? 'formal'}).` } }],
    };
  },
};

const bare: PromptDefinition = { name: 'bare', requiredScopes: [], get: async () => ({ messages: [] }) };

const dispatcher = createProtocolCore(new FeatureRegistry().add({ prompts: [summarize, bare] }), { name: 's', version: '1' }, silentLogger).dispatcher;
const session = openedSession();

describe('prompts/list (server/prompts.mdx "Listing Prompts")', () => {
  test('lists each prompt with its title, description and arguments, nothing else', async () => {
    assert.deepEqual(resultOf(await call(dispatcher, session, 'prompts/list')), {
      prompts: [
        { name: 'summarize', title: 'Summarize an item', description: 'Asks for a summary of one item.', arguments: summarize.arguments },
        { name: 'bare' },
      ],
    });
  });

  test('an invalid cursor is -32602 (server/utilities/pagination.mdx)', async () => {
    assert.equal(errorOf(await call(dispatcher, session, 'prompts/list', { cursor: 'Zm9v' })).code, -32602);
  });
});

describe('prompts/get (server/prompts.mdx "Getting a Prompt")', () => {
  test('returns the messages built from the arguments (schema.ts GetPromptResult)', async () => {
    const result = resultOf(await call(dispatcher, session, 'prompts/get', { name: 'summarize', arguments: { id: '42', tone: 'casual' } }));
    assert.deepEqual(result, {
      description: 'Summary of 42',
      messages: [{ role: 'user', content: { type: 'text', text: 'Summarize item 42 (casual).' } }],
    });
  });

  test('optional arguments may be left out, and a prompt without arguments needs none', async () => {
    resultOf(await call(dispatcher, session, 'prompts/get', { name: 'summarize', arguments: { id: '1' } }));
    assert.deepEqual(resultOf(await call(dispatcher, session, 'prompts/get', { name: 'bare' })), { messages: [] });
  });

  test('a missing required argument is -32602 naming it ("Error Handling")', async () => {
    for (const params of [{ name: 'summarize' }, { name: 'summarize', arguments: { tone: 'formal' } }]) {
      const error = errorOf(await call(dispatcher, session, 'prompts/get', params));
      assert.deepEqual(error, { code: -32602, message: 'Missing required argument: id', data: { field: '/arguments/id' } });
    }
  });

  test('an unknown prompt is -32602 naming /name ("Error Handling")', async () => {
    const error = errorOf(await call(dispatcher, session, 'prompts/get', { name: 'nope' }));
    assert.deepEqual(error, { code: -32602, message: 'Unknown prompt: nope', data: { field: '/name' } });
  });

  test('argument values must be strings; a missing name is -32602 (schema.ts GetPromptRequestParams)', async () => {
    const numeric = errorOf(await call(dispatcher, session, 'prompts/get', { name: 'summarize', arguments: { id: 42 } }));
    assert.equal(numeric.code, -32602);
    assert.deepEqual(numeric.data, { field: '/arguments/id', problem: 'must be string' });
    assert.equal(errorOf(await call(dispatcher, session, 'prompts/get', {})).code, -32602);
    assert.equal(errorOf(await call(dispatcher, session, 'prompts/get', { name: 'summarize', arguments: 'id=1' })).code, -32602);
  });

  test('an invalidParams thrown by the prompt reaches the client as it was thrown', async () => {
    const error = errorOf(await call(dispatcher, session, 'prompts/get', { name: 'summarize', arguments: { id: '1', tone: 'angry' } }));
    assert.deepEqual(error, { code: -32602, message: 'tone must be formal or casual', data: { field: '/arguments/tone' } });
  });
});
