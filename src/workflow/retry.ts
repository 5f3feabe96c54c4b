import { WorkflowError, isCanceled } from '../errors/errors.js';
import type { CancelScope } from './cancel-scope.js';
import { Future } from './future.js';
import { backoffDelayMs } from '../core/backoff.js';
import type { ResolvedRetryOptions } from './retry-options.js';
import type { WorkflowRuntime } from './runtime.js';

/** A time (workflow time, ms) after which no attempt starts, and the error the work then fails with. */
export interface RetryDeadline {
  atMs: number;
  /** The error to reject with, given the last attempt's. */
  expired(last: unknown): unknown;
}

/**
 * The outcome of `runAttempt`, retried as `retry` says: a single attempt needs no retry loop at all. A backoff
 * wait that would end at or past `deadline` ends at the deadline instead, with `deadline.expired`.
 */
export function withRetries(
  runtime: WorkflowRuntime,
  scope: CancelScope,
  retry: ResolvedRetryOptions,
  runAttempt: (attempt: number) => Future<unknown>,
  deadline?: RetryDeadline,
): Future<unknown> {
  if (retry.maxAttempts === 1) return runAttempt(0);
  return Future.from(retryAttempts(runtime, scope, retry, runAttempt, deadline));
}

/**
 * Runs attempts until one succeeds, waiting on durable 'retry-backoff' timers between them. Stops at once on
 * cancellation, a permanent error, exhausted attempts or the retry timeout; rejects with the last error.
 */
async function retryAttempts(
  runtime: WorkflowRuntime,
  scope: CancelScope,
  retry: ResolvedRetryOptions,
  runAttempt: (attempt: number) => Future<unknown>,
  deadline: RetryDeadline | undefined,
): Promise<unknown> {
  const firstScheduledAtMs = runtime.now().getTime();
  for (let attempt = 0; ; attempt++) {
    try {
      return await runAttempt(attempt);
    } catch (err) {
      if (isCanceled(err)) throw err;
      // An attempt that was already running finishes, but no further attempt starts after cancellation.
      if (scope.canceled) throw scope.error();
      const nowMs = runtime.now().getTime();
      if (!shouldRetry(err, retry, attempt, firstScheduledAtMs, nowMs)) throw err;
      const waitMs = backoffDelayMs(retry, attempt + 1);
      if (deadline !== undefined && nowMs + waitMs >= deadline.atMs) {
        // The next attempt would start too late to do anything: the work fails when its deadline comes.
        if (deadline.atMs > nowMs) await runtime.scheduleTimer(scope, deadline.atMs - nowMs, 'retry-backoff');
        throw deadline.expired(err);
      }
      await runtime.scheduleTimer(scope, waitMs, 'retry-backoff');
    }
  }
}

function shouldRetry(err: unknown, retry: ResolvedRetryOptions, attempt: number, firstMs: number, nowMs: number): boolean {
  if (err instanceof WorkflowError && err.permanent) return false;
  if (attempt + 1 >= retry.maxAttempts) return false;
  if (retry.retryTimeoutMs === undefined) return true;
  return nowMs + backoffDelayMs(retry, attempt + 1) - firstMs <= retry.retryTimeoutMs;
}
