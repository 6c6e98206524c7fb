/**
 * Tests for src/protocol/outbound.ts: server-to-client request ids, matching the client's
 * responses, timeouts and aborts that send notifications/cancelled (basic/lifecycle.mdx
 * "Timeouts"), and rejecting everything when the session ends.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, ProtocolError } from '../../src/protocol/errors.ts';
import { OutboundRequests, DEFAULT_OUTBOUND_TIMEOUT_MS } from '../../src/protocol/outbound.ts';
import { collectingSink } from './helpers.ts';

function setup() {
  const outbound = new OutboundRequests();
  const sink = collectingSink();
  const send = (m: Parameters<typeof sink.send>[0]): void => sink.send(m);
  return { outbound, sink, send };
}

describe('OutboundRequests', () => {
  test('ids are srv-1, srv-2, … and never repeat within the session (basic/index.mdx)', async () => {
    const { outbound, sink, send } = setup();
    const first = outbound.request('ping', undefined, send);
    const second = outbound.request('roots/list', {}, send);
    assert.deepEqual(sink.messages, [
      { jsonrpc: '2.0', id: 'srv-1', method: 'ping' },
      { jsonrpc: '2.0', id: 'srv-2', method: 'roots/list', params: {} },
    ]);
    assert.equal(outbound.size, 2);
    assert.equal(outbound.settle({ jsonrpc: '2.0', id: 'srv-2', result: { roots: [] } }), true);
    assert.equal(outbound.settle({ jsonrpc: '2.0', id: 'srv-1', result: {} }), true);
    assert.deepEqual(await first, {});
    assert.deepEqual(await second, { roots: [] });
    assert.equal(outbound.size, 0);
  });

  test('settle is false for an unknown id, a number id that looks alike, an id-less error, and a second answer (basic/index.mdx)', async () => {
    const { outbound, send } = setup();
    const pending = outbound.request('ping', undefined, send);
    assert.equal(outbound.settle({ jsonrpc: '2.0', id: 'srv-9', result: {} }), false);
    assert.equal(outbound.settle({ jsonrpc: '2.0', id: 1, result: {} }), false);
    assert.equal(outbound.settle({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' } }), false);
    assert.equal(outbound.settle({ jsonrpc: '2.0', id: 'srv-1', result: {} }), true);
    assert.equal(outbound.settle({ jsonrpc: '2.0', id: 'srv-1', result: {} }), false);
    await pending;
  });

  test('an error answer rejects with a ProtocolError carrying the client error as data (schema.ts Error)', async () => {
    const { outbound, send } = setup();
    const pending = outbound.request('roots/list', undefined, send);
    const error = { code: -32601, message: 'Method not found', data: { method: 'roots/list' } };
    outbound.settle({ jsonrpc: '2.0', id: 'srv-1', error });
    await assert.rejects(pending, (e: unknown) => {
      assert.ok(e instanceof ProtocolError);
      assert.equal(e.code, ErrorCode.InternalError);
      assert.equal(e.message, 'Method not found');
      assert.deepEqual(e.data, error);
      return true;
    });
  });

  test('a timeout sends notifications/cancelled and rejects; a late answer is not accepted (basic/lifecycle.mdx "Timeouts")', async () => {
    const { outbound, sink, send } = setup();
    await assert.rejects(outbound.request('roots/list', undefined, send, { timeoutMs: 5 }), (e: unknown) => {
      assert.ok(e instanceof ProtocolError);
      assert.equal(e.message, 'Request roots/list timed out');
      return true;
    });
    assert.deepEqual(sink.messages, [
      { jsonrpc: '2.0', id: 'srv-1', method: 'roots/list' },
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'srv-1', reason: 'timed out' } },
    ]);
    assert.equal(outbound.size, 0);
    assert.equal(outbound.settle({ jsonrpc: '2.0', id: 'srv-1', result: { roots: [] } }), false);
  });

  test('an abort sends notifications/cancelled for the request it issued (basic/utilities/cancellation.mdx)', async () => {
    const { outbound, sink, send } = setup();
    const controller = new AbortController();
    const pending = outbound.request('roots/list', undefined, send, { signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, /Request roots\/list was cancelled/);
    assert.deepEqual(sink.messages[1], { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'srv-1', reason: 'was cancelled' } });
    assert.equal(outbound.size, 0);
  });

  test('an already-aborted signal rejects at once and sends nothing (cancellation.mdx: only requests in progress)', async () => {
    const { outbound, sink, send } = setup();
    await assert.rejects(outbound.request('roots/list', undefined, send, { signal: AbortSignal.abort() }), ProtocolError);
    assert.deepEqual(sink.messages, []);
    assert.equal(outbound.size, 0);
  });

  test('a settled request no longer reacts to its signal: no late notifications/cancelled (cancellation.mdx)', async () => {
    const { outbound, sink, send } = setup();
    const controller = new AbortController();
    const pending = outbound.request('ping', undefined, send, { signal: controller.signal });
    outbound.settle({ jsonrpc: '2.0', id: 'srv-1', result: {} });
    await pending;
    controller.abort();
    assert.equal(sink.messages.length, 1);
  });

  test('rejectAll rejects every waiting request with the reason and empties the table (STYLE principle 13)', async () => {
    const { outbound, sink, send } = setup();
    const pending = [outbound.request('ping', undefined, send), outbound.request('roots/list', undefined, send)];
    outbound.rejectAll('session closed');
    for (const p of pending) await assert.rejects(p, /session closed/);
    assert.equal(outbound.size, 0);
    assert.equal(sink.messages.length, 2, 'no cancellation is sent for a session that is gone');
  });

  test('the default timeout is bounded (basic/lifecycle.mdx: always enforce a maximum timeout)', () => {
    assert.ok(Number.isFinite(DEFAULT_OUTBOUND_TIMEOUT_MS) && DEFAULT_OUTBOUND_TIMEOUT_MS > 0 && DEFAULT_OUTBOUND_TIMEOUT_MS <= 10 * 60_000);
  });
});
