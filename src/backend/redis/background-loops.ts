import type { Logger } from 'pino';
import type { AnnouncementConnection } from './announcement-connection.js';
import { ActivityDeadlines } from './activity-deadlines.js';
import { DeferredActivities } from './deferred-activities.js';
import type { DataLossWatch } from './data-loss-watch.js';
import { MessageDelivery } from './message-delivery.js';
import { outboxKey } from './keys.js';
import { OutboxRelay } from './outbox-relay.js';
import type { OutboxRetryPolicy } from './outbox-retry-policy.js';
import { PartitionOwnership } from './partition-ownership.js';
import type { RedisContext } from './redis-context.js';
import { RelayLeases } from './relay-leases.js';
import { RelayScripts } from './relay-scripts.js';
import type { RedisScripts } from './scripts.js';
import { TimerLoop } from './timer-loop.js';
import { WakeSubscriber } from './wake-subscriber.js';

/** Options of `BackgroundLoops`. */
export interface BackgroundLoopsOptions {
  context: RedisContext;
  scripts: RedisScripts;
  group: string;
  consumer: string;
  /** The backend's longest blocking read (ms): a relay lease lasts 3 times it, at least 5 s. */
  blockTimeoutMs: number;
  timerBatchSize: number;
  /** Backoff of outbox messages whose delivery fails. */
  outboxRetry: OutboxRetryPolicy;
  /** Started with the loops: it writes the config record again when Redis lost its data. */
  watch: DataLossWatch;
  /** Lease of partition ownership (ms); see `PartitionOwnership`. */
  ownershipLeaseMs: number;
  /** The backend's announcement connection, on which the loops' wake-ups arrive. */
  announcements: AnnouncementConnection;
  logger: Logger;
}

// A relay lease outlives several renewals (every third of it), so a relay never loses it by one late renewal.
const MIN_RELAY_LEASE_MS = 5_000;

/**
 * What a backend that polls tasks runs besides its polls: for each partition it owns (`PartitionOwnership`:
 * live backends share the partitions evenly, and a single one owns them all), a timer loop and an outbox
 * relay (only the holder of a partition's relay lease reads its outbox, which keeps its order while
 * ownership moves). Joins the owners lazily, at the first poll (or give-back for later) that needs them.
 */
export class BackgroundLoops {
  readonly #options: BackgroundLoopsOptions;
  readonly #wakeups: WakeSubscriber;
  readonly #ownership: PartitionOwnership;
  readonly #timers = new Map<number, TimerLoop>();
  readonly #relays = new Map<number, OutboxRelay>();
  /** Partitions whose outbox group this backend's relays may have a consumer in. */
  readonly #relayed = new Set<number>();
  #parts:
    | { deadlines: ActivityDeadlines; deferred: DeferredActivities; relayScripts: RelayScripts; relayLeases: RelayLeases; delivery: MessageDelivery }
    | undefined;

  constructor(options: BackgroundLoopsOptions) {
    this.#options = options;
    this.#wakeups = new WakeSubscriber(options.announcements, options.logger);
    this.#ownership = new PartitionOwnership({
      context: options.context,
      name: options.consumer,
      leaseMs: options.ownershipLeaseMs,
      logger: options.logger,
      changed: (acquired, released) => this.#changed(acquired, released),
    });
  }

  /** Outbox streams this backend's relays may have a consumer in. */
  get relayStreams(): string[] {
    return [...this.#relayed].map((partition) => outboxKey(this.#options.context.prefix, partition));
  }

  /** The backend's subscriber to wake-ups (lua/lib/wake-owner.lua), shared with its task readers. */
  get wakeups(): WakeSubscriber {
    return this.#wakeups;
  }

  /** The partitions this backend owns now, and runs the loops of. */
  get ownedPartitions(): ReadonlySet<number> {
    return this.#ownership.owned;
  }

  /** Joins the owners of the partitions (once): the loops of the partitions it owns start and stop with ownership. */
  start(): void {
    if (this.#parts !== undefined) return;
    const { context, scripts, group, consumer, blockTimeoutMs, watch, logger } = this.#options;
    watch.start();
    const relayScripts = new RelayScripts(context.client);
    this.#parts = {
      deadlines: new ActivityDeadlines(context, group),
      deferred: new DeferredActivities(context, scripts, group),
      relayScripts,
      relayLeases: new RelayLeases(context.client, relayScripts, consumer, Math.max(MIN_RELAY_LEASE_MS, 3 * blockTimeoutMs)),
      delivery: new MessageDelivery(context, relayScripts, logger),
    };
    this.#ownership.start();
  }

  /** Tells `partition`'s timer loop, if this backend owns it, that a timer is due at `dueMs`. */
  wakeTimers(partition: number, dueMs: number): void {
    this.#timers.get(partition)?.wake(dueMs);
  }

  /** Stops every loop, waits for the work in flight, gives the partitions up and ends the wake-up subscription. */
  async stop(): Promise<void> {
    await this.#ownership.stop();
    this.#wakeups.close();
  }

  async #changed(acquired: readonly number[], released: readonly number[]): Promise<void> {
    const stopping = released.flatMap((partition) => {
      const loops = [this.#timers.get(partition), this.#relays.get(partition)];
      this.#timers.delete(partition);
      this.#relays.delete(partition);
      return loops.filter((loop) => loop !== undefined);
    });
    // A relay that cannot give its lease up (Redis is down) leaves it to run out: the loop stopped all the same.
    const stopped = await Promise.allSettled(stopping.map((loop) => loop.stop()));
    for (const result of stopped) {
      if (result.status === 'rejected') this.#options.logger.debug({ err: result.reason }, 'could not give a relay lease up');
    }
    for (const partition of acquired) this.#startPartition(partition);
  }

  #startPartition(partition: number): void {
    const parts = this.#parts;
    if (parts === undefined || this.#timers.has(partition)) return;
    const { context, scripts, group, consumer, timerBatchSize, outboxRetry, logger } = this.#options;
    const timer = new TimerLoop({
      client: context.client,
      scripts,
      prefix: context.prefix,
      partition,
      batchSize: timerBatchSize,
      logger,
      fireActivityDeadlines: (members, dueByMs) => parts.deadlines.fire(partition, members, dueByMs),
      requeueDeferredActivities: (members) => parts.deferred.requeue(partition, members),
      wakeups: this.#wakeups,
    });
    const relay = new OutboxRelay({
      client: context.client,
      wakeups: this.#wakeups,
      scripts: parts.relayScripts,
      delivery: parts.delivery,
      prefix: context.prefix,
      partition,
      group,
      consumer,
      leases: parts.relayLeases,
      retry: outboxRetry,
      logger,
    });
    this.#timers.set(partition, timer);
    this.#relays.set(partition, relay);
    this.#relayed.add(partition);
    timer.start();
    relay.start();
  }
}
