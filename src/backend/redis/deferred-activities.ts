import { parseDeferredActivityMember } from './deferred-activity-member.js';
import { activityTaskStreamKey, executionKey, executionTimersKey, heartbeatsKey, timersKey } from './keys.js';
import type { RedisContext } from './redis-context.js';
import type { DueDeferredActivity, RedisScripts } from './scripts.js';

/**
 * Brings activity tasks given back for later (defer-activity-task.lua) back to their queue when their delay
 * ends: the timer loop hands it their due timers members, and requeue-deferred-activities moves each task
 * still deferred to a fresh entry, which wakes the readers blocked on its stream, so any worker takes it at
 * once and none has a head start.
 */
export class DeferredActivities {
  readonly #context: RedisContext;
  readonly #scripts: RedisScripts;
  readonly #group: string;

  constructor(context: RedisContext, scripts: RedisScripts, group: string) {
    this.#context = context;
    this.#scripts = scripts;
    this.#group = group;
  }

  /**
   * Queues again the deferred tasks of `members` (timers zset members of `partition` that
   * `parseDeferredActivityMember` reads) that are still deferred; the others' members just go.
   */
  async requeue(partition: number, members: readonly string[]): Promise<void> {
    const { prefix } = this.#context;
    const due: DueDeferredActivity[] = [];
    for (const member of members) {
      const ref = parseDeferredActivityMember(member);
      if (ref === undefined) continue;
      const { instanceId, executionId } = ref;
      due.push({
        member,
        entryId: ref.entryId,
        deliveries: ref.deliveries,
        scheduleEventId: ref.scheduleEventId,
        activityTasks: activityTaskStreamKey(prefix, partition, ref.queue),
        heartbeats: heartbeatsKey(prefix, partition),
        execution: executionKey(prefix, partition, instanceId, executionId),
        executionTimers: executionTimersKey(prefix, partition, instanceId, executionId),
      });
    }
    if (due.length > 0) await this.#scripts.requeueDeferredActivities(timersKey(prefix, partition), this.#group, due);
  }
}
