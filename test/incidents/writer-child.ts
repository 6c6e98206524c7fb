/**
 * Child process for the crash test in json-store.test.ts: opens the store at argv[2] and creates
 * incidents forever from a few concurrent loops (so group commits happen), printing each id on
 * stdout only after its create resolved, i.e. after the data reached the disk. The parent kills
 * it with SIGKILL mid-write and checks that every printed id survived.
 */
import { openJsonStore } from '../../src/incidents/json-store.ts';

const path = process.argv[2];
if (path === undefined) throw new TypeError('usage: writer-child.ts <incidents-file>');
const store = await openJsonStore(path);

async function writeForever(worker: number): Promise<never> {
  for (let n = 0; ; n++) {
    const incident = await store.create({ title: `crash test ${worker}.${n}`, severity: 'low', status: 'open' });
    // Pipes are written synchronously on POSIX, so the ack is out before the next write starts.
    process.stdout.write(`${incident.id}\n`);
  }
}

await Promise.all([1, 2, 3, 4].map(writeForever));
