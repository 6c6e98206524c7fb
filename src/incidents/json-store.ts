/**
 * The incident store backed by one pretty-printed JSON file and its journal (journal.ts). Reads
 * come from an in-memory Map of committed records. Mutations queue; one writer applies everything
 * queued to a staged overlay, persists it in a single journal append (group commit), and only
 * then publishes it and resolves the callers. A failed write publishes nothing, so there is
 * nothing to roll back. When writes pause, the same writer folds the journal into the file, so
 * the file a person opens is current whenever the server is quiet. How a batch reaches disk is
 * the Persistence seam. A lock file keeps a second process off the same file (file-lock.ts).
 */
import { access, constants } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { errorCode, readFileIfExists } from './atomic-file.ts';
import { lockIncidentsFile, type FileLock } from './file-lock.ts';
import { parseIncidentFile } from './json-format.ts';
import { completeLength, Journal, journalPathFor, readJournal } from './journal.ts';
import type { Incident } from './model.ts';
import { makeIncident } from './model.ts';
import type {
  ChangeListener, IncidentChange, IncidentFilter, IncidentPage, IncidentPatch, IncidentStore, NewIncident, PageRequest,
  UpdateOutcome,
} from './store.ts';
import { StoreLoadError, StoreWriteError, selectPage } from './store.ts';
import { WriteQueue, type BatchOutcome } from './write-queue.ts';

/**
 * Makes one batch durable. `all` yields every record after the batch, ascending by id; `changed`
 * is what the batch created or updated; `size` is how many records the store then holds.
 */
export interface Persistence {
  write(all: () => Iterable<Incident>, changed: readonly Incident[], size: number): Promise<void>;
  /** Brings the file up to date with everything written (`all`, ascending); may do nothing. */
  fold(all: Iterable<Incident>, size: number): Promise<void>;
  /** Flushes anything pending into the file and releases it. */
  close(all: Iterable<Incident>, size: number): Promise<void>;
}

export interface JsonStoreOptions {
  /** The clock for createdAt/updatedAt; tests pass a fixed one. */
  now?: () => Date;
  /** Journal entries that trigger a compaction into the file (default: the file's size, at least 1024). */
  compactAt?: number;
  /** Quiet time after the last write before the journal is folded into the file (default 1000 ms). */
  foldAfterMs?: number;
}

const FOLD_AFTER_MS = 1000;

type Operation =
  | { kind: 'create'; input: NewIncident; createdBy: string | undefined }
  | { kind: 'update'; id: string; patch: IncidentPatch };

/** What one operation resolves with: the new incident, an update's outcome, or undefined for an unknown id. */
type Result = Incident | UpdateOutcome | undefined;

interface Applied {
  /** One per operation. */
  results: Result[];
  changes: IncidentChange[];
}

/**
 * Opens (or prepares to create) the incidents file at `path`. A missing file means an empty
 * store; the file appears on the first write. A file that is not valid incident JSON rejects
 * with StoreLoadError and is never overwritten, as does a directory or journal that cannot be written;
 * a file another live process serves rejects with StoreLockedError (a StoreLoadError) naming it.
 */
export async function openJsonStore(path: string, options: JsonStoreOptions = {}): Promise<JsonIncidentStore> {
  await assertWritable(path, false);
  // Issue 13: one live process per file, refused before anything is read (file-lock.ts).
  const lock = await lockIncidentsFile(path);
  try {
    const bytes = await readFileIfExists(path).catch((error: unknown) => {
      throw new StoreLoadError(path, undefined, `the file cannot be read (${errorCode(error) ?? 'I/O error'})`);
    });
    const records = bytes === undefined ? new Map<string, Incident>() : parseIncidentFile(bytes, path);
    const fileSize = records.size;
    const journalPath = journalPathFor(path);
    const journalBytes = await readFileIfExists(journalPath);
    await assertWritable(path, journalBytes !== undefined);
    const entries = journalBytes === undefined ? 0 : readJournal(journalBytes, records, journalPath);
    const validBytes = journalBytes === undefined ? 0 : completeLength(journalBytes);
    const persistence = new Journal(path, { entries, fileSize, validBytes, compactAt: options.compactAt });
    const now = options.now ?? (() => new Date());
    return new JsonIncidentStore(records, persistence, basename(path), now, options.foldAfterMs ?? FOLD_AFTER_MS, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * Refuses at start-up a store that could not save anything (a read-only mount, no permission),
 * rather than failing every write later. access(2) checks without writing.
 */
async function assertWritable(path: string, hasJournal: boolean): Promise<void> {
  const targets = hasJournal ? [dirname(path), journalPathFor(path)] : [dirname(path)];
  for (const target of targets) {
    try {
      await access(target, constants.W_OK);
    } catch (error) {
      const code = errorCode(error) ?? 'I/O error';
      const what = code === 'ENOENT' ? 'does not exist' : `is not writable (${code})`;
      throw new StoreLoadError(path, undefined, `${target} ${what}, so no change could be saved; make it writable, or set INCIDENTS_FILE to a file in a writable directory`);
    }
  }
}

/** See openJsonStore. */
export class JsonIncidentStore implements IncidentStore {
  /** Committed records in ascending id order: loaded sorted, and new ids only grow. */
  readonly #records: Map<string, Incident>;
  readonly #persistence: Persistence;
  readonly #fileName: string;
  readonly #now: () => Date;
  readonly #listeners = new Set<ChangeListener>();
  readonly #writer: WriteQueue<Operation, Result>;
  readonly #lock: FileLock | undefined;
  #closed = false;
  #writes = 0;
  /** Highest id ever committed; the next incident gets the one after it. */
  #lastId: number;
  /** The committed records newest first, built on the first read after a write and shared by reads until the next. */
  #newestFirst: readonly Incident[] | undefined;

  /** Use openJsonStore. */
  constructor(records: Map<string, Incident>, persistence: Persistence, fileName: string, now: () => Date, foldAfterMs: number, lock?: FileLock) {
    this.#records = records;
    this.#lock = lock;
    this.#persistence = persistence;
    this.#fileName = fileName;
    this.#now = now;
    this.#lastId = Array.from(records.keys(), Number).reduce((max, id) => Math.max(max, id), 0);
    // The file a person opens catches up whenever writes pause; under load the journal alone carries them.
    this.#writer = new WriteQueue({ commit: (operations) => this.#commit(operations), onIdle: () => this.#fold(), idleMs: foldAfterMs });
  }

  /** Completed file writes since opening (lets tests observe group commit). */
  get writeCount(): number {
    return this.#writes;
  }

  get(id: string): Incident | undefined {
    return this.#records.get(id);
  }

  list(filter: IncidentFilter, page: PageRequest): IncidentPage {
    return selectPage(this.#ordered(), filter, page);
  }

  all(): Incident[] {
    return this.#ordered().slice();
  }

  /** The shared newest-first view; a page then costs its own length, not the store's size. */
  #ordered(): readonly Incident[] {
    this.#newestFirst ??= Array.from(this.#records.values()).reverse();
    return this.#newestFirst;
  }

  create(input: NewIncident, createdBy?: string): Promise<Incident> {
    return this.#writer.push({ kind: 'create', input, createdBy }) as Promise<Incident>;
  }

  update(id: string, patch: IncidentPatch): Promise<UpdateOutcome | undefined> {
    return this.#writer.push({ kind: 'update', id, patch }) as Promise<UpdateOutcome | undefined>;
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writer.close();
    this.#listeners.clear();
    try {
      await this.#persistence.close(this.#records.values(), this.#records.size);
    } finally {
      await this.#lock?.release();
    }
  }

  /** One batch: staged, persisted, published; listeners first, so a resumed caller finds the notifications sent. */
  async #commit(operations: Operation[]): Promise<BatchOutcome<Result>> {
    let applied: Applied;
    try {
      applied = await this.#apply(operations);
    } catch (cause) {
      throw this.#writeError(cause);
    }
    for (const change of applied.changes) this.#emit(change);
    return { results: applied.results, wrote: applied.changes.length > 0 };
  }

  async #fold(): Promise<void> {
    try {
      await this.#persistence.fold(this.#records.values(), this.#records.size);
    } catch (error) {
      // Nothing is lost: the journal holds every write; the next pause after a write, or close, tries again.
      process.emitWarning(`incident journal not folded into ${this.#fileName}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Stages the operations in order, persists them in one write, then publishes them. */
  async #apply(operations: Operation[]): Promise<Applied> {
    const staged = new Map<string, Incident>();
    const changes: IncidentChange[] = [];
    let nextId = this.#lastId + 1;
    const results = operations.map((operation): Result => {
      if (operation.kind === 'create') {
        const created = this.#created(String(nextId++), operation.input, operation.createdBy);
        staged.set(created.id, created);
        changes.push({ kind: 'created', incident: created });
        return created;
      }
      const current = staged.get(operation.id) ?? this.#records.get(operation.id);
      if (current === undefined) return undefined;
      const updated = this.#patched(current, operation.patch);
      // A patch that changes nothing is neither written nor announced.
      if (updated === current) return { incident: current, changed: false };
      staged.set(updated.id, updated);
      changes.push({ kind: 'updated', incident: updated });
      return { incident: updated, changed: true };
    });
    if (staged.size > 0) {
      const size = this.#records.size + (nextId - 1 - this.#lastId);
      await this.#persistence.write(() => this.#merged(staged), Array.from(staged.values()), size);
      this.#writes++;
      for (const [id, incident] of staged) this.#records.set(id, incident);
      this.#newestFirst = undefined;
      this.#lastId = nextId - 1;
    }
    return { results, changes };
  }

  #created(id: string, input: NewIncident, createdBy: string | undefined): Incident {
    const at = this.#now().toISOString();
    const description = input.description === '' ? undefined : input.description;
    return makeIncident({ ...input, id, description, createdAt: at, updatedAt: at, createdBy });
  }

  /** The patched record, or `current` itself when the patch changes nothing. */
  #patched(current: Incident, patch: IncidentPatch): Incident {
    const title = patch.title ?? current.title;
    const severity = patch.severity ?? current.severity;
    const status = patch.status ?? current.status;
    const description = patch.description === undefined ? current.description : patch.description || undefined;
    if (title === current.title && severity === current.severity && status === current.status
      && description === current.description) {
      return current;
    }
    return makeIncident({ ...current, title, severity, status, description, updatedAt: this.#now().toISOString() });
  }

  /** Every record after the batch, ascending: staged updates in place, then new ids. */
  *#merged(staged: ReadonlyMap<string, Incident>): Iterable<Incident> {
    for (const [id, incident] of this.#records) yield staged.get(id) ?? incident;
    for (const [id, incident] of staged) if (!this.#records.has(id)) yield incident;
  }

  #writeError(cause: unknown): StoreWriteError {
    const reason = errorCode(cause) ?? 'an I/O error';
    return new StoreWriteError(`could not save ${this.#fileName} (${reason}); the change was not kept`, { cause });
  }

  #emit(change: IncidentChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        process.emitWarning(`incident change listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
