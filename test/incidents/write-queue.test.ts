/**
 * Tests for src/incidents/write-queue.ts: group commit (operations queued during a batch go out
 * together), a failed batch rejecting each of its operations, the idle run once writes pause
 * (never during a burst, never overlapping a batch), and close. Commit functions here are plain
 * async functions recording what they were given; waits poll with a deadline.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WriteQueue, type BatchOutcome } from '../../src/incidents/write-queue.ts';

/** A queue whose commit doubles numbers and records batches, optionally failing on a value. */
function recordingQueue(idleMs: number, failOn?: number) {
  const batches: number[][] = [];
  const events: string[] = [];
  let busy = false;
  const queue = new WriteQueue<number, number>({
    async commit(operations): Promise<BatchOutcome<number>> {
      assert.equal(busy, false, 'batches and idle runs never overlap');
      busy = true;
      await sleep(2);
      busy = false;
      batches.push(operations);
      events.push('commit');
      if (failOn !== undefined && operations.includes(failOn)) throw new Error(`cannot write ${failOn}`);
      return { results: operations.map((n) => n * 2), wrote: true };
    },
    async onIdle() {
      assert.equal(busy, false, 'batches and idle runs never overlap');
      events.push('idle');
    },
    idleMs,
  });
  return { queue, batches, events };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting until ${what}`);
    await sleep(2);
  }
}

describe('WriteQueue', () => {
  test('operations queued while a batch is in flight go out together in the next one, each with its own result', async () => {
    const { queue, batches } = recordingQueue(60_000);
    const results = await Promise.all([queue.push(1), queue.push(2), queue.push(3)]);
    assert.deepEqual(results, [2, 4, 6]);
    assert.deepEqual(batches, [[1], [2, 3]]);
    await queue.close();
  });

  test('a failed batch rejects every operation in it with the commit error, and the next batch still runs', async () => {
    const { queue } = recordingQueue(60_000, 2);
    const first = queue.push(1);
    const [second, third] = [queue.push(2), queue.push(3)];
    assert.equal(await first, 2);
    await assert.rejects(second, /cannot write 2/);
    await assert.rejects(third, /cannot write 2/);
    assert.equal(await queue.push(4), 8);
    await queue.close();
  });

  test('the idle run comes once, after writes pause, never during a burst of back-to-back writes', async () => {
    const { queue, events } = recordingQueue(80);
    for (let i = 0; i < 20; i++) await queue.push(i);
    assert.deepEqual(events.filter((e) => e === 'idle'), []);
    await until(() => events.includes('idle'), 'the idle run');
    assert.deepEqual(events.slice(-2), ['commit', 'idle']);
    await sleep(160);
    assert.equal(events.filter((e) => e === 'idle').length, 1, 'no idle run without a new write');
    await queue.close();
  });

  test('close cancels a pending idle run and refuses new operations', async () => {
    const { queue, events } = recordingQueue(20);
    await queue.push(1);
    await queue.close();
    await sleep(60);
    assert.deepEqual(events, ['commit']);
    await assert.rejects(queue.push(2), /closed/);
  });
});
