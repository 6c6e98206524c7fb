/**
 * Tests for src/protocol/subscriptions.ts and src/protocol/listen.ts: which listen stream hears a
 * change event (the filter, exact URIs, the Audience), the tag on every copy, the per-principal
 * count held and freed, the graceful end, and the listen descriptor's honoured filter, scopes and
 * refusals, driven through the dispatcher (MCP 2026-07-28 basic/patterns/subscriptions.mdx).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../../src/log.ts';
import { createProtocolCore } from '../../src/protocol/core.ts';
import type { ResourceTemplateDefinition } from '../../src/protocol/definitions.ts';
import type { JsonRpcMessage } from '../../src/protocol/messages.ts';
import type { RequestState } from '../../src/protocol/request-state.ts';
import { FeatureRegistry } from '../../src/protocol/registry.ts';
import { CancelledError, type MessageSink } from '../../src/protocol/session.ts';
import { SubscriptionHub } from '../../src/protocol/subscriptions.ts';
import { assertModernServerMessage } from '../helpers/schema-modern.ts';

const SUB = 'io.modelcontextprotocol/subscriptionId';
const reader = { subject: 'alice', clientId: 'app', scopes: new Set(['items:read']) };
const readless = { subject: 'bob', clientId: 'app', scopes: new Set<string>() };
const everyone = (): boolean => true;
/** A hold whose rejection (the test aborting it) is expected. */
const quietly = (held: Promise<void>): void => void held.catch(() => undefined);

function sink(deliverable = true): MessageSink & { messages: JsonRpcMessage[] } {
  const messages: JsonRpcMessage[] = [];
  return { messages, deliverable, send: (message) => void messages.push(message) };
}

describe('SubscriptionHub: the modern delivery (checklist M-S3, M-S6, M-S9, M-E23)', () => {
  test('an event reaches only the streams whose filter asks for it, each copy tagged with its own id', () => {
    const hub = new SubscriptionHub();
    const [lists, uris, other] = [sink(), sink(), sink()];
    const controller = new AbortController();
    quietly(hub.hold(1, reader, { resourcesListChanged: true }, lists, controller.signal));
    quietly(hub.hold('b', reader, { resourceSubscriptions: ['test://items/1'] }, uris, controller.signal));
    quietly(hub.hold(3, reader, { promptsListChanged: true }, other, controller.signal));
    hub.deliver({ kind: 'resourceUpdated', uri: 'test://items/1' }, everyone);
    hub.deliver({ kind: 'resourceUpdated', uri: 'test://items/10' }, everyone);
    hub.deliver({ kind: 'listChanged', list: 'resources' }, everyone);
    assert.deepEqual(uris.messages, [{ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { _meta: { [SUB]: 'b' }, uri: 'test://items/1' } }]);
    assert.deepEqual(lists.messages, [{ jsonrpc: '2.0', method: 'notifications/resources/list_changed', params: { _meta: { [SUB]: 1 } } }]);
    assert.deepEqual(other.messages, []);
    for (const message of [...uris.messages, ...lists.messages]) assertModernServerMessage(message);
    controller.abort(new CancelledError('done'));
  });

  test('a holder outside the event\'s Audience hears nothing', () => {
    const hub = new SubscriptionHub();
    const heard = sink();
    const controller = new AbortController();
    quietly(hub.hold(1, readless, { resourcesListChanged: true }, heard, controller.signal));
    hub.deliver({ kind: 'listChanged', list: 'resources' }, (scopes) => scopes.has('items:read'));
    assert.deepEqual(heard.messages, []);
    controller.abort(new CancelledError('done'));
  });

  test('a stream counts against its principal until the client closes it (rejects) or the server ends it (resolves)', async () => {
    const hub = new SubscriptionHub({ maxStreamsPerPrincipal: 2, maxUris: 10 });
    const first = new AbortController();
    const closedByClient = hub.hold(1, reader, { resourcesListChanged: true }, sink(), first.signal);
    const endedByServer = hub.hold(2, reader, { resourcesListChanged: true }, sink(), new AbortController().signal);
    assert.equal(hub.full('alice\u0000app'), true);
    assert.equal(hub.full('bob\u0000app'), false);
    first.abort(new CancelledError('connection closed'));
    await assert.rejects(closedByClient, CancelledError);
    assert.equal(hub.full('alice\u0000app'), false);
    hub.endAll();
    await endedByServer;
    assert.equal(hub.size, 0);
  });

  test('an already aborted request holds nothing', async () => {
    const hub = new SubscriptionHub();
    const controller = new AbortController();
    controller.abort(new CancelledError('gone'));
    await assert.rejects(hub.hold(1, reader, { resourcesListChanged: true }, sink(), controller.signal), CancelledError);
    assert.equal(hub.size, 0);
  });
});

describe('subscriptions/listen through the dispatcher (subscriptions.mdx)', () => {
  const template: ResourceTemplateDefinition = { uriTemplate: 'test://items/{id}', name: 'item', requiredScopes: ['items:read'], read: async () => undefined, list: async () => [] };
  const core = createProtocolCore(new FeatureRegistry().add({ resourceTemplates: [template] }), { name: 's', version: '1' }, silentLogger, { listen: { maxStreamsPerPrincipal: 1, maxUris: 2 } });
  const state: RequestState = { era: 'modern', protocolVersion: '2026-07-28', clientCapabilities: {}, clientInfo: { name: 'c', version: '1' }, logLevel: undefined, identity: reader, trace: undefined };
  const listen = (params: object, related: MessageSink, id: number | string = 9) =>
    core.dispatcher.request({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: params as never }, { state, session: undefined, related, correlationId: 't' });

  test('is modern-only, and its scopes are those of the URIs it names', () => {
    const admitted = core.dispatcher.admit({ jsonrpc: '2.0', id: 1, method: 'subscriptions/listen', params: { notifications: { resourceSubscriptions: ['test://items/1'] } } }, 'modern');
    assert.deepEqual(admitted.scopes, ['items:read']);
    assert.equal(core.dispatcher.admit({ jsonrpc: '2.0', id: 1, method: 'subscriptions/listen', params: { notifications: {} } }, 'legacy').error?.code, -32601);
  });

  test('the acknowledgement first, honouring only what the modern capabilities declare and the URIs that name a resource; then the result when the server ends it', async () => {
    const related = sink();
    const answer = listen({ notifications: { toolsListChanged: true, resourcesListChanged: true, resourceSubscriptions: ['test://items/1', 'other://x'] } }, related);
    assert.deepEqual(related.messages, [{ jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { _meta: { [SUB]: 9 }, notifications: { resourcesListChanged: true, resourceSubscriptions: ['test://items/1'] } } }]);
    const refused = await listen({ notifications: { resourcesListChanged: true } }, sink(), 10);
    assert.deepEqual(refused && 'error' in refused ? refused.error : undefined, { code: -32603, message: 'Subscription limit reached', data: { limit: 1 } });
    core.subscriptions.endAll();
    assert.deepEqual(await answer, { jsonrpc: '2.0', id: 9, result: { _meta: { [SUB]: 9 } } });
  });

  test('too many URIs and a missing filter are -32602; a client that accepts no event stream is -32600', async () => {
    const many = await listen({ notifications: { resourceSubscriptions: ['test://items/1', 'test://items/2', 'test://items/3'] } }, sink());
    assert.equal(many && 'error' in many ? many.error.code : undefined, -32602);
    const none = await listen({}, sink());
    assert.equal(none && 'error' in none ? none.error.code : undefined, -32602);
    const jsonOnly = await listen({ notifications: { resourcesListChanged: true } }, sink(false));
    assert.equal(jsonOnly && 'error' in jsonOnly ? jsonOnly.error.code : undefined, -32600);
  });
});
