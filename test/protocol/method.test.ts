/**
 * Tests for src/protocol/method.ts: every descriptor registered by the incident server and by the
 * conformance fixtures server declares its scopes, eras and rate-limit class (issue 11: a method
 * without a scope rule cannot be registered); a descriptor that leaves one out is a TypeError at
 * start-up; the eras each method is served in (MCP 2026-07-28 basic/versioning.mdx); and server
 * capabilities derived from the descriptors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFixtureServer } from '../../fixtures/conformance/fixture-server.ts';
import { silentLogger } from '../../src/log.ts';
import type { RunningMcpServer } from '../../src/mcp-server.ts';
import { createProtocolCore } from '../../src/protocol/core.ts';
import { Dispatcher } from '../../src/protocol/dispatcher.ts';
import { lifecycleNotifications } from '../../src/protocol/lifecycle.ts';
import { serverCapabilities, type RegisteredMethod } from '../../src/protocol/method.ts';
import { FeatureRegistry } from '../../src/protocol/registry.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { ANY_PARAMS, testMethod } from './helpers.ts';

const RATE_LIMIT_CLASSES = new Set(['tool', 'session', 'none']);
const ERAS = new Set(['legacy', 'modern']);

function assertDeclaresFacts(where: string, core: RunningMcpServer['core']): number {
  const { dispatcher } = core;
  const descriptors = [...dispatcher.requestMethods(), ...dispatcher.notificationMethods()];
  for (const descriptor of descriptors) {
    const name = `${where}: ${descriptor.method}`;
    assert.equal(Object.hasOwn(descriptor, 'scopes'), true, `${name} declares its scopes`);
    assert.equal(typeof descriptor.scopes, 'function', `${name} declares a scope rule`);
    assert.ok(Array.isArray(descriptor.eras) && descriptor.eras.length > 0, `${name} declares its eras`);
    for (const era of descriptor.eras) assert.ok(ERAS.has(era), `${name}: era ${era}`);
    assert.ok(RATE_LIMIT_CLASSES.has(descriptor.rateLimit), `${name} declares its rate-limit class`);
  }
  return descriptors.length;
}

describe('every registered method declares scopes, eras and rate-limit class (issue 11)', () => {
  let incident: TestServer;
  let fixtures: RunningMcpServer;
  before(async () => {
    incident = await startTestServer();
    fixtures = await startFixtureServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
  });
  after(async () => {
    await incident.close();
    await fixtures.close(100);
  });

  test('the incident server: every request and notification descriptor', () => {
    assert.equal(assertDeclaresFacts('incident', incident.running.core), 17);
  });

  test('the conformance fixtures server: every request and notification descriptor', () => {
    assert.equal(assertDeclaresFacts('fixtures', fixtures.core), 17);
  });

  test('tool calls and completions spend the tool budget, initialize the session budget, the rest none (tools.mdx, completion.mdx)', () => {
    const classes = new Map([...incident.running.core.dispatcher.requestMethods()].map((d) => [d.method, d.rateLimit]));
    assert.equal(classes.get('tools/call'), 'tool');
    assert.equal(classes.get('completion/complete'), 'tool');
    assert.equal(classes.get('initialize'), 'session');
    for (const [method, rateLimit] of classes) if (!['tools/call', 'completion/complete', 'initialize'].includes(method)) assert.equal(rateLimit, 'none', method);
  });

  test('MCP 2026-07-28: initialize, ping, logging/setLevel and resources/(un)subscribe are legacy-only; server/discover and subscriptions/listen modern-only; the feature methods serve both eras', () => {
    const eras = new Map([...incident.running.core.dispatcher.requestMethods()].map((d) => [d.method, [...d.eras]]));
    for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe']) assert.deepEqual(eras.get(method), ['legacy'], method);
    const both = ['tools/list', 'tools/call', 'resources/list', 'resources/templates/list', 'resources/read', 'prompts/list', 'prompts/get', 'completion/complete'];
    for (const method of both) assert.deepEqual(eras.get(method), ['legacy', 'modern'], method);
    assert.deepEqual(eras.get('server/discover'), ['modern']);
    assert.deepEqual(eras.get('subscriptions/listen'), ['modern']);
    assert.deepEqual([...eras.keys()].sort(), [...both, 'initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe', 'server/discover', 'subscriptions/listen'].sort());
    for (const descriptor of incident.running.core.dispatcher.notificationMethods()) assert.deepEqual(descriptor.eras, ['legacy'], descriptor.method);
  });
});

describe('registration refuses a descriptor that leaves a fact out (TypeError at start-up)', () => {
  const good = testMethod('good', ANY_PARAMS, () => ({}));
  const without = (key: keyof RegisteredMethod): RegisteredMethod => {
    const copy: Partial<RegisteredMethod> = { ...good };
    delete copy[key];
    return copy as RegisteredMethod;
  };

  test('no scope rule, no eras, no rate-limit class, no params schema: each is a TypeError naming what is missing', () => {
    assert.throws(() => new Dispatcher([without('scopes')], [], silentLogger), /good" declares no scope rule/);
    assert.throws(() => new Dispatcher([without('eras')], [], silentLogger), /declares no eras/);
    assert.throws(() => new Dispatcher([without('rateLimit')], [], silentLogger), /declares no rate-limit class/);
    assert.throws(() => new Dispatcher([without('params')], [], silentLogger), /declares no params schema/);
    assert.throws(() => new Dispatcher([{ ...good, eras: [] as unknown as RegisteredMethod['eras'] }], [], silentLogger), TypeError);
    assert.throws(() => new Dispatcher([{ ...good, eras: ['future'] as unknown as RegisteredMethod['eras'] }], [], silentLogger), TypeError);
    assert.throws(() => new Dispatcher([{ ...good, rateLimit: 'sometimes' as RegisteredMethod['rateLimit'] }], [], silentLogger), TypeError);
  });

  test('a method registered twice, as a request or as a notification, is a TypeError', () => {
    assert.throws(() => new Dispatcher([good, good], [], silentLogger), /registered twice/);
    const clash = { ...good, method: 'notifications/initialized' };
    assert.throws(() => new Dispatcher([clash], lifecycleNotifications, silentLogger), /registered twice/);
  });

  test('a complete descriptor registers', () => {
    assert.equal(new Dispatcher([good], lifecycleNotifications, silentLogger).hasMethod('good'), true);
  });
});

describe('server capabilities come from the descriptors (basic/lifecycle.mdx "Capability Negotiation")', () => {
  const tool = { name: 't', description: 'd', inputSchema: { type: 'object' }, requiredScopes: [], call: async () => ({ content: [] }) };
  const resource = { uri: 'test://a', name: 'a', requiredScopes: [], read: async () => [] };
  const core = createProtocolCore(new FeatureRegistry().add({ tools: [tool], resources: [resource] }), { name: 's', version: '1' }, silentLogger);
  const methods = [...core.dispatcher.requestMethods()];

  test('legacy: logging always, and each registered feature with the flags its methods add', () => {
    assert.deepEqual(serverCapabilities(methods, 'legacy'), { logging: {}, resources: { listChanged: true, subscribe: true }, tools: { listChanged: false } });
  });

  test('modern: only what its methods imply (no logging/setLevel, no resources/subscribe; resource updates and list changes once subscriptions/listen carries them, checklist M-S14)', () => {
    assert.deepEqual(serverCapabilities(methods, 'modern'), { resources: { subscribe: true, listChanged: true }, tools: { listChanged: false } });
  });

  test('a method served in no era implies nothing there, and a method without a capability implies none', () => {
    assert.deepEqual(serverCapabilities([testMethod('x', ANY_PARAMS, () => ({}))], 'legacy'), {});
  });
});
