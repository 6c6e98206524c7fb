/**
 * A real node:http server on 127.0.0.1, port 0, closed when the test file ends: for unit tests
 * that need a genuine ServerResponse and a client reading its bytes.
 */
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

export async function loopbackServer(handler?: RequestListener): Promise<{ server: Server; port: number }> {
  const server = handler === undefined ? createServer() : createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { server, port: (server.address() as AddressInfo).port };
}
