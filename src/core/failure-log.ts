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
}

/**
 * Logs a repeated failure on its state changes only: one line when an operation starts failing and one when it
 * succeeds again, however often it is retried in between (a loop retrying while the store is down must not
 * log on every round).
 */
export class FailureLog {
  readonly #logger: Logger;
  readonly #options: FailureLogOptions;
  #failing = false;

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
    return this.#failing;
  }

  /** Records a failed attempt; logs it when the previous attempt succeeded. */
  failed(err: unknown): void {
    if (this.#failing || this.#options.ignore?.(err) === true) return;
    this.#failing = true;
    this.#logger.warn({ ...this.#options.bindings, err }, this.#options.failed);
  }

  /** Records a successful attempt; logs the recovery when attempts were failing. */
  succeeded(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#logger.info({ ...this.#options.bindings }, this.#options.recovered);
  }
}
