import type { ActivityTimeouts } from '../../core/activity-timeouts.js';
import type { ActivityTimeoutType } from '../../errors/errors.js';
import { timersMemberParts } from './timer-member.js';

/** The activity attempt a deadline member belongs to, with every timeout it has (0: none). */
export interface ActivityDeadlineRef {
  instanceId: string;
  executionId: string;
  scheduleEventId: number;
  /** The workflow's queue, where the ActivityFailed wakes it. */
  workflowQueue: string;
  /** The activity's queue: its task stream. */
  queue: string;
  startToCloseTimeoutMs: number;
  heartbeatTimeoutMs: number;
  scheduleToCloseTimeoutMs: number;
}

const TYPES: readonly ActivityTimeoutType[] = ['startToClose', 'heartbeat', 'scheduleToClose'];

/** The deadline ref of an activity attempt with `timeouts`. */
export function activityDeadlineRef(
  attempt: { instance: { instanceId: string; executionId: string }; scheduleEventId: number; workflowQueue: string; queue: string },
  timeouts: ActivityTimeouts,
): ActivityDeadlineRef {
  return {
    instanceId: attempt.instance.instanceId,
    executionId: attempt.instance.executionId,
    scheduleEventId: attempt.scheduleEventId,
    workflowQueue: attempt.workflowQueue,
    queue: attempt.queue,
    startToCloseTimeoutMs: timeouts.startToCloseTimeoutMs ?? 0,
    heartbeatTimeoutMs: timeouts.heartbeatTimeoutMs ?? 0,
    scheduleToCloseTimeoutMs: timeouts.scheduleToCloseTimeoutMs ?? 0,
  };
}

/** The bound of `type` in `ref` (ms); 0 when the attempt has none. */
export function deadlineTimeoutMs(ref: ActivityDeadlineRef, type: ActivityTimeoutType): number {
  return type === 'startToClose' ? ref.startToCloseTimeoutMs : type === 'heartbeat' ? ref.heartbeatTimeoutMs : ref.scheduleToCloseTimeoutMs;
}

/**
 * The timers zset member of the `type` deadline of an attempt, or '' when the attempt has no such bound. Every
 * member of an attempt names all of its timeouts, so any one of them rebuilds the others exactly. Timer members
 * (`timerMember`) are arrays of 4; these of 9.
 */
export function activityDeadlineMember(ref: ActivityDeadlineRef, type: ActivityTimeoutType): string {
  if (deadlineTimeoutMs(ref, type) === 0) return '';
  return JSON.stringify([
    ref.executionId,
    ref.scheduleEventId,
    ref.workflowQueue,
    ref.instanceId,
    ref.queue,
    type,
    ref.startToCloseTimeoutMs,
    ref.heartbeatTimeoutMs,
    ref.scheduleToCloseTimeoutMs,
  ]);
}

/** The members of every deadline an attempt has except `type` ('' for those it lacks), in a fixed order. */
export function otherDeadlineMembers(ref: ActivityDeadlineRef, type?: ActivityTimeoutType): string[] {
  return TYPES.filter((other) => other !== type).map((other) => activityDeadlineMember(ref, other));
}

/** Parses a timers zset member written by `activityDeadlineMember`; undefined for any other member. */
export function parseActivityDeadlineMember(member: string): { ref: ActivityDeadlineRef; type: ActivityTimeoutType } | undefined {
  const parts = timersMemberParts(member, 9);
  if (parts === undefined) return undefined;
  const [executionId, scheduleEventId, workflowQueue, instanceId, queue, type, startToClose, heartbeat, scheduleToClose] = parts;
  const strings = [executionId, workflowQueue, instanceId, queue];
  const numbers = [scheduleEventId, startToClose, heartbeat, scheduleToClose];
  if (!strings.every((s) => typeof s === 'string') || !numbers.every((n) => Number.isSafeInteger(n))) return undefined;
  if (!TYPES.includes(type as ActivityTimeoutType)) return undefined;
  const ref: ActivityDeadlineRef = {
    instanceId: instanceId as string,
    executionId: executionId as string,
    scheduleEventId: scheduleEventId as number,
    workflowQueue: workflowQueue as string,
    queue: queue as string,
    startToCloseTimeoutMs: startToClose as number,
    heartbeatTimeoutMs: heartbeat as number,
    scheduleToCloseTimeoutMs: scheduleToClose as number,
  };
  return deadlineTimeoutMs(ref, type as ActivityTimeoutType) > 0 ? { ref, type: type as ActivityTimeoutType } : undefined;
}
