/**
 * Tests of the helper scripts people type first (`npm run token`, `npm run inspector`), run as
 * child processes: `--help` prints the usage, an unknown option prints it and exits 2, a missing
 * issuer is explained in one line, never a stack trace; a token is minted with the scopes asked.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { startDevIssuer } from '../../src/auth/dev-issuer.ts';

const TSX = import.meta.resolve('tsx');

async function script(name: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = fileURLToPath(new URL(`../../scripts/${name}`, import.meta.url));
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', TSX, file, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

for (const name of ['token.ts', 'inspector.ts']) {
  test(`${name} --help prints the usage on stdout and exits 0`, async () => {
    const { code, stdout, stderr } = await script(name, ['--help']);
    assert.deepEqual([code, stderr], [0, '']);
    assert.match(stdout, /^usage: npm run /);
  });

  test(`${name} with an unknown option names it, prints the usage and exits 2, with no stack trace`, async () => {
    const { code, stdout, stderr } = await script(name, ['--bogus']);
    assert.deepEqual([code, stdout], [2, '']);
    assert.match(stderr, /Unknown option '--bogus'/);
    assert.match(stderr, /\nusage: npm run /);
    assert.doesNotMatch(stderr, /^\s+at /m);
  });

  test(`${name} with no issuer answering says to start npm run dev, exit 1`, async () => {
    const { code, stderr } = await script(name, ['--issuer', 'http://127.0.0.1:1/oauth2/default']);
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').at(-1), `${name.replace('.ts', '')}: no development issuer is answering at http://127.0.0.1:1/oauth2/default: start \`npm run dev\` first (or pass --issuer URL).`);
  });
}

test('token.ts prints only a token, with the scopes asked for, from the issuer named by DEV_ISSUER_URL', async (t) => {
  const issuer = await startDevIssuer({ host: '127.0.0.1', port: 0 });
  t.after(() => issuer.close());
  const { code, stdout, stderr } = await script('token.ts', ['--scope', 'incidents:read'], { DEV_ISSUER_URL: issuer.issuer });
  assert.deepEqual([code, stderr], [0, '']);
  assert.match(stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  assert.deepEqual(decodeJwt(stdout.trim()).scp, ['incidents:read']);
});
