/**
 * Tests for src/protocol/resources.ts through createProtocolCore: listing resources and
 * templates, reading a resource and a template URI (percent-decoded variables), -32002 for
 * unknown URIs, and subscriptions turned into notifications/resources/updated.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createProtocolCore } from '../../src/protocol/core.ts';
import type { ResourceDefinition, ResourceTemplateDefinition } from '../../src/protocol/definitions.ts';
import { FeatureRegistry } from '../../src/protocol/registry.ts';
import { silentLogger } from '../../src/log.ts';
import { call, collectingSink, errorOf, openedSession, resultOf } from './helpers.ts';

const status: ResourceDefinition = {
  uri: 'test://status',
  name: 'status',
  title: 'Status',
  mimeType: 'text/plain',
  requiredScopes: [],
  read: async () => [{ uri: 'test://status', mimeType: 'text/plain', text: 'all good' }],
};

const items = new Map([['1', 'first'], ['a b', 'spaced'], ['é', 'accented']]);
const reads: Array<{ uri: string; variables: Record<string, string> }> = [];

const itemTemplate: ResourceTemplateDefinition = {
  uriTemplate: 'test://items/{id}',
  name: 'item',
  description: 'One item',
  mimeType: 'application/json',
  requiredScopes: [],
  list: async () => [{ uri: 'test://items/1', name: 'item 1' }, { uri: 'test://items/a%20b', name: 'item a b', size: 6 }],
  async read(uri, variables) {
    reads.push({ uri, variables });
    const text = items.get(variables.id ?? '');
    return text === undefined ? undefined : [{ uri, mimeType: 'application/json', text: JSON.stringify({ text }) }];
  },
};

/** A template whose variable must be a digit string: anything else can never name a resource. */
const numbered: ResourceTemplateDefinition = {
  uriTemplate: 'test://numbered/{n}',
  name: 'numbered',
  requiredScopes: [],
  accepts: (variables) => /^[1-9][0-9]{0,5}$/.test(variables.n ?? ''),
  async read(uri, variables) {
    reads.push({ uri, variables });
    return undefined;
  },
};

function setup() {
  const registry = new FeatureRegistry().add({ resources: [status], resourceTemplates: [itemTemplate, numbered] });
  const dispatcher = createProtocolCore(registry, { name: 's', version: '1' }, silentLogger).dispatcher;
  const session = openedSession();
  registry.attachSessions(() => [session]);
  return { registry, dispatcher, session };
}

describe('resources/list and resources/templates/list (server/resources.mdx)', () => {
  test('resources/list has the static resources, then what each template lists', async () => {
    const { dispatcher, session } = setup();
    assert.deepEqual(resultOf(await call(dispatcher, session, 'resources/list')), {
      resources: [
        { uri: 'test://status', name: 'status', title: 'Status', mimeType: 'text/plain' },
        { uri: 'test://items/1', name: 'item 1' },
        { uri: 'test://items/a%20b', name: 'item a b', size: 6 },
      ],
    });
  });

  test('resources/templates/list describes each template without its behaviour', async () => {
    const { dispatcher, session } = setup();
    assert.deepEqual(resultOf(await call(dispatcher, session, 'resources/templates/list')), {
      resourceTemplates: [
        { uriTemplate: 'test://items/{id}', name: 'item', description: 'One item', mimeType: 'application/json' },
        { uriTemplate: 'test://numbered/{n}', name: 'numbered' },
      ],
    });
  });

  test('both list methods reject an invalid cursor with -32602 (server/utilities/pagination.mdx)', async () => {
    const { dispatcher, session } = setup();
    for (const method of ['resources/list', 'resources/templates/list']) {
      assert.equal(errorOf(await call(dispatcher, session, method, { cursor: 'nope' })).code, -32602, method);
    }
  });
});

describe('resources/read (server/resources.mdx "Reading Resources")', () => {
  test('a static resource returns its contents', async () => {
    const { dispatcher, session } = setup();
    assert.deepEqual(resultOf(await call(dispatcher, session, 'resources/read', { uri: 'test://status' })), {
      contents: [{ uri: 'test://status', mimeType: 'text/plain', text: 'all good' }],
    });
  });

  test('a template URI is read with its percent-decoded variable, and the URI as the client sent it', async () => {
    const { dispatcher, session } = setup();
    reads.length = 0;
    const result = resultOf(await call(dispatcher, session, 'resources/read', { uri: 'test://items/a%20b' }));
    assert.deepEqual(reads, [{ uri: 'test://items/a%20b', variables: { id: 'a b' } }]);
    assert.deepEqual(result.contents, [{ uri: 'test://items/a%20b', mimeType: 'application/json', text: '{"text":"spaced"}' }]);
    resultOf(await call(dispatcher, session, 'resources/read', { uri: 'test://items/%C3%A9' }));
    assert.deepEqual(reads[1]?.variables, { id: 'é' });
  });

  test('an unknown URI is -32002 "Resource not found" with the uri in data', async () => {
    const { dispatcher, session } = setup();
    const error = errorOf(await call(dispatcher, session, 'resources/read', { uri: 'test://nothing' }));
    assert.deepEqual(error, { code: -32002, message: 'Resource not found', data: { uri: 'test://nothing' } });
  });

  test('a URI the template matches but that names nothing is -32002 too', async () => {
    const { dispatcher, session } = setup();
    const error = errorOf(await call(dispatcher, session, 'resources/read', { uri: 'test://items/404' }));
    assert.deepEqual(error, { code: -32002, message: 'Resource not found', data: { uri: 'test://items/404' } });
  });

  test('malformed percent-encoding or an extra path segment matches no template: -32002', async () => {
    const { dispatcher, session } = setup();
    for (const uri of ['test://items/%E0%A4%A', 'test://items/1/2', 'test://items/']) {
      assert.equal(errorOf(await call(dispatcher, session, 'resources/read', { uri })).code, -32002, uri);
    }
  });

  test('a missing, empty or over-long uri is -32602 (schema.ts ReadResourceRequestParams)', async () => {
    const { dispatcher, session } = setup();
    for (const params of [{}, { uri: '' }, { uri: 5 }, { uri: `test://${'x'.repeat(2100)}` }]) {
      assert.equal(errorOf(await call(dispatcher, session, 'resources/read', params)).code, -32602);
    }
  });
});

describe('URIs that can never name a resource (issue 15 #11; server/resources.mdx "Security Considerations": validate all resource URIs)', () => {
  const impossible = ['test://numbered/x', 'test://numbered/01', 'test://numbered/%00', `test://numbered/${'9'.repeat(31)}`];

  test('read and subscribe both answer -32002 with the uri, without calling read or keeping a subscription', async () => {
    const { dispatcher, session } = setup();
    reads.length = 0;
    for (const uri of impossible) {
      for (const method of ['resources/read', 'resources/subscribe']) {
        assert.deepEqual(errorOf(await call(dispatcher, session, method, { uri })), { code: -32002, message: 'Resource not found', data: { uri } }, `${method} ${uri}`);
      }
    }
    assert.deepEqual(reads, []);
    assert.equal(session.subscriptions.size, 0);
  });

  test('a possible URI that names nothing yet can be subscribed to, though reading it is -32002', async () => {
    const { dispatcher, session } = setup();
    assert.deepEqual(resultOf(await call(dispatcher, session, 'resources/subscribe', { uri: 'test://numbered/7' })), {});
    assert.equal(errorOf(await call(dispatcher, session, 'resources/read', { uri: 'test://numbered/7' })).code, -32002);
    assert.deepEqual([...session.subscriptions], ['test://numbered/7']);
  });

  test('only the canonical spelling names a resource: an over-encoded alias is -32002 for read and subscribe (RFC 3986 §6.2.2)', async () => {
    const { dispatcher, session } = setup();
    for (const uri of ['test://numbered/%37', 'test://items/%31']) {
      for (const method of ['resources/read', 'resources/subscribe']) {
        assert.equal(errorOf(await call(dispatcher, session, method, { uri })).code, -32002, `${method} ${uri}`);
      }
    }
  });
});

describe('subscriptions (server/resources.mdx "Subscriptions")', () => {
  test('subscribing to an unknown URI is -32002 with the uri in data', async () => {
    const { dispatcher, session } = setup();
    const error = errorOf(await call(dispatcher, session, 'resources/subscribe', { uri: 'test://nothing' }));
    assert.deepEqual(error, { code: -32002, message: 'Resource not found', data: { uri: 'test://nothing' } });
    assert.equal(session.subscriptions.size, 0);
  });

  test('after resources/subscribe, registry.updated(uri) sends notifications/resources/updated on the standalone stream', async () => {
    const { registry, dispatcher, session } = setup();
    const standalone = collectingSink();
    session.standalone = standalone;
    assert.deepEqual(resultOf(await call(dispatcher, session, 'resources/subscribe', { uri: 'test://items/1' })), {});
    registry.updated('test://items/1');
    registry.updated('test://status');
    assert.deepEqual(standalone.messages, [{ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'test://items/1' } }]);
  });

  test('after resources/unsubscribe nothing more is sent; unsubscribing twice is still {}', async () => {
    const { registry, dispatcher, session } = setup();
    const standalone = collectingSink();
    session.standalone = standalone;
    await call(dispatcher, session, 'resources/subscribe', { uri: 'test://status' });
    assert.deepEqual(resultOf(await call(dispatcher, session, 'resources/unsubscribe', { uri: 'test://status' })), {});
    assert.deepEqual(resultOf(await call(dispatcher, session, 'resources/unsubscribe', { uri: 'test://status' })), {});
    registry.updated('test://status');
    assert.deepEqual(standalone.messages, []);
  });

  test('subscriptions belong to the session that made them', async () => {
    const { registry, dispatcher, session } = setup();
    const other = openedSession('other');
    registry.attachSessions(() => [session, other]);
    const [mine, theirs] = [collectingSink(), collectingSink()];
    session.standalone = mine;
    other.standalone = theirs;
    await call(dispatcher, other, 'resources/subscribe', { uri: 'test://status' });
    registry.updated('test://status');
    assert.equal(mine.messages.length, 0);
    assert.equal(theirs.messages.length, 1);
  });
});
