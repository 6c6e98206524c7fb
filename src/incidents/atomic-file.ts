/**
 * Durable whole-file replacement: write a temporary file beside the target, fsync it, rename it
 * over the target, then fsync the directory so the rename itself survives a crash. A reader (or
 * a restart after SIGKILL or power loss) sees the old file or the new one, never a mix.
 * One writer per target at a time is the caller's duty; this module does no locking.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The temporary file used while replacing `path`: same directory, so rename stays atomic. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp`);
}

/** The file's bytes, or undefined when it does not exist. */
export async function readFileIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Replaces `path` with `data`; resolves once both the content and the rename are on disk.
 * On failure the previous file is untouched and the temporary file is removed when possible.
 */
export async function replaceFileAtomically(path: string, data: string): Promise<void> {
  const temp = tempPathFor(path);
  try {
    const handle = await open(temp, 'w', 0o644);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    // POSIX rename(2): replacing an existing name is atomic.
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

// fsync(2): a new directory entry is durable only once the directory itself is synced.
async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A Node system error's code, such as `ENOSPC`, or undefined for anything else. */
export function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
