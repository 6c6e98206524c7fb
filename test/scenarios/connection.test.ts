/**
 * Black-box scenarios for the connection itself (RFC 9112 §9): refused requests close the
 * connection instead of draining a body nobody will read, `100 Continue` only once a request is
 * worth its body, a 413 the client can read, and pipelined answers kept in order. Raw sockets
 * over loopback against the real server, because an HTTP client hides every one of these.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { withClient, withServer } from '../helpers/http.ts';

/** One connection whose bytes are read as they arrive (or later, when it starts `paused`). */
class RawConnection {
  data = Buffer.alloc(0);
  error: string | undefined;
  ended = false;
  readonly socket: Socket;
  readonly closed: Promise<void>;

  constructor(port: number, options: { paused?: boolean } = {}) {
    this.socket = connect(port, '127.0.0.1');
    if (options.paused === true) this.socket.pause();
    this.socket.on('data', (chunk: Buffer) => (this.data = Buffer.concat([this.data, chunk])));
    this.socket.on('error', (error: NodeJS.ErrnoException) => (this.error ??= error.code ?? error.message));
    this.socket.on('end', () => (this.ended = true));
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  /** Resolves when the server has closed the connection; fails after `ms`. */
  async closedWithin(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`connection still open after ${ms} ms`)), ms)));
    try {
      await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
      this.socket.destroy();
    }
  }

  /** Every whole response received so far, in order (Content-Length framing; 1xx have no body). */
  responses(): Array<{ status: number; headers: Map<string, string>; body: string }> {
    const out = [];
    let at = 0;
    for (;;) {
      const split = this.data.indexOf('\r\n\r\n', at);
      if (split < 0) return out;
      const [statusLine = '', ...lines] = this.data.subarray(at, split).toString('latin1').split('\r\n');
      const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()] as const));
      const length = Number(headers.get('content-length') ?? 0);
      if (this.data.length < split + 4 + length) return out;
      out.push({ status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1]), headers, body: this.data.subarray(split + 4, split + 4 + length).toString('utf8') });
      at = split + 4 + length;
    }
  }
}

function head(port: number, lines: readonly string[], contentType = 'application/json'): string {
  return [`POST /mcp HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Content-Type: ${contentType}`, 'Accept: application/json', ...lines, '', ''].join('\r\n');
}

const PING = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });

test('a request refused before its body is read gets its answer with Connection: close, and the body is not drained (RFC 9112 §9.6)', async () => {
  await withServer({}, async (server) => {
    const port = server.running.port;
    // Refused at each early stage: no token, a foreign Origin, a repeated header, a bad media type, PUT.
    const token = await server.token();
    for (const [lines, status, type, method] of [
      [[], 401],
      [['Origin: http://evil.example'], 403],
      [['Authorization: Bearer a', 'Authorization: Bearer b'], 400],
      [[`Authorization: Bearer ${token}`], 415, 'text/plain'],
      [[`Authorization: Bearer ${token}`], 405, 'application/json', 'PUT'],
    ] as Array<[string[], number, string?, string?]>) {
      const connection = new RawConnection(port);
      connection.socket.write(head(port, [...lines, 'Transfer-Encoding: chunked'], type).replace(/^POST /, `${method ?? 'POST'} `));
      // An endless chunked body: the server must answer and close, not read it until a timeout.
      const chunk = Buffer.from(`4000\r\n${' '.repeat(0x4000)}\r\n`);
      const pump = setInterval(() => {
        if (!connection.socket.destroyed) connection.socket.write(chunk);
      }, 1);
      try {
        await connection.closedWithin(4000);
      } finally {
        clearInterval(pump);
      }
      const [answer] = connection.responses();
      assert.equal(answer?.status, status);
      assert.equal(answer?.headers.get('connection'), 'close');
    }
  });
});

test('Expect: 100-continue gets no 100 when the request is refused before its body, and 100 then 200 when it is served (RFC 9110 §10.1.1)', async () => {
  await withClient({}, async (client, server) => {
    const port = server.running.port;
    const refused = new RawConnection(port);
    refused.socket.write(head(port, [`Content-Length: ${PING.length}`, 'Expect: 100-continue']));
    await refused.closedWithin(3000);
    assert.match(refused.data.toString('latin1'), /^HTTP\/1\.1 401 Unauthorized\r\n/);
    assert.equal(refused.responses()[0]?.headers.get('connection'), 'close');

    const served = new RawConnection(port);
    const lines = [`Authorization: Bearer ${client.token}`, `MCP-Session-Id: ${client.sessionId}`, `MCP-Protocol-Version: ${client.protocolVersion}`, `Content-Length: ${PING.length}`, 'Expect: 100-continue'];
    served.socket.write(head(port, lines));
    while (served.data.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(served.data.toString('latin1'), 'HTTP/1.1 100 Continue\r\n\r\n');
    served.socket.write(PING);
    while (served.responses().length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(served.responses()[1]?.status, 200);
    assert.equal(served.responses()[1]?.body, '{"jsonrpc":"2.0","id":1,"result":{}}');
    served.socket.destroy();
  });
});

test('a client that sends a whole too-large body before reading still reads the whole 413 (RFC 9112 §9.6 graceful close; RFC 9110 §15.5.14)', async () => {
  await withServer({ env: { MAX_BODY_BYTES: '2048' } }, async (server) => {
    const port = server.running.port;
    const token = await server.token();
    const big = Buffer.alloc(4 * 1024 * 1024, 0x20);
    const chunked = Buffer.concat([Buffer.from(`${big.length.toString(16)}\r\n`), big, Buffer.from('\r\n0\r\n\r\n')]);
    for (const [framing, body] of [[`Content-Length: ${big.length}`, big], ['Transfer-Encoding: chunked', chunked]] as const) {
      // It reads nothing until it has written everything, as a simple blocking client does.
      const connection = new RawConnection(port, { paused: true });
      connection.socket.write(head(port, [`Authorization: Bearer ${token}`, framing]));
      await new Promise<void>((resolve) => connection.socket.write(body, () => resolve()));
      connection.socket.resume();
      await connection.closedWithin(5000);
      const [answer] = connection.responses();
      assert.equal(answer?.status, 413, `${framing}: ${connection.error ?? ''}`);
      assert.equal(answer.headers.get('connection'), 'close');
      assert.equal(answer.body, '{"jsonrpc":"2.0","error":{"code":-32600,"message":"Payload too large"}}');
    }
  });
});

test('pipelined requests followed by a malformed one get every answer, in order, before the 400 (RFC 9112 §9.3.2)', async () => {
  await withClient({}, async (client, server) => {
    const port = server.running.port;
    const before = server.running.store.all().length;
    const create = (id: number): string => {
      const body = JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'create_incident', arguments: { title: `Pipelined ${id}` } } });
      return head(port, [`Authorization: Bearer ${client.token}`, `MCP-Session-Id: ${client.sessionId}`, `MCP-Protocol-Version: ${client.protocolVersion}`, `Content-Length: ${Buffer.byteLength(body)}`]) + body;
    };
    const connection = new RawConnection(port);
    connection.socket.write(create(11) + create(12) + create(13) + 'NOT HTTP AT ALL\r\n\r\n');
    await connection.closedWithin(5000);
    const answers = connection.responses();
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 400]);
    assert.deepEqual(answers.slice(0, 3).map((a) => (JSON.parse(a.body) as { id: number }).id), [11, 12, 13]);
    assert.equal(answers[3]?.headers.get('connection'), 'close');
    assert.equal(server.running.store.all().length, before + 3);
  });
});
