/**
 * Tests for src/incidents/json-store.ts (with json-format.ts and atomic-file.ts): loading the
 * seed format, refusing bad files without touching them, group commit, durability across a
 * SIGKILL, and that a failed write keeps nothing. Real files in temporary directories.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { journalPathFor } from '../../src/incidents/journal.ts';
import { openJsonStore } from '../../src/incidents/json-store.ts';
import type { IncidentChange } from '../../src/incidents/store.ts';
import { StoreLoadError, StoreWriteError } from '../../src/incidents/store.ts';
import { SEED_PATH, fixedClock, openTempStore, tempDir } from './helpers.ts';

const NEW = { title: 'Disk full on db-2', severity: 'high', status: 'open' } as const;

describe('loading the incidents file', () => {
  test('a seed-format file loads unchanged and opening it writes nothing', async (t) => {
    const { store, path } = await openTempStore(t);
    const seed = JSON.parse(await readFile(SEED_PATH, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(store.all(), Object.values(seed).reverse());
    assert.deepEqual(await readFile(path), await readFile(SEED_PATH));
    assert.equal(store.writeCount, 0);
  });

  test('after a compaction the old records are kept as they were and the file stays pretty-printed', async (t) => {
    const { store, path } = await openTempStore(t, { now: fixedClock, compactAt: 1 });
    await store.create(NEW, 'client-a');
    const text = await readFile(path, 'utf8');
    const document = JSON.parse(text) as Record<string, unknown>;
    const seed = JSON.parse(await readFile(SEED_PATH, 'utf8')) as Record<string, unknown>;
    for (const id of Object.keys(seed)) assert.deepEqual(document[id], seed[id]);
    assert.equal(text, `${JSON.stringify(document, null, 2)}\n`);
    assert.deepEqual(document['5'], {
      id: '5', ...NEW, createdAt: '2025-11-25T12:00:00.000Z', updatedAt: '2025-11-25T12:00:00.000Z', createdBy: 'client-a',
    });
  });

  test('a missing file gives an empty store; the first write goes to the journal, and close folds it into the file', async (t) => {
    const path = join(await tempDir(t), 'incidents.json');
    const store = await openJsonStore(path);
    assert.deepEqual(store.all(), []);
    await assert.rejects(stat(path), { code: 'ENOENT' });
    assert.equal((await store.create(NEW)).id, '1');
    await assert.rejects(stat(path), { code: 'ENOENT' });
    assert.equal(JSON.parse(await readFile(journalPathFor(path), 'utf8')).id, '1');
    await store.close();
    assert.deepEqual(Object.keys(JSON.parse(await readFile(path, 'utf8'))), ['1']);
    assert.equal(await readFile(journalPathFor(path), 'utf8'), '');
  });

  const broken: [string, string, number, RegExp][] = [
    ['a missing value ("Unexpected token" carries no position in Node 20)', '{\n  "1": {\n    "id": "1",\n    "title": }\n}\n', 4, /invalid JSON/],
    ['a trailing comma', '{\n  "1": {"id": "1", "title": "a", "severity": "low", "status": "open"},\n}\n', 3, /invalid JSON/],
    ['an unterminated object', '{\n  "1": {\n', 2, /invalid JSON/],
    ['an invalid record', '{\n  "1": {"id": "1", "title": "a", "severity": "low", "status": "open"},\n  "2": {"id": "2", "title": "b", "severity": "urgent", "status": "open"}\n}\n', 3, /incident "2" has severity "urgent"/],
    ['a top-level array', '[\n]\n', 1, /JSON object keyed by incident id/],
  ];
  for (const [what, text, line, problem] of broken) {
    test(`a file with ${what} is refused with its path and line ${line}, and left untouched`, async (t) => {
      const path = join(await tempDir(t), 'incidents.json');
      await writeFile(path, text);
      const error = await openJsonStore(path).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof StoreLoadError, String(error));
      assert.equal(error.line, line);
      assert.equal(error.path, path);
      assert.match(error.problem, problem);
      assert.ok(error.message.startsWith(`cannot load incidents from ${path}:${line}: `), error.message);
      assert.equal(await readFile(path, 'utf8'), text);
    });
  }

  test('a path that cannot be read as a file is refused with a StoreLoadError naming the reason', async (t) => {
    const path = await tempDir(t);
    await assert.rejects(openJsonStore(path), (error: unknown) =>
      error instanceof StoreLoadError && /cannot be read \(EISDIR\)/.test(error.problem));
  });

  test('a file that is not valid UTF-8 is refused rather than read with replacement characters', async (t) => {
    const path = join(await tempDir(t), 'incidents.json');
    await writeFile(path, Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]));
    await assert.rejects(openJsonStore(path), (error: unknown) =>
      error instanceof StoreLoadError && /UTF-8/.test(error.problem));
  });
});

describe('writing incidents', () => {
  test('create gives the next id after the highest one, with timestamps and creator', async (t) => {
    const { store } = await openTempStore(t, { now: fixedClock });
    const created = await store.create({ ...NEW, description: 'no space left on /var' }, 'client-a');
    assert.deepEqual(created, {
      id: '5', ...NEW, description: 'no space left on /var',
      createdAt: '2025-11-25T12:00:00.000Z', updatedAt: '2025-11-25T12:00:00.000Z', createdBy: 'client-a',
    });
    assert.equal(store.get('5'), created);
    assert.equal(Object.isFrozen(created), true);
  });

  test('update changes only the given fields, bumps updatedAt, and an empty description removes it', async (t) => {
    let now = new Date('2025-11-25T12:00:00.000Z');
    const { store } = await openTempStore(t, { now: () => now });
    await store.create({ ...NEW, description: 'details' });
    now = new Date('2025-11-25T13:00:00.000Z');
    const updated = await store.update('5', { status: 'resolved', description: '' });
    assert.deepEqual(updated, {
      incident: { id: '5', ...NEW, status: 'resolved', createdAt: '2025-11-25T12:00:00.000Z', updatedAt: '2025-11-25T13:00:00.000Z' },
      changed: true,
    });
  });

  test('an update that changes nothing resolves with the incident as it is and changed: false, and writes nothing', async (t) => {
    const { store } = await openTempStore(t);
    const before = store.get('1');
    const outcome = await store.update('1', { status: 'open', severity: 'critical' });
    assert.equal(outcome?.incident, before);
    assert.equal(outcome?.changed, false);
    assert.equal(store.writeCount, 0);
  });

  test('in one batch, an update repeating the previous one changes nothing (issue 15 #3)', async (t) => {
    const { store } = await openTempStore(t);
    const [first, second] = await Promise.all([store.update('1', { status: 'resolved' }), store.update('1', { status: 'resolved' })]);
    assert.deepEqual([first?.changed, second?.changed], [true, false]);
    assert.equal(second?.incident, first?.incident);
    assert.equal(store.writeCount, 1);
  });

  test('reads after a create or an update see it: list and all are newest first, and all() is the caller\'s own copy', async (t) => {
    const { store } = await openTempStore(t);
    const ids = (page: { incidents: Array<{ id: string }> }): string[] => page.incidents.map((incident) => incident.id);
    assert.deepEqual(ids(store.list({}, { limit: 2 })), ['4', '3']);
    await store.create(NEW);
    assert.deepEqual(ids(store.list({}, { limit: 2 })), ['5', '4']);
    await store.update('4', { status: 'resolved' });
    assert.deepEqual(ids(store.list({ status: 'resolved' }, { limit: 10 })).includes('4'), true);
    const copy = store.all();
    copy.length = 0;
    assert.deepEqual(store.all().map((incident) => incident.id), ['5', '4', '3', '2', '1']);
    assert.equal(store.all()[1]?.status, 'resolved');
  });

  test('an update of an unknown id resolves to undefined', async (t) => {
    const { store } = await openTempStore(t);
    assert.equal(await store.update('99', { status: 'resolved' }), undefined);
  });

  test('listeners hear about each change only once it is on disk', async (t) => {
    const { store, path } = await openTempStore(t);
    const heard: [IncidentChange['kind'], string, boolean][] = [];
    store.onChange((change) => {
      const journal = readFileSync(journalPathFor(path), 'utf8');
      heard.push([change.kind, change.incident.id, journal.includes(`"status":"${change.incident.status}"`) && journal.includes('"id":"5"')]);
    });
    await store.create(NEW);
    await store.update('5', { status: 'investigating' });
    assert.deepEqual(heard, [['created', '5', true], ['updated', '5', true]]);
  });

  test('200 concurrent creates get distinct ids, all survive reopening, and share a few grouped writes', async (t) => {
    const { store, path } = await openTempStore(t);
    const created = await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.create({ ...NEW, title: `incident ${i}` })),
    );
    const ids = new Set(created.map((incident) => incident.id));
    assert.equal(ids.size, 200);
    assert.deepEqual([...ids].map(Number).sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 5));
    // Group commit: the first create writes alone; the 199 queued behind it go out in one more write.
    assert.equal(store.writeCount, 2);
    const reopened = await openJsonStore(path);
    assert.equal(reopened.all().length, 204);
    for (const incident of created) assert.deepEqual(reopened.get(incident.id), incident);
  });

  test('a failed write rejects every change in it, keeps none of them, and leaves the file intact', async (t) => {
    const { store, path } = await openTempStore(t);
    const before = await readFile(path);
    // Running as root, permissions stop nothing; a directory where the journal goes does.
    await mkdir(journalPathFor(path));
    const results = await Promise.allSettled([store.create(NEW), store.create(NEW), store.update('1', { status: 'resolved' })]);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.ok(result.reason instanceof StoreWriteError);
      assert.match(result.reason.message, /could not save incidents\.json \(EISDIR\)/);
      assert.ok(!result.reason.message.includes(path.slice(0, path.lastIndexOf('/'))), 'no directory in the message');
    }
    assert.deepEqual(await readFile(path), before);
    assert.equal(store.get('5'), undefined);
    assert.equal(store.get('1')?.status, 'open');
    assert.equal(store.all().length, 4);

    await rm(journalPathFor(path), { recursive: true });
    assert.equal((await store.create(NEW)).id, '5');
  });

  test('close waits for queued writes, then refuses new ones', async (t) => {
    const { store, path } = await openTempStore(t);
    const pending = store.create(NEW);
    await store.close();
    assert.equal((await pending).id, '5');
    assert.ok('5' in JSON.parse(await readFile(path, 'utf8')));
    await assert.rejects(store.create(NEW), /closed/);
  });
});

describe('durability', () => {
  test('after SIGKILL mid-write the file parses and holds every incident whose create was acknowledged', async (t) => {
    const path = join(await tempDir(t), 'incidents.json');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/incidents/writer-child.ts', path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const killAfter = 150;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.split('\n').length > killAfter) child.kill('SIGKILL');
    });
    const signal = await exited;
    clearTimeout(timer);
    assert.equal(signal, 'SIGKILL', stderr);

    const acknowledged = stdout.split('\n').slice(0, -1);
    assert.ok(acknowledged.length >= killAfter, `only ${acknowledged.length} acks; stderr: ${stderr}`);
    const reopened = await openJsonStore(path);
    const missing = acknowledged.filter((id) => reopened.get(id) === undefined);
    assert.deepEqual(missing, []);
  });
});
