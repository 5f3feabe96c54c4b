import type { ActivityTask } from '../backend/backend.js';
import { timeoutMsOf } from '../core/activity-timeouts.js';
import { LongTimer } from '../core/long-timer.js';
import { ActivityTimeoutError, type ActivityTimeoutType } from '../errors/errors.js';

/**
 * The timeouts of an activity attempt as the worker running it keeps them, on its own clock: the backend fails
 * the attempt at the same bounds, but the worker must stop waiting for code that may never settle, free its
 * slot and abort the attempt's signal. Counts from the claim with the time the backend said was left.
 */
export class AttemptTimeouts {
  /** Resolves with the error of the first bound that runs out; never, when none does. */
  readonly expired: Promise<{ timedOut: ActivityTimeoutError }>;
  readonly #timers = new Map<ActivityTimeoutType, LongTimer>();
  readonly #task: ActivityTask;
  #expire!: (expired: { timedOut: ActivityTimeoutError }) => void;
  #done = false;

  /**
   * The timeouts of `task`, started; undefined when it was scheduled without any, so an attempt without
   * timeouts costs no timer, promise or race.
   */
  static start(task: ActivityTask): AttemptTimeouts | undefined {
    return task.timeouts === undefined ? undefined : new AttemptTimeouts(task);
  }

  private constructor(task: ActivityTask) {
    this.#task = task;
    this.expired = new Promise((resolve) => {
      this.#expire = resolve;
    });
    const { timeouts, timeLeftMs } = task;
    this.#start('startToClose', timeLeftMs?.startToClose ?? timeouts?.startToCloseTimeoutMs);
    this.#start('heartbeat', timeLeftMs?.heartbeat ?? timeouts?.heartbeatTimeoutMs);
    const deadline = timeouts?.scheduleToCloseDeadline;
    if (deadline !== undefined) this.#start('scheduleToClose', deadline.getTime() - Date.now());
  }

  /** A heartbeat: the heartbeat bound starts again from now. */
  heartbeat(): void {
    const timeoutMs = this.#task.timeouts?.heartbeatTimeoutMs;
    if (this.#done || timeoutMs === undefined) return;
    this.#timers.get('heartbeat')?.clear();
    this.#start('heartbeat', timeoutMs);
  }

  /** Stops every timer: the attempt has ended. */
  stop(): void {
    this.#done = true;
    for (const timer of this.#timers.values()) timer.clear();
    this.#timers.clear();
  }

  #start(type: ActivityTimeoutType, leftMs: number | undefined): void {
    if (leftMs === undefined) return;
    this.#timers.set(
      type,
      new LongTimer(leftMs, () => {
        if (this.#done) return;
        this.stop();
        this.#expire({ timedOut: new ActivityTimeoutError(type, timeoutMsOf(this.#task.timeouts, type) ?? 0) });
      }),
    );
  }
}
