/**
 * Durability through an append-only journal beside the JSON file, so the cost of a write does
 * not grow with the store: a batch appends one JSON line per changed incident to
 * `<file>.journal` and fsyncs it; that is the commit. Once the journal holds as many entries as
 * the file held records when it was last written (at least COMPACT_MIN), the whole file is
 * replaced atomically and the journal emptied: an amortised constant cost per write. The store
 * also folds it when writes pause (`fold`). Loading replays the journal over the file; replay is
 * idempotent (each line is a whole record), so a crash between replacing the file and emptying
 * the journal loses nothing, and a torn last line (never acknowledged) is dropped undecoded.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { decodeUtf8 } from '../utf8.ts';
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
 * Applies a journal's bytes to `records` and returns how many entries it held. Bytes after the
 * last newline are a write that never completed (possibly cut inside a UTF-8 sequence) and are
 * ignored; anything else that is not UTF-8 lines of whole records is a StoreLoadError.
 */
export function readJournal(bytes: Uint8Array, records: Map<string, Incident>, journalPath: string): number {
  let text: string;
  try {
    // Strict (utf8.ts, WHATWG Encoding "fatal"): a malformed sequence is an error, never U+FFFD.
    text = decodeUtf8(bytes.subarray(0, completeLength(bytes)));
  } catch {
    throw new StoreLoadError(journalPath, undefined, 'the journal is not valid UTF-8');
  }
  return replayJournal(text, records, journalPath);
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

/** Bytes of the journal up to its last newline: what replay used; a torn tail lies beyond. */
export function completeLength(bytes: Uint8Array): number {
  return bytes.lastIndexOf(0x0a) + 1;
}

/** Where a store's journal stands when it is opened (see openJsonStore). */
export interface JournalState {
  readonly entries: number;
  readonly fileSize: number;
  /** completeLength() of the journal: a torn tail beyond it is cut off before the first append. */
  readonly validBytes: number;
  readonly compactAt?: number | undefined;
}

export class Journal {
  /** Opened on the first write, so opening a store writes nothing. */
  private handle: FileHandle | undefined;
  /** Bytes in the journal: where a failed append is cut back to. */
  private bytes = 0;
  /** After a failed compaction, the entry count at which to try again. */
  private retryAt = 0;

  /** What replay found: entries in the journal's first `validBytes` bytes; records in the file. */
  private entries: number;
  private fileSize: number;
  private readonly validBytes: number;
  /** Fixed entry count that triggers a compaction (tests); by default the file's size, at least COMPACT_MIN. */
  private readonly compactAt: number | undefined;

  constructor(private readonly path: string, state: JournalState) {
    this.entries = state.entries;
    this.fileSize = state.fileSize;
    this.validBytes = state.validBytes;
    this.compactAt = state.compactAt;
  }

  private async file(): Promise<FileHandle> {
    if (this.handle === undefined) {
      const handle = await open(journalPathFor(this.path), 'a');
      // A torn tail left by a crash would glue onto the next line and make the journal unreadable.
      if ((await handle.stat()).size > this.validBytes) await handle.truncate(this.validBytes);
      this.bytes = this.validBytes;
      this.handle = handle;
    }
    return this.handle;
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
    if (this.entries >= Math.max(this.compactAt ?? Math.max(COMPACT_MIN, this.fileSize), this.retryAt)) {
      try {
        await this.compact(all(), size);
      } catch (error) {
        this.retryAt = this.entries * 2;
        process.emitWarning(`incident journal compaction failed; will retry: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Replaces the file with every record, then empties the journal (file first: replay is idempotent). */
  async compact(all: Iterable<Incident>, size: number): Promise<void> {
    await replaceFileAtomically(this.path, formatIncidentFile(all));
    const handle = await this.file();
    await handle.truncate(0);
    await handle.datasync();
    this.bytes = 0;
    this.entries = 0;
    this.retryAt = 0;
    this.fileSize = size;
  }

  /** Folds what is pending into the file, so people who open it see everything; nothing pending, nothing written. */
  async fold(all: Iterable<Incident>, size: number): Promise<void> {
    if (this.entries > 0) await this.compact(all, size);
  }

  /** Folds what is pending into the file, then closes. */
  async close(all: Iterable<Incident>, size: number): Promise<void> {
    try {
      await this.fold(all, size);
    } finally {
      await this.handle?.close();
      this.handle = undefined;
    }
  }
}
