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

  /** Marks `p` busy until `lane` ends (it must not reject). */
  runLate(p: number, lane: Promise<void>): void {
    this.#running.set(p, lane.finally(() => this.#running.delete(p)));
  }

  /** True while no lane outlived its round. */
  get idle(): boolean {
    return this.#running.size === 0;
  }

  /** Resolves once every lane that outlived its round has ended. */
  async settled(): Promise<void> {
    await Promise.all(this.#running.values());
  }
}
