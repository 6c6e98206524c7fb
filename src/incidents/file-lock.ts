/**
 * One live process per incidents file (issue 13): two servers on one file would each acknowledge
 * writes the other then overwrites. The lock is a file beside it, `<file>.lock`, created with
 * O_EXCL and holding the owner's PID, host and start time as JSON. A lock whose process is gone
 * (same host, kill(pid, 0) answers ESRCH; or our own PID, which a restarted container reuses, but
 * not held by this process) is stale and taken over; a lock from another host cannot be checked
 * and is respected. Stores in one process share the lock (tests open a second view of a file);
 * the last release removes it. Node has no flock(2); this is PostgreSQL's postmaster.pid scheme.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { errorCode } from './atomic-file.ts';
import { StoreLoadError } from './store.ts';

/** Who holds a lock, as written in the lock file. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** ISO 8601: when that process took the lock. */
  readonly since: string;
}

export interface FileLock {
  /** Gives the lock up; the last holder in this process removes the lock file. Idempotent. */
  release(): Promise<void>;
}

/** Another live process serves the file; `owner` names it. */
export class StoreLockedError extends StoreLoadError {
  readonly owner: LockOwner;
  readonly lockPath: string;
  constructor(path: string, lockPath: string, owner: LockOwner) {
    const where = owner.host === hostname() ? 'on this host' : `on host ${owner.host}`;
    super(path, undefined, `another server is using it: process ${owner.pid} ${where}, since ${owner.since}. ` +
      `Stop that server first, or set INCIDENTS_FILE to another file (or set DATABASE_URL to share incidents between servers). ` +
      `If no such server is running, delete ${lockPath}`);
    this.name = 'StoreLockedError';
    this.owner = owner;
    this.lockPath = lockPath;
  }
}

/** Locks held by this process, by lock path, with how many stores share each. */
const held = new Map<string, number>();

/** Attempts at taking over a stale lock before giving up (another process keeps racing us). */
const ATTEMPTS = 5;
/** A lock file read while its creator is still writing it is read again after this pause. */
const REREAD_MS = 50;

/** The lock file of an incidents file. */
export function lockPathFor(path: string): string {
  return `${path}.lock`;
}

/**
 * Takes the lock on `path` for this process, or rejects with StoreLockedError naming the live
 * process that holds it (a StoreLoadError otherwise, e.g. when the directory cannot be written).
 */
export async function lockIncidentsFile(path: string): Promise<FileLock> {
  const lockPath = lockPathFor(path);
  const shared = held.get(lockPath);
  if (shared !== undefined) {
    held.set(lockPath, shared + 1);
    return releaser(lockPath);
  }
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await create(path, lockPath, me)) {
      held.set(lockPath, 1);
      return releaser(lockPath);
    }
    const found = await readOwner(lockPath);
    if (found === 'gone') continue;
    if (found !== 'unreadable' && isLive(found)) throw new StoreLockedError(path, lockPath, found);
    // Stale: its process is gone, or the file holds no owner at all. Removed only if it still says the same.
    await removeIfUnchanged(lockPath, found);
  }
  throw new StoreLoadError(path, undefined, `${lockPath} keeps changing while this server tries to take it; another server is starting on the same file`);
}

function releaser(lockPath: string): FileLock {
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      const count = held.get(lockPath) ?? 0;
      if (count > 1) {
        held.set(lockPath, count - 1);
        return;
      }
      held.delete(lockPath);
      await unlink(lockPath).catch(() => undefined);
    },
  };
}

/** Creates the lock file with O_EXCL; false when it exists already. */
async function create(path: string, lockPath: string, me: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx', 0o644);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return false;
    throw new StoreLoadError(path, undefined, `the lock ${lockPath} cannot be created (${code ?? 'I/O error'}); make the directory writable, or set INCIDENTS_FILE to a file in a writable directory`);
  }
  try {
    await handle.writeFile(`${JSON.stringify(me)}\n`, 'utf8');
  } finally {
    await handle.close();
  }
  return true;
}

type Found = LockOwner | 'gone' | 'unreadable';

/** The lock's owner; 'gone' when the file vanished; 'unreadable' when it holds no owner even after a pause. */
async function readOwner(lockPath: string): Promise<Found> {
  for (let read = 0; read < 2; read++) {
    let text: string;
    try {
      text = await readFile(lockPath, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 'gone';
      throw error;
    }
    const owner = parseOwner(text);
    if (owner !== undefined) return owner;
    // Its creator may be between open(O_EXCL) and write: look again before calling it stale.
    await new Promise((resolve) => setTimeout(resolve, REREAD_MS));
  }
  return 'unreadable';
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isSafeInteger(value.pid) && (value.pid as number) > 0 && typeof value.host === 'string' && typeof value.since === 'string') {
      return { pid: value.pid as number, host: value.host, since: value.since };
    }
  } catch {
    // not a lock this code wrote
  }
  return undefined;
}

/** True when the owner may still be running. */
function isLive(owner: LockOwner): boolean {
  // Another host's process cannot be checked from here (a shared volume): respect its lock.
  if (owner.host !== hostname()) return true;
  // Our own PID, but not in `held`: a previous run of a container that reuses PIDs.
  if (owner.pid === process.pid) return false;
  try {
    // kill(2) with signal 0 checks existence only; EPERM means it exists under another user.
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== 'ESRCH';
  }
}

/**
 * Removes a stale lock if it still holds what was read. Between reading and unlinking, another
 * starting server could have taken the lock over first; the window is a few microseconds and
 * needs two servers starting on a stale lock at once (docs/decisions.md "PostgreSQL store").
 */
async function removeIfUnchanged(lockPath: string, found: LockOwner | 'unreadable'): Promise<void> {
  const now = await readFile(lockPath, 'utf8').catch(() => undefined);
  if (now === undefined) return;
  const owner = parseOwner(now);
  const same = found === 'unreadable' ? owner === undefined : owner !== undefined && owner.pid === found.pid && owner.since === found.since && owner.host === found.host;
  if (same) await unlink(lockPath).catch(() => undefined);
}
