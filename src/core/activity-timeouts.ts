import type { ActivityTimeoutType } from '../errors/errors.js';

/**
 * The timeouts of one scheduled activity attempt, as its `ActivityScheduled` event, its `ActivityRequest` and
 * its `ActivityTask` carry them. Each is absent when the activity has none; all durations are in ms.
 */
export interface ActivityTimeouts {
  /** Longest run of one attempt, from its first claim by a worker. */
  startToCloseTimeoutMs?: number;
  /** Longest gap between the heartbeats of a claimed attempt (its claim counts as the first). */
  heartbeatTimeoutMs?: number;
  /** Longest life of the activity as a whole, from its first attempt's schedule, retries and backoff included. */
  scheduleToCloseTimeoutMs?: number;
  /** When `scheduleToCloseTimeoutMs` runs out: the workflow time the first attempt was scheduled at, plus it. */
  scheduleToCloseDeadline?: Date;
}

/** The bounds a claimed attempt runs under from its claim on (scheduleToClose counts from the schedule). */
export type AttemptTimeoutType = Exclude<ActivityTimeoutType, 'scheduleToClose'>;

/** The bound of `type` in `timeouts`, if it has one. */
export function timeoutMsOf(timeouts: ActivityTimeouts | undefined, type: ActivityTimeoutType): number | undefined {
  if (timeouts === undefined) return undefined;
  switch (type) {
    case 'startToClose':
      return timeouts.startToCloseTimeoutMs;
    case 'heartbeat':
      return timeouts.heartbeatTimeoutMs;
    case 'scheduleToClose':
      return timeouts.scheduleToCloseTimeoutMs;
  }
}
