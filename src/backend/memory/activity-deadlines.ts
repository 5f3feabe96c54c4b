import { timeoutMsOf, type AttemptTimeoutType } from '../../core/activity-timeouts.js';
import { LongTimer } from '../../core/long-timer.js';
import { activityTimeoutFailure, type ActivityTimeoutType } from '../../errors/errors.js';
import { newEvent } from '../../history/events.js';
import { deliver } from './instance-lifecycle.js';
import type { ActivityRecord, MemoryStore } from './memory-store.js';

/**
 * The timeouts of the activity attempts a `MemoryBackend` holds: one timer per bound, on the attempt's record.
 * When one fires before the attempt completes, the attempt is removed (a later completion finds nothing) and
 * its execution receives `ActivityFailed` with the `ActivityTimeoutError` failure.
 */

/** Starts the scheduleToClose timer of a newly scheduled attempt stored under `id`. */
export function startScheduleToClose(store: MemoryStore, id: string, record: ActivityRecord): void {
  const deadline = record.timeouts?.scheduleToCloseDeadline;
  if (deadline !== undefined) arm(store, id, record, 'scheduleToClose', deadline.getTime());
}

/**
 * Starts the startToClose and heartbeat timers of an attempt being claimed, unless they run already (a claim
 * after a lease ran out continues them); returns the time left on each.
 */
export function startAttemptDeadlines(store: MemoryStore, id: string, record: ActivityRecord): Partial<Record<AttemptTimeoutType, number>> | undefined {
  if (record.timeouts === undefined) return undefined;
  const now = Date.now();
  const left: Partial<Record<AttemptTimeoutType, number>> = {};
  for (const type of ['startToClose', 'heartbeat'] as const) {
    const timeoutMs = timeoutMsOf(record.timeouts, type);
    if (timeoutMs === undefined) continue;
    const running = record.deadlines.get(type) ?? arm(store, id, record, type, now + timeoutMs);
    left[type] = Math.max(0, running.dueMs - now);
  }
  return left;
}

/** Starts an attempt's heartbeat timeout again, from now. */
export function restartHeartbeatDeadline(store: MemoryStore, id: string, record: ActivityRecord): void {
  const timeoutMs = record.timeouts?.heartbeatTimeoutMs;
  if (timeoutMs === undefined || !record.deadlines.has('heartbeat')) return;
  clear(record, 'heartbeat');
  arm(store, id, record, 'heartbeat', Date.now() + timeoutMs);
}

/** Stops the timers that run from a claim: the attempt was given back, and starts afresh at its next claim. */
export function clearAttemptDeadlines(record: ActivityRecord): void {
  clear(record, 'startToClose');
  clear(record, 'heartbeat');
}

/** Stops every timer of an attempt that goes away (completed, cancelled, removed, or its store closed). */
export function clearDeadlines(record: ActivityRecord): void {
  for (const deadline of record.deadlines.values()) deadline.timer.clear();
  record.deadlines.clear();
}

function clear(record: ActivityRecord, type: ActivityTimeoutType): void {
  record.deadlines.get(type)?.timer.clear();
  record.deadlines.delete(type);
}

function arm(store: MemoryStore, id: string, record: ActivityRecord, type: ActivityTimeoutType, dueMs: number): { dueMs: number; timer: LongTimer } {
  const deadline = { dueMs, timer: new LongTimer(dueMs - Date.now(), () => timeOut(store, id, type)) };
  record.deadlines.set(type, deadline);
  return deadline;
}

function timeOut(store: MemoryStore, id: string, type: ActivityTimeoutType): void {
  const record = store.activities.get(id);
  if (store.isClosed || record === undefined) return;
  clearDeadlines(record);
  store.activities.delete(id);
  store.leasedActivities.delete(id);
  store.activityQueues.remove(record.queue, id);
  const execution = store.executions.get(record.key);
  if (execution?.state !== 'active') return;
  const failure = activityTimeoutFailure(type, timeoutMsOf(record.timeouts, type) ?? 0);
  deliver(store, record.key, execution, newEvent('ActivityFailed', { error: failure }, record.scheduleEventId));
}
