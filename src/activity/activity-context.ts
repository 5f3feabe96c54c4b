import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { WorkflowInstance } from '../core/instance.js';

/** What an activity knows about the attempt it runs as. */
export interface ActivityContext {
  /** Stable id of the activity (the same for every attempt). */
  readonly activityId: string;
  /** 0 for the first attempt. */
  readonly attempt: number;
  readonly instance: WorkflowInstance;
  readonly queue: string;
  readonly logger: Logger;
  /** Aborted when the task's lease is lost or the worker is stopping. */
  readonly signal: AbortSignal;
  /** Extends the task's lease and records `details`; call it from long activities. A failure nobody awaits is ignored. */
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
