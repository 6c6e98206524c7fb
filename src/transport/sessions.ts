/**
 * The live sessions of the HTTP transport (MCP 2025-11-25 basic/transports.mdx "Session
 * Management"): cryptographically random ids, each session bound to the principal that created
 * it, its SSE streams, caps on how many live at once (in all, and per principal), idle expiry, and
 * a periodic sweep that also sends heartbeats. An HttpSession is the protocol Session
 * (protocol/session.ts) plus its HTTP side: one object per session, no state copied between two.
 * With a shared SessionStore (session-store.ts) the table holds this replica's copies: it writes
 * through what requests change, adopts a session another replica opened, and drops a copy the
 * store says ended; without one it is the only truth, as it always was.
 */
import { randomBytes } from 'node:crypto';
import { Session } from '../protocol/session.ts';
import { EventStream, type StreamLimits } from './event-stream.ts';
import { MemorySessionStore, type SessionStore, type StoredState } from './session-store.ts';
import { SessionSync } from './session-store-sync.ts';

export interface SessionLimits extends StreamLimits {
  readonly maxSessions: number;
  /** Sessions one principal (one `owner`) may hold at once. */
  readonly maxSessionsPerOwner: number;
  readonly idleMs: number;
  /** Finished POST streams kept per session for late resumption. */
  readonly keptStreams: number;
}

export class HttpSession extends Session {
  /** `iss`, `sub` and `cid` of the creating token (security_best_practices.mdx: bind sessions to the user). */
  readonly owner: string;
  lastSeen: number;
  /** With a shared store: its state as last written or read, what write-through compares with. */
  stored: StoredState | undefined;
  /** The standalone GET stream, once opened: the session then listens (SessionTable.listeners). */
  declare standalone: EventStream | undefined;
  private readonly streams = new Map<string, EventStream>();
  private nextStream = 1;

  /**
   * `listening` is the table's index of sessions with a standalone stream, kept by this session
   * itself (opened here, left in close): a change costs the listeners, not every live session.
   */
  constructor(id: string, owner: string, now: number, private readonly limits: SessionLimits, private readonly listening = new Set<HttpSession>()) {
    super(id);
    this.owner = owner;
    this.lastSeen = now;
  }

  /** A new logical stream; old finished ones beyond the limit are forgotten. */
  openStream(): EventStream {
    const stream = new EventStream(String(this.nextStream++), this.limits);
    this.streams.set(stream.id, stream);
    if (this.streams.size > this.limits.keptStreams) {
      for (const [id, old] of this.streams) {
        if (this.streams.size <= this.limits.keptStreams) break;
        if (old.finished && !old.attached) this.streams.delete(id);
      }
    }
    return stream;
  }

  findStream(id: string): EventStream | undefined {
    return this.streams.get(id);
  }

  /** Opens (or replaces) the standalone stream, the one way to: unrelated messages go to it from then on. */
  openStandalone(): EventStream {
    this.standalone?.close();
    const stream = this.openStream();
    this.standalone = stream;
    this.listening.add(this);
    return stream;
  }

  /** Heartbeats on every attached stream. */
  heartbeat(): void {
    for (const stream of this.streams.values()) stream.heartbeat();
  }

  /** Ends the protocol session (in-flight work, server requests, subscriptions), then its streams. */
  override close(): void {
    this.listening.delete(this);
    super.close();
    for (const stream of this.streams.values()) stream.close();
    this.streams.clear();
  }
}

/** Why a new session cannot be had: the server is full, or its principal holds its share. */
export type SessionRefusal = 'tooManySessions' | 'tooManySessionsForPrincipal';

/** A Map of sessions keyed by id (STYLE principle 6), never a plain object. */
export class SessionTable {
  private readonly sessions = new Map<string, HttpSession>();
  /** Live sessions per owner, so one token holder cannot take the whole table (issue #15). */
  private readonly owned = new Map<string, number>();
  /** Sessions with a standalone stream, kept by the sessions themselves (HttpSession). */
  private readonly listening = new Set<HttpSession>();
  private lastRoomMade = -Infinity;

  /** The shared side: write-through, adoption, notices from other replicas (a no-op without a shared store). */
  private readonly sync: SessionSync;

  constructor(private readonly limits: SessionLimits, private readonly now: () => number = Date.now, store: SessionStore = new MemorySessionStore()) {
    this.sync = new SessionSync(store, now, limits.idleMs, {
      get: (id) => this.sessions.get(id),
      ids: () => [...this.sessions.keys()],
      delete: (id) => this.delete(id),
      adopt: (record) => {
        const session = new HttpSession(record.id, record.owner, now(), limits, this.listening);
        this.add(session);
        return session;
      },
    });
  }

  get size(): number {
    return this.sessions.size;
  }

  get full(): boolean {
    return this.sessions.size >= this.limits.maxSessions;
  }

  /**
   * Whether `owner` may open one more session; when the table or the owner's share is full, idle
   * sessions are expired first (at most once a second, see makeRoom).
   */
  admit(owner: string): SessionRefusal | undefined {
    if (this.full || this.ownerFull(owner)) this.makeRoom();
    if (this.full) return 'tooManySessions';
    if (this.ownerFull(owner)) return 'tooManySessionsForPrincipal';
    return undefined;
  }

  private ownerFull(owner: string): boolean {
    return (this.owned.get(owner) ?? 0) >= this.limits.maxSessionsPerOwner;
  }

  /** A session not yet in the table: it joins only once `initialize` succeeded. */
  prepare(owner: string): HttpSession {
    // basic/transports.mdx: globally unique, cryptographically secure, visible ASCII only.
    const id = randomBytes(24).toString('base64url');
    return new HttpSession(id, owner, this.now(), this.limits, this.listening);
  }

  add(session: HttpSession): void {
    this.sessions.set(session.id, session);
    this.owned.set(session.owner, (this.owned.get(session.owner) ?? 0) + 1);
  }

  /** Keeps a session that just opened, in the store first: another replica may get its next request. */
  async register(session: HttpSession): Promise<void> {
    await this.sync.created(session);
    this.add(session);
  }

  /** The local copy only. */
  get(id: string): HttpSession | undefined {
    return this.sessions.get(id);
  }

  /**
   * The session `id` names: the local copy, else the store's record adopted as one. Rejects with
   * SessionStoreUnavailableError when the store cannot be asked.
   */
  async find(id: string): Promise<HttpSession | undefined> {
    return this.sessions.get(id) ?? this.sync.lookup(id);
  }

  /** Marks a session as used, once a request passed the session checks (see session-check.ts). */
  touch(session: HttpSession): void {
    session.lastSeen = this.now();
    this.sync.used(session);
  }

  /** Writes through what a request changed in the session (log level, subscriptions, initialized). */
  settle(session: HttpSession): Promise<void> {
    return this.sync.settle(session);
  }

  /** Ends a session everywhere (DELETE): the store first, so a failure leaves it whole. */
  async end(id: string): Promise<void> {
    await this.sync.end(id);
    this.delete(id);
  }

  /** Drops the local copy, ending its streams; with a shared store the session lives on elsewhere. */
  delete(id: string): boolean {
    const session = this.sessions.get(id);
    if (session === undefined) return false;
    this.sessions.delete(id);
    const left = (this.owned.get(session.owner) ?? 1) - 1;
    if (left > 0) this.owned.set(session.owner, left);
    else this.owned.delete(session.owner);
    this.sync.forget(id);
    session.close();
    return true;
  }

  /** Sessions with a standalone stream: the only ones unrelated notifications can reach. */
  listeners(): Iterable<HttpSession> {
    return this.listening;
  }

  /** How many sessions have a standalone stream open. */
  get listenerCount(): number {
    return this.listening.size;
  }

  /**
   * Expires idle sessions when the table is full, at most once a second: a client knocking on a
   * full server cannot make every initialize walk every session.
   */
  makeRoom(): void {
    const now = this.now();
    if (now - this.lastRoomMade < 1000) return;
    this.lastRoomMade = now;
    this.sweep(false);
  }

  /** Ends every standalone stream (shutdown): requests still running keep their own streams. */
  endListening(): void {
    for (const session of this.listening) session.standalone?.close();
  }

  /**
   * Expires idle sessions (basic/transports.mdx: the server MAY terminate a session) and sends
   * heartbeats. A session with an attached standalone stream is listening, hence not idle; a
   * stream whose socket is gone is not attached (event-stream.ts), so it keeps nothing alive.
   * With a shared store, an idle local copy goes, listening ones keep their sessions alive in the
   * store, and the store ends the sessions idle on every replica (the expiry is in the record).
   */
  sweep(heartbeats = true): number {
    const cutoff = this.now() - this.limits.idleMs;
    const listened: HttpSession[] = [];
    let expired = 0;
    for (const [id, session] of this.sessions) {
      const busy = session.standalone?.attached === true;
      if (!busy && session.lastSeen < cutoff) {
        this.delete(id);
        expired++;
        continue;
      }
      if (heartbeats) session.heartbeat();
      if (busy) listened.push(session);
    }
    this.sync.swept(listened);
    return expired;
  }

  /** Drops every local copy (shutdown); with a shared store the sessions live on for other replicas. */
  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.delete(id);
  }
}
