import type { Logger } from 'pino';
import { FailureLog } from '../core/failure-log.js';
import { LeaseLostError } from '../errors/errors.js';

/**
 * Extends a task's lease every third of its lock timeout until stopped. `onLost` runs once if another
 * worker took the task over; other errors are retried at the next tick, logged when they start and when an
 * extension succeeds again (an unreachable store is reported by the backend itself).
 */
export function keepLeased(
  extend: () => Promise<void>,
  lockTimeoutMs: number,
  logger: Logger,
  onLost: (err: LeaseLostError) => void,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const failures = FailureLog.forLoop(logger, 'extending a task lease');
  const tick = (): void => {
    extend().then(
      () => {
        failures.succeeded();
        schedule();
      },
      (err: unknown) => {
        if (stopped) return;
        if (err instanceof LeaseLostError) {
          stopped = true;
          onLost(err);
          return;
        }
        failures.failed(err);
        schedule();
      },
    );
  };
  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(tick, Math.max(50, Math.floor(lockTimeoutMs / 3)));
  }
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
