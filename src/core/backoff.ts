import { InvalidArgumentError } from '../errors/errors.js';
import { assertDurationMs } from './validation.js';

/**
 * Capped exponential backoff, shared by every retry in redflow: activity and sub-workflow retries
 * (`RetryOptions`), held workflow tasks (worker option `heldTaskRetry`) and outbox messages (RedisBackend option
 * `outboxRetry`). The wait after the n-th failed attempt (n >= 1) is
 * `min(firstRetryIntervalMs * backoffCoefficient^(n-1), maxRetryIntervalMs)` ms (`backoffDelayMs`), and no
 * attempt follows the `maxAttempts`-th. hold-workflow-task.lua computes the same on Redis.
 */
export interface BackoffPolicy {
  /** Wait (ms) after the first failed attempt; >= 0. */
  firstRetryIntervalMs: number;
  /** Factor each further wait grows by; a finite number >= 1. */
  backoffCoefficient: number;
  /** Longest wait (ms) between two attempts; >= 0. */
  maxRetryIntervalMs: number;
  /** Attempts in all, the first included (1: no retry); an integer >= 1. */
  maxAttempts: number;
}

/** The wait (ms, not rounded) after the `failures`-th failed attempt (1 for the first failure). */
export function backoffDelayMs(policy: Omit<BackoffPolicy, 'maxAttempts'>, failures: number): number {
  const delayMs = policy.firstRetryIntervalMs * Math.pow(policy.backoffCoefficient, failures - 1);
  return Math.min(delayMs, policy.maxRetryIntervalMs);
}

/**
 * `defaults` overridden by the fields of `options` that are not undefined, checked. `what` prefixes the error
 * messages (`'heldTaskRetry'` gives `heldTaskRetry.maxAttempts must be ...`). Throws `InvalidArgumentError`
 * naming the first unusable field, or when `options` is neither undefined nor an object. Fields of `options`
 * beyond the four of `BackoffPolicy` are copied unchecked.
 */
export function resolveBackoffPolicy<P extends BackoffPolicy>(options: Partial<P> | undefined, defaults: P, what: string): P {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidArgumentError(`${what} must be an object`);
  }
  const defined = Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined));
  const policy: P = Object.assign({}, defaults, defined);
  if (!Number.isSafeInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new InvalidArgumentError(`${what}.maxAttempts must be an integer >= 1, got ${String(policy.maxAttempts)}`);
  }
  assertDurationMs(policy.firstRetryIntervalMs, `${what}.firstRetryIntervalMs`);
  assertDurationMs(policy.maxRetryIntervalMs, `${what}.maxRetryIntervalMs`);
  const coefficient: unknown = policy.backoffCoefficient;
  if (typeof coefficient !== 'number' || !Number.isFinite(coefficient) || coefficient < 1) {
    throw new InvalidArgumentError(`${what}.backoffCoefficient must be a finite number >= 1, got ${String(coefficient)}`);
  }
  return policy;
}
