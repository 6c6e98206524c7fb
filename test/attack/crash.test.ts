/**
 * Crashes and a hostile disk, with the real server as a child process started like `npm start`
 * (issue #7 "Crashes"): SIGKILL in the middle of create_incident bursts, three times over, after
 * which every acknowledged create is still there; a disk that fills up (`ulimit -f`: writes past
 * the size fail with EFBIG), where creates fail cleanly as tool errors and everything
 * acknowledged survives; and a read-only data directory, refused at start-up with a clear message.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDevIssuer, type DevIssuer } from '../../src/auth/dev-issuer.ts';
import { journalPathFor } from '../../src/incidents/journal.ts';
import { openJsonStore } from '../../src/incidents/json-store.ts';
import { SEED, TestClient } from '../helpers/server.ts';
import { listeningUrl, Random, seedFrom, sleep, spawnServer, type ServerChild } from './helpers.ts';

const SEED_NUMBER = seedFrom(0xc0a5_0007);
let issuer: DevIssuer;
let dir: string;

before(async () => {
  issuer = await startDevIssuer({ host: '127.0.0.1', port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'mcp-crash-'));
});

after(async () => {
  await issuer.close();
  await rm(dir, { recursive: true, force: true });
});

function envFor(file: string): Record<string, string> {
  return { PORT: '0', HOST: '127.0.0.1', OKTA_ISSUER: issuer.issuer, OKTA_AUDIENCE: issuer.audience, INCIDENTS_FILE: file, TOOL_RATE_LIMIT: '0', LOG_LEVEL: 'warn' };
}

/** A started child and a client connected to it. */
async function start(file: string, wrap?: string): Promise<{ server: ServerChild; client: TestClient }> {
  const server = spawnServer({ ...envFor(file), LOG_LEVEL: 'info' }, { cwd: dir, ...(wrap === undefined ? {} : { wrap }) });
  const url = await listeningUrl(server);
  const client = new TestClient(url, await issuer.mint());
  await client.connect();
  return { server, client };
}

async function stop(server: ServerChild, signal: NodeJS.Signals): Promise<number | string> {
  server.child.kill(signal);
  return server.exited;
}

/** Every incident, through incidents://all (basic/resources: the whole list as JSON). */
async function allIncidents(client: TestClient): Promise<Array<{ id: string; title: string }>> {
  const result = await client.call('resources/read', { uri: 'incidents://all' });
  const contents = result.contents as Array<{ text: string }>;
  return JSON.parse(contents[0]?.text ?? '[]') as Array<{ id: string; title: string }>;
}

type CreateOutcome = { kind: 'acked'; id: string } | { kind: 'tool-error'; text: string } | { kind: 'lost' };

async function create(client: TestClient, title: string): Promise<CreateOutcome> {
  try {
    const reply = await client.request('tools/call', { name: 'create_incident', arguments: { title } });
    const result = reply.body.result as { isError?: boolean; content: Array<{ text: string }>; structuredContent?: { incident: { id: string } } } | undefined;
    if (reply.status !== 200 || result === undefined) return { kind: 'lost' };
    if (result.isError === true) return { kind: 'tool-error', text: result.content[0]?.text ?? '' };
    return { kind: 'acked', id: result.structuredContent?.incident.id as string };
  } catch {
    // The connection died with the server: not acknowledged, so it may or may not have been kept.
    return { kind: 'lost' };
  }
}

test(`SIGKILL during bursts of create_incident, three times: every acknowledged create survives each restart (issue #7; seed ${SEED_NUMBER})`, { timeout: 90_000 }, async () => {
  const file = join(dir, 'killed', 'incidents.json');
  await mkdir(join(dir, 'killed'));
  await writeFile(file, JSON.stringify(SEED, null, 2));
  const random = new Random(SEED_NUMBER);
  const acked = new Map<string, string>();
  let { server, client } = await start(file);
  for (let round = 1; round <= 3; round++) {
    let stopping = false;
    const workers = Array.from({ length: 16 }, async (_, w) => {
      for (let n = 0; !stopping; n++) {
        const title = `r${round}-w${w}-n${n}`;
        const outcome = await create(client, title);
        if (outcome.kind === 'acked') acked.set(title, outcome.id);
        if (outcome.kind !== 'acked') return;
      }
    });
    // Kill at a random moment of the burst, while writes are in flight.
    await sleep(300 + random.int(700));
    const code = await stop(server, 'SIGKILL');
    stopping = true;
    await Promise.all(workers);
    assert.equal(code, 'SIGKILL');
    ({ server, client } = await start(file));
    const titles = new Map((await allIncidents(client)).map((i) => [i.title, i.id]));
    const missing = [...acked].filter(([title, id]) => titles.get(title) !== id);
    assert.deepEqual(missing, [], `round ${round}: acknowledged creates lost after SIGKILL`);
    assert.equal(new Set(titles.values()).size, titles.size, 'ids are unique');
    console.log(`round ${round}: ${acked.size} acknowledged creates so far, ${titles.size} incidents after restart`);
  }
  assert.ok(acked.size > 50, `too few creates were acknowledged to mean anything (${acked.size})`);
  assert.equal(await stop(server, 'SIGTERM'), 0);
});

test('a full disk (writes past ulimit -f fail with EFBIG): creates fail cleanly as tool errors without paths, and everything acknowledged survives a restart (server/tools.mdx "Error Handling")', { timeout: 60_000 }, async () => {
  const file = join(dir, 'full', 'incidents.json');
  await mkdir(join(dir, 'full'));
  await writeFile(file, JSON.stringify(SEED, null, 2));
  // RLIMIT_FSIZE of 32 KiB for every file the child writes; node ignores SIGXFSZ, so writes get EFBIG.
  const { server, client } = await start(file, "trap '' XFSZ; ulimit -f 32");
  const acked = new Map<string, string>();
  const refused: string[] = [];
  for (let n = 0; n < 2000 && refused.length < 5; n++) {
    const title = `fill-${n}-${'x'.repeat(100)}`;
    const outcome = await create(client, title);
    if (outcome.kind === 'acked') {
      assert.equal(refused.length, 0, 'a create succeeded after the disk was full');
      acked.set(title, outcome.id);
    } else {
      assert.equal(outcome.kind, 'tool-error', 'a full disk is a tool error, not a failed request');
      if (outcome.kind === 'tool-error') {
        assert.match(outcome.text, /could not save incidents\.json \(EFBIG\); the change was not kept/);
        assert.ok(!outcome.text.includes(dir) && !outcome.text.includes('/'), `the message names a path: ${outcome.text}`);
      }
      refused.push(title);
    }
  }
  assert.ok(acked.size > 20 && refused.length === 5, `${acked.size} acknowledged, ${refused.length} refused`);
  // Reads still work on a full disk.
  assert.equal((await allIncidents(client)).length, 4 + acked.size);
  // Shutting down on a full disk cannot fold the journal into the file: a clear line, status 1, no stack.
  const code = await stop(server, 'SIGTERM');
  assert.ok(code === 0 || (code === 1 && /shutdown incomplete; pending changes stay in the journal/.test(server.stderr())), `exit ${String(code)}`);
  assert.ok(!/\n\s+at /.test(server.stderr()), `a stack trace on shutdown:\n${server.stderr().slice(-1500)}`);

  const restarted = await start(file);
  const titles = new Map((await allIncidents(restarted.client)).map((i) => [i.title, i.id]));
  for (const [title, id] of acked) assert.equal(titles.get(title), id, `${title} was acknowledged, then lost`);
  for (const title of refused) assert.equal(titles.has(title), false, `${title} was refused, then appeared`);
  assert.equal(titles.size, 4 + acked.size);
  for (const id of Object.keys(SEED)) assert.ok([...titles.values()].includes(id), `seed incident ${id} is intact`);
  assert.equal(await stop(restarted.server, 'SIGTERM'), 0);
  console.log(`full disk: ${acked.size} acknowledged before EFBIG, ${refused.length} refused cleanly; shutdown on the full disk exited ${String(code)}`);
});

test('a write torn by a crash (a journal line without its newline) is dropped, and the next write does not glue onto it (issue #7)', async () => {
  const file = join(dir, 'torn', 'incidents.json');
  await mkdir(join(dir, 'torn'));
  await writeFile(file, JSON.stringify(SEED, null, 2));
  // An acknowledged write, then SIGKILL mid-append (or a full disk whose cut-back failed): half a line.
  await writeFile(journalPathFor(file), '{"id":"5","title":"acknowledged","severity":"high","status":"open"}\n{"id":"6","title":"never acknow');
  const second = await openJsonStore(file);
  assert.deepEqual(second.all().map((i) => i.id), ['5', '4', '3', '2', '1']);
  const next = await second.create({ title: 'after the crash', severity: 'low', status: 'open' });
  assert.doesNotMatch(await readFile(journalPathFor(file), 'utf8'), /never acknow/);
  const third = await openJsonStore(file);
  assert.equal(third.get('5')?.title, 'acknowledged');
  assert.equal(third.get(next.id)?.title, 'after the crash');
  await third.close();
  await second.close();
});

/**
 * Makes `target` (a new directory) unwritable for the child in a way root cannot override: a
 * tmpfs remounted read-only (EROFS); failing that, the child runs as nobody on a 0555 directory.
 * Returns how, the uid to run as, and the undo.
 */
async function readOnlyDirectory(target: string, content: string): Promise<{ how: string; uid?: number; undo(): Promise<void> }> {
  await mkdir(target);
  if (process.getuid?.() === 0) {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', target], { stdio: 'ignore' });
      await writeFile(join(target, 'incidents.json'), content);
      execFileSync('mount', ['-o', 'remount,ro', target], { stdio: 'ignore' });
      return { how: 'read-only tmpfs', undo: async () => void execFileSync('umount', [target], { stdio: 'ignore' }) };
    } catch {
      try {
        execFileSync('umount', [target], { stdio: 'ignore' });
      } catch {
        // it was never mounted
      }
    }
  }
  await writeFile(join(target, 'incidents.json'), content);
  await chmod(target, 0o555);
  // nobody must reach the directory through ours (mkdtemp makes it 0700).
  await chmod(dir, 0o755);
  const undo = (): Promise<void> => chmod(target, 0o755);
  return process.getuid?.() === 0 ? { how: 'mode 0555, server as nobody', uid: 65534, undo } : { how: 'mode 0555', undo };
}

test('a read-only data directory at start-up is refused: exit status 1 and a message naming the file and what to do (issue #7)', { timeout: 30_000 }, async () => {
  const target = join(dir, 'readonly');
  const readOnly = await readOnlyDirectory(target, JSON.stringify(SEED, null, 2));
  try {
    const file = join(target, 'incidents.json');
    const before = await readFile(file, 'utf8');
    const server = spawnServer(envFor(file), { cwd: readOnly.uid === undefined ? dir : tmpdir(), ...(readOnly.uid === undefined ? {} : { uid: readOnly.uid }) });
    const deadline = setTimeout(() => server.child.kill('SIGKILL'), 20_000);
    const code = await server.exited;
    clearTimeout(deadline);
    assert.equal(code, 1, `${readOnly.how}: expected a refusal, got ${String(code)}:\n${server.stderr()}`);
    const message = server.stderr();
    assert.match(message, /could not start: cannot load incidents from .*incidents\.json: .* is not writable \((EROFS|EACCES)\)/, message);
    assert.match(message, /make it writable, or set INCIDENTS_FILE/);
    assert.ok(message.includes(file), 'the message names the file');
    assert.ok(!/\n\s+at /.test(message), `no stack trace: ${message}`);
    assert.equal(await readFile(file, 'utf8'), before, 'the file is untouched');
    console.log(`read-only directory (${readOnly.how}): ${message.trim()}`);
  } finally {
    await readOnly.undo();
  }
});
