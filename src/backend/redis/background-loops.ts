import type { Logger } from 'pino';
import { ActivityDeadlines } from './activity-deadlines.js';
import { BlockingPool } from './blocking-pool.js';
import { DeferredActivities } from './deferred-activities.js';
import type { DataLossWatch } from './data-loss-watch.js';
import { MessageDelivery } from './message-delivery.js';
import { OutboxRelay } from './outbox-relay.js';
import type { OutboxRetryPolicy } from './outbox-retry-policy.js';
import type { RedisContext } from './redis-context.js';
import { RelayScripts } from './relay-scripts.js';
import type { RedisScripts } from './scripts.js';
import { TimerLoop } from './timer-loop.js';

/** Options of `BackgroundLoops`. */
export interface BackgroundLoopsOptions {
  context: RedisContext;
  scripts: RedisScripts;
  group: string;
  consumer: string;
  blockTimeoutMs: number;
  timerBatchSize: number;
  /** Backoff of outbox messages whose delivery fails. */
  outboxRetry: OutboxRetryPolicy;
  /** Started with the loops: it writes the config record again when Redis lost its data. */
  watch: DataLossWatch;
  logger: Logger;
}

/**
 * What a backend that polls tasks runs besides its polls, one per partition each: timer loops (in
 * backends that poll workflow tasks or give an activity task back for later) and outbox relays (in every
 * polling backend; only the holder of a partition's relay lease reads its outbox). Started lazily by the
 * first poll (or give-back for later) that needs them.
 */
export class BackgroundLoops {
  readonly #options: BackgroundLoopsOptions;
  readonly #relayPool: BlockingPool;
  #timers: TimerLoop[] | undefined;
  #relays: OutboxRelay[] | undefined;

  constructor(options: BackgroundLoopsOptions) {
    this.#options = options;
    this.#relayPool = new BlockingPool(options.context.client, options.logger, 'outbox-relay');
  }

  /** Outbox streams this backend's relays may have a consumer in. */
  get relayStreams(): string[] {
    return (this.#relays ?? []).map((relay) => relay.stream);
  }

  /** Starts the timer loops (once). */
  startTimers(): void {
    if (this.#timers !== undefined) return;
    const { context, scripts, group, timerBatchSize, watch, logger } = this.#options;
    watch.start();
    const deadlines = new ActivityDeadlines(context, group);
    const deferred = new DeferredActivities(context, scripts, group);
    this.#timers = Array.from({ length: context.partitions }, (_, partition) => {
      const loop = new TimerLoop({
        client: context.client,
        scripts,
        prefix: context.prefix,
        partition,
        batchSize: timerBatchSize,
        logger,
        fireActivityDeadlines: (members, dueByMs) => deadlines.fire(partition, members, dueByMs),
        requeueDeferredActivities: (members) => deferred.requeue(partition, members),
      });
      loop.start();
      return loop;
    });
  }

  /** Starts the outbox relays (once). */
  startRelays(): void {
    if (this.#relays !== undefined) return;
    const { context, group, consumer, blockTimeoutMs, outboxRetry, watch, logger } = this.#options;
    watch.start();
    const scripts = new RelayScripts(context.client);
    const delivery = new MessageDelivery(context, scripts, logger);
    this.#relays = Array.from({ length: context.partitions }, (_, partition) => {
      const relay = new OutboxRelay({
        client: context.client,
        pool: this.#relayPool,
        scripts,
        delivery,
        prefix: context.prefix,
        partition,
        group,
        consumer,
        blockTimeoutMs,
        retry: outboxRetry,
        logger,
      });
      relay.start();
      return relay;
    });
  }

  /** Tells `partition`'s timer loop that a timer is due at `dueMs`. */
  wakeTimers(partition: number, dueMs: number): void {
    this.#timers?.[partition]?.wake(dueMs);
  }

  /** Ends blocked relay reads at once, then stops every loop and waits for the work in flight. */
  async stop(): Promise<void> {
    this.#relayPool.close();
    await Promise.all([...(this.#timers ?? []), ...(this.#relays ?? [])].map((loop) => loop.stop()));
  }
}
