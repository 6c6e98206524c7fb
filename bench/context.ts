/**
 * What every benchmark session shares: a temp directory with the seeded incident files, the
 * development issuer (real RS256 tokens and JWKS over HTTP, as the tests use), one token, and
 * starting a server on a fresh copy of a seeded store. It tracks what it started so close()
 * leaves no process or file behind. Used by run.ts and profile.ts.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevIssuer, type DevIssuer } from '../src/auth/dev-issuer.ts';
import { freePort, startChild, stopChild, type RunningChild, type ServerKind } from './processes.ts';
import { incidentsFile } from './seed.ts';
import { headerLines, requestBytes, WireConnection, type WireResponse } from './wire.ts';

export interface BenchContext {
  readonly token: string;
  readonly work: string;
  /** The ceiling's answer: our tools/list result, once captured. */
  readonly bodyFile: string;
  start(kind: ServerKind, stored: number, nodeFlags?: string[]): Promise<RunningChild>;
  stop(running: RunningChild): Promise<void>;
  /** The incidents file a running server was given. */
  incidentsPath(running: RunningChild): string;
  /** Writes our server's tools/list answer, byte for byte, to bodyFile. */
  captureToolsList(port: number): Promise<void>;
  close(): Promise<void>;
}

export async function createContext(): Promise<BenchContext> {
  const work = mkdtempSync(join(tmpdir(), 'mcp-bench-'));
  const issuer: DevIssuer = await startDevIssuer({ host: '127.0.0.1', port: 0 });
  // Longer than any run, so no token expires mid-measurement.
  const token = await issuer.mint({ expiresIn: 6 * 3600 });
  const bodyFile = join(work, 'tools-list-answer.json');
  const live = new Map<RunningChild, string>();
  let serial = 0;

  const seed = (stored: number): string => {
    const path = join(work, `seed-${stored}.json`);
    if (!existsSync(path)) writeFileSync(path, incidentsFile(stored));
    return path;
  };

  return {
    token,
    work,
    bodyFile,
    async start(kind, stored, nodeFlags) {
      const cwd = join(work, `run-${++serial}`);
      mkdirSync(cwd);
      const incidentsPath = join(cwd, 'incidents.json');
      copyFileSync(seed(stored), incidentsPath);
      const setup = {
        kind, port: await freePort(), issuer: issuer.issuer, audience: issuer.audience,
        incidentsFile: incidentsPath, bodyFile, cwd, ...(nodeFlags === undefined ? {} : { nodeFlags }),
      };
      const running = await startChild(setup, token);
      live.set(running, cwd);
      return running;
    },
    async stop(running) {
      await stopChild(running);
      rmSync(live.get(running) ?? '', { recursive: true, force: true });
      live.delete(running);
    },
    incidentsPath(running) {
      return join(live.get(running) ?? '', 'incidents.json');
    },
    async captureToolsList(port) {
      const conn = await WireConnection.open(port);
      const send = async (body: string, session?: string): Promise<WireResponse> => {
        const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
        if (session !== undefined) Object.assign(headers, { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' });
        return conn.send(requestBytes('POST', '/mcp', `127.0.0.1:${port}`, headerLines(headers), body));
      };
      const init = await send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}');
      const session = init.headers.get('mcp-session-id');
      await send('{"jsonrpc":"2.0","method":"notifications/initialized"}', session);
      const list = await send('{"jsonrpc":"2.0","id":2,"method":"tools/list"}', session);
      conn.close();
      if (list.status !== 200) throw new Error(`tools/list answered ${list.status}`);
      writeFileSync(bodyFile, list.body);
    },
    async close() {
      for (const running of live.keys()) await stopChild(running, 2000);
      await issuer.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
