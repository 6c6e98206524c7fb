/**
 * The incident store backed by one pretty-printed JSON file and its journal (journal.ts). Reads
 * come from an in-memory Map of committed records. Mutations queue; one writer applies everything
 * queued to a staged overlay, persists it in a single journal append (group commit), and only
 * then publishes it and resolves the callers. A failed write publishes nothing, so there is
 * nothing to roll back. How a batch reaches disk is the Persistence seam.
 */
import { access, constants } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { errorCode, readFileIfExists } from './atomic-file.ts';
import { parseIncidentFile } from './json-format.ts';
import { completeLength, Journal, journalPathFor, replayJournal } from './journal.ts';
import type { Incident } from './model.ts';
import { makeIncident } from './model.ts';
import type {
  ChangeListener, IncidentChange, IncidentFilter, IncidentPage, IncidentPatch, IncidentStore, NewIncident, PageRequest,
} from './store.ts';
import { StoreLoadError, StoreWriteError, selectPage } from './store.ts';

/**
 * Makes one batch durable. `all` yields every record after the batch, ascending by id; `changed`
 * is what the batch created or updated; `size` is how many records the store then holds.
 */
export interface Persistence {
  write(all: () => Iterable<Incident>, changed: readonly Incident[], size: number): Promise<void>;
  /** Flushes anything pending into the file and releases it. */
  close(all: Iterable<Incident>, size: number): Promise<void>;
}

export interface JsonStoreOptions {
  /** The clock for createdAt/updatedAt; tests pass a fixed one. */
  now?: () => Date;
  /** Journal entries that trigger a compaction into the file (default: the file's size, at least 1024). */
  compactAt?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

type Operation =
  | { kind: 'create'; input: NewIncident; createdBy: string | undefined }
  | { kind: 'update'; id: string; patch: IncidentPatch };

interface Applied {
  /** One per operation: the incident it produced, or undefined for an update of an unknown id. */
  results: (Incident | undefined)[];
  changes: IncidentChange[];
}

interface Pending {
  operation: Operation;
  resolve(incident: Incident | undefined): void;
  reject(error: unknown): void;
}

/**
 * Opens (or prepares to create) the incidents file at `path`. A missing file means an empty
 * store; the file appears on the first write. A file that is not valid incident JSON rejects
 * with StoreLoadError and is never overwritten, as does a directory or journal that cannot be written.
 */
export async function openJsonStore(path: string, options: JsonStoreOptions = {}): Promise<JsonIncidentStore> {
  const bytes = await readFileIfExists(path).catch((error: unknown) => {
    throw new StoreLoadError(path, undefined, `the file cannot be read (${errorCode(error) ?? 'I/O error'})`);
  });
  const records = bytes === undefined ? new Map<string, Incident>() : parseIncidentFile(bytes, path);
  const fileSize = records.size;
  const journalPath = journalPathFor(path);
  const journalBytes = await readFileIfExists(journalPath);
  await assertWritable(path, journalBytes !== undefined);
  let entries = 0;
  if (journalBytes !== undefined) {
    let text: string;
    try {
      text = utf8.decode(journalBytes);
    } catch {
      throw new StoreLoadError(journalPath, undefined, 'the journal is not valid UTF-8');
    }
    entries = replayJournal(text, records, journalPath);
  }
  const validBytes = journalBytes === undefined ? 0 : completeLength(journalBytes);
  const persistence = new Journal(path, { entries, fileSize, validBytes, compactAt: options.compactAt });
  return new JsonIncidentStore(records, persistence, basename(path), options.now ?? (() => new Date()));
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
  #queue: Pending[] = [];
  #draining: Promise<void> | undefined;
  #closed = false;
  #writes = 0;
  /** Highest id ever committed; the next incident gets the one after it. */
  #lastId: number;

  /** Use openJsonStore. */
  constructor(records: Map<string, Incident>, persistence: Persistence, fileName: string, now: () => Date) {
    this.#records = records;
    this.#persistence = persistence;
    this.#fileName = fileName;
    this.#now = now;
    this.#lastId = Array.from(records.keys(), Number).reduce((max, id) => Math.max(max, id), 0);
  }

  /** Completed file writes since opening (lets tests observe group commit). */
  get writeCount(): number {
    return this.#writes;
  }

  get(id: string): Incident | undefined {
    return this.#records.get(id);
  }

  list(filter: IncidentFilter, page: PageRequest): IncidentPage {
    return selectPage(this.all(), filter, page);
  }

  all(): Incident[] {
    return Array.from(this.#records.values()).reverse();
  }

  create(input: NewIncident, createdBy?: string): Promise<Incident> {
    return this.#enqueue({ kind: 'create', input, createdBy }) as Promise<Incident>;
  }

  update(id: string, patch: IncidentPatch): Promise<Incident | undefined> {
    return this.#enqueue({ kind: 'update', id, patch });
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#draining;
    this.#listeners.clear();
    await this.#persistence.close(this.#records.values(), this.#records.size);
  }

  #enqueue(operation: Operation): Promise<Incident | undefined> {
    if (this.#closed) return Promise.reject(new Error('the incident store is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ operation, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  // Group commit: whatever queued while a write was in flight goes out together in the next one.
  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      await this.#commit(batch);
    }
    this.#draining = undefined;
  }

  async #commit(batch: Pending[]): Promise<void> {
    let applied: Applied;
    try {
      applied = await this.#apply(batch.map((pending) => pending.operation));
    } catch (cause) {
      const error = this.#writeError(cause);
      for (const pending of batch) pending.reject(error);
      return;
    }
    // Listeners first, so a caller that resumes after its await finds the notifications sent.
    for (const change of applied.changes) this.#emit(change);
    batch.forEach((pending, i) => pending.resolve(applied.results[i]));
  }

  /** Stages the operations in order, persists them in one write, then publishes them. */
  async #apply(operations: Operation[]): Promise<Applied> {
    const staged = new Map<string, Incident>();
    const changes: IncidentChange[] = [];
    let nextId = this.#lastId + 1;
    const results = operations.map((operation) => {
      if (operation.kind === 'create') {
        const created = this.#created(String(nextId++), operation.input, operation.createdBy);
        staged.set(created.id, created);
        changes.push({ kind: 'created', incident: created });
        return created;
      }
      const current = staged.get(operation.id) ?? this.#records.get(operation.id);
      const updated = current && this.#patched(current, operation.patch);
      if (updated !== current && updated !== undefined) {
        staged.set(updated.id, updated);
        changes.push({ kind: 'updated', incident: updated });
      }
      return updated;
    });
    if (staged.size > 0) {
      const size = this.#records.size + (nextId - 1 - this.#lastId);
      await this.#persistence.write(() => this.#merged(staged), Array.from(staged.values()), size);
      this.#writes++;
      for (const [id, incident] of staged) this.#records.set(id, incident);
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
