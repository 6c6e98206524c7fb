/**
 * Connection management under node:http (RFC 9112 §9): the graceful close of a connection the
 * server ends, the order of answers on a pipelined connection when the parser fails, and the
 * `100 Continue` invitation. It owns per-socket state (closing, answers in flight); it does not
 * decide statuses or compose bodies (refusal.ts, reply.ts) and does not judge requests (gate.ts).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Refusal } from './refusal.ts';

/** How long, and how many bytes, a closing connection is read and discarded before it is dropped. */
export const LINGER_MS = 2000;
export const LINGER_BYTES = 1024 * 1024;
const LINGER_CHECK_MS = 50;
/** How long a timed-out connection stays after its 408 and FIN, unread, before it is destroyed. */
const TIMED_OUT_LINGER_MS = 250;

/** Sockets the server has decided to close: nothing more on them is processed or answered. */
const closing = new WeakSet<Socket>();
/** Sockets half-closed and being drained. */
const lingering = new WeakSet<Socket>();
/** Responses not yet finished on each socket, in arrival order. */
const inFlight = new WeakMap<Socket, Set<ServerResponse>>();

/** Node's parser errors (and timeouts) by `code`, as the refusal that answers them; any other is malformed. */
const PARSER_REFUSALS: ReadonlyMap<string, Refusal> = new Map<string, Refusal>([
  // RFC 6585 §5; RFC 9110 §15.5.14; RFC 9110 §15.5.9.
  ['HPE_HEADER_OVERFLOW', { refusal: 'headersTooLarge' }],
  ['HPE_CHUNK_EXTENSIONS_OVERFLOW', { refusal: 'bodyTooLarge' }],
  ['ERR_HTTP_REQUEST_TIMEOUT', { refusal: 'requestTimeout' }],
]);
const MALFORMED: Refusal = { refusal: 'malformedRequest' };
const TIMED_OUT: Refusal = { refusal: 'requestTimeout' };

/** True once the server has decided to close this connection (RFC 9112 §9.6: process nothing more). */
export function isClosing(socket: Socket): boolean {
  return closing.has(socket);
}

/**
 * Half-closes `socket` and reads (discarding) what the client still sends for at most LINGER_MS
 * and LINGER_BYTES, or until the client closes too, then destroys it.
 */
export function lingeringClose(socket: Socket): void {
  if (socket.destroyed || lingering.has(socket)) return;
  closing.add(socket);
  lingering.add(socket);
  // RFC 9112 §9.6: close in stages: half-close, read until the client closes or acknowledges, then close.
  socket.end();
  const destroy = (): void => void socket.destroy();
  const destroyWhenWritten = (): void => void (socket.writableFinished ? destroy() : socket.once('finish', destroy));
  if (socket.readableEnded) return destroyWhenWritten();
  socket.once('end', destroyWhenWritten);
  const start = socket.bytesRead;
  const deadline = Date.now() + LINGER_MS;
  const timer = setInterval(() => {
    if (Date.now() >= deadline || socket.bytesRead - start > LINGER_BYTES) destroy();
  }, LINGER_CHECK_MS);
  timer.unref();
  socket.once('close', () => clearInterval(timer));
}

/**
 * Every close node:http makes after a response (`Connection: close`, HTTP/1.0, a refused
 * `Expect`) goes through `destroySoon()`, which destroys the socket once written: bytes the client
 * is still sending then reset the connection and can erase the answer (RFC 9112 §9.6). Each
 * accepted socket gets the lingering close instead.
 */
export function adoptConnection(socket: Socket): void {
  socket.destroySoon = () => lingeringClose(socket);
}

/**
 * Marks `res` as the last answer on its connection: `Connection: close` is the caller's header;
 * once written, the unread rest of the body is discarded (not parsed) until the lingering close
 * drops the connection.
 */
export function closeAfter(res: ServerResponse): void {
  const req = res.req;
  closing.add(req.socket);
  // The body reader may have paused the request; the drain must read on, bounded by the linger.
  res.once('finish', () => req.resume());
}

/** True while the request's body has not been received in full (RFC 9112 §6.3 framing). */
export function bodyPending(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** True when the client waits for `100 Continue` before sending the body (RFC 9110 §10.1.1). */
export function expectsContinue(req: IncomingMessage): boolean {
  return /(?:^|[\s,])100-continue(?:$|[\s,;])/i.test(req.headers.expect ?? '');
}

/** Records `res` as in flight on its connection until it is written or abandoned. */
export function trackResponse(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket;
  let responses = inFlight.get(socket);
  if (responses === undefined) inFlight.set(socket, (responses = new Set()));
  responses.add(res);
  const settle = (): void => void responses.delete(res);
  res.once('finish', settle);
  res.once('close', settle);
}

/** Runs `then` once every response in `responses` is written (or abandoned). */
function afterAll(responses: readonly ServerResponse[], then: () => void): void {
  let left = responses.length;
  if (left === 0) return then();
  const settle = (): void => void (--left === 0 && then());
  for (const res of responses) {
    let settled = false;
    const once = (): void => void (!settled && (settled = true) && settle());
    if (res.writableFinished) once();
    res.once('finish', once);
    res.once('close', once);
  }
}

/**
 * The 'clientError' listener: a request node's parser refused (or a timeout) is answered with
 * its refusal, written only after every earlier answer on the connection (RFC 9112 §9.3.2:
 * responses in the order of the requests), then the connection closes gracefully.
 */
export function onClientError(answer: (refusal: Refusal) => Buffer): (error: NodeJS.ErrnoException, socket: Socket) => void {
  return (error, socket) => {
    // Node calls this again for every later chunk the failed parser sees: answer once.
    if (closing.has(socket) || socket.destroyed) return;
    closing.add(socket);
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable) return void socket.destroy();
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      // The timed-out request is in flight and must never run, so no lingering: answer if nothing
      // of any response is on the wire yet (as node does), then drop the connection at once.
      const started = [...(inFlight.get(socket) ?? [])].some((res) => res.headersSent);
      if (started) return void socket.destroy();
      // Reading stops (nothing more reaches the parser), the 408 and a FIN go out, and the socket
      // is destroyed a moment later: destroying at once could reset the connection before a
      // client still sending had read the 408 (RFC 9112 §9.6).
      socket.pause();
      socket.end(answer(TIMED_OUT));
      return void setTimeout(() => socket.destroy(), TIMED_OUT_LINGER_MS).unref();
    }
    // The requests received whole are answered first; one cut short by the failure never will be.
    const responses = [...(inFlight.get(socket) ?? [])];
    const whole = responses.filter((res) => res.req.complete);
    if (responses.some((res) => !res.req.complete && res.headersSent)) return void socket.destroy();
    afterAll(whole, () => {
      if (socket.destroyed) return;
      // RFC 9112 §2.2: a message the parser cannot read is 400 (malformedRequest) unless named above.
      socket.write(answer(PARSER_REFUSALS.get(error.code ?? '') ?? MALFORMED));
      lingeringClose(socket);
    });
  };
}

/** Connection-level listeners of `server`: lingering closes, parser failures in order, 100-continue. */
export function manageConnections(server: Server, answer: (refusal: Refusal) => Buffer): void {
  server.on('connection', adoptConnection);
  server.on('clientError', onClientError(answer));
  // RFC 9110 §10.1.1: no `100 Continue` before the checks that may refuse the request; the POST
  // handler writes it just before reading the body.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => server.emit('request', req, res));
}
