import type { BackendStats } from '../backend/management-types.js';
import type { OperatorCalls } from '../backend/operator-calls.js';

/** How long (ms) the gauges reuse the stats they last read, unless told otherwise. */
export const DEFAULT_STATS_INTERVAL_MS = 15_000;

/**
 * The stats of the attached store, read at most once per `intervalMs` whatever the number of scrapes, so a
 * scrape never hammers the store. A failed read reports nothing (the gauges are left out of that collection)
 * rather than failing the scrape.
 */
export class StatsCache {
  private readonly intervalMs: number;
  private readonly sources: OperatorCalls[] = [];
  private latest: { stats: BackendStats; readAtMs: number } | undefined;
  private reading: Promise<BackendStats | undefined> | undefined;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  /**
   * Adds a store to read from (the latest attached is read: workers of one process normally share their store).
   * Returns what detaches it.
   */
  attach(source: OperatorCalls): () => void {
    this.sources.push(source);
    return () => {
      const at = this.sources.lastIndexOf(source);
      if (at >= 0) this.sources.splice(at, 1);
      if (this.sources.length === 0) this.latest = undefined;
    };
  }

  /** The stats, read now when the last read is older than the interval; undefined when nothing is attached. */
  read(): Promise<BackendStats | undefined> {
    const source = this.sources[this.sources.length - 1];
    if (source === undefined) return Promise.resolve(undefined);
    if (this.latest !== undefined && Date.now() - this.latest.readAtMs < this.intervalMs) return Promise.resolve(this.latest.stats);
    this.reading ??= source.getStats().then(
      (stats) => {
        this.latest = { stats, readAtMs: Date.now() };
        this.reading = undefined;
        return stats;
      },
      () => {
        this.reading = undefined;
        return undefined;
      },
    );
    return this.reading;
  }
}
