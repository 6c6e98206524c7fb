/**
 * Durability through an append-only journal beside the JSON file, so the cost of a write does
 * not grow with the store: a batch appends one JSON line per changed incident to
 * `<file>.journal` and fsyncs it; that is the commit. Once the journal holds as many entries as
 * the store has records (at least COMPACT_MIN), the whole file is replaced atomically and the
 * journal emptied: an amortised constant cost per write. Loading replays the journal over the
 * file; replay is idempotent (each line is a whole record), so a crash between replacing the file
 * and emptying the journal loses nothing, and a torn last line (never acknowledged) is dropped.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { replaceFileAtomically } from './atomic-file.ts';
import { formatIncidentFile } from './json-format.ts';
import { parseIncident, type Incident } from './model.ts';
import { StoreLoadError } from './store.ts';

/** Fewest journal entries before a compaction, so small stores are not rewritten on every write. */
const COMPACT_MIN = 1024;

/** The journal that belongs to an incidents file. */
export function journalPathFor(path: string): string {
  return `${path}.journal`;
}

/**
 * Applies the journal's lines to `records` and returns how many entries it held. A last line
 * without its newline is a write that never completed and is ignored.
 */
export function replayJournal(text: string, records: Map<string, Incident>, journalPath: string): number {
  const lines = text.split('\n');
  lines.pop();
  let entries = 0;
  for (const [index, line] of lines.entries()) {
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new StoreLoadError(journalPath, index + 1, 'invalid JSON in the journal');
    }
    const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
    const incident = parseIncident(String(id), value);
    if (typeof incident === 'string') throw new StoreLoadError(journalPath, index + 1, incident);
    records.set(incident.id, incident);
    entries++;
  }
  return entries;
}

export class Journal {
  /** Opened on the first write, so opening a store writes nothing. */
  private handle: FileHandle | undefined;
  /** Bytes in the journal: where a failed append is cut back to. */
  private bytes = 0;
  /** After a failed compaction, the entry count at which to try again. */
  private retryAt = 0;

  /**
   * `entries` is what replay found in the journal. `compactAt` fixes the number of entries that
   * triggers a compaction; by default it is the store's size, at least COMPACT_MIN.
   */
  constructor(
    private readonly path: string,
    private entries: number,
    private readonly compactAt?: number,
  ) {}

  private async file(): Promise<FileHandle> {
    if (this.handle === undefined) {
      const handle = await open(journalPathFor(this.path), 'a');
      this.bytes = (await handle.stat()).size;
      this.handle = handle;
    }
    return this.handle;
  }

  get pending(): number {
    return this.entries;
  }

  /**
   * Commits one batch: appended and fdatasynced. Then, when the journal has grown as large as the
   * store, folds it into the file; a failed compaction does not undo the commit (the journal still
   * holds everything) and is tried again later. `all` is every record after the batch, ascending.
   */
  async write(all: () => Iterable<Incident>, changed: readonly Incident[], size: number): Promise<void> {
    let text = '';
    for (const incident of changed) text += `${JSON.stringify(incident)}\n`;
    const handle = await this.file();
    try {
      await handle.appendFile(text, 'utf8');
      // fdatasync(2): the appended bytes are on disk before the write is acknowledged.
      await handle.datasync();
    } catch (error) {
      // A partial line would corrupt the next append: cut the journal back to its last commit.
      await handle.truncate(this.bytes).catch(() => undefined);
      throw error;
    }
    this.bytes += Buffer.byteLength(text);
    this.entries += changed.length;
    if (this.entries >= Math.max(this.compactAt ?? Math.max(COMPACT_MIN, size), this.retryAt)) {
      try {
        await this.compact(all());
      } catch (error) {
        this.retryAt = this.entries * 2;
        process.emitWarning(`incident journal compaction failed; will retry: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Replaces the file with every record, then empties the journal (file first: replay is idempotent). */
  async compact(all: Iterable<Incident>): Promise<void> {
    await replaceFileAtomically(this.path, formatIncidentFile(all));
    const handle = await this.file();
    await handle.truncate(0);
    await handle.datasync();
    this.bytes = 0;
    this.entries = 0;
    this.retryAt = 0;
  }

  /** Folds what is pending into the file (so people who open it see everything), then closes. */
  async close(all: Iterable<Incident>): Promise<void> {
    try {
      if (this.entries > 0) await this.compact(all);
    } finally {
      await this.handle?.close();
      this.handle = undefined;
    }
  }
}
