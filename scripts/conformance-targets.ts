/**
 * The two servers the conformance run tests, both on loopback port 0: the fixtures server
 * (fixtures/conformance, no authentication) and the real incident server (src/app.ts) with a
 * development issuer and a temporary copy of incidents.json, reached through a proxy that adds
 * the bearer token. Each target also offers a URL whose proxy corrects the suite's stale
 * MCP-Protocol-Version (docs/conformance.md).
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFixtureServer } from '../fixtures/conformance/fixture-server.ts';
import { startServer } from '../src/app.ts';
import { startDevIssuer } from '../src/auth/dev-issuer.ts';
import { loadConfig } from '../src/config.ts';
import type { Logger } from '../src/log.ts';
import { startProxy, type RunningProxy } from './conformance-proxy.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');

export interface Target {
  /** `fixtures` or `incident`. */
  readonly name: string;
  /** The URL the suite is given. */
  readonly url: string;
  /** The same server behind a proxy that corrects the suite's stale protocol version header. */
  readonly correctedUrl: string;
  /** Stale headers corrected so far. */
  corrections(): number;
  close(): Promise<void>;
}

export async function fixturesTarget(logger: Logger): Promise<Target> {
  const server = await startFixtureServer({ host: '127.0.0.1', port: 0, logger });
  const corrected = await startProxy({ upstream: server.url, correctStaleVersion: true });
  return {
    name: 'fixtures',
    url: server.url,
    correctedUrl: corrected.url,
    corrections: () => corrected.corrections,
    async close() {
      await corrected.close();
      await server.close(500);
    },
  };
}

export async function incidentTarget(logger: Logger): Promise<Target> {
  const issuer = await startDevIssuer({ host: '127.0.0.1', port: 0 });
  const dir = await mkdtemp(join(tmpdir(), 'mcp-conformance-incidents-'));
  const file = join(dir, 'incidents.json');
  await copyFile(join(ROOT, 'incidents.json'), file);
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', OKTA_ISSUER: issuer.issuer, OKTA_AUDIENCE: issuer.audience, INCIDENTS_FILE: file, TOOL_RATE_LIMIT: '0' });
  const server = await startServer(config, { logger });
  const token = await issuer.mint({ expiresIn: 3600 });
  const proxies: RunningProxy[] = [
    await startProxy({ upstream: server.url, token }),
    await startProxy({ upstream: server.url, token, correctStaleVersion: true }),
  ];
  const [plain, corrected] = proxies as [RunningProxy, RunningProxy];
  return {
    name: 'incident',
    url: plain.url,
    correctedUrl: corrected.url,
    corrections: () => corrected.corrections,
    async close() {
      for (const proxy of proxies) await proxy.close();
      await server.close(500);
      await issuer.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
