import { InvalidArgumentError } from '../../errors/errors.js';

/**
 * The consumers a backend holds task entries with, one per lease length: `<name>~<lock timeout ms>`.
 *
 * This is where a task's lease is stored. The group's pending list already records, for every claimed
 * entry, the consumer holding it and the time since it was last delivered or extended (its idle time);
 * naming the consumer after the lease it granted adds the lease length, so any worker can tell from
 * Redis alone whether the holder's own lease has run out (lua/reclaim-tasks.lua), whatever lease that
 * worker uses itself. A claim costs no extra write, and an extension that asks for another lease moves
 * the entry to the consumer named for it.
 */
export class LeaseConsumers {
  readonly #name: string;
  readonly #used = new Set<string>();

  /** `name` is this backend's consumer name, unique among the workers of a prefix. */
  constructor(name: string) {
    this.#name = name;
  }

  /**
   * The consumer that holds tasks leased for `lockTimeoutMs` (rounded up to a whole ms). Throws
   * `InvalidArgumentError` unless it is a finite number >= 0.
   */
  for(lockTimeoutMs: number): string {
    return this.#use(`${this.#name}~${wholeMs(lockTimeoutMs)}`);
  }

  /**
   * The consumer that keeps tasks given back for `delayMs` (rounded up to a whole ms): `<name>~later~<ms>`.
   * reclaim-tasks reads the delay from it as it reads a lease; the `~later` mark tells every script that no
   * worker holds such an entry (lua/lib/deferred-consumer.lua), so its last holder can no longer extend,
   * start, give back or defer it, and a cancellation removes it at once. A worker's own name ends in its
   * random hex part, so no lease consumer carries the mark. Throws `InvalidArgumentError` unless `delayMs` is
   * a finite number >= 0.
   */
  later(delayMs: number): string {
    return this.#use(`${this.#name}~later~${wholeMs(delayMs)}`);
  }

  #use(consumer: string): string {
    this.#used.add(consumer);
    return consumer;
  }

  /** Every consumer handed out so far: those that may exist in task-stream groups. */
  get used(): ReadonlySet<string> {
    return this.#used;
  }
}

function wholeMs(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new InvalidArgumentError(`a task lease must be a non-negative number of milliseconds, got ${ms}`);
  }
  return Math.ceil(ms);
}
