import { assertDurationMs } from '../core/validation.js';
import { InvalidArgumentError } from '../errors/errors.js';

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

/** Fills in defaults and rejects nonsense values with `InvalidArgumentError`. */
export function resolveRetryOptions(options: RetryOptions | undefined, defaults: ResolvedRetryOptions): ResolvedRetryOptions {
  const resolved: ResolvedRetryOptions = { ...defaults, ...options };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new InvalidArgumentError('retry.maxAttempts must be an integer >= 1');
  }
  assertDurationMs(resolved.firstRetryIntervalMs, 'retry.firstRetryIntervalMs');
  assertDurationMs(resolved.maxRetryIntervalMs, 'retry.maxRetryIntervalMs');
  if (resolved.retryTimeoutMs !== undefined) assertDurationMs(resolved.retryTimeoutMs, 'retry.retryTimeoutMs');
  if (typeof resolved.backoffCoefficient !== 'number' || !(resolved.backoffCoefficient >= 1)) {
    throw new InvalidArgumentError('retry.backoffCoefficient must be a number >= 1');
  }
  return resolved;
}

/** The wait before retry number `retry` (1 for the first retry). */
export function backoffMs(options: ResolvedRetryOptions, retry: number): number {
  const raw = options.firstRetryIntervalMs * Math.pow(options.backoffCoefficient, retry - 1);
  return Math.min(raw, options.maxRetryIntervalMs);
}
