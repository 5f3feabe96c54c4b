import type { BackoffPolicy } from '../core/backoff.js';
import { resolveBackoffPolicy } from '../core/backoff.js';

/**
 * Worker option `heldTaskRetry`: how a held workflow task (one that failed for a reason outside the workflow
 * code, or whose code waits on something the engine does not control) is retried. The n-th hold waits
 * `min(firstRetryIntervalMs * backoffCoefficient^(n-1), maxRetryIntervalMs)` ms; the `maxAttempts`-th parks
 * the instance until `Client.retryHeldWorkflowInstance`. Omitted fields take `DefaultHeldTaskRetry`.
 */
export type HeldTaskRetryOptions = Partial<BackoffPolicy>;

/** Defaults of `heldTaskRetry`: 1 s, doubling, capped at 60 s, parked at the 10th hold. */
export const DefaultHeldTaskRetry: Readonly<BackoffPolicy> = Object.freeze({
  firstRetryIntervalMs: 1000,
  backoffCoefficient: 2,
  maxRetryIntervalMs: 60_000,
  maxAttempts: 10,
});

/** Fills in `DefaultHeldTaskRetry`; throws `InvalidArgumentError` for a value that is not usable. */
export function resolveHeldTaskRetry(options: HeldTaskRetryOptions | undefined): BackoffPolicy {
  return resolveBackoffPolicy(options, { ...DefaultHeldTaskRetry }, 'heldTaskRetry');
}
