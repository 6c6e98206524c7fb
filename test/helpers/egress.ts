/**
 * Test fixtures for egress: a tiny real forward proxy on loopback (CONNECT tunnels for https,
 * absolute-form requests for http, each counted), and a loopback HTTPS front for the development
 * issuer with a self-signed certificate for 127.0.0.1 (trusted through the verifier's test-only
 * `tls.ca`, not through the environment). node:http and node:net only.
 */
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** A self-signed P-256 certificate for 127.0.0.1 and localhost, valid until 2126 (test only). */
export const TEST_CERT = `
-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIULjbrQ2UsnaLeri5frc3ZTS3Vt5EwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyOTE3NTI0NloYDzIxMjYxMTA1
MTc1MjQ2WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAT1PB4sbNEXil4a5PaUVb9CoR1FTIUuDM+SGfsEx7M5SMkxhoph8v20
55+JqDmHzeptyAF05rHXJSRtojFkxWbko28wbTAdBgNVHQ4EFgQURj1uzsQSV0Ji
7L8SKFcl03+zJkAwHwYDVR0jBBgwFoAURj1uzsQSV0Ji7L8SKFcl03+zJkAwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDRwAwRAIgCrLrOb3hXD1snVG2C9iUSC+E2w2MvMSW01l1zIvmLi8CIE3x
TviKY6QY9ViqJNCxYbxB/LL2eP/lnl6zCPeD8ZHL
-----END CERTIFICATE-----
`;

/** Its private key (test only: it protects nothing). */
export const TEST_KEY = `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHWtDABRnz/tjUc10
p0icem2RyQgQQMAQZrZoNA8ApSqhRANCAAT1PB4sbNEXil4a5PaUVb9CoR1FTIUu
DM+SGfsEx7M5SMkxhoph8v2055+JqDmHzeptyAF05rHXJSRtojFkxWbk
-----END PRIVATE KEY-----
`;

/** A running proxy: its URL and what went through it. */
export interface TestProxy {
  readonly url: string;
  /** CONNECT requests received, by target `host:port`. */
  readonly connects: string[];
  /** Absolute-form requests received (plain http through the proxy). */
  readonly forwarded: string[];
  close(): Promise<void>;
}

function listening(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  return once(server, 'listening').then(() => (server.address() as AddressInfo).port);
}

/** A forward proxy that tunnels CONNECT and forwards absolute-form http requests. */
export async function startProxy(): Promise<TestProxy> {
  const connects: string[] = [];
  const forwarded: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // RFC 9112 §3.2.2: a proxy receives the absolute URI.
    forwarded.push(req.url ?? '');
    const upstream = request(req.url ?? '', { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // RFC 9110 §9.3.6: CONNECT host:port opens a tunnel; 200 and then raw bytes both ways.
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.push(target);
    const colon = target.lastIndexOf(':');
    const upstream = connect(Number(target.slice(colon + 1)), target.slice(0, colon), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const port = await listening(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    forwarded,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** An HTTPS front on 127.0.0.1 that relays every request to `target` (the http development issuer). */
export async function startHttpsFront(target: string): Promise<{ readonly origin: string; close(): Promise<void> }> {
  const server = createHttpsServer({ cert: TEST_CERT, key: TEST_KEY }, (req, res) => {
    const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  const port = await listening(server);
  return {
    origin: `https://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
