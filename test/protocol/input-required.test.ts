/**
 * Tests for src/protocol/input-required.ts through the dispatcher: which capabilities an input
 * request needs (elicitation modes included), a feature that never stops asking on the legacy
 * path, InputRequired thrown where it is not allowed (M-R2) or empty (M-R4), and descriptors that
 * claim multiple rounds without a target.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputRequired, type InputRequest } from '../../src/protocol/definitions.ts';
import { Dispatcher } from '../../src/protocol/dispatcher.ts';
import { MAX_LEGACY_ROUNDS, missingCapabilities } from '../../src/protocol/input-required.ts';
import { lifecycleNotifications } from '../../src/protocol/lifecycle.ts';
import type { JsonRpcMessage } from '../../src/protocol/messages.ts';
import { defineMethod, BOTH_ERAS, noScopes, type RegisteredMethod } from '../../src/protocol/method.ts';
import type { MessageSink } from '../../src/protocol/session.ts';
import { ANY_PARAMS, call, collectingLogger, errorOf, openedSession } from './helpers.ts';

const ELICIT: InputRequest = { method: 'elicitation/create', params: { message: 'Name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } } };
const ELICIT_URL: InputRequest = { method: 'elicitation/create', params: { mode: 'url', message: 'Sign in', url: 'https://example.com/x', elicitationId: 'e1' } };
const SAMPLE: InputRequest = { method: 'sampling/createMessage', params: { messages: [], maxTokens: 1 } };
const ROOTS: InputRequest = { method: 'roots/list', params: {} };

describe('missingCapabilities (mrtr.mdx #6; client/elicitation.mdx "Capabilities")', () => {
  test('each method needs its capability; none missing gives undefined', () => {
    assert.equal(missingCapabilities([ELICIT, SAMPLE, ROOTS], { elicitation: {}, sampling: {}, roots: {} }), undefined);
    assert.deepEqual(missingCapabilities([ELICIT, SAMPLE, ROOTS], {}), { elicitation: {}, sampling: {}, roots: {} });
    assert.deepEqual(missingCapabilities([SAMPLE, ROOTS], { sampling: {} }), { roots: {} });
  });
  test('`elicitation: {}` is form only; url mode must be declared, and a url-only client cannot take a form', () => {
    assert.equal(missingCapabilities([ELICIT], { elicitation: {} }), undefined);
    assert.deepEqual(missingCapabilities([ELICIT_URL], { elicitation: {} }), { elicitation: { url: {} } });
    assert.equal(missingCapabilities([ELICIT_URL], { elicitation: { url: {} } }), undefined);
    assert.deepEqual(missingCapabilities([ELICIT], { elicitation: { url: {} } }), { elicitation: { form: {} } });
    assert.equal(missingCapabilities([ELICIT, ELICIT_URL], { elicitation: { form: {}, url: {} } }), undefined);
  });
});

function multiRound(method: string, handler: RegisteredMethod['handler'], named = true): RegisteredMethod {
  return defineMethod({ method, params: ANY_PARAMS, scopes: noScopes, rateLimit: 'none', eras: BOTH_ERAS, multiRound: true, ...(named ? { namedBy: 'name' as const } : {}), handler });
}

/** A sink that answers every elicitation/create at once, as a client would, through the session. */
function answeringSink(onSend: (message: JsonRpcMessage) => void): MessageSink {
  return { send: onSend };
}

describe('the rounds of a legacy request (basic/lifecycle.mdx: server-to-client requests)', () => {
  test(`a feature still asking after ${MAX_LEGACY_ROUNDS} rounds is stopped with -32603, its cause logged`, async () => {
    const logger = collectingLogger();
    let runs = 0;
    const asks = multiRound('ask/forever', () => {
      runs++;
      throw new InputRequired({ again: ELICIT }, { runs });
    });
    const dispatcher = new Dispatcher([asks], lifecycleNotifications, logger);
    const session = openedSession();
    session.open('2025-11-25', { elicitation: {} }, { name: 't', version: '1' });
    const related = answeringSink((message) => {
      if ('id' in message && 'method' in message) queueMicrotask(() => session.outbound.settle({ jsonrpc: '2.0', id: message.id, result: { action: 'accept', content: { name: 'x' } } }));
    });
    const response = await call(dispatcher, session, 'ask/forever', { name: 'x' }, { related });
    assert.equal(errorOf(response).code, -32603);
    assert.equal(runs, MAX_LEGACY_ROUNDS);
    assert.match(String(logger.entries.find((entry) => entry.msg === 'handler failed')?.fields?.error), /still asking for input after 8 rounds/);
  });

  test('the answer a legacy client sends is checked like a modern one: a bad one is -32602', async () => {
    const asks = multiRound('ask/once', (_params, context) => {
      const answer = context.input?.answer('name', ELICIT);
      if (answer === undefined) throw new InputRequired({ name: ELICIT });
      return { got: answer };
    });
    const dispatcher = new Dispatcher([asks], lifecycleNotifications, collectingLogger());
    const session = openedSession();
    session.open('2025-11-25', { elicitation: {} }, { name: 't', version: '1' });
    const related = answeringSink((message) => {
      if ('id' in message && 'method' in message) queueMicrotask(() => session.outbound.settle({ jsonrpc: '2.0', id: message.id, result: { action: 'accept', content: { name: 42 } } }));
    });
    const error = errorOf(await call(dispatcher, session, 'ask/once', { name: 'x' }, { related }));
    assert.equal(error.code, -32602);
    assert.equal(error.message, 'The answer to input request "name" breaks the requested schema: content name must be string');
  });
});

describe('where InputRequired is not allowed', () => {
  test('from a method that is not multi-round (M-R2), or with neither requests nor state (M-R4): -32603', async () => {
    const logger = collectingLogger();
    const plain = defineMethod({ method: 'plain', params: ANY_PARAMS, scopes: noScopes, rateLimit: 'none', eras: BOTH_ERAS, handler: () => { throw new InputRequired({ a: ROOTS }); } });
    const empty = multiRound('empty', () => { throw new InputRequired({}); });
    const dispatcher = new Dispatcher([plain, empty], lifecycleNotifications, logger);
    const session = openedSession();
    assert.equal(errorOf(await call(dispatcher, session, 'plain', {})).code, -32603);
    assert.equal(errorOf(await call(dispatcher, session, 'empty', { name: 'x' })).code, -32603);
    const causes = logger.entries.filter((entry) => entry.msg === 'handler failed').map((entry) => String(entry.fields?.error));
    assert.match(causes[0] ?? '', /^InputRequired/);
    assert.match(causes[1] ?? '', /InputRequired with neither requests nor state/);
  });

  test('a multi-round descriptor must name its target', () => {
    assert.throws(() => new Dispatcher([multiRound('no/target', () => ({}), false)], lifecycleNotifications, collectingLogger()), /multi-round but names no target/);
  });
});
