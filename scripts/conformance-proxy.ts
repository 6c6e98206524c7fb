/**
 * A loopback HTTP proxy for the conformance run, test tooling only. The suite cannot send headers,
 * so in front of the incident server the proxy adds `Authorization: Bearer <token>`. With
 * `correctStaleVersion` it also repairs the suite's known bug (conformance 0.1.16 hard-codes
 * `MCP-Protocol-Version: 2025-03-26` in its raw SSE probes; upstream now sends 2025-11-25, see
 * docs/conformance.md). Bodies stream through untouched, SSE included. A Host naming the proxy is
 * rewritten to the upstream's; any other Host (the DNS-rebinding probe's) passes unchanged.
 */
import { once } from 'node:events';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyOptions {
  /** The server's MCP endpoint, e.g. `http://127.0.0.1:9001/mcp`; requests keep their own path. */
  readonly upstream: string;
  /** Added as `Authorization: Bearer …` to every request; never logged. */
  readonly token?: string;
  /** Rewrites `MCP-Protocol-Version: 2025-03-26` to `2025-11-25`, as the suite's upstream fix does. */
  readonly correctStaleVersion?: boolean;
}

export interface RunningProxy {
  /** The proxy's MCP endpoint, `http://127.0.0.1:{port}/mcp`. */
  readonly url: string;
  /** How many stale version headers were rewritten so far. */
  readonly corrections: number;
  close(): Promise<void>;
}

/** The version conformance 0.1.16 sends in its raw SSE probes, and the one its scenarios negotiate. */
export const STALE_VERSION = '2025-03-26';
export const SCENARIO_VERSION = '2025-11-25';

/** RFC 9110 §7.6.1: hop-by-hop fields are not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const upstream = new URL(options.upstream);
  let corrections = 0;
  let ownHost = '';

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = forwardable(req.headers);
    if (req.headers.host === ownHost) headers.host = upstream.host;
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.correctStaleVersion === true && req.headers['mcp-protocol-version'] === STALE_VERSION) {
      headers['mcp-protocol-version'] = SCENARIO_VERSION;
      corrections++;
    }
    const outgoing = request({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
      res.flushHeaders();
      answer.pipe(res);
    });
    outgoing.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    // A client that goes away (the suite cancels its SSE readers) takes the upstream request with it.
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);
  };

  const server = createServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  ownHost = `127.0.0.1:${port}`;
  return {
    url: `http://${ownHost}${upstream.pathname}`,
    get corrections() {
      return corrections;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
