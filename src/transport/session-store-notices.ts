/**
 * The PostgreSQL session store's notice connection (issue 13): one dedicated client that LISTENs
 * on the sessions channel and hands each payload on. When the connection is lost it connects
 * again (1 s, doubling to 30 s), LISTENs again, and reports that notices may have been missed, so
 * the table reads its copies again instead of trusting them. It parses no payload and runs no
 * other query; the pooled queries are pg-sessions.ts's.
 */
import pg from 'pg';

const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30_000;

export interface NoticeOptions {
  readonly url: string;
  /** A plain identifier: LISTEN takes no parameter. */
  readonly channel: string;
  readonly connectTimeoutMs: number;
  readonly onNotice: (payload: string) => void;
  /** Called after a reconnect: notices sent while it was down are lost (PostgreSQL NOTIFY). */
  readonly onMissed: () => void;
  /** A failure, as a code (the caller logs it); never a driver message. */
  readonly onLost: (error: unknown) => void;
}

/** The LISTEN connection; `start` resolves once it listens, or rejects when the first connect fails. */
export class NoticeListener {
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #retryMs = FIRST_RETRY_MS;
  #closed = false;

  constructor(private readonly options: NoticeOptions) {}

  async start(): Promise<void> {
    await this.#connect();
  }

  async #connect(): Promise<void> {
    const { url, channel, connectTimeoutMs, onNotice } = this.options;
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new TypeError(`not a plain channel name: ${channel}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true, application_name: 'incident-mcp-server sessions' });
    client.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) onNotice(message.payload);
    });
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) return void (await client.end().catch(() => undefined));
    this.#client = client;
    this.#retryMs = FIRST_RETRY_MS;
  }

  /** The current client failed: drop it, and try again later (once per client). */
  #lost(client: pg.Client, error: unknown): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.options.onLost(error);
    this.#schedule();
  }

  #schedule(): void {
    const wait = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, LAST_RETRY_MS);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect().then(
        () => {
          if (!this.#closed) this.options.onMissed();
        },
        (error: unknown) => {
          if (this.#closed) return;
          this.options.onLost(error);
          this.#schedule();
        },
      );
    }, wait);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
