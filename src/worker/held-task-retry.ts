import type { HeldTaskRetryPolicy } from '../backend/backend.js';
import { assertDurationMs } from '../core/validation.js';
import { InvalidArgumentError } from '../errors/errors.js';

/**
 * Worker option `heldTaskRetry`: how a held workflow task (one that failed for a reason outside the workflow
 * code, or whose code waits on something the engine does not control) is retried. The n-th hold waits
 * `min(firstRetryIntervalMs * backoffCoefficient^(n-1), maxRetryIntervalMs)` ms; the `maxAttempts`-th parks
 * the instance until `Client.retryHeldWorkflowInstance`.
 */
export type HeldTaskRetryOptions = Partial<HeldTaskRetryPolicy>;

/** Defaults of `heldTaskRetry`. */
export const DefaultHeldTaskRetry: Readonly<HeldTaskRetryPolicy> = Object.freeze({
  firstRetryIntervalMs: 1000,
  backoffCoefficient: 2,
  maxRetryIntervalMs: 60_000,
  maxAttempts: 10,
});

/** Fills in `DefaultHeldTaskRetry`; throws `InvalidArgumentError` for a value that is not usable. */
export function resolveHeldTaskRetry(options: HeldTaskRetryOptions | undefined): HeldTaskRetryPolicy {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidArgumentError('heldTaskRetry must be an object');
  }
  const defined = Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined));
  const policy: HeldTaskRetryPolicy = { ...DefaultHeldTaskRetry, ...defined };
  assertDurationMs(policy.firstRetryIntervalMs, 'heldTaskRetry.firstRetryIntervalMs');
  assertDurationMs(policy.maxRetryIntervalMs, 'heldTaskRetry.maxRetryIntervalMs');
  if (typeof policy.backoffCoefficient !== 'number' || !Number.isFinite(policy.backoffCoefficient) || policy.backoffCoefficient < 1) {
    throw new InvalidArgumentError('heldTaskRetry.backoffCoefficient must be a finite number >= 1');
  }
  if (!Number.isSafeInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new InvalidArgumentError('heldTaskRetry.maxAttempts must be an integer >= 1');
  }
  return { ...policy };
}
