/**
 * Shared fixtures for the incident tests: temporary directories with real files, the shipped
 * seed, and a literal FeatureContext (a principal, a live abort signal, no-op progress and log).
 * Nothing here stands in for one of our components.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Principal } from '../../src/auth/principal.ts';
import type { FeatureContext, JsonObject } from '../../src/protocol/definitions.ts';
import type { JsonIncidentStore } from '../../src/incidents/json-store.ts';
import { openJsonStore } from '../../src/incidents/json-store.ts';

/** The repository's seed file, as shipped. */
export const SEED_PATH = new URL('../../incidents.json', import.meta.url);

/** A fresh temporary directory, removed when the test ends. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'incidents-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A store over a copy of the seed file (or an empty file path when `seed` is false), closed and
 * removed when the test ends. `compactAt: 1` folds every write into the file at once, for tests
 * that read the file itself.
 */
export async function openTempStore(
  t: TestContext,
  options: { seed?: boolean; now?: () => Date; compactAt?: number; foldAfterMs?: number } = {},
): Promise<{ store: JsonIncidentStore; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'incidents-'));
  const path = join(dir, 'incidents.json');
  if (options.seed !== false) await writeFile(path, await readFile(SEED_PATH));
  const { seed: _seed, ...storeOptions } = options;
  const store = await openJsonStore(path, storeOptions);
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { store, path };
}

/** A clock fixed at 2025-11-25T12:00:00Z. */
export const fixedClock = (): Date => new Date('2025-11-25T12:00:00.000Z');

export const principal: Principal = {
  issuer: 'https://example.okta.com/oauth2/default',
  subject: 'alice@example.com',
  clientId: '0oa-test-client',
  userId: '00u-alice',
  scopes: new Set(['incidents:read', 'incidents:write']),
  expiresAt: 4102444800,
};

/** A FeatureContext literal for calling definitions directly. */
export function featureContext(who: Principal = principal): FeatureContext {
  return {
    principal: who,
    signal: new AbortController().signal,
    progress: () => undefined,
    log: () => undefined,
    request: async (): Promise<JsonObject> => ({}),
    clientCapabilities: {},
  };
}
