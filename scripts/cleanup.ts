/**
 * What a test script started, stopped on every way out: in reverse order of starting, each stop
 * bounded (a stop that hangs is reported and passed over), none throwing. Used by
 * `npm run test:browser` and `npm run test:cluster`.
 */

/** How long one stop may take before the next is run. */
const STOP_WITHIN_MS = 10_000;

export class Cleanup {
  private readonly stops: Array<{ what: string; stop: () => Promise<void> }> = [];

  add(what: string, stop: () => Promise<void>): void {
    this.stops.push({ what, stop });
  }

  async run(): Promise<void> {
    for (const { what, stop } of this.stops.splice(0).reverse()) {
      const timeout = new Promise<string>((done) => setTimeout(() => done('timed out'), STOP_WITHIN_MS).unref());
      const outcome = await Promise.race([stop().then(() => '', (error: unknown) => String(error)), timeout]);
      if (outcome !== '') process.stdout.write(`  stopping ${what}: ${outcome}\n`);
    }
  }
}
