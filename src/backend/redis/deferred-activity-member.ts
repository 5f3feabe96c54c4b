import { timersMemberParts } from './timer-member.js';

/** An activity task given back for later (defer-activity-task.lua), as its timers zset member names it. */
export interface DeferredActivityRef {
  instanceId: string;
  executionId: string;
  /** Schedule event id of the attempt: the execution records the task's entry under it. */
  scheduleEventId: number;
  /** The activity's queue: its task stream. */
  queue: string;
  /** The task's stream entry. */
  entryId: string;
  /** The entry's delivery count when it was deferred: a reclaim since then raised it. */
  deliveries: number;
}

/**
 * The timers zset member that brings a deferred activity task back when its delay ends. Timer members
 * (`timerMember`) are arrays of 4 and activity deadline members of 9; these of 6. One entry is deferred at
 * most once per delivery count, so the member is unique.
 */
export function deferredActivityMember(ref: DeferredActivityRef): string {
  return JSON.stringify([ref.executionId, ref.scheduleEventId, ref.instanceId, ref.queue, ref.entryId, ref.deliveries]);
}

/** Parses a timers zset member written by `deferredActivityMember`; undefined for any other member. */
export function parseDeferredActivityMember(member: string): DeferredActivityRef | undefined {
  const parts = timersMemberParts(member, 6);
  if (parts === undefined) return undefined;
  const [executionId, scheduleEventId, instanceId, queue, entryId, deliveries] = parts;
  if (![executionId, instanceId, queue, entryId].every((s) => typeof s === 'string')) return undefined;
  if (!Number.isSafeInteger(scheduleEventId) || !Number.isSafeInteger(deliveries)) return undefined;
  return {
    instanceId: instanceId as string,
    executionId: executionId as string,
    scheduleEventId: scheduleEventId as number,
    queue: queue as string,
    entryId: entryId as string,
    deliveries: deliveries as number,
  };
}
