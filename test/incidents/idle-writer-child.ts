/**
 * Child process for the idle-fold test in journal.test.ts: opens the store at argv[2] with a
 * one-minute quiet period, creates one incident, prints its id, and returns without closing the
 * store. The process must exit at once: the pending fold timer never holds it open.
 */
import { openJsonStore } from '../../src/incidents/json-store.ts';

const path = process.argv[2];
if (path === undefined) throw new TypeError('usage: idle-writer-child.ts <incidents-file>');
const store = await openJsonStore(path, { foldAfterMs: 60_000 });
const incident = await store.create({ title: 'written just before exit', severity: 'low', status: 'open' });
process.stdout.write(`${incident.id}\n`);
