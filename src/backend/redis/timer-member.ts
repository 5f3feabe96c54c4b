/** What a member of the timers zset identifies: one pending timer of one execution. */
export interface TimerRef {
  instanceId: string;
  executionId: string;
  scheduleEventId: number;
  /** The workflow's queue, where the TimerFired wakes it. */
  queue: string;
}

/** The timers zset member of a timer; rebuilt exactly from the same parts when the timer is cancelled. */
export function timerMember(ref: TimerRef): string {
  return JSON.stringify([ref.executionId, ref.scheduleEventId, ref.queue, ref.instanceId]);
}

/**
 * The timers zset member that ends the backoff of a held workflow task of `instance` on `queue`: a timer with
 * schedule event id 0, which no command has (sequence ids start at 1). One per execution: a later hold moves it.
 */
export function holdRetryMember(instanceId: string, executionId: string, queue: string): string {
  return timerMember({ instanceId, executionId, scheduleEventId: 0, queue });
}

/**
 * The array of `length` values a timers zset member holds (every member is a JSON array: see `timerMember`,
 * `activityDeadlineMember` and `deferredActivityMember`, told apart by their lengths); undefined for anything else.
 */
export function timersMemberParts(member: string, length: number): unknown[] | undefined {
  if (!member.startsWith('[')) return undefined;
  let parts: unknown;
  try {
    parts = JSON.parse(member);
  } catch {
    return undefined;
  }
  return Array.isArray(parts) && parts.length === length ? (parts as unknown[]) : undefined;
}

/** Parses a timers zset member; undefined when it was not written by `timerMember`. */
export function parseTimerMember(member: string): TimerRef | undefined {
  const parts = timersMemberParts(member, 4);
  if (parts === undefined) return undefined;
  const [executionId, scheduleEventId, queue, instanceId] = parts;
  if (typeof executionId !== 'string' || typeof queue !== 'string' || typeof instanceId !== 'string') return undefined;
  if (typeof scheduleEventId !== 'number' || !Number.isInteger(scheduleEventId)) return undefined;
  return { instanceId, executionId, scheduleEventId, queue };
}
