import { assertEncodable } from '../codec/codec.js';
import { assertName, assertQueueName } from '../core/validation.js';
import { contextInternals, type WorkflowContext } from './context.js';
import { Future } from './future.js';
import { withRetries } from './retry.js';
import { DefaultRetryOptions, resolveRetryOptions, type ResolvedRetryOptions, type RetryOptions } from './retry-options.js';
import { withScopeError } from './scope-error.js';

/** Options of one `executeActivity` call. */
export interface ActivityOptions {
  /** Queue the activity runs on; the workflow's own queue by default. */
  queue?: string;
  retry?: RetryOptions;
}

/** Defaults of `ActivityOptions`. */
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
  try {
    name = activityName(activity);
    queue = options.queue ?? runtime.queue;
    assertQueueName(queue, 'activity queue');
    retry = resolveRetryOptions(options.retry, DefaultRetryOptions);
    assertEncodable(args, `arguments of activity ${name}`);
  } catch (err) {
    return Future.rejected(err);
  }
  if (scope.canceled) return Future.rejected(scope.error());
  // An attempt that fails once its scope is cancelled (removed before a worker claimed it, or claimed and run
  // to a failure) ends the activity with the scope's `CanceledError`, whatever its retry policy.
  return withRetries(runtime, scope, retry, (attempt) =>
    withScopeError(scope, runtime.scheduleActivity(scope, { name, queue, inputs: args, attempt }), () => true),
  );
}

function activityName(activity: ActivityFunction | string): string {
  const name = typeof activity === 'function' ? activity.name : activity;
  assertName(name, 'activity name (pass a named function or a string)');
  return name;
}
