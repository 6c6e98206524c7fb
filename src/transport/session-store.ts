/**
 * Where legacy sessions are kept beyond this process (issue 13 "Legacy sessions on any replica"):
 * the SessionStore seam the session table (sessions.ts) writes through and looks a session up in
 * when it does not hold it, the record another replica rebuilds a session from, and what changed
 * in a session since it was last written. The in-memory store shares nothing: without
 * DATABASE_URL the table alone is the truth, as before. pg-sessions.ts is the PostgreSQL store.
 * A record holds what client-declaration.ts keeps of the client, so it weighs what a session does.
 */
import type { ClientIdentity } from '../protocol/client-declaration.ts';
import type { JsonObject, LogLevel } from '../protocol/definitions.ts';
import type { Session } from '../protocol/session.ts';
import type { ProtocolVersion } from '../protocol/versions.ts';

/** A legacy session as stored: enough for any replica to serve it (not its streams nor its server requests). */
export interface SessionRecord {
  readonly id: string;
  /** The binding key of the principal that opened it (authenticate.ts principalKey). */
  readonly owner: string;
  readonly protocolVersion: ProtocolVersion;
  readonly clientCapabilities: JsonObject;
  readonly clientInfo: ClientIdentity;
  readonly initialized: boolean;
  readonly logLevel: LogLevel | undefined;
  readonly subscriptions: readonly string[];
}

/** What a request may change in a session, as written through: never a whole set, so replicas do not undo each other. */
export interface SessionChange {
  readonly logLevel: LogLevel | undefined;
  readonly initialized: boolean;
  readonly subscribed: readonly string[];
  readonly unsubscribed: readonly string[];
}

/** What other replicas did to sessions: the table drops or refreshes its copies. */
export interface SessionStoreEvents {
  /** Ended elsewhere (DELETE, expiry): the local copy goes, and its streams end. */
  ended(id: string): void;
  /** Its state changed elsewhere (log level, subscriptions): the local copy is read again. */
  changed(id: string): void;
  /** Notices may have been missed (the notice connection was lost): every local copy is read again. */
  missed(): void;
}

/** The store cannot be asked right now (a database outage); `reason` is a code, never a driver message. */
export class SessionStoreUnavailableError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(`the session store is unavailable (${reason})`);
    this.name = 'SessionStoreUnavailableError';
    this.reason = reason;
  }
}

/** Every operation rejects only with SessionStoreUnavailableError. */
export interface SessionStore {
  /** False when nothing is shared: the table then never asks and never writes. */
  readonly shared: boolean;
  /** Called once, by the table that holds the local copies. */
  listen(events: SessionStoreEvents): void;
  /** Keeps a session that just opened (initialize succeeded). */
  create(record: SessionRecord): Promise<void>;
  /** The live records among `ids` (not ended, not expired), by id. */
  find(ids: readonly string[]): Promise<Map<string, SessionRecord>>;
  /** Writes what a request changed, and counts as activity. */
  update(id: string, change: SessionChange): Promise<void>;
  /** Activity: these sessions expire an idle period from now. */
  touch(ids: readonly string[]): Promise<void>;
  /** Ends the session everywhere. */
  end(id: string): Promise<void>;
  /** Ends every expired session, telling every replica. */
  expire(): Promise<void>;
  /** The table no longer holds `id`: notices about it are no longer of interest. */
  forget(id: string): void;
  close(): Promise<void>;
}

/** Without DATABASE_URL: nothing leaves the process, and the table is the only truth. */
export class MemorySessionStore implements SessionStore {
  readonly shared = false;
  listen(): void {}
  async create(): Promise<void> {}
  async find(): Promise<Map<string, SessionRecord>> {
    return new Map();
  }
  async update(): Promise<void> {}
  async touch(): Promise<void> {}
  async end(): Promise<void> {}
  async expire(): Promise<void> {}
  forget(): void {}
  async close(): Promise<void> {}
}

/** A session's shared state as last written (or read): what the next write-through compares with. */
export interface StoredState {
  logLevel: LogLevel | undefined;
  initialized: boolean;
  readonly subscriptions: Set<string>;
  /** When activity was last written (the table's clock). */
  touchedAt: number;
}

/** The record of an opened session. */
export function recordOf(session: Session & { readonly owner: string }): SessionRecord {
  return {
    id: session.id,
    owner: session.owner,
    protocolVersion: session.protocolVersion,
    clientCapabilities: session.clientCapabilities,
    clientInfo: session.clientInfo,
    initialized: session.initialized,
    logLevel: session.logLevel,
    subscriptions: [...session.subscriptions],
  };
}

/** The stored state a record (or a session just written whole) stands for. */
export function storedState(record: Pick<SessionRecord, 'logLevel' | 'initialized' | 'subscriptions'>, now: number): StoredState {
  return { logLevel: record.logLevel, initialized: record.initialized, subscriptions: new Set(record.subscriptions), touchedAt: now };
}

/** What `session` changed since `stored`; undefined when nothing did. */
export function changeSince(stored: StoredState, session: Session): SessionChange | undefined {
  const subscribed = [...session.subscriptions].filter((uri) => !stored.subscriptions.has(uri));
  const unsubscribed = [...stored.subscriptions].filter((uri) => !session.subscriptions.has(uri));
  const logLevel = session.logLevel !== stored.logLevel ? session.logLevel : undefined;
  const initialized = session.initialized && !stored.initialized;
  if (subscribed.length === 0 && unsubscribed.length === 0 && logLevel === undefined && !initialized) return undefined;
  return { logLevel, initialized, subscribed, unsubscribed };
}

/** Records a change as written: the stored state moves by it, whatever was read meanwhile. */
export function applyWritten(stored: StoredState, change: SessionChange, now: number): void {
  if (change.logLevel !== undefined) stored.logLevel = change.logLevel;
  if (change.initialized) stored.initialized = true;
  for (const uri of change.subscribed) stored.subscriptions.add(uri);
  for (const uri of change.unsubscribed) stored.subscriptions.delete(uri);
  stored.touchedAt = now;
}

/**
 * Takes another replica's state into a local copy, keeping what this replica changed and has not
 * written yet (the difference between the copy and its stored state), which its write then adds.
 */
export function applyRecord(session: Session, stored: StoredState, record: SessionRecord): void {
  const pending = changeSince(stored, session);
  session.logLevel = pending?.logLevel ?? record.logLevel;
  session.initialized ||= record.initialized;
  session.subscriptions.clear();
  for (const uri of record.subscriptions) session.subscriptions.add(uri);
  for (const uri of pending?.subscribed ?? []) session.subscriptions.add(uri);
  for (const uri of pending?.unsubscribed ?? []) session.subscriptions.delete(uri);
  stored.logLevel = record.logLevel;
  stored.initialized = record.initialized;
  stored.subscriptions.clear();
  for (const uri of record.subscriptions) stored.subscriptions.add(uri);
}
