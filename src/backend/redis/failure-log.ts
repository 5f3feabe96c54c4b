import type { Logger } from 'pino';

/** How often (ms) a loop that keeps failing says so again, with the number of failures since it last did. */
export const FAILURE_REMINDER_INTERVAL_MS = 60_000;

/**
 * The log of one background loop's failures: one warning when it starts failing, a reminder at most every
 * `FAILURE_REMINDER_INTERVAL_MS` while it goes on failing, and one line when it works again. A loop that
 * fails every few hundred milliseconds (Redis unreachable, data lost) never floods the log.
 */
export class FailureLog {
  readonly #logger: Logger;
  readonly #what: string;
  readonly #bindings: Record<string, unknown>;
  #failures = 0;
  #lastLoggedAt = 0;

  /** `what` names the loop in messages ("outbox relay"); `bindings` go on every line (e.g. `{ partition }`). */
  constructor(logger: Logger, what: string, bindings: Record<string, unknown> = {}) {
    this.#logger = logger;
    this.#what = what;
    this.#bindings = bindings;
  }

  /** True while the loop is failing (since the last `succeeded`). */
  get failing(): boolean {
    return this.#failures > 0;
  }

  /** Records a failure; logs it when it is the first one or a reminder is due. */
  failed(err: unknown): void {
    this.#failures += 1;
    const now = Date.now();
    if (this.#failures === 1) {
      this.#lastLoggedAt = now;
      this.#logger.warn({ ...this.#bindings, err }, `${this.#what} failed; retrying`);
    } else if (now - this.#lastLoggedAt >= FAILURE_REMINDER_INTERVAL_MS) {
      this.#lastLoggedAt = now;
      this.#logger.warn({ ...this.#bindings, err, failures: this.#failures }, `${this.#what} still failing; retrying`);
    }
  }

  /** Records a success; logs the recovery when the loop was failing. */
  succeeded(): void {
    if (this.#failures === 0) return;
    this.#logger.info({ ...this.#bindings, failures: this.#failures }, `${this.#what} recovered`);
    this.#failures = 0;
  }
}
