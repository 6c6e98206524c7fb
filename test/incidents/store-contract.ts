/**
 * The IncidentStore contract (src/incidents/store.ts) as one suite, run against every
 * implementation: the JSON file store (store-contract.test.ts) and the PostgreSQL store
 * (pg-store.test.ts). Each starts from the shipped seed's four incidents. What only one
 * implementation does (the journal, migrations, an outage) is tested beside it.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test, type TestContext } from 'node:test';
import type { Incident } from '../../src/incidents/model.ts';
import type { IncidentChange, IncidentStore } from '../../src/incidents/store.ts';
import { StoreCursorError } from '../../src/incidents/store.ts';
import { SEED_PATH, fixedClock } from './helpers.ts';

export interface OpenedStore {
  readonly store: IncidentStore;
  /** Closes the store and opens the same data again (closed when the test ends). */
  reopen(): Promise<IncidentStore>;
}

/** Opens a store over a fresh copy of the seed, closed when the test ends. */
export type OpenStore = (t: TestContext, options?: { now?: () => Date }) => Promise<OpenedStore>;

const NEW = { title: 'Disk full on db-2', severity: 'high', status: 'open' } as const;
const AT = '2025-11-25T12:00:00.000Z';

async function seedIncidents(): Promise<Incident[]> {
  return Object.values(JSON.parse(await readFile(SEED_PATH, 'utf8')) as Record<string, Incident>);
}

/** Every page of `list`, following nextCursor. */
function allPages(store: IncidentStore, filter: Parameters<IncidentStore['list']>[0], limit: number): Incident[][] {
  const pages: Incident[][] = [];
  let cursor: string | undefined;
  do {
    const page = store.list(filter, cursor === undefined ? { limit } : { limit, cursor });
    pages.push(page.incidents);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return pages;
}

export function storeContract(name: string, open: OpenStore): void {
  describe(`the store contract: ${name}`, () => {
    test('it starts with the seed, newest first, ids being decimal strings', async (t) => {
      const { store } = await open(t);
      assert.deepEqual(store.all(), (await seedIncidents()).reverse());
      assert.deepEqual(store.get('3'), (await seedIncidents())[2]);
      assert.equal(store.get('99'), undefined);
    });

    test('create gives the next id after the highest one, with timestamps and creator, frozen', async (t) => {
      const { store } = await open(t, { now: fixedClock });
      const created = await store.create({ ...NEW, description: 'no space left on /var' }, 'client-a');
      assert.deepEqual(created, { id: '5', ...NEW, description: 'no space left on /var', createdAt: AT, updatedAt: AT, createdBy: 'client-a' });
      assert.deepEqual(store.get('5'), created);
      assert.equal(Object.isFrozen(created), true);
      assert.equal(store.all()[0]?.id, '5');
      const next = await store.create({ ...NEW, description: '' });
      assert.deepEqual(next, { id: '6', ...NEW, createdAt: AT, updatedAt: AT }, 'an empty description is no description');
    });

    test('update changes only the given fields, bumps updatedAt, and an empty description removes it', async (t) => {
      let now = new Date(AT);
      const { store } = await open(t, { now: () => now });
      await store.create({ ...NEW, description: 'details' });
      now = new Date('2025-11-25T13:00:00.000Z');
      const updated = await store.update('5', { status: 'resolved', description: '' });
      const expected = { id: '5', ...NEW, status: 'resolved', createdAt: AT, updatedAt: '2025-11-25T13:00:00.000Z' };
      assert.deepEqual(updated, { incident: expected, changed: true });
      assert.deepEqual(store.get('5'), expected);
      const renamed = await store.update('1', { title: 'Pool exhausted', severity: 'high' });
      assert.deepEqual(renamed?.incident, { id: '1', title: 'Pool exhausted', severity: 'high', status: 'open', updatedAt: '2025-11-25T13:00:00.000Z' });
    });

    test('an update that changes nothing resolves with the incident as it is and changed: false, and announces nothing', async (t) => {
      const { store } = await open(t);
      const heard: IncidentChange[] = [];
      store.onChange((change) => heard.push(change));
      const before = store.get('1');
      const outcome = await store.update('1', { status: 'open', severity: 'critical' });
      assert.deepEqual(outcome, { incident: before, changed: false });
      assert.deepEqual(heard, []);
    });

    test('two identical updates at once: one changes the incident, the other finds nothing to change', async (t) => {
      const { store } = await open(t);
      const outcomes = await Promise.all([store.update('1', { status: 'resolved' }), store.update('1', { status: 'resolved' })]);
      assert.deepEqual(outcomes.map((o) => o?.changed).sort(), [false, true]);
      assert.deepEqual(outcomes[0]?.incident, outcomes[1]?.incident);
    });

    test('an update of an unknown or non-canonical id resolves to undefined', async (t) => {
      const { store } = await open(t);
      for (const id of ['99', '01', '1.0', 'abc', '', '99999999999999999999']) {
        assert.equal(await store.update(id, { status: 'resolved' }), undefined, id);
      }
    });

    test('list filters by severity, status and a case-insensitive query on title or description', async (t) => {
      const { store } = await open(t);
      await store.create({ title: 'Cache misses', severity: 'low', status: 'open', description: 'after the LOGIN change' });
      const ids = (filter: Parameters<IncidentStore['list']>[0]) => store.list(filter, { limit: 50 }).incidents.map((i) => i.id);
      assert.deepEqual(ids({}), ['5', '4', '3', '2', '1']);
      assert.deepEqual(ids({ severity: 'low' }), ['5', '4']);
      assert.deepEqual(ids({ status: 'open' }), ['5', '3', '1']);
      assert.deepEqual(ids({ severity: 'low', status: 'open' }), ['5']);
      assert.deepEqual(ids({ query: 'login' }), ['5', '2']);
      assert.deepEqual(ids({ query: 'PAYMENT' }), ['3']);
      assert.deepEqual(ids({ query: '' }), ['5', '4', '3', '2', '1']);
      assert.deepEqual(ids({ query: 'nothing like it' }), []);
    });

    test('pages follow nextCursor to the end, newest first, and a cursor not issued is refused', async (t) => {
      const { store } = await open(t);
      assert.deepEqual(allPages(store, {}, 2).map((page) => page.map((i) => i.id)), [['4', '3'], ['2', '1']]);
      assert.deepEqual(allPages(store, { status: 'open' }, 1).map((page) => page.map((i) => i.id)), [['3'], ['1']]);
      assert.throws(() => store.list({}, { limit: 2, cursor: 'bm90IGEgY3Vyc29y' }), StoreCursorError);
      assert.throws(() => store.list({}, { limit: 0 }), TypeError);
    });

    test('a cursor is stable across inserts: the next page continues below it and new incidents do not shift it', async (t) => {
      const { store } = await open(t);
      const first = store.list({}, { limit: 2 });
      assert.deepEqual(first.incidents.map((i) => i.id), ['4', '3']);
      for (let i = 0; i < 3; i++) await store.create({ ...NEW, title: `new ${i}` });
      const second = store.list({}, { limit: 2, cursor: first.nextCursor as string });
      assert.deepEqual(second.incidents.map((i) => i.id), ['2', '1']);
      assert.equal(second.nextCursor, undefined);
      assert.deepEqual(store.list({}, { limit: 3 }).incidents.map((i) => i.id), ['7', '6', '5']);
    });

    test('listeners hear each change once, after it is durable; an unsubscribed one hears nothing', async (t) => {
      const { store, reopen } = await open(t);
      const heard: [IncidentChange['kind'], string, string][] = [];
      const stop = store.onChange((change) => heard.push([change.kind, change.incident.id, change.incident.status]));
      const dropped: IncidentChange[] = [];
      store.onChange((change) => dropped.push(change))();
      await store.create(NEW);
      await store.update('5', { status: 'investigating' });
      assert.deepEqual(heard, [['created', '5', 'open'], ['updated', '5', 'investigating']]);
      assert.deepEqual(dropped, []);
      stop();
      await store.update('5', { status: 'resolved' });
      assert.equal(heard.length, 2);
      assert.equal((await reopen()).get('5')?.status, 'resolved');
    });

    test('100 creates at once get distinct consecutive ids, none lost, all there after reopening', async (t) => {
      const { store, reopen } = await open(t);
      const created = await Promise.all(Array.from({ length: 100 }, (_, i) => store.create({ ...NEW, title: `incident ${i}` })));
      const ids = created.map((incident) => Number(incident.id)).sort((a, b) => a - b);
      assert.deepEqual(ids, Array.from({ length: 100 }, (_, i) => i + 5));
      assert.deepEqual(store.all().map((i) => Number(i.id)), Array.from({ length: 104 }, (_, i) => 104 - i));
      const reopened = await reopen();
      assert.equal(reopened.all().length, 104);
      for (const incident of created) assert.deepEqual(reopened.get(incident.id), incident);
    });

    test('what was written is there after closing and reopening, and ids continue after it', async (t) => {
      const { store, reopen } = await open(t, { now: fixedClock });
      await store.create({ ...NEW, description: 'kept' }, 'client-a');
      await store.update('2', { status: 'resolved' });
      const before = store.all();
      const reopened = await reopen();
      assert.deepEqual(reopened.all(), before);
      assert.equal((await reopened.create(NEW)).id, '6');
    });

    test('close waits for a write in flight, then refuses new ones', async (t) => {
      const { store, reopen } = await open(t);
      const pending = store.create(NEW);
      await store.close();
      assert.equal((await pending).id, '5');
      await assert.rejects(store.create(NEW), /closed/);
      await assert.rejects(store.update('1', { status: 'resolved' }), /closed/);
      assert.equal((await reopen()).get('5')?.title, NEW.title);
    });
  });
}
