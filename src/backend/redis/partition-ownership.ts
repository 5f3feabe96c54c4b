import type { Logger } from 'pino';
import { FailureLog } from '../../core/failure-log.js';
import { partitionMembersKey, partitionOwnersKey } from './keys.js';
import type { RedisContext } from './redis-context.js';
import { ScriptRunner } from './script-runner.js';
import { WakeableSleep } from './wakeable-sleep.js';

/** Options of `PartitionOwnership`. */
export interface PartitionOwnershipOptions {
  /** The backend's connection, key prefix and partition count. */
  context: RedisContext;
  /** This backend's name: its member and the holder named in its leases. */
  name: string;
  /** How long a membership and a partition lease last unless renewed (ms); renewed every third of it. */
  leaseMs: number;
  /** Hears when rounds fail and recover, and when partitions cannot be given up on close. */
  logger: Logger;
  /**
   * Told the partitions this backend owns from now on and those it stopped owning, after each round that
   * changed them, and awaited before the next round. A partition given up is free in Redis as soon as the
   * round's script ran, so its new owner may start its loops before this one has stopped them: the loops'
   * writes are safe when two run at once (see src/backend/redis/README.md, "Partition ownership").
   */
  changed(acquired: readonly number[], released: readonly number[]): Promise<void>;
}

/**
 * Shares a prefix's partitions among the live backends that run background loops, through leases in
 * Redis (lua/hold-partitions.lua): each backend renews its membership and its leases every third of the
 * lease and moves towards ceil(partitions / live members). A backend that cannot renew drops every
 * partition once its leases may have run out, by its own clock, and takes them again when Redis answers.
 * `stop()` gives them all up, so the others take them over at their next round.
 */
export class PartitionOwnership {
  readonly #options: PartitionOwnershipOptions;
  readonly #runner: ScriptRunner;
  readonly #keys: string[];
  readonly #sleeper = new WakeableSleep();
  readonly #failures: FailureLog;
  #owned = new Set<number>();
  #running: Promise<void> | undefined;
  #stopped = false;
  /** It dropped its partitions because it could not renew their leases, and has not owned any since. */
  #stoppedOwning = false;

  constructor(options: PartitionOwnershipOptions) {
    this.#options = options;
    this.#runner = new ScriptRunner(options.context.client);
    const { prefix } = options.context;
    this.#keys = [partitionMembersKey(prefix), partitionOwnersKey(prefix)];
    this.#failures = FailureLog.forLoop(options.logger, 'partition ownership');
  }

  /** The partitions this backend owns now. */
  get owned(): ReadonlySet<number> {
    return this.#owned;
  }

  /** Starts the rounds (once). */
  start(): void {
    this.#running ??= this.#run();
  }

  /** Stops the rounds, stops the loops of every owned partition (`changed`) and gives the leases up. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sleeper.wake();
    await this.#running;
    await this.#apply([]);
    if (this.#running === undefined) return;
    await this.#runner.run('release-partitions', this.#keys, [this.#options.name]).catch((err: unknown) => {
      this.#options.logger.debug({ err }, 'could not give partitions up');
    });
  }

  async #run(): Promise<void> {
    const { leaseMs } = this.#options;
    const periodMs = Math.max(1, Math.floor(leaseMs / 3));
    // Leases run out by Redis's clock from when the script ran, which is after the call left.
    let validUntil = 0;
    while (!this.#stopped) {
      const sentAt = Date.now();
      try {
        const reply = await this.#runner.run('hold-partitions', this.#keys, [this.#options.name, leaseMs, this.#options.context.partitions]);
        this.#failures.succeeded();
        validUntil = sentAt + leaseMs;
        // A reply that took longer than the lease speaks of leases that may have been taken over meanwhile.
        const partitions = Date.now() < validUntil ? (reply as number[]).map(Number) : [];
        if (!this.#stopped) await this.#apply(partitions);
        if (this.#stoppedOwning && partitions.length > 0) {
          this.#stoppedOwning = false;
          this.#options.logger.info({ partitions: partitions.length }, 'partition ownership renewed: this worker runs the timer loops and outbox relays of its partitions again');
        }
      } catch (err) {
        if (this.#stopped) break;
        this.#failures.failed(err);
        // The next round may come too late: stop before the leases can have been taken over.
        if (Date.now() + periodMs >= validUntil) {
          // The failure log leaves out an unreachable store (the connection reports it), but not this consequence.
          if (this.#owned.size > 0) {
            this.#stoppedOwning = true;
            this.#options.logger.warn(
              { err, partitions: this.#owned.size },
              'partition ownership could not be renewed within its lease: this worker stopped the timer loops and outbox relays of its partitions until the ownership table (<prefix>:{workers}, on one Redis node) answers again',
            );
          }
          await this.#apply([]);
        }
      }
      if (!this.#stopped) await this.#sleeper.sleepUntil(Date.now() + periodMs);
    }
  }

  async #apply(partitions: readonly number[]): Promise<void> {
    const next = new Set(partitions);
    const acquired = partitions.filter((p) => !this.#owned.has(p));
    const released = [...this.#owned].filter((p) => !next.has(p));
    if (acquired.length > 0 || released.length > 0) await this.#options.changed(acquired, released);
    // Only once the loops follow: if telling them failed, the next round tells them again.
    this.#owned = next;
  }
}
