/**
 * Tests for src/protocol/context.ts, driven through a real Dispatcher: progress only with a
 * progressToken and strictly increasing, log messages filtered by the session's level, and
 * server-to-client requests through the related sink, settled by the session's OutboundRequests.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RequestContext } from '../../src/protocol/context.ts';
import { Dispatcher } from '../../src/protocol/dispatcher.ts';
import { ErrorCode, ProtocolError } from '../../src/protocol/errors.ts';
import { lifecycleNotifications } from '../../src/protocol/lifecycle.ts';
import type { JsonRpcRequest, Params } from '../../src/protocol/messages.ts';
import type { Session } from '../../src/protocol/session.ts';
import { silentLogger } from '../../src/log.ts';
import { ANY_PARAMS, collectingSink, environment, openedSession, principal, testMethod, type CollectingSink, type EnvironmentExtras } from './helpers.ts';

/** Runs `body` as the handler of method `run` and returns the response and related messages. */
async function run(body: (context: RequestContext) => Promise<void> | void, options: { params?: Params; session?: Session; sink?: CollectingSink; extras?: EnvironmentExtras } = {}) {
  const dispatcher = new Dispatcher([
    testMethod('run', ANY_PARAMS, async (_params, context) => {
      await body(context);
      return {};
    }),
  ], lifecycleNotifications, silentLogger);
  const sink = options.sink ?? collectingSink();
  const message: JsonRpcRequest = options.params === undefined ? { jsonrpc: '2.0', id: 1, method: 'run' } : { jsonrpc: '2.0', id: 1, method: 'run', params: options.params };
  const response = await dispatcher.request(message, environment(options.session ?? openedSession(), sink, options.extras));
  return { response, sink, dispatcher };
}

const withToken = (progressToken: unknown): Params => ({ _meta: { progressToken } });

describe('progress', () => {
  test('nothing is sent when the request carried no progressToken (basic/utilities/progress.mdx)', async () => {
    const { sink } = await run((c) => c.progress(1, 2, 'half'));
    assert.deepEqual(sink.messages, []);
  });

  test('progress must increase: repeats and decreases are dropped (progress.mdx MUST)', async () => {
    const { sink } = await run((c) => {
      c.progress(1);
      c.progress(1);
      c.progress(0.5);
      c.progress(2.5, 10, 'step two');
    }, { params: withToken('tok') });
    assert.deepEqual(sink.messages, [
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'tok', progress: 1 } },
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'tok', progress: 2.5, total: 10, message: 'step two' } },
    ]);
  });

  test('an integer token, including 0, is echoed as sent (schema.ts ProgressToken)', async () => {
    const { sink } = await run((c) => c.progress(0), { params: withToken(0) });
    assert.deepEqual(sink.messages, [{ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 0, progress: 0 } }]);
  });

  test('a token that is neither a string nor an integer is ignored (schema.ts ProgressToken)', async () => {
    for (const token of [1.5, null, { a: 1 }, true]) {
      const { sink } = await run((c) => c.progress(1), { params: withToken(token) });
      assert.deepEqual(sink.messages, [], `token ${JSON.stringify(token)}`);
    }
  });

  test('no progress is sent once the request was cancelled (progress.mdx: stop once the request completes)', async () => {
    const session = openedSession();
    let context: RequestContext | undefined;
    const sink = collectingSink();
    const pending = run(async (c) => {
      context = c;
      await new Promise((resolve) => c.signal.addEventListener('abort', resolve));
      c.progress(5);
    }, { params: withToken('t'), session, sink });
    await new Promise((resolve) => setImmediate(resolve));
    session.cancel(1, 'stop');
    const { response } = await pending;
    assert.equal(response, undefined);
    assert.ok(context?.signal.aborted);
    assert.deepEqual(sink.messages, []);
  });
});

describe('log messages', () => {
  test('with no logging/setLevel, info and above are sent and debug is not (server/utilities/logging.mdx)', async () => {
    const { sink } = await run((c) => {
      c.log('debug', 'd');
      c.log('info', 'i');
      c.log('emergency', { detail: 'e' }, 'db');
    });
    assert.deepEqual(sink.messages, [
      { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'i' } },
      { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'emergency', logger: 'db', data: { detail: 'e' } } },
    ]);
  });

  test('the session level is honoured: below it nothing is sent (logging.mdx)', async () => {
    const session = openedSession();
    session.logLevel = 'error';
    const { sink } = await run((c) => {
      c.log('warning', 'w');
      c.log('error', 'e');
      c.log('critical', 'c');
    }, { session });
    assert.deepEqual(sink.messages.map((m) => ('params' in m ? m.params?.level : undefined)), ['error', 'critical']);
  });

  test('debug is sent once the client asked for debug (logging.mdx)', async () => {
    const session = openedSession();
    session.logLevel = 'debug';
    const { sink } = await run((c) => c.log('debug', 'd'), { session });
    assert.equal(sink.messages.length, 1);
  });
});

describe('context fields', () => {
  test('the handler sees the principal, the session, the request id and the client capabilities', async () => {
    const session = openedSession();
    session.open('2025-11-25', { roots: {} }, { name: 'c', version: '1' });
    await run((c) => {
      assert.equal(c.principal, principal);
      assert.equal(c.session, session);
      assert.equal(c.requestId, 1);
      assert.deepEqual(c.clientCapabilities, { roots: {} });
      assert.equal(c.signal.aborted, false);
    }, { session });
  });
});

describe('closeStream (basic/transports.mdx, SEP-1699 polling)', () => {
  test('without a transport that offers it, closeStream is false', async () => {
    await run((c) => assert.equal(c.closeStream?.(1000), false));
  });

  test('it asks the transport with the retry hint while the request runs, and refuses once cancelled', async () => {
    const asked: Array<number | undefined> = [];
    const session = openedSession();
    const answers: boolean[] = [];
    const pending = run(async (c) => {
      answers.push(c.closeStream?.(250) ?? false, c.closeStream?.() ?? false);
      await new Promise((resolve) => c.signal.addEventListener('abort', resolve));
      answers.push(c.closeStream?.(250) ?? false);
    }, { session, extras: { closeStream: (retryMs) => (asked.push(retryMs), true) } });
    await new Promise((resolve) => setImmediate(resolve));
    session.cancel(1, 'stop');
    await pending;
    assert.deepEqual(asked, [250, undefined]);
    assert.deepEqual(answers, [true, true, false]);
  });
});

describe('server-to-client requests', () => {
  test('context.request sends a srv- id through the related sink and resolves with the settled result (basic/index.mdx)', async () => {
    const session = openedSession();
    session.clientCapabilities = { roots: {} };
    const sink = collectingSink();
    let answer: unknown;
    const pending = run(async (c) => {
      answer = await c.request('roots/list');
    }, { session, sink });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(sink.messages, [{ jsonrpc: '2.0', id: 'srv-1', method: 'roots/list' }]);
    assert.equal(session.outbound.settle({ jsonrpc: '2.0', id: 'srv-1', result: { roots: [] } }), true);
    const { response } = await pending;
    assert.deepEqual(response, { jsonrpc: '2.0', id: 1, result: {} });
    assert.deepEqual(answer, { roots: [] });
    assert.equal(session.outbound.size, 0);
  });

  test('a client error answer rejects context.request with a ProtocolError (basic/index.mdx)', async () => {
    const session = openedSession();
    session.clientCapabilities = { roots: {} };
    let failure: unknown;
    const pending = run(async (c) => {
      failure = await c.request('roots/list', {}).catch((error: unknown) => error);
    }, { session });
    await new Promise((resolve) => setImmediate(resolve));
    session.outbound.settle({ jsonrpc: '2.0', id: 'srv-1', error: { code: -32601, message: 'Roots not supported' } });
    await pending;
    assert.ok(failure instanceof ProtocolError);
    assert.equal(failure.message, 'Roots not supported');
    assert.equal(failure.code, ErrorCode.InternalError);
  });

  test('cancelling the request cancels its pending server request with notifications/cancelled (cancellation.mdx)', async () => {
    const session = openedSession();
    session.clientCapabilities = { roots: {} };
    const sink = collectingSink();
    const pending = run(async (c) => {
      await c.request('roots/list').catch(() => undefined);
    }, { session, sink });
    await new Promise((resolve) => setImmediate(resolve));
    session.cancel(1, 'user');
    assert.equal((await pending).response, undefined);
    assert.deepEqual(sink.messages[1], { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'srv-1', reason: 'was cancelled' } });
    assert.equal(session.outbound.size, 0);
  });

  test('a server request made after cancellation is not sent at all (cancellation.mdx)', async () => {
    const session = openedSession();
    session.clientCapabilities = { roots: {} };
    const sink = collectingSink();
    let failure: unknown;
    const pending = run(async (c) => {
      await new Promise((resolve) => c.signal.addEventListener('abort', resolve));
      failure = await c.request('roots/list').catch((error: unknown) => error);
    }, { session, sink });
    await new Promise((resolve) => setImmediate(resolve));
    session.cancel(1, 'user');
    await pending;
    assert.ok(failure instanceof ProtocolError);
    assert.deepEqual(sink.messages, []);
    assert.equal(session.outbound.size, 0);
  });

  test('a request is refused at once when the client accepts no event stream: nothing could carry it', async () => {
    const session = openedSession();
    session.clientCapabilities = { roots: {} };
    const sink = Object.assign(collectingSink(), { deliverable: false });
    let failure: unknown;
    await run(async (c) => {
      failure = await c.request('roots/list').catch((error: unknown) => error);
    }, { session, sink });
    assert.ok(failure instanceof ProtocolError);
    assert.deepEqual(sink.messages, []);
    assert.equal(session.outbound.size, 0);
  });

  test('a request for a capability the client did not declare is refused without being sent (basic/lifecycle.mdx, checklist L9)', async () => {
    const session = openedSession();
    const sink = collectingSink();
    let failure: unknown;
    await run(async (c) => {
      failure = await c.request('sampling/createMessage', {}).catch((error: unknown) => error);
    }, { session, sink });
    assert.ok(failure instanceof ProtocolError);
    assert.match((failure as Error).message, /did not declare the sampling capability/);
    assert.deepEqual(sink.messages, []);
  });
});
