import type { Logger } from 'pino';
import type { TaskKind, UnknownName } from '../backend/backend.js';

/** Options of `UnknownNames`. */
export interface UnknownNamesOptions {
  /** Shortest time (ms) between two warnings about the same name. @default 60_000 */
  intervalMs?: number;
  /** The clock (ms since the epoch). @default Date.now */
  now?: () => number;
  /**
   * Records the name where operators see it (`Backend.recordUnknownName`, read by `getStats().unservedNames`);
   * called with each warning, so as rarely. Its failure is logged at debug level.
   */
  record?: (name: UnknownName) => Promise<void>;
}

/** Default of `UnknownNamesOptions.intervalMs`: one warning per name per minute. */
const UNKNOWN_NAME_WARNING_INTERVAL_MS = 60_000;

// Past this many remembered names, those whose interval is over are forgotten, so that a stream of distinct
// names cannot grow the map for good.
const PRUNE_ABOVE = 1000;

/**
 * Reports the names a worker claimed tasks for without having registered them. Such a task goes back for
 * another worker and comes back again and again until one that has the name takes it: each report of a
 * (kind, queue, name) logs a warning only when none was logged for it within `intervalMs`, so a bouncing
 * task cannot flood the log.
 */
export class UnknownNames {
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly record: UnknownNamesOptions['record'];
  private readonly warnedAt = new Map<string, number>();

  constructor(logger: Logger, options: UnknownNamesOptions = {}) {
    this.logger = logger;
    this.intervalMs = options.intervalMs ?? UNKNOWN_NAME_WARNING_INTERVAL_MS;
    this.now = options.now ?? Date.now;
    this.record = options.record;
  }

  /** A task of `kind` `name` on `queue` was claimed by this worker, which lacks the name. Never throws. */
  report(kind: TaskKind, queue: string, name: string): void {
    const now = this.now();
    const key = `${kind}\n${queue}\n${name}`;
    const last = this.warnedAt.get(key);
    if (last !== undefined && now - last < this.intervalMs) return;
    if (this.warnedAt.size >= PRUNE_ABOVE) this.prune(now);
    this.warnedAt.set(key, now);
    this.logger.warn(
      { kind, queue, name },
      `${kind} ${name} is not registered on this worker (queue ${queue}): its tasks wait for a worker that registered it`,
    );
    // The store's record only costs the report when it fails: the task goes back either way.
    this.record?.({ kind, queue, name }).catch((err: unknown) => {
      this.logger.debug({ err, kind, queue, name }, 'could not record the unknown name');
    });
  }

  private prune(now: number): void {
    for (const [key, at] of this.warnedAt) if (now - at >= this.intervalMs) this.warnedAt.delete(key);
  }
}
