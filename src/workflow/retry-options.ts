import { assertDurationMs } from '../core/validation.js';
import { resolveBackoffPolicy } from '../core/backoff.js';

/** How an activity (or sub-workflow) is retried. Every attempt and every backoff wait is in the history. */
export interface RetryOptions {
  /** Attempts in all, the first included; 1 disables retries. */
  maxAttempts?: number;
  /** Wait before the first retry. */
  firstRetryIntervalMs?: number;
  /** Growth factor of the wait from one retry to the next. */
  backoffCoefficient?: number;
  /** Upper bound of one wait. */
  maxRetryIntervalMs?: number;
  /** No retry starts once this much workflow time has passed since the first attempt was scheduled. */
  retryTimeoutMs?: number;
}

/** Retry defaults of activities. */
export const DefaultRetryOptions = Object.freeze({
  maxAttempts: 3,
  firstRetryIntervalMs: 1000,
  backoffCoefficient: 2,
  maxRetryIntervalMs: 60_000,
}) satisfies Readonly<Required<Omit<RetryOptions, 'retryTimeoutMs'>>>;

/** Retry options with every field but `retryTimeoutMs` filled in. */
export type ResolvedRetryOptions = Required<Omit<RetryOptions, 'retryTimeoutMs'>> & { retryTimeoutMs?: number };

/**
 * Fills in `defaults` for the fields of `options` that are undefined; rejects nonsense values with
 * `InvalidArgumentError` (see `BackoffPolicy`).
 */
export function resolveRetryOptions(options: RetryOptions | undefined, defaults: ResolvedRetryOptions): ResolvedRetryOptions {
  const resolved = resolveBackoffPolicy<ResolvedRetryOptions>(options, defaults, 'retry');
  if (resolved.retryTimeoutMs !== undefined) assertDurationMs(resolved.retryTimeoutMs, 'retry.retryTimeoutMs');
  return resolved;
}
