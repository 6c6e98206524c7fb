/**
 * Child process for file-lock.test.ts: opens the store at argv[2] (taking its lock), prints
 * `ready`, and holds it until its stdin ends, then closes the store and exits.
 */
import { openJsonStore } from '../../src/incidents/json-store.ts';

const path = process.argv[2];
if (path === undefined) throw new TypeError('usage: lock-holder-child.ts <incidents-file>');
const store = await openJsonStore(path);
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', () => void store.close());
