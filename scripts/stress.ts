/**
 * `npm run test:stress [-- --minutes N --seed S --only fuzz,floods,crash,soak]`: the heavier attacks, then
 * a bounded soak (issue #7). Phases: 20,000 fuzz cases with random seeds; floods of sessions,
 * streams, slow clients and concurrent requests; ten SIGKILL rounds during write bursts; then N
 * minutes (default 10) of mixed traffic against the server as a child process while its RSS and
 * open file descriptors are sampled from /proc every 5 s. Prints every figure and exits 1 if a
 * check fails or growth passes the stated bounds. Traffic goes to 127.0.0.1 only and stops by itself.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDevIssuer } from '../src/auth/dev-issuer.ts';
import { silentLogger } from '../src/log.ts';
import { fuzzCases } from '../test/attack/fuzz-cases.ts';
import { assertWellFormedBody, buildRequest, exchange, listeningUrl, pool, Random, settledHeap, sleep, spawnServer } from '../test/attack/helpers.ts';
import { openGet, openStream, SseReader } from '../test/helpers/http.ts';
import { SEED, startTestServer, TestClient, type TestServer } from '../test/helpers/server.ts';

/** Stated bounds of the soak. */
const RSS_GROWTH_LIMIT = 64 * 1024 * 1024;
const FD_GROWTH_LIMIT = 4;
const SAMPLE_MS = 5000;

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, seed: { type: 'string' }, only: { type: 'string' } } });
/** `--only fuzz,floods,crash,soak` runs some phases only. */
const only = new Set((values.only ?? 'fuzz,floods,crash,soak').split(','));
const minutes = Number(values.minutes);
if (!(minutes > 0 && minutes <= 240)) throw new TypeError('--minutes must be a number of minutes between 0 and 240');
const seed = values.seed === undefined ? (Date.now() ^ (process.pid << 16)) >>> 0 : Number(values.seed) >>> 0;
const MiB = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;
const failures: string[] = [];

async function phase(name: string, body: () => Promise<string[]>): Promise<void> {
  const started = Date.now();
  process.stdout.write(`\n== ${name}\n`);
  try {
    for (const line of await body()) process.stdout.write(`   ${line}\n`);
    process.stdout.write(`   ok (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  } catch (error) {
    failures.push(`${name}: ${(error as Error).message}`);
    process.stdout.write(`   FAILED: ${(error as Error).message.slice(0, 2000)}\n`);
  }
}

async function withTestServer<T>(options: Parameters<typeof startTestServer>[0], body: (server: TestServer) => Promise<T>): Promise<T> {
  const server = await startTestServer({ ...options, start: { logger: silentLogger, ...options?.start } });
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

/** 20,000 hostile requests in four seeded rounds; the heap settles back. */
async function heavyFuzz(): Promise<string[]> {
  return withTestServer({ start: { timeouts: { headersMs: 2000, requestMs: 3000, keepAliveMs: 1000 } } }, async (server) => {
    const token = await server.token();
    const client = new TestClient(server.url, token);
    await client.connect();
    const target = { port: server.running.port, token, sessionId: client.sessionId as string, version: client.protocolVersion };
    const lines: string[] = [];
    let requests = 0;
    const fiveHundreds: string[] = [];
    const opened: string[] = [];
    const endOpened = async (): Promise<void> => {
      for (const id of opened.splice(0)) await (await fetch(server.url, { method: 'DELETE', headers: { ...client.headers(), 'mcp-session-id': id } })).arrayBuffer();
    };
    await pool(fuzzCases(new Random(seed ^ 1), target, 500), 12, async (c) => void (await exchange(target.port, c.bytes, { halfClose: c.halfClose === true })));
    await endOpened();
    const before = await settledHeap();
    for (let round = 0; round < 4; round++) {
      const roundSeed = (seed + round) >>> 0;
      await pool(fuzzCases(new Random(roundSeed), target, 5000), 16, async (c, i) => {
        const answer = await exchange(target.port, c.bytes, { halfClose: c.halfClose === true, timeoutMs: 20_000 });
        requests++;
        const where = `seed ${roundSeed} case ${i} (${c.kind})`;
        if (answer.status === undefined) return assert.ok(c.mayClose === true, `${where}: closed without an answer`);
        if (answer.status >= 500) fiveHundreds.push(`${where}: ${answer.status}`);
        assert.ok(c.expect.includes(answer.status), `${where}: status ${answer.status}, expected ${c.expect.join('/')}`);
        assertWellFormedBody(answer, [token, server.dir], c.rpcMethod);
        const session = answer.headers.get('mcp-session-id');
        if (session !== undefined) opened.push(session);
      });
      lines.push(`seed ${roundSeed}: 5000 cases answered as expected`);
    }
    assert.deepEqual(fiveHundreds, []);
    assert.equal((await client.request('ping')).status, 200);
    await endOpened();
    const after = await settledHeap();
    lines.push(`${requests} hostile requests, 0 answered 5xx; ping afterwards 200; heap ${MiB(before)} → ${MiB(after)}`);
    assert.ok(after - before < 16 * 1024 * 1024, `heap grew by ${MiB(after - before)}`);
    return lines;
  });
}

/** Sessions past the cap, 1,000 open streams, 1,000 slow clients, 5,000 concurrent requests. */
async function heavyFloods(): Promise<string[]> {
  const lines: string[] = [];
  await withTestServer({ env: { MAX_SESSIONS: '2000', MAX_SESSIONS_PER_PRINCIPAL: '1000000' } }, async (server) => {
    const token = await server.token();
    const statuses = await Promise.all(Array.from({ length: 2500 }, async () => (await new TestClient(server.url, token).request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 's', version: '1' } })).status));
    const opened = statuses.filter((s) => s === 200).length;
    assert.equal(opened, 2000);
    assert.equal(statuses.filter((s) => s === 503).length, 500);
    lines.push(`2,500 initialize against MAX_SESSIONS=2000: ${opened} sessions held, 500 refused with 503`);
  });
  await withTestServer({ env: { MAX_SESSIONS: '1100', MAX_SESSIONS_PER_PRINCIPAL: '1000000' } }, async (server) => {
    const token = await server.token();
    const clients = await Promise.all(Array.from({ length: 1000 }, async () => {
      const client = new TestClient(server.url, token);
      await client.connect();
      return client;
    }));
    const readers = await Promise.all(clients.map((client) => openStream(client)));
    await (clients[0] as TestClient).call('tools/call', { name: 'create_incident', arguments: { title: 'to all streams' } });
    await Promise.all(readers.map(async (reader) => assert.equal((await reader.nextMessage(30_000)).message.method, 'notifications/resources/list_changed')));
    await Promise.all(readers.map((reader) => reader.cancel()));
    lines.push('1,000 SSE streams held at once, each received the change, all detached on close');
  });
  await withTestServer({ start: { timeouts: { headersMs: 1000, requestMs: 2000, keepAliveMs: 1000 } } }, async (server) => {
    const token = await server.token();
    const head = buildRequest({ headers: [['Host', `127.0.0.1:${server.running.port}`], ['Authorization', `Bearer ${token}`], ['Content-Type', 'application/json']], body: '{}' });
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 1000 }, () => exchange(server.running.port, head, { dripMs: 50, timeoutMs: 20_000 })));
    assert.ok(answers.every((a) => a.status === 408));
    lines.push(`1,000 clients sending headers a byte at a time: all 408 after ${Date.now() - started} ms (headers timeout 1000 ms)`);
  });
  await withTestServer({ incidents: null, start: { maxQueuedBytes: 1024 * 1024 } }, async (server) => {
    const client = new TestClient(server.url, await server.token());
    await client.connect();
    const ids = Array.from({ length: 5000 }, (_, i) => i + 1);
    const started = Date.now();
    await pool(ids, 5000, async (id) => {
      const reply = await client.post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: id % 5 === 0 ? 'create_incident' : 'list_incidents', arguments: id % 5 === 0 ? { title: `c${id}` } : { limit: 3 } } }, {}, 'tools/call');
      assert.equal(reply.status, 200);
      assert.equal(reply.body.id, id);
    });
    assert.equal(server.running.store.all().length, 1000);
    lines.push(`5,000 concurrent requests on one session: all answered with their own id in ${Date.now() - started} ms; 1,000 creates all stored`);
  });
  await withTestServer({ incidents: null, start: { maxQueuedBytes: 1024 * 1024 } }, async (server) => {
    const token = await server.token();
    const lazy = new TestClient(server.url, token);
    await lazy.connect();
    const socket = connect(server.running.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(buildRequest({ method: 'GET', headers: [['Host', `127.0.0.1:${server.running.port}`], ['Authorization', `Bearer ${token}`], ['Accept', 'text/event-stream'], ['MCP-Session-Id', lazy.sessionId as string]], contentLength: 'omit' }));
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause();
    const session = server.running.sessions.get(lazy.sessionId as string);
    const rssBefore = process.memoryUsage().rss;
    let created = 0;
    while (session?.standalone?.attached === true && created < 200_000) {
      await Promise.all(Array.from({ length: 1000 }, () => server.running.store.create({ title: 'flood', severity: 'low', status: 'open' })));
      created += 1000;
    }
    assert.equal(session?.standalone?.attached, false);
    lines.push(`a reader that never reads was cut off after ${created} events (~${MiB(created * 90)} sent); process RSS +${MiB(process.memoryUsage().rss - rssBefore)} (the store grew by ${created} incidents)`);
    socket.destroy();
  });
  return lines;
}

/** Ten SIGKILLs during write bursts; every acknowledged create survives. */
async function crashRounds(): Promise<string[]> {
  const issuer = await startDevIssuer({ host: '127.0.0.1', port: 0 });
  const dir = await mkdtemp(join(tmpdir(), 'mcp-stress-crash-'));
  const file = join(dir, 'incidents.json');
  await writeFile(file, JSON.stringify(SEED, null, 2));
  const env = { PORT: '0', HOST: '127.0.0.1', OKTA_ISSUER: issuer.issuer, OKTA_AUDIENCE: issuer.audience, INCIDENTS_FILE: file, TOOL_RATE_LIMIT: '0', LOG_LEVEL: 'info' };
  const random = new Random(seed ^ 2);
  const acked = new Map<string, string>();
  let lost = 0;
  try {
    for (let round = 1; round <= 10; round++) {
      const server = spawnServer(env, { cwd: dir });
      const client = new TestClient(await listeningUrl(server), await issuer.mint());
      await client.connect();
      const titles = new Map(JSON.parse(((await client.call('resources/read', { uri: 'incidents://all' })).contents as Array<{ text: string }>)[0]?.text ?? '[]').map((i: { title: string; id: string }) => [i.title, i.id]));
      lost += [...acked].filter(([title, id]) => titles.get(title) !== id).length;
      let stopping = false;
      const workers = Array.from({ length: 32 }, async (_, w) => {
        for (let n = 0; !stopping; n++) {
          const title = `r${round}-w${w}-n${n}`;
          try {
            const reply = await client.request('tools/call', { name: 'create_incident', arguments: { title } });
            const incident = (reply.body.result as { structuredContent?: { incident: { id: string } } } | undefined)?.structuredContent?.incident;
            if (incident === undefined) return;
            acked.set(title, incident.id);
          } catch {
            return;
          }
        }
      });
      await sleep(200 + random.int(1500));
      server.child.kill('SIGKILL');
      await server.exited;
      stopping = true;
      await Promise.all(workers);
    }
    const server = spawnServer(env, { cwd: dir });
    const client = new TestClient(await listeningUrl(server), await issuer.mint());
    await client.connect();
    const titles = new Map(JSON.parse(((await client.call('resources/read', { uri: 'incidents://all' })).contents as Array<{ text: string }>)[0]?.text ?? '[]').map((i: { title: string; id: string }) => [i.title, i.id]));
    lost += [...acked].filter(([title, id]) => titles.get(title) !== id).length;
    server.child.kill('SIGTERM');
    await server.exited;
    assert.equal(lost, 0, `${lost} acknowledged creates lost`);
    return [`10 SIGKILLs during bursts of 32 writers: ${acked.size} acknowledged creates, ${lost} lost; ${titles.size} incidents at the end`];
  } finally {
    await issuer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

interface Sample { atS: number; rss: number; fds: number; sockets: number; requests: number }

function sample(pid: number, startedAt: number, requests: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  const fds = readdirSync(`/proc/${pid}/fd`);
  const sockets = fds.filter((fd) => linkOf(`/proc/${pid}/fd/${fd}`).startsWith('socket:')).length;
  return { atS: Math.round((Date.now() - startedAt) / 1000), rss, fds: fds.length, sockets, requests };
}

/** Where a descriptor points, or '' when it closed meanwhile. */
function linkOf(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** N minutes of mixed traffic against a child server; RSS and descriptors sampled every 5 s. */
async function soak(): Promise<string[]> {
  const issuer = await startDevIssuer({ host: '127.0.0.1', port: 0 });
  const dir = await mkdtemp(join(tmpdir(), 'mcp-soak-'));
  const file = join(dir, 'incidents.json');
  await writeFile(file, JSON.stringify(SEED, null, 2));
  const server = spawnServer({ PORT: '0', HOST: '127.0.0.1', OKTA_ISSUER: issuer.issuer, OKTA_AUDIENCE: issuer.audience, INCIDENTS_FILE: file, TOOL_RATE_LIMIT: '0', LOG_LEVEL: 'info', SESSION_IDLE_SECONDS: '30', MAX_SESSIONS_PER_PRINCIPAL: '1000000' }, { cwd: dir });
  const lines: string[] = [];
  try {
    const url = await listeningUrl(server);
    const pid = server.child.pid as number;
    const port = Number(new URL(url).port);
    const token = await issuer.mint({ expiresIn: 4 * 3600 });
    const random = new Random(seed ^ 3);
    const counts = new Map<string, number>();
    const unexpected: string[] = [];
    let requests = 0;
    const count = (what: string, status: number, ok: boolean): void => {
      requests++;
      const key = `${what} ${status}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (!ok && unexpected.length < 20) unexpected.push(key);
    };
    const startedAt = Date.now();
    const samples: Sample[] = [sample(pid, startedAt, 0)];
    const idle = samples[0] as Sample;
    const endAt = startedAt + minutes * 60_000;
    const sampler = setInterval(() => {
      const s = sample(pid, startedAt, requests);
      samples.push(s);
      process.stdout.write(`   t=${String(s.atS).padStart(4)} s  rss ${MiB(s.rss).padStart(9)}  fds ${String(s.fds).padStart(4)} (sockets ${String(s.sockets).padStart(3)})  requests ${s.requests}\n`);
    }, SAMPLE_MS);
    const fuzzTarget = { port, token, sessionId: 'none', version: '2025-11-25' };
    const worker = async (): Promise<void> => {
      let client = new TestClient(url, token);
      await client.connect();
      while (Date.now() < endAt) {
        const roll = random.int(100);
        if (roll < 20) {
          const reply = await client.request('ping');
          count('ping', reply.status, reply.status === 200);
        } else if (roll < 30) {
          const reply = await client.request('tools/list');
          count('tools/list', reply.status, reply.status === 200);
        } else if (roll < 50) {
          const reply = await client.request('tools/call', { name: 'list_incidents', arguments: { limit: 10, status: 'open' } });
          count('list_incidents', reply.status, reply.status === 200);
        } else if (roll < 58) {
          const reply = await client.request('tools/call', { name: 'update_incident', arguments: { id: String(1 + random.int(4)), status: random.pick(['open', 'investigating', 'resolved']) } });
          count('update_incident', reply.status, reply.status === 200);
        } else if (roll < 60) {
          const reply = await client.request('tools/call', { name: 'create_incident', arguments: { title: `soak ${random.word(8)}` } });
          count('create_incident', reply.status, reply.status === 200);
        } else if (roll < 68) {
          const reply = await client.request('resources/read', { uri: `incidents://${1 + random.int(4)}` });
          count('resources/read', reply.status, reply.status === 200);
        } else if (roll < 72) {
          const reply = await client.request('prompts/get', { name: 'triage_incidents', arguments: { focus: 'severity' } });
          count('prompts/get', reply.status, reply.status === 200);
        } else if (roll < 75) {
          // 409 while the server has not yet seen the previous stream's close (one standalone stream per session).
          const response = await openGet(client);
          count('GET stream', response.status, response.status === 200 || response.status === 409);
          if (response.status === 200) {
            const stream = new SseReader(response);
            await sleep(100 + random.int(400));
            await stream.cancel();
          } else {
            await response.arrayBuffer();
          }
        } else if (roll < 78) {
          const status = await client.close();
          count('DELETE', status, status === 204);
          client = new TestClient(url, token);
          await client.connect();
          count('initialize', 200, true);
        } else {
          // Cheap hostile requests (no 100,000-deep or megabyte bodies here).
          const c = fuzzCases(random, { ...fuzzTarget, sessionId: client.sessionId as string }, 1)[0];
          if (c === undefined || c.bytes.length > 64 * 1024 || c.halfClose === true) continue;
          const answer = await exchange(port, c.bytes, { timeoutMs: 20_000 });
          count('hostile', answer.status ?? 0, answer.status !== undefined && c.expect.includes(answer.status));
        }
      }
      await client.close();
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    clearInterval(sampler);
    // Quiet: keep-alive connections close after the server's 5 s, sessions were deleted.
    await sleep(7000);
    const quiet = sample(pid, startedAt, requests);
    const during = samples.slice(1);
    const warm = during.filter((s) => s.atS >= Math.min(60, (minutes * 60) / 4));
    const early = median(warm.slice(0, 3).map((s) => s.rss));
    const late = median(warm.slice(-3).map((s) => s.rss));
    lines.push(`${requests} requests in ${minutes} min over 8 clients: ${[...counts].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    lines.push(`RSS idle ${MiB(idle.rss)}, after warm-up ${MiB(early)}, at the end ${MiB(late)}, quiet ${MiB(quiet.rss)}; peak ${MiB(Math.max(...during.map((s) => s.rss)))} (bound: +${MiB(RSS_GROWTH_LIMIT)} after warm-up)`);
    lines.push(`file descriptors idle ${idle.fds} (sockets ${idle.sockets}), peak ${Math.max(...during.map((s) => s.fds))}, quiet ${quiet.fds} (sockets ${quiet.sockets}) (bound: +${FD_GROWTH_LIMIT})`);
    assert.deepEqual(unexpected, [], 'unexpected statuses');
    assert.ok(late - early <= RSS_GROWTH_LIMIT, `RSS grew by ${MiB(late - early)} during the soak`);
    assert.ok(quiet.fds - idle.fds <= FD_GROWTH_LIMIT, `${quiet.fds - idle.fds} more descriptors once quiet`);
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    return lines;
  } finally {
    server.child.kill('SIGKILL');
    await issuer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

process.stdout.write(`stress: seed ${seed}, soak ${minutes} min (replay with --seed ${seed})\n`);
if (only.has('fuzz')) await phase('hostile input: 20,000 requests', heavyFuzz);
if (only.has('floods')) await phase('floods', heavyFloods);
if (only.has('crash')) await phase('crashes: 10 × SIGKILL during write bursts', crashRounds);
if (only.has('soak')) await phase(`soak: ${minutes} min of mixed traffic`, soak);
process.stdout.write(failures.length === 0 ? '\nstress: all phases passed\n' : `\nstress: ${failures.length} phase(s) FAILED:\n  ${failures.join('\n  ')}\n`);
process.exit(failures.length === 0 ? 0 : 1);
