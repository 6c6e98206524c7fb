/**
 * Create bursts for the fault checks of `npm run test:cluster`: a few loops, each sending
 * 2026-07-28 create_incident calls one after another through nginx, every outcome recorded with
 * its times; and the audit afterwards: every create acknowledged (200 with an id) must be in the
 * `incidents` table with its title. The audit reads PostgreSQL directly, not through a replica.
 */
import type { ClusterPostgres } from './cluster-postgres.ts';
import { createdId, modern, responseOf, type Target } from './cluster-client.ts';

/** One create: when it was sent and answered, the HTTP status (0: no answer), the id when acknowledged. */
export interface Outcome {
  readonly loop: number;
  readonly title: string;
  readonly started: number;
  readonly ended: number;
  readonly status: number;
  readonly id: string | undefined;
  /** A 503 carrying Retry-After. */
  readonly retryAfter: boolean;
  /** A 200 whose tool result is an error (e.g. the database went away during COMMIT: outcome unknown). */
  readonly toolError: boolean;
  readonly error: string | undefined;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** `loops` concurrent create loops through `target`, from start() until stop(). */
export class Burst {
  readonly outcomes: Outcome[] = [];
  private running = false;
  private loops: Array<Promise<void>> = [];

  constructor(private readonly target: Target, private readonly token: string, readonly tag: string) {}

  start(loops: number): void {
    this.running = true;
    for (let loop = 0; loop < loops; loop++) this.loops.push(this.loop(loop));
  }

  private async loop(loop: number): Promise<void> {
    for (let n = 0; this.running; n++) {
      const title = `${this.tag} ${loop}-${n}`;
      const started = Date.now();
      try {
        const reply = await modern(this.target, this.token, 'tools/call', { name: 'create_incident', arguments: { title, severity: 'low' } }, REQUEST_TIMEOUT_MS);
        const id = createdId(reply);
        const toolError = reply.status === 200 && responseOf(reply)?.result?.isError === true;
        this.outcomes.push({ loop, title, started, ended: Date.now(), status: reply.status, id, retryAfter: reply.status === 503 && reply.headers['retry-after'] !== undefined, toolError, error: id === undefined ? reply.body.slice(0, 200) : undefined });
      } catch (error) {
        this.outcomes.push({ loop, title, started, ended: Date.now(), status: 0, id: undefined, retryAfter: false, toolError: false, error: error instanceof Error ? error.message : String(error) });
      }
      // A refusal comes at once: pause a little, as a client would, rather than spin.
      if (this.outcomes.at(-1)?.id === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops the loops after their current request; resolves with every outcome. */
  async stop(): Promise<Outcome[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.outcomes;
  }

  acknowledged(): Outcome[] {
    return this.outcomes.filter((outcome) => outcome.id !== undefined);
  }

  failed(): Outcome[] {
    return this.outcomes.filter((outcome) => outcome.id === undefined);
  }
}

export interface Audit {
  readonly acknowledged: number;
  /** Acknowledged creates whose row is missing or carries another title. */
  readonly lost: readonly string[];
  /** Rows of this burst that no acknowledgement names (created, but the client never heard so). */
  readonly unacknowledgedRows: number;
  /** Acknowledged titles stored more than once (a create sent again by nginx after a crash). */
  readonly duplicated: number;
}

/** Compares a burst's acknowledgements with what PostgreSQL holds. */
export async function audit(postgres: ClusterPostgres, burst: Burst): Promise<Audit> {
  const rows = await postgres.query<{ id: string; title: string }>("SELECT id::text AS id, title FROM incidents WHERE title LIKE $1 || ' %'", [burst.tag]);
  const byId = new Map(rows.map((row) => [row.id, row.title]));
  const acked = burst.acknowledged();
  const lost = acked.filter((outcome) => byId.get(outcome.id as string) !== outcome.title).map((outcome) => `#${outcome.id as string} "${outcome.title}"`);
  const ackedIds = new Set(acked.map((outcome) => outcome.id));
  const titles = new Map<string, number>();
  for (const row of rows) titles.set(row.title, (titles.get(row.title) ?? 0) + 1);
  return {
    acknowledged: acked.length,
    lost,
    unacknowledgedRows: rows.filter((row) => !ackedIds.has(row.id)).length,
    duplicated: [...titles.values()].filter((count) => count > 1).length,
  };
}

/** How often each key occurs, e.g. `200×312 503×12`. */
export function tally(keys: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts].sort().map(([key, count]) => `${key}×${count}`).join(' ') || 'none';
}

/** Outcomes by status, e.g. `200×312 503×12 no-answer×1`. */
export function statusCounts(outcomes: readonly Outcome[]): string {
  return tally(outcomes.map((outcome) => (outcome.status === 0 ? 'no-answer' : outcome.toolError ? '200-tool-error' : outcome.status === 200 && outcome.id === undefined ? '200-not-created' : String(outcome.status))));
}

/** Milliseconds to wait, bounded by the check's signal; resolves early when it aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
