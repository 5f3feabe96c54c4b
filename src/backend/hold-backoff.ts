import { backoffDelayMs, type BackoffPolicy } from '../core/backoff.js';
import type { HoldState } from './backend.js';

/**
 * The hold that follows `previous` holds of a run (0 for a first hold) at `nowMs`: it waits `backoffDelayMs`
 * (rounded up to whole ms) after the n-th hold, and the `maxAttempts`-th hold parks (no `retryAt`).
 * hold-workflow-task.lua computes the same on Redis.
 */
export function nextHold(policy: BackoffPolicy, previous: number, since: Date, nowMs: number): HoldState {
  const attempts = previous + 1;
  if (attempts >= policy.maxAttempts) return { attempts, since };
  return { attempts, since, retryAt: new Date(nowMs + Math.ceil(backoffDelayMs(policy, attempts))) };
}
