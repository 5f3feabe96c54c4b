import { assertEncodable } from '../codec/codec.js';
import type { ActivityTimeouts } from '../core/activity-timeouts.js';
import { assertName, assertQueueName } from '../core/validation.js';
import { activityTimeoutFailure } from '../errors/errors.js';
import { fromFailureInfo, toFailureInfo } from '../errors/failure-info.js';
import { resolveActivityTimeouts, type ActivityTimeoutOptions } from './activity-timeouts.js';
import { contextInternals, type WorkflowContext } from './context.js';
import { Future } from './future.js';
import { withRetries, type RetryDeadline } from './retry.js';
import { DefaultRetryOptions, resolveRetryOptions, type ResolvedRetryOptions, type RetryOptions } from './retry-options.js';
import { withScopeError } from './scope-error.js';

/**
 * Options of one `executeActivity` call. The timeouts (positive whole milliseconds; omitted: no timeout) fail
 * with an `ActivityTimeoutError` (a `WorkflowError` of that `type` in the workflow, `details.timeoutType` naming
 * the bound) and are enforced by the backend too, so they fire even when the worker running the attempt dies.
 */
export interface ActivityOptions extends ActivityTimeoutOptions {
  /** Queue the activity runs on; the workflow's own queue by default. */
  queue?: string;
  retry?: RetryOptions;
}

/** Defaults of `ActivityOptions`: three attempts, no timeouts. */
export const DefaultActivityOptions = Object.freeze({ retry: DefaultRetryOptions }) satisfies ActivityOptions;

/** Any function usable as an activity. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- activity parameters are user-defined
export type ActivityFunction = (...args: any[]) => unknown;

/**
 * Schedules an activity and returns its result as a future. Attempts and backoff waits are recorded
 * in the history, so retries survive worker crashes.
 */
export function executeActivity<F extends ActivityFunction>(
  ctx: WorkflowContext,
  options: ActivityOptions,
  activity: F,
  ...args: Parameters<F>
): Future<Awaited<ReturnType<F>>>;
export function executeActivity<R>(ctx: WorkflowContext, options: ActivityOptions, activity: string, ...args: unknown[]): Future<R>;
export function executeActivity(
  ctx: WorkflowContext,
  options: ActivityOptions,
  activity: ActivityFunction | string,
  ...args: unknown[]
): Future<unknown> {
  const { runtime, scope } = contextInternals(ctx);
  let retry: ResolvedRetryOptions;
  let queue: string;
  let name: string;
  let timeouts: ActivityTimeouts | undefined;
  try {
    name = activityName(activity);
    queue = options.queue ?? runtime.queue;
    assertQueueName(queue, 'activity queue');
    retry = resolveRetryOptions(options.retry, DefaultRetryOptions);
    timeouts = resolveActivityTimeouts(options, runtime.now().getTime());
    assertEncodable(args, `arguments of activity ${name}`);
  } catch (err) {
    return Future.rejected(err);
  }
  if (scope.canceled) return Future.rejected(scope.error());
  // An attempt that fails once its scope is cancelled (removed before a worker claimed it, or claimed and run
  // to a failure) ends the activity with the scope's `CanceledError`, whatever its retry policy.
  return withRetries(
    runtime,
    scope,
    retry,
    (attempt) =>
      withScopeError(
        scope,
        runtime.scheduleActivity(scope, { name, queue, inputs: args, attempt, ...(timeouts === undefined ? {} : { timeouts }) }),
        () => true,
      ),
    scheduleToCloseDeadline(timeouts),
  );
}

/** Ends the retries of an activity whose scheduleToClose deadline falls in a backoff wait, at the deadline. */
function scheduleToCloseDeadline(timeouts: ActivityTimeouts | undefined): RetryDeadline | undefined {
  const { scheduleToCloseDeadline: deadline, scheduleToCloseTimeoutMs: timeoutMs } = timeouts ?? {};
  if (deadline === undefined || timeoutMs === undefined) return undefined;
  return {
    atMs: deadline.getTime(),
    expired: (last) => fromFailureInfo(activityTimeoutFailure('scheduleToClose', timeoutMs, toFailureInfo(last))),
  };
}

function activityName(activity: ActivityFunction | string): string {
  const name = typeof activity === 'function' ? activity.name : activity;
  assertName(name, 'activity name (pass a named function or a string)');
  return name;
}
