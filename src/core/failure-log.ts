import type { Logger } from 'pino';
import { BackendUnavailableError } from '../errors/errors.js';

/** Options of `FailureLog`. */
export interface FailureLogOptions {
  /** Logged (warn, with the error) when failing starts. */
  failed: string;
  /** Logged (info) when the next attempt succeeds. */
  recovered: string;
  /** Fields added to both lines (a partition, a kind of task). */
  bindings?: Record<string, unknown>;
  /** Failures not to log at all (reported elsewhere); they do not change the state either. */
  ignore?: (err: unknown) => boolean;
  /**
   * How long (ms) after the latest failure a success counts as recovery: for failures of a part (one node of
   * several) that come between successes of the rest, which would otherwise log a failure and a recovery
   * each time. @default 0
   */
  quietMs?: number;
}

/** How often (ms) an operation that keeps failing says so again, with the number of failures since it last did. */
export const FAILURE_REMINDER_INTERVAL_MS = 60_000;

/**
 * Logs a repeated failure on its state changes: one line when an operation starts failing, a reminder at most
 * every `FAILURE_REMINDER_INTERVAL_MS` while it goes on failing, and one line when it succeeds again, however
 * often it is retried in between (a loop retrying while the store is down or after it lost its data must not
 * log on every round).
 */
export class FailureLog {
  readonly #logger: Logger;
  readonly #options: FailureLogOptions;
  #failures = 0;
  #lastLoggedAt = 0;
  #lastFailedAt = 0;

  constructor(logger: Logger, options: FailureLogOptions) {
    this.#logger = logger;
    this.#options = options;
  }

  /**
   * For a background loop: "`what` failed; retrying" once, "`what` recovered" once. Ignores
   * `BackendUnavailableError`, which the backend's connection reports itself (once per outage, for every loop).
   */
  static forLoop(logger: Logger, what: string, bindings?: Record<string, unknown>): FailureLog {
    return new FailureLog(logger, {
      failed: `${what} failed; retrying (logged again only after it recovers)`,
      recovered: `${what} recovered`,
      ...(bindings === undefined ? {} : { bindings }),
      ignore: (err) => err instanceof BackendUnavailableError,
    });
  }

  /** True between a logged failure and the next success. */
  get failing(): boolean {
    return this.#failures > 0;
  }

  /** Records a failed attempt; logs it (with `fields`) when the previous attempt succeeded or a reminder is due. */
  failed(err: unknown, fields?: Record<string, unknown>): void {
    if (this.#options.ignore?.(err) === true) return;
    this.#failures += 1;
    const now = Date.now();
    this.#lastFailedAt = now;
    if (this.#failures === 1) {
      this.#lastLoggedAt = now;
      this.#logger.warn(Object.assign({}, this.#options.bindings, fields, { err }), this.#options.failed);
    } else if (now - this.#lastLoggedAt >= FAILURE_REMINDER_INTERVAL_MS) {
      this.#lastLoggedAt = now;
      this.#logger.warn(Object.assign({}, this.#options.bindings, fields, { err, failures: this.#failures }), `still failing: ${this.#options.failed}`);
    }
  }

  /** Records a successful attempt; logs the recovery when attempts were failing (and `quietMs` passed since the latest). */
  succeeded(): void {
    if (this.#failures === 0 || Date.now() - this.#lastFailedAt < (this.#options.quietMs ?? 0)) return;
    this.#logger.info(Object.assign({}, this.#options.bindings, { failures: this.#failures }), this.#options.recovered);
    this.#failures = 0;
  }
}
