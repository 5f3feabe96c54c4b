import type { BackendStats } from '../backend.js';
import type { PresenceReport } from '../presence-report.js';
import { activeKey, activityQueuesKey, activityTaskStreamKey, heldKey, workflowQueuesKey, workflowTaskStreamKey } from './keys.js';
import type { RedisContext } from './redis-context.js';

function add(counts: Record<string, number>, queue: string, n: number): void {
  counts[queue] = (counts[queue] ?? 0) + n;
}

/**
 * `getStats` on Redis. A task stream holds an entry from the moment a task is queued until it is
 * completed (claimed entries stay in it, pending, while they run), so its length is the number of
 * pending tasks of its queue (a held task's entry is removed: it is not pending while it waits out its
 * backoff). Queues are found in the partition's queue-name sets; held executions in the held indexes.
 */
export async function readBackendStats(context: RedisContext): Promise<Omit<BackendStats, 'deadLetterMessages' | keyof PresenceReport>> {
  const { client, prefix, partitions } = context;
  const stats: Omit<BackendStats, 'deadLetterMessages' | keyof PresenceReport> = { activeWorkflowInstances: 0, pendingWorkflowTasks: {}, pendingActivityTasks: {}, heldWorkflowInstances: 0 };
  await Promise.all(
    Array.from({ length: partitions }, async (_, p) => {
      const [active, held, workflowQueues, activityQueues] = await Promise.all([
        client.scard(activeKey(prefix, p)),
        client.zcard(heldKey(prefix, p)),
        client.smembers(workflowQueuesKey(prefix, p)),
        client.smembers(activityQueuesKey(prefix, p)),
      ]);
      const [workflowLengths, activityLengths] = await Promise.all([
        Promise.all(workflowQueues.map((queue) => client.xlen(workflowTaskStreamKey(prefix, p, queue)))),
        Promise.all(activityQueues.map((queue) => client.xlen(activityTaskStreamKey(prefix, p, queue)))),
      ]);
      stats.activeWorkflowInstances += active;
      stats.heldWorkflowInstances += held;
      workflowQueues.forEach((queue, i) => add(stats.pendingWorkflowTasks, queue, workflowLengths[i] ?? 0));
      activityQueues.forEach((queue, i) => add(stats.pendingActivityTasks, queue, activityLengths[i] ?? 0));
    }),
  );
  return stats;
}
