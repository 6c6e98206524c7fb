/**
 * Tests for src/incidents/model.ts: the value lists, severity order, id rules, and the check
 * applied to records read from the incidents file.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  SEVERITIES, STATUSES, compareNewestFirst, isIncidentId, makeIncident, parseIncident, severityRank,
} from '../../src/incidents/model.ts';
import type { Incident } from '../../src/incidents/model.ts';

describe('incident model', () => {
  test('severities run from low to critical and rank in that order', () => {
    assert.deepEqual(SEVERITIES, ['low', 'medium', 'high', 'critical']);
    assert.deepEqual(SEVERITIES.map(severityRank), [0, 1, 2, 3]);
    assert.deepEqual(STATUSES, ['open', 'investigating', 'resolved']);
  });

  test('ids are canonical positive integers written in decimal', () => {
    for (const id of ['1', '42', '9007199254740991']) assert.equal(isIncidentId(id), true, id);
    for (const id of ['0', '-1', '01', '1.0', '1e3', ' 1', '', 'abc', '9007199254740993']) {
      assert.equal(isIncidentId(id), false, id);
    }
  });

  test('incidents order newest first by numeric id, so "10" comes before "9"', () => {
    const of = (id: string): Incident => makeIncident({ id, title: id, severity: 'low', status: 'open' });
    assert.deepEqual([of('9'), of('10'), of('2')].sort(compareNewestFirst).map((i) => i.id), ['10', '9', '2']);
  });

  test('a seed-format record (id, title, severity, status only) is accepted unchanged', () => {
    const record = { id: '3', title: 'Payment webhook retries failing', severity: 'high', status: 'open' };
    assert.deepEqual(parseIncident('3', record), record);
  });

  test('a full record keeps every field and comes back frozen', () => {
    const record = {
      id: '7', title: 'Disk full', severity: 'critical', status: 'investigating', description: '/var at 100%',
      createdAt: '2025-11-25T10:00:00.000Z', updatedAt: '2025-11-25T10:05:00+01:00', createdBy: '0oa-client',
    };
    const parsed = parseIncident('7', record);
    assert.deepEqual(parsed, record);
    assert.equal(Object.isFrozen(parsed), true);
  });

  test('makeIncident leaves out fields that are undefined and orders fields as the file does', () => {
    const incident = makeIncident({
      createdBy: 'me', status: 'open', severity: 'low', title: 't', id: '1', description: undefined,
    });
    assert.deepEqual(Object.keys(incident), ['id', 'title', 'severity', 'status', 'createdBy']);
  });

  const problems: [string, unknown, RegExp][] = [
    ['not an object', 'oops', /must be an object/],
    ['an array', [], /must be an object/],
    ['a missing id', { title: 't', severity: 'low', status: 'open' }, /"id"/],
    ['an id that differs from its key', { id: '4', title: 't', severity: 'low', status: 'open' }, /key and the id must match/],
    ['a numeric id', { id: 3, title: 't', severity: 'low', status: 'open' }, /"id"/],
    ['a missing title', { id: '3', severity: 'low', status: 'open' }, /"title"/],
    ['an unknown severity', { id: '3', title: 't', severity: 'urgent', status: 'open' }, /severity "urgent"; allowed: low, medium, high, critical/],
    ['an unknown status', { id: '3', title: 't', severity: 'low', status: 'closed' }, /status "closed"/],
    ['a non-string description', { id: '3', title: 't', severity: 'low', status: 'open', description: 5 }, /"description"/],
    ['a createdAt that is not ISO 8601', { id: '3', title: 't', severity: 'low', status: 'open', createdAt: 'yesterday' }, /ISO 8601/],
    ['an unknown field', { id: '3', title: 't', severity: 'low', status: 'open', owner: 'bob' }, /unknown field "owner"/],
  ];
  for (const [what, record, expected] of problems) {
    test(`a record with ${what} is rejected with a sentence naming the incident`, () => {
      const result = parseIncident('3', record);
      assert.equal(typeof result, 'string');
      assert.match(result as string, /^incident "3" /);
      assert.match(result as string, expected);
    });
  }
});
