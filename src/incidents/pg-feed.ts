/**
 * The change feed between replicas (issue 13): every committed create or update is announced with
 * PostgreSQL's NOTIFY on channel `incidents` (`announce`, run inside the write transaction, so
 * the announcement is delivered on commit and never for a rollback), its payload the id and the
 * revision only, never incident text. Each store LISTENs on a dedicated connection, not one of the
 * pool's (a pooled connection is shared and comes and goes), and hands announcements to the store,
 * which fetches the rows it does not have yet. When that connection drops, the feed reconnects
 * with a growing, jittered delay, then asks the store to catch up: read the whole table again and
 * tell its listeners they may have missed changes. Nothing here knows the incidents' columns.
 */
import pg from 'pg';
import type { PoolClient } from 'pg';

/** The NOTIFY channel of committed incident rows. */
export const CHANGES_CHANNEL = 'incidents';
/** How the LISTEN connection names itself in pg_stat_activity (not the pool's name: it is not one of its connections). */
export const FEED_APPLICATION_NAME = 'incident-mcp-server-listen';

/** Inside a write transaction: announces the committed row `id` at `revision` once the transaction commits. */
export async function announce(client: PoolClient, id: string, revision: string): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, `${id}:${revision}`]);
}

/** `id:revision` as announced, or undefined for a payload this code did not write. */
export function parseAnnouncement(payload: string | undefined): { id: string; revision: number } | undefined {
  const match = /^([1-9]\d{0,15}):([1-9]\d{0,15})$/.exec(payload ?? '');
  if (match === null) return undefined;
  return { id: match[1] as string, revision: Number(match[2]) };
}

/** What the feed asks of its store. */
export interface FeedTarget {
  /** An announced row: fetch it unless already held at that revision or later. */
  announced(id: string, revision: number): void;
  /** After a reconnect: read every row again and announce what changed; rejects while unreachable. */
  catchUp(): Promise<void>;
}

export interface FeedOptions {
  readonly url: string;
  readonly connectTimeoutMs: number;
  /** First reconnect delay; each failure doubles it up to `maxDelayMs` (default 100 and 5000). */
  readonly minDelayMs?: number | undefined;
  readonly maxDelayMs?: number | undefined;
}

/** The LISTEN connection and its reconnection. */
export class ChangeFeed {
  readonly #options: FeedOptions;
  readonly #target: FeedTarget;
  #client: pg.Client | undefined;
  #closed = false;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The catch-up still owed after a reconnect (it is retried until the table could be read). */
  #owed = false;
  #ping: Promise<boolean> | undefined;

  constructor(options: FeedOptions, target: FeedTarget) {
    this.#options = options;
    this.#target = target;
  }

  /** Connects and LISTENs; rejects when the first connection cannot be made (the store does not open). */
  async start(): Promise<void> {
    this.#client = await this.#connect();
  }

  /** True while the LISTEN connection is up. */
  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** True when the LISTEN connection is up and answers `SELECT 1` within `timeoutMs`: a cheap readiness check. */
  reachable(timeoutMs: number): Promise<boolean> {
    const client = this.#client;
    if (client === undefined) return Promise.resolve(false);
    // Concurrent checks share one round trip; a late answer is a no.
    this.#ping ??= new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      client.query('SELECT 1').then(() => resolve(true), () => resolve(false)).finally(() => clearTimeout(timer));
    }).finally(() => {
      this.#ping = undefined;
    });
    return this.#ping;
  }

  /** An announced row could not be fetched: catch up later, as after a reconnect. */
  owe(): void {
    if (this.#owed) return;
    this.#owed = true;
    // While reconnecting, the catch-up follows the reconnect.
    if (this.#client !== undefined) this.#schedule(() => this.#catchUp());
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.#options.url,
      connectionTimeoutMillis: this.#options.connectTimeoutMs,
      keepAlive: true,
      application_name: FEED_APPLICATION_NAME,
    });
    // An error or end of this connection is a lost feed; before it is the feed's, a failed connect.
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    client.on('notification', (message) => {
      if (message.channel !== CHANGES_CHANNEL) return;
      const announced = parseAnnouncement(message.payload);
      if (announced !== undefined) this.#target.announced(announced.id, announced.revision);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  #lost(client: pg.Client): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    void client.end().catch(() => undefined);
    // Whatever was committed from now until the next LISTEN is not announced to us.
    this.#owed = true;
    this.#schedule(() => this.#reconnect());
  }

  async #reconnect(): Promise<void> {
    try {
      const client = await this.#connect();
      if (this.#closed) return void (await client.end().catch(() => undefined));
      this.#client = client;
    } catch {
      this.#failures += 1;
      return this.#schedule(() => this.#reconnect());
    }
    this.#failures = 0;
    await this.#catchUp();
  }

  /** Listening again, so nothing committed from now on is missed: read what was. */
  async #catchUp(): Promise<void> {
    if (!this.#owed || this.#closed) return;
    try {
      await this.#target.catchUp();
      this.#owed = false;
      this.#failures = 0;
    } catch {
      // The table could not be read (the pool is reconnecting too): try again later.
      this.#failures += 1;
      this.#schedule(() => this.#catchUp());
    }
  }

  /** Runs `next` after the back-off delay: doubling from minDelayMs, at most maxDelayMs, jittered down by up to half. */
  #schedule(next: () => Promise<void>): void {
    if (this.#closed) return;
    const min = this.#options.minDelayMs ?? 100;
    const max = this.#options.maxDelayMs ?? 5000;
    const delay = Math.min(max, min * 2 ** Math.min(this.#failures, 16));
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void next(), delay * (0.5 + Math.random() / 2));
    // The feed alone never keeps the process alive.
    this.#timer.unref();
  }
}
