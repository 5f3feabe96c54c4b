import type { HeldTaskRetryPolicy, HoldState } from './backend.js';

/**
 * The hold that follows `previous` attempts of a run (0 for a first hold) at `nowMs`: the wait after the n-th
 * hold is `min(firstRetryIntervalMs * backoffCoefficient^(n-1), maxRetryIntervalMs)`; the `maxAttempts`-th
 * hold parks (no `retryAt`). hold-workflow-task.lua computes the same on Redis.
 */
export function nextHold(policy: HeldTaskRetryPolicy, previous: number, since: Date, nowMs: number): HoldState {
  const attempts = previous + 1;
  if (attempts >= policy.maxAttempts) return { attempts, since };
  const delayMs = Math.min(policy.firstRetryIntervalMs * Math.pow(policy.backoffCoefficient, attempts - 1), policy.maxRetryIntervalMs);
  return { attempts, since, retryAt: new Date(nowMs + Math.ceil(delayMs)) };
}
