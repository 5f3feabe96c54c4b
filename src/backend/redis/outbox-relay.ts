import type { Logger } from 'pino';
import type { BlockingPool } from './blocking-pool.js';
import { ensureGroup, isMissingGroupError } from './consumer-groups.js';
import { FailureLog } from './failure-log.js';
import { outboxKey, relayLeaseKey } from './keys.js';
import type { MessageDelivery } from './message-delivery.js';
import type { RelayScripts } from './relay-scripts.js';
import type { RedisClient } from './script-runner.js';
import { parseReadGroupReply, type StreamEntry } from './stream-replies.js';
import { WakeableSleep } from './wakeable-sleep.js';

/** Options of `OutboxRelay`. */
export interface OutboxRelayOptions {
  client: RedisClient;
  /** Connections for the blocking reads. */
  pool: BlockingPool;
  scripts: RelayScripts;
  delivery: MessageDelivery;
  prefix: string;
  partition: number;
  group: string;
  /** This relay's name: its consumer in the outbox group and the value of the lease it holds. */
  consumer: string;
  blockTimeoutMs: number;
  logger: Logger;
}

const BATCH = 100;
const RETRY_MS = 500;
// The lease outlives several blocking reads, so a relay renewing it between reads never loses it.
const MIN_LEASE_MS = 5_000;

/**
 * Delivers one partition's outbox. Every backend that polls tasks runs one per partition, but only the
 * holder of the partition's relay lease reads, so messages go out in the order they were written. The
 * holder reads with a consumer group: what it read and did not acknowledge stays pending, and a relay
 * that takes the lease over claims those entries (XAUTOCLAIM) and delivers them again before anything
 * newer. Delivery is idempotent (deliver-message.lua records message ids), so an entry delivered twice
 * (its relay died before the ack) changes its target once.
 */
export class OutboxRelay {
  readonly #options: OutboxRelayOptions;
  readonly #outbox: string;
  readonly #lease: string;
  readonly #leaseMs: number;
  #running: Promise<void> | undefined;
  #stopped = false;
  #holder = false;
  /** Entries may be pending for this consumer (after a takeover or a failed batch): read those first. */
  #backlog = true;
  readonly #sleeper = new WakeableSleep();
  readonly #failures: FailureLog;

  constructor(options: OutboxRelayOptions) {
    this.#options = options;
    this.#failures = new FailureLog(options.logger, 'outbox relay', { partition: options.partition });
    this.#outbox = outboxKey(options.prefix, options.partition);
    this.#lease = relayLeaseKey(options.prefix, options.partition);
    this.#leaseMs = Math.max(MIN_LEASE_MS, 3 * options.blockTimeoutMs);
  }

  /** The outbox stream this relay reads. */
  get stream(): string {
    return this.#outbox;
  }

  /** Starts the loop (once). */
  start(): void {
    this.#running ??= this.#run();
  }

  /** Stops the loop, waits for the batch in flight and gives the lease up for another relay. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sleeper.wake();
    await this.#running;
    if (this.#holder) await this.#options.scripts.releaseRelayLease(this.#lease, this.#options.consumer);
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#step();
        this.#failures.succeeded();
      } catch (err) {
        if (this.#stopped) break;
        this.#backlog = true;
        // Redis lost its data (and the group with it): take the partition over again, which recreates it.
        if (isMissingGroupError(err)) {
          this.#holder = false;
          continue;
        }
        this.#failures.failed(err);
        await this.#sleep(RETRY_MS);
      }
    }
  }

  async #step(): Promise<void> {
    const { scripts, consumer, blockTimeoutMs } = this.#options;
    if (!(await scripts.holdRelayLease(this.#lease, consumer, this.#leaseMs))) {
      this.#holder = false;
      await this.#sleep(blockTimeoutMs);
      return;
    }
    if (!this.#holder) {
      await this.#takeOver();
      this.#holder = true;
    }
    const entries = this.#backlog ? await this.#readPending() : await this.#readNew();
    if (entries.length === 0) {
      this.#backlog = false;
      return;
    }
    await this.#deliver(entries);
  }

  /** Makes the group exist and moves every entry pending for another consumer (a dead relay) to this one. */
  async #takeOver(): Promise<void> {
    const { client, group, consumer } = this.#options;
    await ensureGroup(client, this.#outbox, group);
    let cursor = '0-0';
    do {
      const reply = await client.xautoclaim(this.#outbox, group, consumer, 0, cursor, 'COUNT', BATCH, 'JUSTID');
      cursor = String(reply[0]);
    } while (cursor !== '0-0');
    this.#backlog = true;
  }

  async #readPending(): Promise<StreamEntry[]> {
    const { client, group, consumer } = this.#options;
    const reply = await client.callBuffer('XREADGROUP', 'GROUP', group, consumer, 'COUNT', BATCH, 'STREAMS', this.#outbox, '0');
    return parseReadGroupReply(reply);
  }

  async #readNew(): Promise<StreamEntry[]> {
    const { pool, group, consumer, blockTimeoutMs } = this.#options;
    const args = ['GROUP', group, consumer, 'COUNT', BATCH, 'BLOCK', blockTimeoutMs, 'STREAMS', this.#outbox, '>'];
    return parseReadGroupReply(await pool.use((connection) => connection.callBuffer('XREADGROUP', ...args)));
  }

  /** Delivers entries in order, then acknowledges and deletes them. */
  async #deliver(entries: StreamEntry[]): Promise<void> {
    const { client, delivery, group, partition } = this.#options;
    for (const entry of entries) await delivery.deliver(partition, entry.id, entry.fields);
    const ids = entries.map((entry) => entry.id);
    await client.xack(this.#outbox, group, ...ids);
    await client.xdel(this.#outbox, ...ids);
  }

  async #sleep(ms: number): Promise<void> {
    if (!this.#stopped) await this.#sleeper.sleepUntil(Date.now() + ms);
  }

}
