/**
 * The ceiling: a bare node:http server that answers every request with the same pre-serialised
 * bytes — our server's tools/list answer, the modern one (BENCH_MODERN_BODY_FILE) when the request
 * carries an Mcp-Method header, else the legacy one (BENCH_BODY_FILE) — and a fixed MCP-Session-Id,
 * so every workload's set-up runs against it unchanged. It reads every request body and does
 * nothing else: what Node's HTTP stack can do on this machine, not an MCP server.
 * Environment: PORT, HOST (default 127.0.0.1), BENCH_BODY_FILE, BENCH_MODERN_BODY_FILE.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const answer = (file: string | undefined): { body: Buffer; headers: Record<string, string> } => {
  const body = readFileSync(file ?? '');
  return { body, headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'mcp-session-id': 'ceiling' } };
};
const legacy = answer(process.env['BENCH_BODY_FILE']);
const modern = answer(process.env['BENCH_MODERN_BODY_FILE'] ?? process.env['BENCH_BODY_FILE']);

const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
  const { body, headers } = req.headers['mcp-method'] === undefined ? legacy : modern;
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
