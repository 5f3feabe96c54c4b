import { settledWithin } from '../../core/settled-within.js';
import { SLOW_NODE_CUTOFF_MS } from './slow-node.js';

/** What a lane of deliveries to one partition did: the entries it delivered, and the failure that ended it early. */
export interface LaneResult {
  done: string[];
  error?: unknown;
}

/** What the lanes of a round that ended within it did. */
export interface LaneRound {
  /** Entries delivered by the lanes that ended. */
  done: string[];
  /** The failure of each lane that ended early, with its target partition (in lane order). */
  failures: Array<{ partition: number; error: unknown }>;
  /** Lanes run, late ones included. */
  lanes: number;
}

/**
 * Which target partitions an outbox relay may deliver to now. A partition whose lane (its deliveries, in order)
 * outlived its round is busy until the lane ends; one whose messages were left pending (its lane was busy, or a
 * delivery met a node that could not serve it) is blocked until a pass goes through the pending entries in
 * order, and not before the time it was blocked until. New messages to a busy or blocked partition stay pending
 * behind the older ones, so each target still receives its messages in order.
 */
export class DeliveryLanes {
  /** Busy partitions: the lane of each, which ends by itself. */
  readonly #running = new Map<number, Promise<void>>();
  /** Blocked partitions, each with the soonest time a pass may deliver to it (ms since the epoch; 0: the next pass). */
  readonly #blocked = new Map<number, number>();

  /** Whether messages to `p` may be delivered now; when not, `p` stays blocked until a pass after its lane ends. */
  admits(p: number): boolean {
    if (!this.#running.has(p) && !this.#blocked.has(p)) return true;
    this.block(p, 0);
    return false;
  }

  /** Leaves the messages to `p` pending until a pass after `untilMs` (0: the next pass). */
  block(p: number, untilMs: number): void {
    this.#blocked.set(p, Math.max(this.#blocked.get(p) ?? 0, untilMs));
  }

  /**
   * At the start of a pass over every pending entry: frees the partitions blocked until now or earlier, and
   * returns when the soonest one still blocked may be tried (Infinity when none is).
   */
  beginPass(nowMs = Date.now()): number {
    let nextMs = Infinity;
    for (const [p, untilMs] of this.#blocked) {
      if (untilMs <= nowMs) this.#blocked.delete(p);
      else nextMs = Math.min(nextMs, untilMs);
    }
    return nextMs;
  }

  /**
   * Runs `lane` for each partition of `lanes` at once (it must not reject) and returns what the lanes that ended
   * within `SLOW_NODE_CUTOFF_MS` did; each one still running then keeps its partition busy until it ends, and
   * `late` takes its result and partition (`late` must not reject either).
   */
  async round<T>(lanes: ReadonlyMap<number, T[]>, lane: (p: number, entries: T[]) => Promise<LaneResult>, late: (result: Promise<LaneResult>, p: number) => Promise<void>): Promise<LaneRound> {
    const partitions = [...lanes.keys()];
    const running = [...lanes.values()].map((entries, i) => lane(partitions[i] as number, entries));
    const outcomes = await settledWithin(running, SLOW_NODE_CUTOFF_MS);
    const round: LaneRound = { done: [], failures: [], lanes: running.length };
    outcomes.forEach((outcome, i) => {
      if (outcome === undefined) {
        const p = partitions[i] as number;
        this.#running.set(p, late(running[i] as Promise<LaneResult>, p).finally(() => this.#running.delete(p)));
        return;
      }
      const result = outcome.status === 'fulfilled' ? outcome.value : { done: [], error: outcome.reason as unknown };
      round.done.push(...result.done);
      if (result.error !== undefined) round.failures.push({ partition: partitions[i] as number, error: result.error });
    });
    return round;
  }

  /** True while no partition is busy or blocked. */
  get clear(): boolean {
    return this.#running.size === 0 && this.#blocked.size === 0;
  }

  /** Resolves once every lane that outlived its round has ended. */
  async settled(): Promise<void> {
    await Promise.all(this.#running.values());
  }
}
