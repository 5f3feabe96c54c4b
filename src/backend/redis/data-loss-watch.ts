import type { Logger } from 'pino';
import { ensureConfig, readConfigEpoch } from './config-record.js';
import { FailureLog } from './failure-log.js';
import type { RedisContext } from './redis-context.js';
import { WakeableSleep } from './wakeable-sleep.js';

/** How often (ms) a running watch looks at the config record. */
export const DATA_LOSS_CHECK_INTERVAL_MS = 1_000;

/**
 * Notices that Redis lost its data (a restart without persistence, FLUSHALL, a failover to an empty
 * replica) and tells the parts of the backend that keep state about it. It looks at the prefix's config
 * record every `DATA_LOSS_CHECK_INTERVAL_MS` (one HGET): when the record is gone it writes it again
 * (`ensureConfig`, which still refuses another partition count), and when its epoch is not the one seen
 * before (someone else wrote it again first), the data was lost as well. Listeners then forget what they
 * created (consumer groups, relay leases) and look again at what they wait for (lost instances).
 *
 * Every loop also heals on its own when it runs into a missing group or record; the watch covers what
 * nothing runs into: waiters on lost instances, and the config record itself. It runs from the first
 * `start()` (the first poll, the first wait) until `stop()`.
 */
export class DataLossWatch {
  readonly #context: RedisContext;
  readonly #failures: FailureLog;
  readonly #logger: Logger;
  readonly #listeners: Array<() => void> = [];
  readonly #sleeper = new WakeableSleep();
  #epoch: string | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(context: RedisContext, logger: Logger) {
    this.#context = context;
    this.#logger = logger;
    this.#failures = new FailureLog(logger, 'data-loss watch');
  }

  /** Calls `listener` each time the data is found lost. */
  onLoss(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** Starts watching (once); a stopped watch stays stopped. */
  start(): void {
    if (this.#stopped) return;
    this.#running ??= this.#run();
  }

  /** Stops watching and waits for the look in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sleeper.wake();
    await this.#running;
  }

  /** One look at the record now; true when the data was found lost. Exposed for tests and for the loop. */
  async check(): Promise<boolean> {
    const stored = await readConfigEpoch(this.#context);
    if (stored !== null && (this.#epoch === undefined || stored === this.#epoch)) {
      this.#epoch = stored;
      return false;
    }
    const known = this.#epoch;
    this.#epoch = await ensureConfig(this.#context);
    // The first look of a backend that found no record is not a loss: nothing was there yet to lose.
    if (known === undefined) return false;
    this.#logger.warn({ prefix: this.#context.prefix }, 'Redis lost its data (config record missing or rewritten); recreating what the backend needs');
    for (const listener of this.#listeners) listener();
    return true;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.check();
        this.#failures.succeeded();
      } catch (err) {
        if (this.#stopped) break;
        this.#failures.failed(err);
      }
      if (!this.#stopped) await this.#sleeper.sleepUntil(Date.now() + DATA_LOSS_CHECK_INTERVAL_MS);
    }
  }
}
