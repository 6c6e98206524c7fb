/**
 * The store's single writer. Operations queue while a batch is in flight and go out together in
 * the next one (group commit). Once the writer has been idle for `idleMs` after a batch that wrote,
 * `onIdle` runs on the same writer, so it never overlaps a batch; a new operation disarms it. The
 * idle timer is unref'd (it never holds the process open) and cancelled by close. Knows nothing
 * of incidents or files.
 */

/** What one batch did: a result per operation, and whether anything was written. */
export interface BatchOutcome<R> {
  results: R[];
  wrote: boolean;
}

export interface WriteQueueOptions<Op, R> {
  /** Applies a batch in order; a throw rejects every operation of the batch with it. */
  commit(operations: Op[]): Promise<BatchOutcome<R>>;
  /** Runs once the writer is quiet after a write; must not throw. */
  onIdle(): Promise<void>;
  idleMs: number;
}

interface Pending<Op, R> {
  operation: Op;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class WriteQueue<Op, R> {
  readonly #options: WriteQueueOptions<Op, R>;
  #queue: Pending<Op, R>[] = [];
  #draining: Promise<void> | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #idleDue = false;
  #closed = false;

  constructor(options: WriteQueueOptions<Op, R>) {
    this.#options = options;
  }

  /** Resolves with the operation's result once its batch is committed. */
  push(operation: Op): Promise<R> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));
    clearTimeout(this.#idleTimer);
    return new Promise((resolve, reject) => {
      this.#queue.push({ operation, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Refuses new operations, cancels the idle timer, and waits for what is queued or running. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    await this.#draining;
  }

  // Whatever queued while a batch was in flight goes out together in the next one; a due idle run
  // waits behind queued operations.
  async #drain(): Promise<void> {
    let wrote = false;
    for (;;) {
      if (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        wrote = (await this.#commit(batch)) || wrote;
      } else if (this.#idleDue) {
        this.#idleDue = false;
        await this.#options.onIdle();
      } else {
        break;
      }
    }
    this.#draining = undefined;
    if (wrote && !this.#closed) this.#armIdle();
  }

  #armIdle(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#closed) return;
      this.#idleDue = true;
      this.#draining ??= this.#drain();
    }, this.#options.idleMs).unref();
  }

  async #commit(batch: Pending<Op, R>[]): Promise<boolean> {
    let outcome: BatchOutcome<R>;
    try {
      outcome = await this.#options.commit(batch.map((pending) => pending.operation));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return false;
    }
    batch.forEach((pending, i) => pending.resolve(outcome.results[i] as R));
    return outcome.wrote;
  }
}
