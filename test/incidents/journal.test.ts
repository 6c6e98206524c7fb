/**
 * The append-only journal beside the incidents file: replay rules, compaction (when it is as
 * large as the file, and when writes pause), and the crash windows it must survive. Real files
 * in temp dirs; waits poll the files with a deadline instead of sleeping.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openJsonStore } from '../../src/incidents/json-store.ts';
import { journalPathFor, replayJournal } from '../../src/incidents/journal.ts';
import type { Incident } from '../../src/incidents/model.ts';
import { StoreLoadError } from '../../src/incidents/store.ts';
import { SEED_PATH, openTempStore, tempDir } from './helpers.ts';

const line = (incident: object): string => `${JSON.stringify(incident)}\n`;
const A = { id: '5', title: 'Disk full', severity: 'high', status: 'open' };
const A2 = { ...A, status: 'resolved' };

describe('replaying the journal', () => {
  test('whole-record lines apply in order, so a record written twice ends as its last version', () => {
    const records = new Map<string, Incident>();
    assert.equal(replayJournal(line(A) + line(A2), records, 'j'), 2);
    assert.equal(records.get('5')?.status, 'resolved');
  });

  test('a torn last line (no newline: never acknowledged) is ignored', () => {
    const records = new Map<string, Incident>();
    assert.equal(replayJournal(line(A) + '{"id":"6","tit', records, 'j'), 1);
    assert.deepEqual([...records.keys()], ['5']);
  });

  test('a broken line before the end is refused with the journal path and its line number', () => {
    assert.throws(() => replayJournal(line(A) + 'garbage\n' + line(A2), new Map(), '/data/incidents.json.journal'),
      (error: unknown) => error instanceof StoreLoadError && error.line === 2 && /journal/.test(error.message));
  });

  test('an invalid record in the journal is refused with its line', () => {
    assert.throws(() => replayJournal(line({ ...A, severity: 'urgent' }), new Map(), 'j'),
      (error: unknown) => error instanceof StoreLoadError && error.line === 1 && /urgent/.test(error.problem));
  });
});

describe('the store with its journal', () => {
  test('writes land in the journal and a reopened store sees them before any compaction', async (t) => {
    const { store, path } = await openTempStore(t);
    const created = await store.create({ title: 'Disk full', severity: 'high', status: 'open' });
    await store.update(created.id, { status: 'resolved' });
    assert.equal((await readFile(journalPathFor(path), 'utf8')).split('\n').length, 3);
    assert.equal(JSON.parse(await readFile(path, 'utf8'))['5'], undefined, 'the file is not rewritten per write');
    const reopened = await openJsonStore(path);
    assert.equal(reopened.get('5')?.status, 'resolved');
  });

  test('reaching compactAt entries folds the journal into the file and empties it', async (t) => {
    const { store, path } = await openTempStore(t, { compactAt: 3 });
    for (let i = 0; i < 3; i++) await store.create({ title: `n${i}`, severity: 'low', status: 'open' });
    assert.equal(await readFile(journalPathFor(path), 'utf8'), '');
    assert.deepEqual(Object.keys(JSON.parse(await readFile(path, 'utf8'))), ['1', '2', '3', '4', '5', '6', '7']);
  });

  test('a journal torn inside a UTF-8 sequence (a crash mid-append of "é") still opens, without the torn line', async (t) => {
    const dir = await tempDir(t);
    const path = join(dir, 'incidents.json');
    await writeFile(path, await readFile(SEED_PATH));
    const torn = Buffer.from(line({ ...A, id: '6', title: 'Café down' }), 'utf8');
    await writeFile(journalPathFor(path), Buffer.concat([Buffer.from(line(A)), torn.subarray(0, torn.indexOf(0xc3) + 1)]));
    const store = await openJsonStore(path);
    assert.deepEqual(store.all().map((incident) => incident.id), ['5', '4', '3', '2', '1']);
    assert.equal((await store.create({ title: 'next', severity: 'low', status: 'open' })).id, '6');
    await store.close();
  });

  test('a crash after the file was replaced but before the journal was emptied loses and doubles nothing', async (t) => {
    const dir = await tempDir(t);
    const path = join(dir, 'incidents.json');
    const seed = JSON.parse(await readFile(SEED_PATH, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...seed, 5: A2 }, null, 2));
    await writeFile(journalPathFor(path), line(A) + line(A2));
    const store = await openJsonStore(path);
    assert.equal(store.all().length, 5);
    assert.equal(store.get('5')?.status, 'resolved');
    assert.equal((await store.create({ title: 'next', severity: 'low', status: 'open' })).id, '6');
    await store.close();
  });
});

describe('compaction under a steady stream of creates', () => {
  test('the journal is folded in after as many entries as the file held (at least 1024), not never', async (t) => {
    const { store, path } = await openTempStore(t);
    const creates = Array.from({ length: 1100 }, (_, i) => store.create({ title: `n${i}`, severity: 'low', status: 'open' }));
    await Promise.all(creates);
    const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    assert.ok(Object.keys(file).length >= 1028, `the file holds ${Object.keys(file).length} records`);
    const journal = await readFile(journalPathFor(path), 'utf8');
    assert.ok(journal.split('\n').length < 100, 'the journal was emptied by the compaction');
  });
});

/** Polls `condition` every few milliseconds until it holds; fails after two seconds. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, `timed out waiting until ${what}`);
    await sleep(5);
  }
}

const journalText = (path: string): Promise<string> => readFile(journalPathFor(path), 'utf8');

describe('folding when writes pause (issue 15 #18)', () => {
  test('once no write has come for foldAfterMs, the file holds the new incident and the journal is empty', async (t) => {
    const { store, path } = await openTempStore(t, { foldAfterMs: 20 });
    const created = await store.create({ title: 'Disk full', severity: 'high', status: 'open' });
    assert.equal(JSON.parse(await readFile(path, 'utf8'))['5'], undefined, 'not folded by the write itself');
    await until(async () => (await journalText(path)) === '', 'the journal is empty');
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8'))['5'], created);
    assert.equal(store.writeCount, 1);
  });

  test('a continuous burst rewrites the file not once; it is folded once the burst stops', async (t) => {
    const { store, path } = await openTempStore(t, { foldAfterMs: 150 });
    const seed = await readFile(path);
    for (let i = 0; i < 30; i++) {
      await store.create({ title: `burst ${i}`, severity: 'low', status: 'open' });
      assert.deepEqual(await readFile(path), seed, `the file was rewritten during the burst, at write ${i}`);
    }
    assert.equal((await journalText(path)).split('\n').length, 31);
    await until(async () => (await journalText(path)) === '', 'the journal is empty');
    assert.equal(Object.keys(JSON.parse(await readFile(path, 'utf8'))).length, 34);
  });

  test('close cancels the pending fold (close folds itself), so nothing touches the file afterwards', async (t) => {
    const { store, path } = await openTempStore(t, { foldAfterMs: 20 });
    await store.create({ title: 'Disk full', severity: 'high', status: 'open' });
    await store.close();
    const closed = (await stat(path)).mtimeMs;
    assert.equal(await journalText(path), '');
    await sleep(60);
    assert.equal((await stat(path)).mtimeMs, closed);
  });

  test('the pending fold never holds the process open: a writer that returns exits at once, its write safe in the journal', { timeout: 30_000 }, async (t) => {
    const { store, path } = await openTempStore(t);
    // One live process per file (file-lock.ts): the child's store needs this one closed.
    await store.close();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/incidents/idle-writer-child.ts', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, output);
    assert.equal(output, '5\n');
    assert.ok(Date.now() - started < 20_000, 'the child waited for its fold timer');
    assert.equal(JSON.parse(await journalText(path)).id, '5');
  });
});
