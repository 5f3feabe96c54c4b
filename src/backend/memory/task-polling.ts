import type { PollRequest } from '../backend.js';
import { queueWorkflowTask, unlock } from './instance-lifecycle.js';
import type { ActivityRecord, Execution, MemoryStore } from './memory-store.js';
import type { TaskQueues } from './task-queues.js';

/**
 * Claims up to `request.max` tasks from the queues `request.queues` names, in that order: `valid` tells the ids
 * that still stand for a task, `claim` turns one into a task (undefined: it is held, not returned). With none,
 * waits until a task is queued or the next lease runs out, and tries again; resolves with none only once
 * `request.signal` aborted or the store closed. Throws `BackendClosedError` if it is closed already.
 */
export async function pollTasks<T>(
  store: MemoryStore,
  queues: TaskQueues,
  request: PollRequest,
  valid: (id: string) => boolean,
  claim: (id: string) => T | undefined,
): Promise<T[]> {
  store.assertOpen();
  for (;;) {
    const tasks: T[] = [];
    while (tasks.length < request.max) {
      requeueExpiredLeases(store);
      const id = queues.takeFirst(request.queues, valid);
      if (id === undefined) break;
      const task = claim(id);
      if (task !== undefined) tasks.push(task);
    }
    if (tasks.length > 0 || request.signal.aborted || store.isClosed) return tasks;
    await store.waitForQueuedTask(untilNextLeaseExpiry(store), request.signal);
  }
}

/** Tasks whose holder stopped extending its own lease (the one it claimed or last extended with) become claimable by anyone. */
function requeueExpiredLeases(store: MemoryStore): void {
  const now = Date.now();
  for (const key of store.leasedExecutions) {
    const execution = store.executions.get(key) as Execution;
    if (execution.lockedUntil <= now) {
      unlock(store, key, execution);
      if (!execution.queued) queueWorkflowTask(store, key, execution);
    }
  }
  for (const id of store.leasedActivities) {
    const record = store.activities.get(id) as ActivityRecord;
    if (record.lockedUntil <= now) {
      record.lockedUntil = 0;
      record.redeliveries += 1;
      store.leasedActivities.delete(id);
      store.activityQueues.push(record.queue, id);
    }
  }
}

/** Time (ms, at least 1) until the first lease of either kind runs out; Infinity while none is held. */
function untilNextLeaseExpiry(store: MemoryStore): number {
  let next = Infinity;
  for (const key of store.leasedExecutions) next = Math.min(next, (store.executions.get(key) as Execution).lockedUntil);
  for (const id of store.leasedActivities) next = Math.min(next, (store.activities.get(id) as ActivityRecord).lockedUntil);
  return Math.max(1, next - Date.now());
}
