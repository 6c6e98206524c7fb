/**
 * The store contract (store-contract.ts) against the JSON file store, src/incidents/json-store.ts,
 * over a copy of the shipped seed in a temporary directory. pg-store.test.ts runs the same suite
 * against PostgreSQL.
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openJsonStore } from '../../src/incidents/json-store.ts';
import type { IncidentStore } from '../../src/incidents/store.ts';
import { SEED_PATH, tempDir } from './helpers.ts';
import { storeContract } from './store-contract.ts';

storeContract('JSON file', async (t, options = {}) => {
  let current: IncidentStore | undefined;
  // Hooks run in the order they are added: the store closes (and folds) before its directory goes.
  t.after(() => current?.close());
  const path = join(await tempDir(t), 'incidents.json');
  await copyFile(SEED_PATH, path);
  const store = await openJsonStore(path, options);
  current = store;
  return {
    store,
    async reopen() {
      await current?.close();
      current = await openJsonStore(path, options);
      return current;
    },
  };
});
