/**
 * Tests of src/transport/sessions.ts (MCP 2025-11-25 basic/transports.mdx "Session
 * Management"; STYLE principles 6 and 13): the session table as a Map keyed by secure random
 * ids, the caps (in all and per owner), idle expiry on an injected clock, teardown of protocol
 * state, and the per-session streams with their bounded memory of finished ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { loopbackServer } from '../helpers/loopback.ts';
import { HttpSession, SessionTable, type SessionLimits } from '../../src/transport/sessions.ts';
import { Session } from '../../src/protocol/session.ts';

const LIMITS: SessionLimits = { maxSessions: 3, maxSessionsPerOwner: 3, idleMs: 60_000, keptStreams: 2, replayEvents: 16, maxQueuedBytes: 1024 * 1024 };

const { server, port } = await loopbackServer();

/** A real response to attach a stream to, and the text its client reads until the end. */
async function open(): Promise<{ res: ServerResponse; text: Promise<string> }> {
  const serverSide = once(server, 'request') as Promise<[IncomingMessage, ServerResponse]>;
  const client = request({ host: '127.0.0.1', port, agent: false });
  client.on('error', () => {});
  let text = '';
  client.on('response', (r: IncomingMessage) => {
    r.setEncoding('utf8');
    r.on('data', (chunk: string) => (text += chunk));
  });
  const closed = new Promise<string>((resolve) => client.on('close', () => resolve(text)));
  client.end();
  const [, res] = await serverSide;
  return { res, text: closed };
}

function clock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

test('basic/transports.mdx: a prepared session joins the table only when added (after initialize succeeds)', () => {
  const table = new SessionTable(LIMITS);
  const session = table.prepare('iss|sub|cid');
  assert.equal(session.owner, 'iss|sub|cid');
  assert.ok(session instanceof Session, 'the HTTP session is the protocol session');
  assert.equal(table.size, 0);
  assert.equal(table.get(session.id), undefined);
  table.add(session);
  assert.equal(table.size, 1);
  assert.equal(table.get(session.id), session);
  assert.equal(table.delete(session.id), true);
  assert.equal(table.get(session.id), undefined);
  assert.equal(table.delete(session.id), false, 'deleting twice finds nothing');
  assert.equal(table.size, 0);
});

test('STYLE 6: ids that look like Object.prototype keys are ordinary unknown ids', () => {
  const table = new SessionTable(LIMITS);
  for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    assert.equal(table.get(id), undefined);
    assert.equal(table.delete(id), false);
  }
});

test('basic/transports.mdx: session ids are cryptographically random, at least 32 visible ASCII characters, distinct', () => {
  const table = new SessionTable(LIMITS);
  const ids = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const { id } = table.prepare('owner');
    // "MUST only contain visible ASCII characters (ranging from 0x21 to 0x7E)"
    assert.match(id, /^[\x21-\x7E]{32,}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 1000);
});

test('the table is full at maxSessions', () => {
  const table = new SessionTable(LIMITS);
  const added = [];
  for (let i = 0; i < LIMITS.maxSessions; i++) {
    assert.equal(table.full, false);
    const session = table.prepare('o');
    table.add(session);
    added.push(session);
  }
  assert.equal(table.full, true);
  assert.equal(table.delete(table.prepare('x').id), false);
  table.delete(added[0]!.id);
  assert.equal(table.full, false);
});

test('basic/transports.mdx (the server MAY terminate a session): sweep expires sessions idle longer than idleMs', () => {
  const time = clock();
  const table = new SessionTable(LIMITS, time.now);
  const idle = table.prepare('o');
  table.add(idle);
  assert.equal(idle.lastSeen, time.now());
  time.advance(LIMITS.idleMs);
  assert.equal(table.sweep(), 0, 'exactly idleMs old is not yet expired');
  assert.equal(table.size, 1);
  time.advance(1);
  assert.equal(table.sweep(), 1);
  assert.equal(table.size, 0);
  assert.equal(table.get(idle.id), undefined);
});

test('touch() refreshes lastSeen, so a session in use does not expire, while get() alone does not', () => {
  const time = clock();
  const table = new SessionTable(LIMITS, time.now);
  const session = table.prepare('o');
  table.add(session);
  time.advance(LIMITS.idleMs - 1);
  const before = session.lastSeen;
  assert.equal(table.get(session.id), session);
  assert.equal(session.lastSeen, before);
  table.touch(session);
  assert.equal(session.lastSeen, time.now());
  time.advance(LIMITS.idleMs - 1);
  assert.equal(table.sweep(), 0);
  assert.equal(table.size, 1);
});

test('STYLE 13: an idle session with an attached standalone stream is kept and gets a heartbeat', async () => {
  const time = clock();
  const table = new SessionTable(LIMITS, time.now);
  const listening = table.prepare('o');
  const idle = table.prepare('o');
  table.add(listening);
  table.add(idle);
  const conn = await open();
  listening.openStandalone().attach(conn.res, { priming: false });
  time.advance(LIMITS.idleMs + 1);
  assert.equal(table.sweep(), 1);
  assert.equal(table.get(listening.id), listening);
  assert.equal(table.get(idle.id), undefined);
  table.closeAll();
  assert.equal(await conn.text, ': keep-alive\n\n');
});

test('an idle session whose standalone stream was detached expires', async () => {
  const time = clock();
  const table = new SessionTable(LIMITS, time.now);
  const session = table.prepare('o');
  table.add(session);
  const conn = await open();
  const stream = session.openStandalone();
  stream.attach(conn.res, { priming: false });
  stream.disconnect(1000);
  await conn.text;
  time.advance(LIMITS.idleMs + 1);
  assert.equal(table.sweep(), 1);
});

test('STYLE 13: deleting a session aborts its in-flight work and ends its streams', async () => {
  const table = new SessionTable(LIMITS);
  const session = table.prepare('o');
  table.add(session);
  const controller = new AbortController();
  assert.equal(session.begin(1, controller), true);
  session.subscriptions.add('incident://1');
  const conn = await open();
  const stream = session.openStream();
  stream.attach(conn.res, { priming: true });
  table.delete(session.id);
  assert.equal(controller.signal.aborted, true);
  assert.equal(session.subscriptions.size, 0);
  assert.equal(stream.finished, true);
  assert.equal(session.findStream(stream.id), undefined);
  assert.equal(await conn.text, `id: ${stream.id}-1\ndata:\n\n`);
});

test('STYLE 13: closeAll closes every protocol session and empties the table', () => {
  const table = new SessionTable(LIMITS);
  const controllers = [new AbortController(), new AbortController()];
  for (const controller of controllers) {
    const session = table.prepare('o');
    session.begin('a', controller);
    table.add(session);
  }
  assert.equal(table.size, 2);
  table.closeAll();
  assert.equal(table.size, 0);
  assert.deepEqual(controllers.map((c) => c.signal.aborted), [true, true]);
});

test('basic/transports.mdx: stream ids within a session increase (event ids stay unique in the session)', () => {
  const session = new HttpSession('s', 'o', 0, { ...LIMITS, keptStreams: 100 });
  const ids = Array.from({ length: 5 }, () => session.openStream().id);
  assert.deepEqual(ids, ['1', '2', '3', '4', '5']);
  for (const id of ids) assert.ok(session.findStream(id));
  assert.equal(session.findStream('6'), undefined);
});

test('keptStreams bounds memory by forgetting only finished, detached streams, oldest first', () => {
  const session = new HttpSession('s', 'o', 0, LIMITS);
  const done1 = session.openStream();
  done1.finish();
  const live = session.openStream();
  const done2 = session.openStream();
  done2.finish();
  // Three streams, keptStreams 2: the oldest finished one goes.
  assert.equal(session.findStream(done1.id), undefined);
  assert.equal(session.findStream(live.id), live);
  assert.equal(session.findStream(done2.id), done2);
  const next = session.openStream();
  assert.equal(session.findStream(done2.id), undefined);
  assert.equal(session.findStream(live.id), live);
  assert.equal(session.findStream(next.id), next);
});

test('keptStreams never drops a stream that is still running (its response is yet to come)', () => {
  const session = new HttpSession('s', 'o', 0, LIMITS);
  const streams = Array.from({ length: 5 }, () => session.openStream());
  for (const stream of streams) assert.equal(session.findStream(stream.id), stream);
});

test('basic/transports.mdx: a new standalone stream replaces the previous one, which is closed', () => {
  const session = new HttpSession('s', 'o', 0, LIMITS);
  const first = session.openStandalone();
  assert.equal(session.standalone, first);
  const second = session.openStandalone();
  assert.equal(first.finished, true);
  assert.equal(session.standalone, second);
  assert.notEqual(first.id, second.id);
});

test('listeners() yields only sessions whose standalone stream was opened, until they are deleted', () => {
  const table = new SessionTable(LIMITS);
  const [quiet, listening] = [table.prepare('o'), table.prepare('o')];
  table.add(quiet);
  table.add(listening);
  listening.openStandalone();
  assert.deepEqual([...table.listeners()], [listening]);
  table.delete(listening.id);
  assert.deepEqual([...table.listeners()], []);
});

test('issue #15: admit() refuses an owner holding maxSessionsPerOwner sessions, not the others, until one ends', () => {
  const table = new SessionTable({ ...LIMITS, maxSessions: 10, maxSessionsPerOwner: 2 });
  const mine = [table.prepare('me'), table.prepare('me')];
  for (const session of mine) {
    assert.equal(table.admit('me'), undefined);
    table.add(session);
  }
  assert.equal(table.admit('me'), 'tooManySessionsForPrincipal');
  assert.equal(table.admit('you'), undefined);
  table.delete(mine[0]!.id);
  assert.equal(table.admit('me'), undefined);
  table.delete(mine[1]!.id);
  table.delete(mine[1]!.id);
  assert.equal(table.admit('me'), undefined, 'deleting twice does not count twice');
});

test('admit() names the global cap first: a full table is tooManySessions for everyone', () => {
  const table = new SessionTable({ ...LIMITS, maxSessions: 2, maxSessionsPerOwner: 2 });
  table.add(table.prepare('me'));
  table.add(table.prepare('me'));
  assert.equal(table.admit('me'), 'tooManySessions');
  assert.equal(table.admit('you'), 'tooManySessions');
});

test('admit() expires idle sessions before refusing an owner at its cap (basic/transports.mdx: the server MAY terminate a session)', () => {
  const time = clock();
  const table = new SessionTable({ ...LIMITS, maxSessions: 10, maxSessionsPerOwner: 1 }, time.now);
  table.add(table.prepare('me'));
  assert.equal(table.admit('me'), 'tooManySessionsForPrincipal');
  time.advance(LIMITS.idleMs + 1000);
  assert.equal(table.admit('me'), undefined);
  assert.equal(table.size, 0);
});

test('issue #15: a session whose standalone socket is gone idles out, even before the close event arrives', async () => {
  const time = clock();
  const table = new SessionTable(LIMITS, time.now);
  const session = table.prepare('o');
  table.add(session);
  const conn = await open();
  assert.equal(session.openStandalone().attach(conn.res, { priming: false }), true);
  conn.res.socket?.destroy();
  time.advance(LIMITS.idleMs + 1);
  assert.equal(table.sweep(), 1);
  assert.equal(table.get(session.id), undefined);
  await conn.text;
});
