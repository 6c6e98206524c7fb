/**
 * The live sessions of the HTTP transport (MCP 2025-11-25 basic/transports.mdx "Session
 * Management"): cryptographically random ids, each session bound to the principal that created
 * it, its SSE streams, caps on how many live at once (in all, and per principal), idle expiry, and
 * a periodic sweep that also sends heartbeats. An HttpSession is the protocol Session
 * (protocol/session.ts) plus its HTTP side: one object per session, no state copied between two.
 */
import { randomBytes } from 'node:crypto';
import { Session } from '../protocol/session.ts';
import { EventStream, type StreamLimits } from './event-stream.ts';

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

  constructor(private readonly limits: SessionLimits, private readonly now: () => number = Date.now) {}

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

  get(id: string): HttpSession | undefined {
    return this.sessions.get(id);
  }

  /** Marks a session as used, once a request passed the session checks (see session-check.ts). */
  touch(session: HttpSession): void {
    session.lastSeen = this.now();
  }

  delete(id: string): boolean {
    const session = this.sessions.get(id);
    if (session === undefined) return false;
    this.sessions.delete(id);
    const left = (this.owned.get(session.owner) ?? 1) - 1;
    if (left > 0) this.owned.set(session.owner, left);
    else this.owned.delete(session.owner);
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
   */
  sweep(heartbeats = true): number {
    const cutoff = this.now() - this.limits.idleMs;
    let expired = 0;
    for (const [id, session] of this.sessions) {
      const busy = session.standalone?.attached === true;
      if (!busy && session.lastSeen < cutoff) {
        this.delete(id);
        expired++;
      } else if (heartbeats) {
        session.heartbeat();
      }
    }
    return expired;
  }

  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.delete(id);
  }
}
