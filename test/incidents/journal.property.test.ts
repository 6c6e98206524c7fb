/**
 * Property-based tests of the journal reader in src/incidents/journal.ts (issue 15): any byte
 * sequence is either read or refused with a StoreLoadError that says why (never a throw of
 * another kind), and a torn tail (bytes after the last newline, even half a UTF-8 sequence) is
 * ignored, so a journal cut anywhere by a crash reads as its complete lines.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { readJournal } from '../../src/incidents/journal.ts';
import { SEVERITIES, STATUSES, type Incident } from '../../src/incidents/model.ts';
import { StoreLoadError } from '../../src/incidents/store.ts';

const PATH = '/data/incidents.json.journal';
const encoder = new TextEncoder();

const timestamp = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());
const record = fc.record({
  id: fc.integer({ min: 1, max: 1_000_000 }).map(String),
  title: fc.string({ unit: 'binary', maxLength: 30 }),
  severity: fc.constantFrom(...SEVERITIES),
  status: fc.constantFrom(...STATUSES),
  description: fc.string({ unit: 'binary', maxLength: 30 }),
  createdAt: timestamp,
  createdBy: fc.string({ maxLength: 10 }),
}, { requiredKeys: ['id', 'title', 'severity', 'status'] });
/** Complete journals: whole-record lines, each ending in a newline. */
const journal = fc.array(record, { maxLength: 20 }).map((records) => records.map((r) => `${JSON.stringify(r)}\n`).join(''));
/** Bytes after the last newline: anything without 0x0a. */
const tornTail = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => bytes.map((b) => (b === 0x0a ? 0x20 : b)));

/** The outcome of reading `bytes`: the records and count, or the StoreLoadError; any other throw fails. */
function read(bytes: Uint8Array): { entries: number; records: Map<string, Incident> } | StoreLoadError {
  const records = new Map<string, Incident>();
  try {
    return { entries: readJournal(bytes, records, PATH), records };
  } catch (error) {
    assert.ok(error instanceof StoreLoadError, `not a StoreLoadError: ${String(error)}`);
    assert.equal(error.path, PATH);
    assert.ok(error.problem.length > 0);
    assert.ok(error.line === undefined || (Number.isInteger(error.line) && error.line >= 1));
    return error;
  }
}

test('any byte sequence is read or refused with a StoreLoadError naming the journal, never another throw', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void read(bytes)), { numRuns: 3000 });
});

test('journal-shaped input with any JSON on its lines, or a byte flipped, is read or refused cleanly', () => {
  const line = fc.oneof(record.map((r) => JSON.stringify(r)), fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)), fc.string({ unit: 'binary' }), fc.constant(`${'['.repeat(100_000)}${']'.repeat(100_000)}`));
  const text = fc.array(line, { maxLength: 8 }).map((lines) => `${lines.join('\n')}\n`);
  const flipped = fc.tuple(text, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([t, at, byte]) => {
    const bytes = encoder.encode(t);
    if (bytes.length > 0) bytes[at % bytes.length] = byte;
    return bytes;
  });
  fc.assert(fc.property(fc.oneof(text.map((t) => encoder.encode(t)), flipped), (bytes) => void read(bytes)), { numRuns: 1000 });
});

test('every complete journal of valid records reads fully: one entry per line, the last version of each id kept', () => {
  fc.assert(fc.property(fc.array(record, { maxLength: 20 }), (records) => {
    const result = read(encoder.encode(records.map((r) => `${JSON.stringify(r)}\n`).join('')));
    assert.ok(!(result instanceof StoreLoadError), String(result));
    assert.equal(result.entries, records.length);
    const last = new Map(records.map((r) => [r.id, { ...r }]));
    assert.deepEqual(new Map([...result.records].map(([id, r]) => [id, { ...r }])), last);
  }), { numRuns: 1000 });
});

test('a torn tail, even half a UTF-8 sequence, is ignored: the journal reads as its complete lines (crash mid-append)', () => {
  fc.assert(fc.property(journal, tornTail, (complete, tail) => {
    const bytes = encoder.encode(complete);
    const torn = new Uint8Array(bytes.length + tail.length);
    torn.set(bytes);
    torn.set(tail, bytes.length);
    assert.deepEqual(read(torn), read(bytes));
  }), { numRuns: 1000 });
});

test('cutting a journal at any byte reads as the complete lines before the cut', () => {
  fc.assert(fc.property(journal, fc.nat(), (complete, at) => {
    const bytes = encoder.encode(complete);
    const cut = bytes.subarray(0, at % (bytes.length + 1));
    const whole = cut.subarray(0, cut.lastIndexOf(0x0a) + 1);
    assert.deepEqual(read(cut), read(whole));
  }), { numRuns: 1000 });
});
