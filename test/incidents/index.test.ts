/**
 * Tests for src/incidents/index.ts: the feature set it composes and the resource events it
 * raises when the store changes (notifications/resources/updated and list_changed).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { READ_SCOPE, WRITE_SCOPE, incidentFeatures } from '../../src/incidents/index.ts';
import { openTempStore } from './helpers.ts';

test('the feature set holds the three tools, one resource, one template and one prompt', async (t) => {
  const { store } = await openTempStore(t);
  const features = incidentFeatures(store, { updated: () => undefined, listChanged: () => undefined });
  assert.deepEqual(features.tools?.map((tool) => tool.name), ['create_incident', 'list_incidents', 'update_incident']);
  assert.deepEqual(features.resources?.map((resource) => resource.uri), ['incidents://all']);
  assert.deepEqual(features.resourceTemplates?.map((template) => template.uriTemplate), ['incidents://{id}']);
  assert.deepEqual(features.prompts?.map((prompt) => prompt.name), ['triage_incidents']);
  assert.equal(READ_SCOPE, 'incidents:read');
  assert.equal(WRITE_SCOPE, 'incidents:write');
});

test('a created incident updates incidents://all and its own URI and changes the list; an update does not change the list', async (t) => {
  const { store } = await openTempStore(t);
  const events: string[] = [];
  incidentFeatures(store, { updated: (uri) => events.push(`updated ${uri}`), listChanged: () => events.push('list_changed') });
  await store.create({ title: 'Disk full', severity: 'high', status: 'open' });
  assert.deepEqual(events, ['updated incidents://all', 'updated incidents://5', 'list_changed']);
  events.length = 0;
  await store.update('5', { status: 'resolved' });
  assert.deepEqual(events, ['updated incidents://all', 'updated incidents://5']);
});
