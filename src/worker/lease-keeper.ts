import type { Logger } from 'pino';
import { FailureLog } from '../core/failure-log.js';
import { LeaseLostError } from '../errors/errors.js';

/**
 * Keeps the leases of a worker's running tasks, each extended every third of its lock timeout until its task
 * ends; `abandonAll` stops every one of them at once, so that tasks a stopping worker gives up on (its
 * `stopTimeoutMs` ran out) go to other workers when their leases run out, even while this process lives on.
 */
export class LeaseKeeper {
  readonly #running = new Set<() => void>();
  #abandoned = false;

  /**
   * Starts extending a task's lease with `extend`; returns the function that stops it (call it when the task
   * ends; later calls do nothing). `onLost` runs once if another worker took the task over; other errors are
   * retried at the next tick, logged when they start and when an extension succeeds again (an unreachable
   * store is reported by the backend itself) on the logger `logger` returns, asked for only then. After
   * `abandonAll`, nothing is extended any more.
   */
  keep(extend: () => Promise<void>, lockTimeoutMs: number, logger: () => Logger, onLost: (err: LeaseLostError) => void): () => void {
    let stopped = this.#abandoned;
    let timer: NodeJS.Timeout | undefined;
    // Made on the first failure: most leases never fail, and this runs once per task.
    let failures: FailureLog | undefined;
    const stop = (): void => {
      stopped = true;
      clearTimeout(timer);
      this.#running.delete(stop);
    };
    const tick = (): void => {
      extend().then(
        () => {
          failures?.succeeded();
          schedule();
        },
        (err: unknown) => {
          if (stopped) return;
          if (err instanceof LeaseLostError) {
            stop();
            onLost(err);
            return;
          }
          failures ??= FailureLog.forLoop(logger(), 'extending a task lease');
          failures.failed(err);
          schedule();
        },
      );
    };
    function schedule(): void {
      if (stopped) return;
      timer = setTimeout(tick, Math.max(50, Math.floor(lockTimeoutMs / 3)));
    }
    if (!stopped) this.#running.add(stop);
    schedule();
    return stop;
  }

  /** Stops extending every lease, now and for tasks started later. */
  abandonAll(): void {
    this.#abandoned = true;
    for (const stop of [...this.#running]) stop();
  }
}
