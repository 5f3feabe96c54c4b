import type { Logger } from 'pino';
import { LeaseLostError } from '../errors/errors.js';

/**
 * Extends a task's lease every third of its lock timeout until stopped. `onLost` runs once if another
 * worker took the task over; transient errors are logged and retried at the next tick.
 */
export function keepLeased(
  extend: () => Promise<void>,
  lockTimeoutMs: number,
  logger: Logger,
  onLost: (err: LeaseLostError) => void,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    extend().then(
      schedule,
      (err: unknown) => {
        if (stopped) return;
        if (err instanceof LeaseLostError) {
          stopped = true;
          onLost(err);
          return;
        }
        logger.warn({ err }, 'could not extend a task lease; retrying');
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
