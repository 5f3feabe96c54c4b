import { QueueEvents, type Queue } from 'bullmq';
import type { BullmqConnection } from '../system.js';

interface Waiter {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

// QueueEvents reads a capped stream (10,000 events by default): a reader that falls far behind misses events.
// When nothing was heard for this long while jobs are awaited, one call compares the queue's count of
// finished jobs with the finishes heard; only if some were missed are the awaited jobs read one by one.
const SWEEP_INTERVAL_MS = 2000;

/** Waits for BullMQ jobs to finish, woken by `QueueEvents` (how BullMQ clients learn about completions). */
export class CompletionWatcher {
  readonly #events: QueueEvents;
  readonly #queue: Queue;
  readonly #waiting = new Map<string, Waiter>();
  readonly #sweeper: NodeJS.Timeout;
  #heardSinceSweep = false;
  #finishesHeard = 0;
  #closed = false;

  private constructor(events: QueueEvents, queue: Queue) {
    this.#events = events;
    this.#queue = queue;
    events.on('completed', ({ jobId, returnvalue }) => this.#settle(jobId, (w) => w.resolve(parsed(returnvalue))));
    events.on('failed', ({ jobId, failedReason }) => this.#settle(jobId, (w) => w.reject(new Error(`job ${jobId} failed: ${failedReason}`))));
    this.#sweeper = setInterval(() => {
      this.#sweep().catch((err: unknown) => {
        if (!this.#closed) process.stderr.write(`completion sweep failed: ${String(err)}\n`);
      });
    }, SWEEP_INTERVAL_MS);
  }

  /** Listens to `queue`'s events; resolves once the listener reads the stream. Open it before adding any job. */
  static async open(queue: Queue, connection: BullmqConnection['connection'], prefix: string): Promise<CompletionWatcher> {
    const events = new QueueEvents(queue.name, { connection, prefix });
    await events.waitUntilReady();
    return new CompletionWatcher(events, queue);
  }

  /** Resolves with the job's return value once it completed; call before the job can finish. */
  expect(jobId: string): Promise<unknown> {
    return new Promise((resolve, reject) => this.#waiting.set(jobId, { resolve, reject }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    await this.#events.close();
  }

  #settle(jobId: string, settle: (waiter: Waiter) => void, heard = true): void {
    if (heard) {
      this.#heardSinceSweep = true;
      this.#finishesHeard++;
    }
    const waiter = this.#waiting.get(jobId);
    if (waiter === undefined) return;
    this.#waiting.delete(jobId);
    settle(waiter);
  }

  async #sweep(): Promise<void> {
    const heard = this.#heardSinceSweep;
    this.#heardSinceSweep = false;
    if (heard || this.#waiting.size === 0 || this.#closed) return;
    const counts = await this.#queue.getJobCounts('completed', 'failed');
    if ((counts.completed ?? 0) + (counts.failed ?? 0) <= this.#finishesHeard) return;
    for (const jobId of [...this.#waiting.keys()]) {
      if (this.#closed) return;
      const job = await this.#queue.getJob(jobId);
      if (job?.finishedOn === undefined) continue;
      if (job.failedReason) this.#settle(jobId, (w) => w.reject(new Error(`job ${jobId} failed: ${job.failedReason}`)), false);
      else this.#settle(jobId, (w) => w.resolve(job.returnvalue), false);
    }
  }
}

function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
