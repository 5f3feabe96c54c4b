import type { ActivityTask, ActivityTaskHandoff, WorkflowTask, WorkflowTaskCompletion } from '../backend.js';
import { assertStorable } from '../../codec/codec.js';
import { encodeEvent } from '../../codec/event-codec.js';
import { executionKey } from '../../core/instance.js';
import { newEvent } from '../../history/events.js';
import { cancelUnclaimedActivities, scheduleActivities } from './activity-tasks.js';
import { clearHold, deliver, end, queueWorkflowTask, unlock } from './instance-lifecycle.js';
import { continueAsNew, sendMessages } from './instance-messages.js';
import type { Execution, MemoryStore } from './memory-store.js';
import { lockedBy } from './workflow-tasks.js';

/**
 * `Backend.completeWorkflowTask` on `store`, in one step: appends the task's events to the history, drops the
 * inbox events it processed, clears a hold, sets and clears timers, schedules and cancels activities, unlocks the execution,
 * continues it as new or ends it, sends its messages, and queues it again when events arrived meanwhile.
 * Returns the activity attempts handed to the caller (see `ActivityTaskHandoff`). Throws `LeaseLostError`
 * once `task` no longer holds its lock, and refuses what cannot be encoded before changing anything.
 */
export async function completeWorkflowTask(
  store: MemoryStore,
  task: WorkflowTask,
  completion: WorkflowTaskCompletion,
  handoff: ActivityTaskHandoff | undefined,
): Promise<ActivityTask[]> {
  await Promise.resolve();
  const key = executionKey(task.instance);
  const execution = lockedBy(store, task);
  // Every blob below is encoded while the state changes: what cannot be must be refused before the first change.
  // Each blob holds a part of `completion` at most as deep as the part is in it, so the whole passing says
  // every part does.
  assertStorable(completion, 'workflow task completion');
  for (const event of completion.events) execution.history.push(encodeEvent(event));
  const cursor = Number(task.inboxCursor);
  execution.inbox = execution.inbox.filter((entry) => entry.id > cursor);
  for (const id of completion.canceledTimers) {
    clearTimeout(execution.timers.get(id));
    execution.timers.delete(id);
  }
  for (const timer of completion.timers) startTimer(store, key, execution, timer.scheduleEventId, timer.firesAt);
  const handed = scheduleActivities(store, task, completion.activities, handoff);
  cancelUnclaimedActivities(store, key, execution, completion);
  unlock(store, key, execution);
  clearHold(execution);
  if (completion.continuation !== undefined) continueAsNew(store, execution, completion.continuation);
  if (completion.state !== 'active') end(store, key, execution, completion.state);
  sendMessages(store, execution, completion);
  if (execution.state === 'active' && execution.inbox.length > 0 && !execution.queued) queueWorkflowTask(store, key, execution);
  return handed;
}

/** Delivers `TimerFired` for `scheduleEventId` at `firesAt`, unless the execution ended (or the timer was cleared) first. */
function startTimer(store: MemoryStore, key: string, execution: Execution, scheduleEventId: number, firesAt: Date): void {
  const timer = setTimeout(() => {
    execution.timers.delete(scheduleEventId);
    if (execution.state === 'active') deliver(store, key, execution, newEvent('TimerFired', {}, scheduleEventId));
  }, Math.max(0, firesAt.getTime() - Date.now()));
  execution.timers.set(scheduleEventId, timer);
}
