/**
 * The ceiling: a bare node:http server that answers every request with the same pre-serialised
 * bytes (BENCH_BODY_FILE, the size of our server's tools/list answer) and a fixed MCP-Session-Id,
 * so the load generator's session set-up runs against it unchanged. It reads every request body
 * and does nothing else: what Node's HTTP stack can do on this machine, not an MCP server.
 * Environment: PORT, HOST (default 127.0.0.1), BENCH_BODY_FILE. Prints `READY <port>` on stdout.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = readFileSync(process.env['BENCH_BODY_FILE'] ?? '');
const headers = {
  'content-type': 'application/json',
  'content-length': String(body.length),
  'mcp-session-id': 'ceiling',
};

const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
  req.resume();
  req.once('end', () => {
    res.writeHead(200, headers);
    res.end(body);
  });
});

server.listen(Number(process.env['PORT'] ?? 0), process.env['HOST'] ?? '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
});

process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
