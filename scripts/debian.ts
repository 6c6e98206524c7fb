/**
 * What the project's own scripts need from the machine, brought by them (the guide: CI has only
 * what the project installs): a Debian package installed with apt-get when its program is missing
 * (as root, or through sudo; the package lists updated once when the first try fails), and a free
 * loopback port. Used by `npm run test:browser` (chromium), `npm run test:cluster` (nginx) and
 * `npm run bench` (wrk).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';

const INSTALL_TIMEOUT_MS = 5 * 60_000;

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function apt(prefix: readonly string[], args: readonly string[]): boolean {
  const command = [...prefix, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
  process.stdout.write(`  $ ${command.join(' ')}\n`);
  return spawnSync(command[0] as string, command.slice(1), { stdio: 'inherit', timeout: INSTALL_TIMEOUT_MS }).status === 0;
}

/**
 * Makes sure `program` exists, installing Debian's `pkg` when it does not; says whether it was
 * already there. Throws with what to do by hand when it cannot.
 */
export function ensureDebianPackage(program: string, pkg: string): 'present' | 'installed' {
  if (existsSync(program)) return 'present';
  if (!hasCommand('apt-get')) throw new Error(`${program} is missing and there is no apt-get: install Debian's ${pkg} package by hand.`);
  const prefix = process.getuid?.() === 0 ? [] : hasCommand('sudo') ? ['sudo'] : undefined;
  if (prefix === undefined) throw new Error(`${program} is missing, and this user is neither root nor has sudo: run "apt-get install -y ${pkg}" as root, then run again.`);
  // The package lists may be missing or stale on a fresh machine: update once, then try again.
  if (!apt(prefix, ['install', '-y', pkg]) && !(apt(prefix, ['update']) && apt(prefix, ['install', '-y', pkg]))) {
    throw new Error(`apt-get could not install ${pkg} (see its output above).`);
  }
  if (!existsSync(program)) throw new Error(`apt-get installed ${pkg}, but ${program} is still missing.`);
  return 'installed';
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => server.once('error', fail).listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
