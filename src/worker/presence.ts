import type { Logger } from 'pino';
import type { Backend, WorkerInfo } from '../backend/backend.js';
import { abortableDelay } from '../core/abortable-delay.js';
import { FailureLog } from '../core/failure-log.js';
import { UnservedLog } from '../core/unserved-log.js';
import { BackendUnavailableError } from '../errors/errors.js';
import { toFailureInfo } from '../errors/failure-info.js';

/** Heartbeat intervals an announcement outlives: a worker is gone once it missed this many. */
export const PRESENCE_TTL_INTERVALS = 3;

/** Heartbeat intervals between two checks for unserved queues and names (a minute at the default interval). */
const PRESENCE_CHECK_INTERVALS = 6;

/** What a worker announces about itself, but for the time of each heartbeat. */
export type WorkerDescription = Omit<WorkerInfo, 'lastSeenAt'>;

/**
 * A started worker's presence in the store: announces it at once and every `intervalMs` (each announcement
 * living `PRESENCE_TTL_INTERVALS` intervals), and every `PRESENCE_CHECK_INTERVALS` intervals warns about queues
 * and names that wait for a worker. A store that cannot be reached only delays the next heartbeat: nothing
 * crashes, and the failure is logged on its state changes (`FailureLog`).
 */
export class WorkerPresence {
  readonly #backend: Backend;
  readonly #description: WorkerDescription;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #unserved: UnservedLog;
  #loop: Promise<void> | undefined;

  constructor(backend: Backend, description: WorkerDescription, intervalMs: number, logger: Logger) {
    this.#backend = backend;
    this.#description = description;
    this.#intervalMs = intervalMs;
    this.#logger = logger;
    this.#unserved = new UnservedLog(logger);
  }

  /** Starts the heartbeat, which ends when `signal` aborts; resolves after the first announcement, made or failed. */
  start(signal: AbortSignal): Promise<void> {
    return new Promise((announced) => {
      this.#loop = this.#heartbeat(signal, announced);
    });
  }

  /** Waits for the heartbeat to end (abort its signal first), then removes the announcement; failures are only logged. */
  async withdraw(): Promise<void> {
    if (this.#loop === undefined) return;
    await this.#loop;
    try {
      await this.#backend.withdrawWorker(this.#description.workerId);
    } catch (err) {
      const expiresInMs = this.#intervalMs * PRESENCE_TTL_INTERVALS;
      // An unreachable store is logged by the backend, once per outage.
      const level = err instanceof BackendUnavailableError ? 'debug' : 'warn';
      this.#logger[level]({ err: toFailureInfo(err), expiresInMs }, 'could not withdraw the worker from the store; its announcement expires on its own');
    }
  }

  async #heartbeat(signal: AbortSignal, announced: () => void): Promise<void> {
    const failures = FailureLog.forLoop(this.#logger, 'announcing the worker', { workerId: this.#description.workerId });
    const checkFailures = FailureLog.forLoop(this.#logger, 'checking for queues and names no worker serves');
    for (let beat = 0; !signal.aborted; beat++) {
      try {
        await this.#backend.announceWorker(Object.assign({}, this.#description, { lastSeenAt: new Date() }), this.#intervalMs * PRESENCE_TTL_INTERVALS);
        failures.succeeded();
      } catch (err) {
        failures.failed(err);
      }
      announced();
      if (beat > 0 && beat % PRESENCE_CHECK_INTERVALS === 0 && !signal.aborted) {
        try {
          this.#unserved.report(await this.#backend.getStats());
          checkFailures.succeeded();
        } catch (err) {
          checkFailures.failed(err);
        }
      }
      await abortableDelay(this.#intervalMs, signal);
    }
  }
}
