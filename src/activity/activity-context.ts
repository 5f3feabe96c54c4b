import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { WorkflowInstance } from '../core/instance.js';

/** What an activity knows about the attempt it runs as. */
export interface ActivityContext {
  /** Stable id of the activity (the same for every attempt). */
  readonly activityId: string;
  /** 0 for the first attempt. */
  readonly attempt: number;
  /**
   * How many times this same attempt was handed to a worker again because the worker running it stopped
   * renewing its lease (its process died, hung, or lost the store) for that worker's own lock timeout: 0
   * on the attempt's first delivery. Above 0, an earlier run of this attempt may have done some or all of
   * its work, so check before repeating side effects. A task given back by a stopping worker, and a retry
   * (a new `attempt`), do not count.
   */
  readonly redeliveries: number;
  readonly instance: WorkflowInstance;
  readonly queue: string;
  readonly logger: Logger;
  /**
   * Aborted when the task's lease is lost, the worker is stopping, or the attempt ran past one of its timeouts
   * (`ActivityOptions`; the reason is then an `ActivityTimeoutError`, and what the activity returns afterwards
   * is ignored).
   */
  readonly signal: AbortSignal;
  /**
   * Extends the task's lease, records `details` and restarts the attempt's `heartbeatTimeoutMs`; call it from
   * long activities. A failure nobody awaits is ignored.
   */
  heartbeat(details?: unknown): Promise<void>;
}

const storage = new AsyncLocalStorage<ActivityContext>();

/** The context of the activity running now. Throws when called outside an activity. */
export function activityContext(): ActivityContext {
  const context = storage.getStore();
  if (context === undefined) throw new Error('activityContext() can only be called inside an activity');
  return context;
}

/** Runs `fn` with `context` as the current activity context. */
export function runInActivityContext<T>(context: ActivityContext, fn: () => T): T {
  return storage.run(context, fn);
}
