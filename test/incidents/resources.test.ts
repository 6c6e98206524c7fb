/**
 * Tests for src/incidents/resources.ts: the `incidents://all` resource, the `incidents://{id}`
 * template (listing, reading, not-found cases) and completion of its id, over a real store.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResourceContents } from '../../src/protocol/definitions.ts';
import { incidentResources } from '../../src/incidents/resources.ts';
import type { IncidentStore } from '../../src/incidents/store.ts';
import { featureContext, openTempStore } from './helpers.ts';

function definitions(store: IncidentStore) {
  const { resources, resourceTemplates } = incidentResources(store);
  const [all] = resources;
  const [template] = resourceTemplates;
  assert.ok(all && template && resources.length === 1 && resourceTemplates.length === 1);
  return { all, template };
}

function onlyText(contents: ResourceContents[] | undefined): string {
  assert.equal(contents?.length, 1);
  const [entry] = contents ?? [];
  assert.ok(entry && 'text' in entry);
  assert.equal(entry.mimeType, 'application/json');
  return entry.text;
}

describe('incidents://all', () => {
  test('is described with a name, title, description and JSON media type, and needs incidents:read', async (t) => {
    const { all } = definitions((await openTempStore(t)).store);
    assert.equal(all.uri, 'incidents://all');
    assert.equal(all.name, 'all-incidents');
    assert.equal(all.mimeType, 'application/json');
    assert.ok(all.title && all.description);
    assert.deepEqual(all.requiredScopes, ['incidents:read']);
  });

  test('reads as one text entry holding the JSON array of every incident, newest first', async (t) => {
    const { store } = await openTempStore(t);
    await store.create({ title: 'Disk full', severity: 'high', status: 'open' });
    const { all } = definitions(store);
    const contents = await all.read(featureContext());
    assert.equal(contents[0]?.uri, 'incidents://all');
    const incidents = JSON.parse(onlyText(contents)) as { id: string }[];
    assert.deepEqual(incidents.map((incident) => incident.id), ['5', '4', '3', '2', '1']);
    assert.deepEqual(incidents, store.all());
  });
});

describe('incidents://{id}', () => {
  test('is an RFC 6570 template named incident that needs incidents:read', async (t) => {
    const { template } = definitions((await openTempStore(t)).store);
    assert.equal(template.uriTemplate, 'incidents://{id}');
    assert.equal(template.name, 'incident');
    assert.equal(template.mimeType, 'application/json');
    assert.deepEqual(template.requiredScopes, ['incidents:read']);
  });

  test('lists every incident as a concrete resource with its title', async (t) => {
    const { template } = definitions((await openTempStore(t)).store);
    const listed = await template.list?.(featureContext());
    assert.equal(listed?.length, 4);
    assert.deepEqual(listed?.[0], {
      uri: 'incidents://4', name: 'incident-4', title: 'Typo on pricing page', mimeType: 'application/json',
    });
  });

  test('reads one incident as a JSON object under the requested URI', async (t) => {
    const { store } = await openTempStore(t);
    const { template } = definitions(store);
    const contents = await template.read('incidents://3', { id: '3' }, featureContext());
    assert.equal(contents?.[0]?.uri, 'incidents://3');
    assert.deepEqual(JSON.parse(onlyText(contents)), store.get('3'));
  });

  test('accepts only canonical positive integer ids, so read and subscribe refuse the rest alike (issue 15 #11)', async (t) => {
    const { template } = definitions((await openTempStore(t)).store);
    for (const id of ['0', '03', '-1', 'all', '1.0', '', '\u0000', '9'.repeat(31), ' 1']) {
      assert.equal(template.accepts?.({ id }), false, JSON.stringify(id));
    }
    assert.equal(template.accepts?.({}), false);
    for (const id of ['1', '99', String(Number.MAX_SAFE_INTEGER)]) assert.equal(template.accepts?.({ id }), true, id);
  });

  test('reads an accepted id that names no incident as not found (undefined, -32002 in the core)', async (t) => {
    const { template } = definitions((await openTempStore(t)).store);
    assert.equal(await template.read('incidents://99', { id: '99' }, featureContext()), undefined);
  });

  test('completes ids by prefix, newest first, at most 100 values with total and hasMore', async (t) => {
    const { store } = await openTempStore(t);
    await Promise.all(Array.from({ length: 146 }, (_, i) => store.create({ title: `n${i}`, severity: 'low', status: 'open' })));
    const complete = definitions(store).template.complete?.['id'];
    assert.ok(complete);
    const context = featureContext();
    assert.deepEqual(await complete('1', context, {}), {
      values: ['150', '149', '148', '147', '146', '145', '144', '143', '142', '141', '140', '139', '138', '137',
        '136', '135', '134', '133', '132', '131', '130', '129', '128', '127', '126', '125', '124', '123', '122', '121',
        '120', '119', '118', '117', '116', '115', '114', '113', '112', '111', '110', '109', '108', '107', '106', '105',
        '104', '103', '102', '101', '100', '19', '18', '17', '16', '15', '14', '13', '12', '11', '10', '1'],
      total: 62,
      hasMore: false,
    });
    const everything = await complete('', context, {});
    assert.equal(everything.values.length, 100);
    assert.equal(everything.values[0], '150');
    assert.equal(everything.total, 150);
    assert.equal(everything.hasMore, true);
    assert.deepEqual(await complete('7x', context, {}), { values: [], total: 0, hasMore: false });
  });
});
