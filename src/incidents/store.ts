/**
 * The incident store contract, its error catalogue, and the pieces every implementation shares:
 * the opaque page cursor (one kind of the shared codec, cursor.ts) and the filter-then-page
 * selection, and the timing of writes for the metrics. Reads are synchronous views of committed
 * data; writes resolve once durable. Storage formats live in the implementations (json-store.ts,
 * pg-store.ts); nothing here does I/O.
 */
import { cursorCodec } from '../cursor.ts';
import type { Incident, Severity, Status } from './model.ts';
import { isIncidentId } from './model.ts';

/** Narrows `list`; every given field must match. */
export interface IncidentFilter {
  severity?: Severity;
  status?: Status;
  /** Case-insensitive substring of the title or the description. */
  query?: string;
}

export interface PageRequest {
  /** A positive integer. */
  limit: number;
  /** From a previous page's `nextCursor`. */
  cursor?: string;
}

export interface IncidentPage {
  incidents: Incident[];
  /** Present when more incidents match after this page. */
  nextCursor?: string;
}

export interface NewIncident {
  title: string;
  severity: Severity;
  status: Status;
  description?: string;
}

/** Fields to change; an empty `description` removes it. */
export interface IncidentPatch {
  title?: string;
  severity?: Severity;
  status?: Status;
  description?: string;
}

/** What an update of a known id resolves with. */
export interface UpdateOutcome {
  /** The incident after the update (the same record when nothing changed). */
  incident: Incident;
  /** False when the incident already had every value given: nothing was written or announced. */
  changed: boolean;
}

export interface IncidentChange {
  kind: 'created' | 'updated';
  incident: Incident;
}

export type ChangeListener = (change: IncidentChange) => void;

/** Incidents, newest (highest id) first. Returned records are frozen. */
export interface IncidentStore {
  get(id: string): Incident | undefined;
  /** One page of matching incidents, newest first. Throws StoreCursorError for a bad cursor. */
  list(filter: IncidentFilter, page: PageRequest): IncidentPage;
  /** Every incident, newest first. */
  all(): Incident[];
  /** Resolves once the new incident is durable; rejects with StoreWriteError otherwise. */
  create(input: NewIncident, createdBy?: string): Promise<Incident>;
  /** Resolves once durable with the outcome, or undefined for an unknown id. */
  update(id: string, patch: IncidentPatch): Promise<UpdateOutcome | undefined>;
  /** Called after each durable change; returns the unsubscribe function. Listeners must not throw. */
  onChange(listener: ChangeListener): () => void;
  /**
   * Called when changes may have been made without this store hearing of each (a replica's lost
   * change feed, pg-feed.ts); whatever it found on catching up was announced through onChange.
   * Absent from a store that cannot miss changes (the file store: one writer).
   */
  onMissedChanges?(listener: () => void): () => void;
  /** Finishes pending writes, then refuses new ones. */
  close(): Promise<void>;
}

/** The stored data could not be read: bad JSON or an invalid record. Never sent to clients. */
export class StoreLoadError extends Error {
  readonly code = 'ERR_INCIDENT_STORE_LOAD';
  readonly path: string;
  /** 1-based line of the problem, when known. */
  readonly line: number | undefined;
  readonly problem: string;
  constructor(path: string, line: number | undefined, problem: string) {
    super(`cannot load incidents from ${path}${line === undefined ? '' : `:${line}`}: ${problem}`);
    this.name = 'StoreLoadError';
    this.path = path;
    this.line = line;
    this.problem = problem;
  }
}

/** A change could not be made durable; nothing of it was kept. The message names no directory. */
export class StoreWriteError extends Error {
  readonly code: 'ERR_INCIDENT_STORE_WRITE' | 'ERR_INCIDENT_STORE_UNAVAILABLE' = 'ERR_INCIDENT_STORE_WRITE';
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'StoreWriteError';
  }
}

/**
 * The store's database cannot be reached or failed (pg-store.ts): a StoreWriteError the caller
 * may retry after `retryAfterSeconds`, meant to become 503 with Retry-After. `outcome` says
 * whether the change is known not to have been kept, or was cut off while committing. The message
 * is fixed: never a driver message, host or URL. `reason` (an errno code such as ECONNREFUSED,
 * or `SQLSTATE 57P01`) is for the operator's log.
 */
export class StoreUnavailableError extends StoreWriteError {
  override readonly code = 'ERR_INCIDENT_STORE_UNAVAILABLE';
  readonly reason: string;
  readonly outcome: 'not-kept' | 'unknown';
  readonly retryAfterSeconds: number;
  constructor(reason: string, outcome: 'not-kept' | 'unknown', retryAfterSeconds = 5) {
    super(outcome === 'not-kept'
      ? 'the incident database is unavailable; the change was not kept; try again shortly'
      : 'the incident database stopped answering while saving; the change may have been kept; check with list_incidents before trying again');
    this.name = 'StoreUnavailableError';
    this.reason = reason;
    this.outcome = outcome;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A cursor that this store did not issue. */
export class StoreCursorError extends Error {
  readonly code = 'ERR_INCIDENT_STORE_CURSOR';
  constructor() {
    super('invalid cursor: pass a nextCursor value exactly as it was returned');
    this.name = 'StoreCursorError';
  }
}

/** The cursor names the last id returned; ids only grow, so pages stay stable under inserts. */
const BEFORE_ID = cursorCodec<string>({
  prefix: 'before:',
  write: (lastId) => lastId,
  read: (id) => (isIncidentId(id) ? id : undefined),
});

/** The last id seen, or StoreCursorError for anything BEFORE_ID.encode could not have produced. */
function lastIdOf(cursor: string): string {
  const id = BEFORE_ID.decode(cursor);
  if (id === undefined) throw new StoreCursorError();
  return id;
}

/** True when the incident passes every field of the filter. */
export function matchesFilter(incident: Incident, filter: IncidentFilter): boolean {
  if (filter.severity !== undefined && incident.severity !== filter.severity) return false;
  if (filter.status !== undefined && incident.status !== filter.status) return false;
  if (filter.query === undefined || filter.query === '') return true;
  const needle = filter.query.toLowerCase();
  return (
    incident.title.toLowerCase().includes(needle) ||
    (incident.description?.toLowerCase().includes(needle) ?? false)
  );
}

/** Filters and pages incidents that are already in newest-first order. */
export function selectPage(newestFirst: Iterable<Incident>, filter: IncidentFilter, page: PageRequest): IncidentPage {
  if (!Number.isInteger(page.limit) || page.limit < 1) {
    throw new TypeError(`page limit must be a positive integer, got ${page.limit}`);
  }
  const before = page.cursor === undefined ? undefined : Number(lastIdOf(page.cursor));
  const incidents: Incident[] = [];
  for (const incident of newestFirst) {
    if (before !== undefined && Number(incident.id) >= before) continue;
    if (!matchesFilter(incident, filter)) continue;
    if (incidents.length === page.limit) {
      const last = incidents[incidents.length - 1] as Incident;
      return { incidents, nextCursor: BEFORE_ID.encode(last.id) };
    }
    incidents.push(incident);
  }
  return { incidents };
}

/** A write of the store, as the metrics name it. */
export type StoreOperation = 'create' | 'update';

/** Told of every write: which, whether it resolved, and how long it took. */
export type WriteObserver = (operation: StoreOperation, outcome: 'ok' | 'failed', seconds: number) => void;

/** `store` with its writes timed for `observe` (the store latency metrics); everything else as is. */
export function observeWrites(store: IncidentStore, observe: WriteObserver): IncidentStore {
  async function timed<T>(operation: StoreOperation, write: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await write();
      observe(operation, 'ok', (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      observe(operation, 'failed', (performance.now() - started) / 1000);
      throw error;
    }
  }
  const observed: IncidentStore = {
    get: (id) => store.get(id),
    list: (filter, page) => store.list(filter, page),
    all: () => store.all(),
    create: (input, createdBy) => timed('create', () => store.create(input, createdBy)),
    update: (id, patch) => timed('update', () => store.update(id, patch)),
    onChange: (listener) => store.onChange(listener),
    close: () => store.close(),
  };
  const onMissed = store.onMissedChanges?.bind(store);
  if (onMissed !== undefined) observed.onMissedChanges = onMissed;
  return observed;
}
