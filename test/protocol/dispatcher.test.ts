/**
 * Tests for src/protocol/dispatcher.ts with small inline descriptors: the -32601 / -32602 / -32600
 * / -32603 answers, ProtocolErrors passed through, domain errors mapped per era, internal causes
 * logged and never sent,
 * cancellation (notifications/cancelled, a closed connection), and in-flight id tracking.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Dispatcher, type RequestEnvironment } from '../../src/protocol/dispatcher.ts';
import { InvalidArgument, NotFound } from '../../src/protocol/domain-errors.ts';
import { ErrorCode, ProtocolError } from '../../src/protocol/errors.ts';
import { lifecycleNotifications } from '../../src/protocol/lifecycle.ts';
import type { JsonRpcRequest, RequestId } from '../../src/protocol/messages.ts';
import type { RegisteredMethod } from '../../src/protocol/method.ts';
import { paramsSchema } from '../../src/protocol/params-schema.ts';
import { CancelledError, Session } from '../../src/protocol/session.ts';
import { assertServerMessage } from '../helpers/schema.ts';
import { ANY_PARAMS, call, collectingLogger, environment, errorOf, openedSession, resultOf, testMethod } from './helpers.ts';

/** A handler that waits until released or aborted; records the signal it was given. */
function gate() {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const signals: AbortSignal[] = [];
  let started: () => void = () => undefined;
  const running = new Promise<void>((resolve) => (started = resolve));
  const descriptor = testMethod('wait', ANY_PARAMS, async (_params, context) => {
    signals.push(context.signal);
    started();
    await Promise.race([released, new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }))]);
    return { done: true };
  });
  return { descriptor, release, signals, running };
}

const SECRET = 'password=hunter2 at /srv/db';

function build(extra: RegisteredMethod[] = []) {
  const logger = collectingLogger();
  const methods: RegisteredMethod[] = [
    testMethod('echo', paramsSchema({ type: 'object', required: ['text'], properties: { text: { type: 'string' } } }), (params) => ({ text: params.text })),
    testMethod('fail/protocol', ANY_PARAMS, () => {
      throw new ProtocolError(ErrorCode.ResourceNotFound, 'Resource not found', { uri: 'test://x' });
    }),
    testMethod('fail/not-found', ANY_PARAMS, async () => {
      throw new NotFound('resource', 'test://gone');
    }),
    testMethod('fail/argument', ANY_PARAMS, () => {
      throw new InvalidArgument('focus', 'Invalid focus: "x"', { allowed: ['a'] });
    }),
    testMethod('fail/internal', ANY_PARAMS, async () => {
      throw new Error(SECRET);
    }),
    testMethod('fail/non-error', ANY_PARAMS, () => {
      throw SECRET as unknown as Error;
    }),
    ...extra,
  ];
  return { dispatcher: new Dispatcher(methods, lifecycleNotifications, logger), logger };
}

/** The same environment as a modern request would have (its era; a session is still given). */
function modern(env: RequestEnvironment): RequestEnvironment {
  return { ...env, state: { ...env.state, era: 'modern' } };
}

function request(id: RequestId, method: string, params?: Record<string, unknown>): JsonRpcRequest {
  return params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
}

function cancel(dispatcher: Dispatcher, session: Session, params: Record<string, unknown>): void {
  dispatcher.notification({ jsonrpc: '2.0', method: 'notifications/cancelled', params }, session);
}

describe('Dispatcher errors', () => {
  test('an unknown method is -32601 "Method not found: <method>" (JSON-RPC 2.0 §5.1)', async () => {
    const { dispatcher } = build();
    const response = await call(dispatcher, openedSession(), 'nope/never', undefined, { id: 3 });
    assert.deepEqual(response, { jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'Method not found: nope/never' } });
    assert.equal(dispatcher.hasMethod('echo'), true);
    assert.equal(dispatcher.hasMethod('nope/never'), false);
  });

  test('params that break the method schema are -32602 naming the field in data.field (JSON-RPC 2.0 §5.1)', async () => {
    const { dispatcher } = build();
    const missing = errorOf(await call(dispatcher, openedSession(), 'echo', {}));
    assert.deepEqual(missing, { code: -32602, message: 'Invalid params: text is required', data: { field: '/text', problem: 'is required' } });
    const wrongType = errorOf(await call(dispatcher, openedSession(), 'echo', { text: 1 }));
    assert.equal(wrongType.code, ErrorCode.InvalidParams);
    assert.deepEqual(wrongType.data, { field: '/text', problem: 'must be string' });
  });

  test('absent params are validated as an empty object (schema.ts: params is optional)', async () => {
    const { dispatcher } = build();
    assert.equal(errorOf(await call(dispatcher, openedSession(), 'echo')).code, ErrorCode.InvalidParams);
  });

  test('valid params reach the handler and its object becomes the result (basic/index.mdx)', async () => {
    const { dispatcher } = build();
    assert.deepEqual(resultOf(await call(dispatcher, openedSession(), 'echo', { text: 'hi' })), { text: 'hi' });
  });

  test('a ProtocolError keeps its code, message and data (schema.ts Error)', async () => {
    const { dispatcher, logger } = build();
    const error = errorOf(await call(dispatcher, openedSession(), 'fail/protocol'));
    assert.deepEqual(error, { code: -32002, message: 'Resource not found', data: { uri: 'test://x' } });
    assert.equal(logger.entries.length, 0);
  });

  test('a domain NotFound is -32002 with data.uri on the legacy path, the default era (MCP 2025-11-25 server/resources.mdx)', async () => {
    const { dispatcher, logger } = build();
    const error = errorOf(await call(dispatcher, openedSession(), 'fail/not-found'));
    assert.deepEqual(error, { code: -32002, message: 'Resource not found', data: { uri: 'test://gone' } });
    assert.equal(logger.entries.length, 0);
  });

  test('the same NotFound is -32602 on a modern request (MCP 2026-07-28 basic/index.mdx: -32002 MUST NOT)', async () => {
    const { dispatcher } = build();
    const env = modern(environment(openedSession()));
    const response = await dispatcher.request(request(8, 'fail/not-found'), env);
    assert.deepEqual(response, { jsonrpc: '2.0', id: 8, error: { code: -32602, message: 'Resource not found', data: { uri: 'test://gone' } } });
  });

  test('a domain InvalidArgument is -32602 naming the argument, with its details, in both eras (server/prompts.mdx)', async () => {
    const { dispatcher } = build();
    const expected = { code: -32602, message: 'Invalid focus: "x"', data: { argument: 'focus', allowed: ['a'] } };
    assert.deepEqual(errorOf(await call(dispatcher, openedSession(), 'fail/argument')), expected);
    const answer = await dispatcher.request(request(9, 'fail/argument'), modern(environment(openedSession())));
    assert.deepEqual(answer, { jsonrpc: '2.0', id: 9, error: expected });
  });

  test('a plain Error is -32603 "Internal error" with a correlation id; the stack goes to the log only (STYLE principle 3)', async () => {
    const { dispatcher, logger } = build();
    const response = await call(dispatcher, openedSession(), 'fail/internal');
    assert.deepEqual(errorOf(response), { code: -32603, message: 'Internal error', data: { correlationId: 'corr-1' } });
    const body = JSON.stringify(response);
    assert.equal(body.includes('hunter2'), false);
    assert.equal(body.includes('dispatcher.test.ts'), false);
    assert.equal(logger.entries.length, 1);
    const [entry] = logger.entries;
    assert.equal(entry?.level, 'error');
    assert.equal(entry?.fields?.correlationId, 'corr-1');
    assert.equal(entry?.fields?.rpcMethod, 'fail/internal');
    assert.match(String(entry?.fields?.error), /hunter2[\s\S]*dispatcher\.test\.ts/);
  });

  test('a thrown non-Error value is also -32603, logged, never echoed (STYLE principle 3)', async () => {
    const { dispatcher, logger } = build();
    const response = await call(dispatcher, openedSession(), 'fail/non-error');
    assert.equal(errorOf(response).message, 'Internal error');
    assert.equal(JSON.stringify(response).includes('hunter2'), false);
    assert.equal(logger.entries[0]?.fields?.error, SECRET);
  });
});

describe('Dispatcher cancellation and in-flight ids', () => {
  test('notifications/cancelled aborts the handler and the request gets no response (basic/utilities/cancellation.mdx)', async () => {
    const g = gate();
    const { dispatcher } = build([g.descriptor]);
    const session = openedSession();
    const pending = dispatcher.request(request(7, 'wait'), environment(session));
    await g.running;
    cancel(dispatcher, session, { requestId: 7, reason: 'user gave up' });
    assert.equal(await pending, undefined);
    const reason: unknown = g.signals[0]?.reason;
    assert.ok(reason instanceof CancelledError);
    assert.equal(reason.message, 'user gave up');
  });

  test('a handler that rejects once cancelled still gets no response (cancellation.mdx)', async () => {
    const { dispatcher } = build([
      testMethod('reject-on-abort', ANY_PARAMS, (_p, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))))),
    ]);
    const session = openedSession();
    const pending = dispatcher.request(request('r', 'reject-on-abort'), environment(session));
    cancel(dispatcher, session, { requestId: 'r' });
    assert.equal(await pending, undefined);
  });

  test('a cancellation naming "7" does not cancel request 7: ids keep their type (basic/index.mdx)', async () => {
    const g = gate();
    const { dispatcher } = build([g.descriptor]);
    const session = openedSession();
    const pending = dispatcher.request(request(7, 'wait'), environment(session));
    await g.running;
    cancel(dispatcher, session, { requestId: '7' });
    assert.equal(g.signals[0]?.aborted, false);
    g.release();
    const response = await pending;
    assert.ok(response);
    assert.deepEqual(resultOf(response), { done: true });
  });

  test('malformed and unknown cancellations are ignored (cancellation.mdx: SHOULD ignore)', async () => {
    const g = gate();
    const { dispatcher } = build([g.descriptor]);
    const session = openedSession();
    const pending = dispatcher.request(request(1, 'wait'), environment(session));
    await g.running;
    for (const params of [{}, { requestId: null }, { requestId: { id: 1 } }, { requestId: 1.5 }, { requestId: 1, reason: 5 }, { requestId: 99 }]) {
      cancel(dispatcher, session, params);
    }
    dispatcher.notification({ jsonrpc: '2.0', method: 'notifications/cancelled' }, session);
    assert.equal(g.signals[0]?.aborted, false);
    g.release();
    assert.ok(await pending);
  });

  test('a closed connection aborts the handler signal with the connection reason (STYLE principle 13)', async () => {
    const g = gate();
    const { dispatcher } = build([g.descriptor]);
    let disconnect: ((reason: Error) => void) | undefined;
    const pending = dispatcher.request(request(1, 'wait'), environment(openedSession(), undefined, { onDisconnect: (abort) => { disconnect = abort; } }));
    await g.running;
    const reason = new Error('connection closed');
    disconnect?.(reason);
    assert.equal(await pending, undefined);
    assert.equal(g.signals[0]?.aborted, true);
    assert.equal(g.signals[0]?.reason, reason);
  });

  test('a second request with an id still in flight is -32600 (basic/index.mdx: ids are not reused)', async () => {
    const g = gate();
    const { dispatcher } = build([g.descriptor]);
    const session = openedSession();
    const first = dispatcher.request(request(5, 'wait'), environment(session));
    await g.running;
    const second = await dispatcher.request(request(5, 'echo', { text: 'x' }), environment(session));
    assert.deepEqual(second, { jsonrpc: '2.0', id: 5, error: { code: -32600, message: 'Request id is already in use by a request in progress' } });
    assertServerMessage(second);
    g.release();
    assert.deepEqual(await first, { jsonrpc: '2.0', id: 5, result: { done: true } });
  });

  test('ids 1 and "1" are different requests and may run together (schema.ts RequestId)', async () => {
    const g = gate();
    const { dispatcher } = build([g.descriptor]);
    const session = openedSession();
    const numeric = dispatcher.request(request(1, 'wait'), environment(session));
    const text = dispatcher.request(request('1', 'wait'), environment(session));
    g.release();
    assert.deepEqual(await numeric, { jsonrpc: '2.0', id: 1, result: { done: true } });
    assert.deepEqual(await text, { jsonrpc: '2.0', id: '1', result: { done: true } });
  });

  test('only in-flight ids are tracked: once answered, the id is free and a late cancel is a no-op (cancellation.mdx)', async () => {
    const { dispatcher } = build();
    const session = openedSession();
    await call(dispatcher, session, 'echo', { text: 'a' }, { id: 9 });
    cancel(dispatcher, session, { requestId: 9 });
    assert.deepEqual(resultOf(await call(dispatcher, session, 'echo', { text: 'b' }, { id: 9 })), { text: 'b' });
  });

  test('a request rejected for its params does not occupy its id (JSON-RPC 2.0 §5.1)', async () => {
    const { dispatcher } = build();
    const session = openedSession();
    errorOf(await call(dispatcher, session, 'echo', {}, { id: 'p' }));
    resultOf(await call(dispatcher, session, 'echo', { text: 'ok' }, { id: 'p' }));
  });
});

describe('Dispatcher notifications', () => {
  test('notifications/initialized marks the session initialized (basic/lifecycle.mdx)', () => {
    const { dispatcher } = build();
    const session = openedSession();
    dispatcher.notification({ jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    assert.equal(session.initialized, true);
  });

  test('unknown notifications and notifications with invalid params are dropped silently (basic/index.mdx: no response)', () => {
    const { dispatcher } = build();
    const session = new Session('s');
    assert.equal(dispatcher.notification({ jsonrpc: '2.0', method: 'notifications/unknown', params: { a: 1 } }, session), undefined);
    assert.equal(session.initialized, false);
  });
});
