/**
 * Tests for src/protocol/session.ts: defaults before initialize, in-flight id tracking,
 * cancellation, the log threshold in RFC 5424 order, the standalone sink, and close().
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LOG_LEVELS } from '../../src/protocol/definitions.ts';
import { CancelledError, Session } from '../../src/protocol/session.ts';
import { collectingSink } from './helpers.ts';

describe('Session', () => {
  test('before initialize it is not opened, not initialized, has no level and assumes the latest version (basic/lifecycle.mdx)', () => {
    const session = new Session('abc');
    assert.equal(session.id, 'abc');
    assert.equal(session.opened, false);
    assert.equal(session.initialized, false);
    assert.equal(session.logLevel, undefined);
    assert.equal(session.protocolVersion, '2025-11-25');
    assert.deepEqual(session.clientCapabilities, {});
  });

  test('open records the negotiated version, the client capabilities and clientInfo (basic/lifecycle.mdx)', () => {
    const session = new Session('s');
    session.open('2025-03-26', { sampling: {} }, { name: 'c', version: '2' });
    assert.equal(session.opened, true);
    assert.equal(session.initialized, false);
    assert.equal(session.protocolVersion, '2025-03-26');
    assert.deepEqual(session.clientCapabilities, { sampling: {} });
    assert.deepEqual(session.clientInfo, { name: 'c', version: '2' });
  });

  test('issue #15: open keeps only the known capabilities declared and a bounded clientInfo, never the params themselves', () => {
    const session = new Session('s');
    const ballast = 'x'.repeat(1_000_000);
    const capabilities = { roots: { listChanged: true, ballast }, experimental: { ballast: { ballast } }, ballast: { ballast } };
    const clientInfo = { name: ballast, version: '1', title: ballast, icons: [{ src: ballast }] };
    session.open('2025-11-25', capabilities, clientInfo);
    assert.deepEqual(session.clientCapabilities, { roots: { listChanged: true } });
    assert.deepEqual(session.clientInfo, { name: 'x'.repeat(256), version: '1' });
    assert.notEqual(session.clientCapabilities.roots, capabilities.roots);
  });

  test('begin refuses an id already in flight, but 1 and "1" are distinct (basic/index.mdx)', () => {
    const session = new Session('s');
    assert.equal(session.begin(1, new AbortController()), true);
    assert.equal(session.begin(1, new AbortController()), false);
    assert.equal(session.begin('1', new AbortController()), true);
  });

  test('end frees the id only for the controller that holds it', () => {
    const session = new Session('s');
    const holder = new AbortController();
    session.begin(1, holder);
    session.end(1, new AbortController());
    assert.equal(session.begin(1, new AbortController()), false);
    session.end(1, holder);
    assert.equal(session.begin(1, new AbortController()), true);
  });

  test('cancel aborts the request with a CancelledError carrying the reason (basic/utilities/cancellation.mdx)', () => {
    const session = new Session('s');
    const controller = new AbortController();
    session.begin('x', controller);
    session.cancel('x', 'user');
    const reason: unknown = controller.signal.reason;
    assert.ok(reason instanceof CancelledError);
    assert.equal(reason.message, 'user');
    assert.equal(reason.name, 'CancelledError');
  });

  test('cancel of an unknown or finished id is ignored (cancellation.mdx: MAY ignore)', () => {
    const session = new Session('s');
    const controller = new AbortController();
    session.begin(1, controller);
    session.end(1, controller);
    session.cancel(1, 'late');
    session.cancel(2, 'unknown');
    assert.equal(controller.signal.aborted, false);
  });

  test('LOG_LEVELS are the eight RFC 5424 levels, least severe first (server/utilities/logging.mdx)', () => {
    assert.deepEqual(LOG_LEVELS, ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']);
  });

  test('wantsLog sends the set level and above; with no setLevel the threshold is info (logging.mdx)', () => {
    const session = new Session('s');
    assert.deepEqual(LOG_LEVELS.filter((l) => session.wantsLog(l)), LOG_LEVELS.slice(1));
    for (const [index, threshold] of LOG_LEVELS.entries()) {
      session.logLevel = threshold;
      assert.deepEqual(LOG_LEVELS.filter((l) => session.wantsLog(l)), LOG_LEVELS.slice(index), threshold);
    }
  });

  test('notify goes to the standalone stream when one is open and is dropped otherwise (basic/transports.mdx)', () => {
    const session = new Session('s');
    const message = { jsonrpc: '2.0' as const, method: 'notifications/resources/list_changed' };
    session.notify(message);
    const sink = collectingSink();
    session.standalone = sink;
    session.notify(message);
    assert.deepEqual(sink.messages, [message]);
  });

  test('close aborts in-flight work, rejects server requests, and forgets subscriptions and the stream (STYLE principle 13)', async () => {
    const session = new Session('s');
    const controller = new AbortController();
    session.begin(1, controller);
    session.subscriptions.add('test://a');
    session.standalone = collectingSink();
    const waiting = session.outbound.request('ping', undefined, () => undefined);
    session.close();
    assert.ok(controller.signal.reason instanceof CancelledError);
    await assert.rejects(waiting, /session closed/);
    assert.equal(session.subscriptions.size, 0);
    assert.equal(session.standalone, undefined);
    assert.equal(session.begin(1, new AbortController()), true);
  });
});
