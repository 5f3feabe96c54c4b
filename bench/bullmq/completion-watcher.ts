import { QueueEvents, type Queue } from 'bullmq';
import { bullmqConnection } from '../system.js';

interface Waiter {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

// QueueEvents reads a capped stream: a reader that falls far behind can miss events. When nothing arrived for
// this long while jobs are still awaited, their state is read directly instead.
const SWEEP_INTERVAL_MS = 2000;

/** Waits for BullMQ jobs to finish, woken by `QueueEvents` (how BullMQ clients learn about completions). */
export class CompletionWatcher {
  readonly #events: QueueEvents;
  readonly #queue: Queue;
  readonly #waiting = new Map<string, Waiter>();
  readonly #sweeper: NodeJS.Timeout;
  #heardSinceSweep = false;

  private constructor(events: QueueEvents, queue: Queue) {
    this.#events = events;
    this.#queue = queue;
    events.on('completed', ({ jobId, returnvalue }) => this.#settle(jobId, (w) => w.resolve(parsed(returnvalue))));
    events.on('failed', ({ jobId, failedReason }) => this.#settle(jobId, (w) => w.reject(new Error(`job ${jobId} failed: ${failedReason}`))));
    this.#sweeper = setInterval(() => void this.#sweep(), SWEEP_INTERVAL_MS);
  }

  /** Listens to `queue`'s events; resolves once the listener reads the stream. */
  static async open(queue: Queue, redisUrl: string, prefix: string): Promise<CompletionWatcher> {
    const events = new QueueEvents(queue.name, { connection: bullmqConnection(redisUrl), prefix });
    await events.waitUntilReady();
    return new CompletionWatcher(events, queue);
  }

  /** Resolves with the job's return value once it completed; call before the job can finish. */
  expect(jobId: string): Promise<unknown> {
    return new Promise((resolve, reject) => this.#waiting.set(jobId, { resolve, reject }));
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await this.#events.close();
  }

  #settle(jobId: string, settle: (waiter: Waiter) => void): void {
    this.#heardSinceSweep = true;
    const waiter = this.#waiting.get(jobId);
    if (waiter === undefined) return;
    this.#waiting.delete(jobId);
    settle(waiter);
  }

  async #sweep(): Promise<void> {
    const heard = this.#heardSinceSweep;
    this.#heardSinceSweep = false;
    if (heard || this.#waiting.size === 0) return;
    for (const jobId of [...this.#waiting.keys()]) {
      const job = await this.#queue.getJob(jobId);
      if (job?.finishedOn === undefined) continue;
      if (job.failedReason) this.#settle(jobId, (w) => w.reject(new Error(`job ${jobId} failed: ${job.failedReason}`)));
      else this.#settle(jobId, (w) => w.resolve(job.returnvalue));
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
