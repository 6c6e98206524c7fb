/**
 * The session table's shared side (issue 13 "Legacy sessions on any replica"): it keeps a shared
 * SessionStore in step with this replica's copies. A session opened here is created in the store
 * before its id is answered; a request for an id held elsewhere adopts the store's record; what a
 * request changed is written through as a difference; activity pushes the record's expiry at
 * most every ACTIVITY_WRITE_MS; notices from other replicas drop or refresh copies. Without a
 * shared store every method returns at once: the table alone is the truth. It owns no streams
 * and decides no HTTP answer (session-check.ts does).
 */
import type { HttpSession } from './sessions.ts';
import {
  applyRecord, applyWritten, changeSince, recordOf, SessionStoreUnavailableError, storedState, type SessionRecord, type SessionStore,
} from './session-store.ts';

/** Expiry is written through at most this often per session (and at most every tenth of the idle period). */
const ACTIVITY_WRITE_MS = 30_000;

/** What the sync needs of the table: its copies. */
export interface LocalCopies {
  get(id: string): HttpSession | undefined;
  ids(): string[];
  /** Drops a copy, ending its streams. */
  delete(id: string): boolean;
  /** A new copy in the table, for the record's id and owner, to be opened by the caller. */
  adopt(record: SessionRecord): HttpSession;
}

export class SessionSync {
  private readonly activityMs: number;

  constructor(private readonly store: SessionStore, private readonly now: () => number, idleMs: number, private readonly copies: LocalCopies) {
    this.activityMs = Math.min(ACTIVITY_WRITE_MS, idleMs / 10);
    store.listen({
      ended: (id) => void copies.delete(id),
      changed: (id) => void this.refresh([id]),
      missed: () => void this.refresh(copies.ids()),
    });
  }

  /** A session just opened here: the store gets it whole. */
  async created(session: HttpSession): Promise<void> {
    if (!this.store.shared) return;
    const record = recordOf(session);
    await this.store.create(record);
    session.stored = storedState(record, this.now());
  }

  /** The store's record of a session this replica holds no copy of, adopted as one. */
  async lookup(id: string): Promise<HttpSession | undefined> {
    if (!this.store.shared) return undefined;
    const record = (await this.store.find([id])).get(id);
    if (record === undefined) return undefined;
    // Another request for it may have adopted it while the store answered.
    const held = this.copies.get(id);
    if (held !== undefined) return held;
    const session = this.copies.adopt(record);
    session.open(record.protocolVersion, record.clientCapabilities, { ...record.clientInfo });
    session.stored = storedState({ logLevel: undefined, initialized: false, subscriptions: [] }, this.now());
    applyRecord(session, session.stored, record);
    return session;
  }

  /** A request passed the session checks: its expiry moves, at most every activityMs. */
  used(session: HttpSession): void {
    const { stored } = session;
    if (stored === undefined || session.lastSeen - stored.touchedAt < this.activityMs) return;
    stored.touchedAt = session.lastSeen;
    this.store.touch([session.id]).catch(ignoreOutage);
  }

  /**
   * Writes through what a request changed. A failed write is retried by the next one (the
   * difference stays until written); the request's answer stands, since its work is done.
   */
  async settle(session: HttpSession): Promise<void> {
    const { stored } = session;
    if (stored === undefined) return;
    const change = changeSince(stored, session);
    if (change === undefined) return;
    try {
      await this.store.update(session.id, change);
    } catch (error) {
      return ignoreOutage(error);
    }
    applyWritten(stored, change, this.now());
  }

  /** Ends a session in the store, which tells every replica. */
  end(id: string): Promise<void> {
    return this.store.end(id);
  }

  forget(id: string): void {
    this.store.forget(id);
  }

  /** After a sweep: listening sessions stay alive in the store, and sessions idle everywhere end. */
  swept(listening: readonly HttpSession[]): void {
    if (!this.store.shared) return;
    const now = this.now();
    const due = listening.filter((session) => session.stored !== undefined && now - session.stored.touchedAt >= this.activityMs);
    for (const session of due) if (session.stored !== undefined) session.stored.touchedAt = now;
    if (due.length > 0) this.store.touch(due.map((session) => session.id)).catch(ignoreOutage);
    this.store.expire().catch(ignoreOutage);
  }

  /** Reads these copies again: each takes the store's state, or goes when the store has none. */
  private async refresh(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    let records: Map<string, SessionRecord>;
    try {
      records = await this.store.find(ids);
    } catch (error) {
      return ignoreOutage(error);
    }
    for (const id of ids) {
      const session = this.copies.get(id);
      if (session?.stored === undefined) continue;
      const record = records.get(id);
      if (record === undefined) this.copies.delete(id);
      else applyRecord(session, session.stored, record);
    }
  }
}

/** A store outage in background work: the store logged it, and the next write or sweep tries again. */
function ignoreOutage(error: unknown): void {
  if (!(error instanceof SessionStoreUnavailableError)) throw error;
}
