import type { ActivityTimeouts } from '../core/activity-timeouts.js';
import { InvalidArgumentError } from '../errors/errors.js';

/** The timeout fields of `ActivityOptions`: positive whole milliseconds; omitted, no timeout. */
export interface ActivityTimeoutOptions {
  /**
   * Longest run of one attempt, from when a worker first claims it. At the bound the attempt fails with an
   * `ActivityTimeoutError` (its `activityContext().signal` is aborted, its worker slot freed, a later result
   * ignored) and the retry policy decides whether another attempt starts.
   */
  startToCloseTimeoutMs?: number;
  /**
   * Longest life of the activity as a whole, from the first attempt's schedule: time queued, every attempt and
   * every backoff wait. At the bound the activity fails for good with an `ActivityTimeoutError`: no further
   * attempt starts.
   */
  scheduleToCloseTimeoutMs?: number;
  /**
   * Longest gap between `activityContext().heartbeat()` calls of a running attempt (its claim counts as the
   * first heartbeat). At the bound the attempt fails as with `startToCloseTimeoutMs`, and may be retried.
   */
  heartbeatTimeoutMs?: number;
}

const NAMES = ['startToCloseTimeoutMs', 'scheduleToCloseTimeoutMs', 'heartbeatTimeoutMs'] as const;

/**
 * The timeouts an activity's attempts carry, or undefined when it has none; `nowMs` is the workflow time of
 * its first schedule, from which `scheduleToCloseTimeoutMs` counts.
 * @throws InvalidArgumentError unless every timeout given is a positive whole number of milliseconds.
 */
export function resolveActivityTimeouts(options: ActivityTimeoutOptions, nowMs: number): ActivityTimeouts | undefined {
  for (const name of NAMES) {
    const value = options[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new InvalidArgumentError(`${name} must be a positive whole number of milliseconds (omit it for no timeout)`);
    }
  }
  const { startToCloseTimeoutMs, scheduleToCloseTimeoutMs, heartbeatTimeoutMs } = options;
  const timeouts: ActivityTimeouts = {};
  if (startToCloseTimeoutMs !== undefined) timeouts.startToCloseTimeoutMs = startToCloseTimeoutMs;
  if (heartbeatTimeoutMs !== undefined) timeouts.heartbeatTimeoutMs = heartbeatTimeoutMs;
  if (scheduleToCloseTimeoutMs !== undefined) {
    timeouts.scheduleToCloseTimeoutMs = scheduleToCloseTimeoutMs;
    timeouts.scheduleToCloseDeadline = new Date(nowMs + scheduleToCloseTimeoutMs);
  }
  return Object.keys(timeouts).length === 0 ? undefined : timeouts;
}
