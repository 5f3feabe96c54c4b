import type { Logger } from 'pino';
import type { BackendStats } from '../backend/management-types.js';

/** How often (ms) the same unserved queue or name is warned about again, at most: once a minute. */
const UNSERVED_WARNING_INTERVAL_MS = 60_000;

/**
 * Warns about the queues and names `getStats` found waiting for a worker (`unservedQueues`, `unservedNames`),
 * one line naming each, at most once per `UNSERVED_WARNING_INTERVAL_MS` for the same one, however often the stats
 * are read.
 */
export class UnservedLog {
  readonly #logger: Logger;
  /** When each queue or name was last warned about (ms). */
  readonly #warnedAt = new Map<string, number>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Logs what `stats` reports that was not logged within the interval. */
  report(stats: Pick<BackendStats, 'unservedQueues' | 'unservedNames'>): void {
    const now = Date.now();
    for (const [key, at] of this.#warnedAt) if (now - at >= UNSERVED_WARNING_INTERVAL_MS) this.#warnedAt.delete(key);
    for (const { queue, kind, pendingTasks } of stats.unservedQueues) {
      if (!this.#due(JSON.stringify(['queue', kind, queue]), now)) continue;
      this.#logger.warn(
        { queue, kind, pendingTasks },
        `${pendingTasks} ${kind} task(s) wait on queue ${queue} and no live worker polls ${kind} tasks there: start a worker serving it`,
      );
    }
    for (const { kind, queue, name, lastSeenAt } of stats.unservedNames) {
      if (!this.#due(JSON.stringify(['name', kind, queue, name]), now)) continue;
      this.#logger.warn(
        { kind, queue, name, lastSeenAt },
        `${kind} ${name} on queue ${queue} is wanted by waiting tasks and no live worker serving the queue registers it: deploy a worker that does`,
      );
    }
  }

  #due(key: string, now: number): boolean {
    if (this.#warnedAt.has(key)) return false;
    this.#warnedAt.set(key, now);
    return true;
  }
}
