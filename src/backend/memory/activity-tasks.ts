import type {
  ActivityOutcome,
  ActivityRequest,
  ActivityTask,
  ActivityTaskHandoff,
  PollRequest,
  WorkflowTask,
  WorkflowTaskCompletion,
  WorkflowTaskHandoff,
} from '../backend.js';
import { decode, encode } from '../../codec/codec.js';
import { encodeEvent } from '../../codec/event-codec.js';
import { executionKey } from '../../core/instance.js';
import { assertDurationMs } from '../../core/validation.js';
import { LeaseLostError, UndecodableDataError } from '../../errors/errors.js';
import { newEvent } from '../../history/events.js';
import { canceledActivityEvent } from '../canceled-before-start.js';
import { clearAttemptDeadlines, clearDeadlines, restartHeartbeatDeadline, startAttemptDeadlines, startScheduleToClose } from './activity-deadlines.js';
import { deliverEncoded } from './instance-lifecycle.js';
import type { ActivityRecord, Execution, MemoryStore } from './memory-store.js';
import { pollTasks } from './task-polling.js';
import { lockExecution } from './workflow-tasks.js';

type ActivityPayload = Omit<ActivityTask, 'id' | 'redeliveries'>;

/**
 * Records the activity attempts `task`'s completion schedules; those on `handoff`'s queues, up to its `max`,
 * are claimed for the caller and returned, the others queued.
 */
export function scheduleActivities(
  store: MemoryStore,
  task: WorkflowTask,
  activities: readonly ActivityRequest[],
  handoff: ActivityTaskHandoff | undefined,
): ActivityTask[] {
  const key = executionKey(task.instance);
  const handed: ActivityTask[] = [];
  // When the attempts are queued: their queue wait counts from it.
  const scheduledAt = new Date();
  for (const activity of activities) {
    const payload: ActivityPayload = { instance: { ...task.instance }, workflowQueue: task.queue, scheduledAt, ...activity };
    const id = `${key}#${activity.scheduleEventId}`;
    const record: ActivityRecord = {
      key,
      queue: activity.queue,
      payload: encode(payload),
      claim: 0,
      lockedUntil: 0,
      redeliveries: 0,
      claimed: false,
      scheduleEventId: activity.scheduleEventId,
      deadlines: new Map(),
    };
    if (activity.timeouts !== undefined) record.timeouts = activity.timeouts;
    store.activities.set(id, record);
    startScheduleToClose(store, id, record);
    if (handoff !== undefined && handed.length < handoff.max && handoff.queues.includes(activity.queue)) {
      const claimed = claimActivity(store, id, handoff.lockTimeoutMs);
      if (claimed !== undefined) handed.push(claimed);
    } else {
      store.activityQueues.push(activity.queue, id);
    }
  }
  return handed;
}

/** Removes each cancelled activity attempt no worker has claimed, and tells the execution (if it goes on). */
export function cancelUnclaimedActivities(store: MemoryStore, key: string, execution: Execution, completion: WorkflowTaskCompletion): void {
  for (const { scheduleEventId } of completion.canceledActivities ?? []) {
    const id = `${key}#${scheduleEventId}`;
    const record = store.activities.get(id);
    if (record === undefined || record.claimed) continue;
    clearDeadlines(record);
    store.activities.delete(id);
    store.activityQueues.remove(record.queue, id);
    if (completion.state === 'active') store.appendToInbox(execution, encodeEvent(canceledActivityEvent(scheduleEventId)));
  }
}

/** `Backend.pollActivityTasks` on `store`: claims queued activity attempts, waiting for one if none is queued. */
export function pollActivityTasks(store: MemoryStore, request: PollRequest): Promise<ActivityTask[]> {
  return pollTasks(
    store,
    store.activityQueues,
    request,
    (id) => store.activities.has(id),
    (id) => claimActivity(store, id, request.lockTimeoutMs),
  );
}

/** `Backend.extendActivityTask` on `store`; `LeaseLostError` once `task` is no longer held by its caller. */
export async function extendActivityTask(store: MemoryStore, task: ActivityTask, lockTimeoutMs: number): Promise<void> {
  await Promise.resolve();
  const record = activityHeldBy(store, task);
  if (record === undefined) throw new LeaseLostError(`activity task ${task.id} is no longer held by this worker`);
  record.lockedUntil = Date.now() + lockTimeoutMs;
}

/** `Backend.heartbeatActivityTask` on `store`: extends the lease and starts the heartbeat timeout again. */
export async function heartbeatActivityTask(store: MemoryStore, task: ActivityTask, lockTimeoutMs: number): Promise<void> {
  await extendActivityTask(store, task, lockTimeoutMs);
  restartHeartbeatDeadline(store, activityRecordId(task), store.activities.get(activityRecordId(task)) as ActivityRecord);
}

/**
 * `Backend.completeActivityTask` on `store`: delivers the outcome to the execution that scheduled the attempt,
 * and returns the workflow task it wakes when that task's queue is one of `handoff`'s.
 */
export async function completeActivityTask(
  store: MemoryStore,
  task: ActivityTask,
  outcome: ActivityOutcome,
  handoff: WorkflowTaskHandoff | undefined,
): Promise<WorkflowTask | undefined> {
  await Promise.resolve();
  store.assertOpen();
  const id = activityRecordId(task);
  const record = store.activities.get(id);
  // The first completion wins, whichever worker holds the lease now; later ones change nothing.
  if (record === undefined) return notDelivered(store, task, 'duplicate');
  // Encoded before the record goes: an outcome that cannot be encoded leaves the attempt as it was.
  const event = encodeEvent(
    'error' in outcome
      ? newEvent('ActivityFailed', { error: outcome.error }, task.scheduleEventId)
      : newEvent('ActivityCompleted', { result: outcome.result }, task.scheduleEventId),
  );
  clearDeadlines(record);
  store.activities.delete(id);
  store.leasedActivities.delete(id);
  const execution = store.executions.get(record.key);
  if (execution?.state !== 'active') return notDelivered(store, task, 'dropped');
  const wakes = deliverEncoded(store, record.key, execution, event);
  if (!wakes || handoff?.queues.includes(execution.queue) !== true) return undefined;
  // The task this outcome queued goes to the caller instead of waiting for a poll.
  store.workflowQueues.remove(execution.queue, record.key);
  return lockExecution(store, record.key, handoff);
}

/** Logs, as RedisBackend does, an outcome that a second completion or the end of its execution made moot. */
function notDelivered(store: MemoryStore, task: ActivityTask, result: 'duplicate' | 'dropped'): undefined {
  const { instanceId, executionId } = task.instance;
  store.logger.debug({ instanceId, executionId, activity: task.name, result }, 'activity outcome not delivered');
  return undefined;
}

/**
 * `Backend.releaseActivityTask` on `store`: queues `task` again if its caller still holds it; with `retryAfterMs`
 * > 0, only once that long has passed, as a redelivery (see `queueLater`).
 */
export async function releaseActivityTask(store: MemoryStore, task: ActivityTask, retryAfterMs = 0): Promise<void> {
  assertDurationMs(retryAfterMs, 'retryAfterMs');
  await Promise.resolve();
  const record = activityHeldBy(store, task);
  if (record === undefined) return;
  const id = activityRecordId(task);
  clearAttemptDeadlines(record);
  record.lockedUntil = 0;
  store.leasedActivities.delete(id);
  record.claimed = false;
  if (retryAfterMs > 0) {
    queueLater(store, id, record, retryAfterMs);
    return;
  }
  store.activityQueues.push(record.queue, id);
}

/**
 * Queues the attempt under `id` after `delayMs`, counting a redelivery, unless it went meanwhile (completed,
 * or its execution ended, or a cancellation removed it: held by nobody, it counts as unclaimed) or the store
 * closed. Queueing wakes every waiting poll, so the worker that gave it back has no head start over the others.
 */
function queueLater(store: MemoryStore, id: string, record: ActivityRecord, delayMs: number): void {
  const claim = record.claim;
  const timer = setTimeout(() => {
    if (store.isClosed || store.activities.get(id) !== record || record.claim !== claim || record.lockedUntil > 0) return;
    record.redeliveries += 1;
    store.activityQueues.push(record.queue, id);
  }, delayMs);
  timer.unref();
}

/** Claims an activity; undefined when its payload cannot be decoded: it is then held until its lease expires. */
function claimActivity(store: MemoryStore, id: string, lockTimeoutMs: number): ActivityTask | undefined {
  const record = store.activities.get(id) as ActivityRecord;
  record.claim += 1;
  record.claimed = true;
  record.lockedUntil = Date.now() + lockTimeoutMs;
  store.leasedActivities.add(id);
  try {
    const payload = decode<ActivityPayload>(record.payload, `activity task ${id}`);
    const timeLeftMs = startAttemptDeadlines(store, id, record);
    return Object.assign({}, payload, { id: `${id}#${record.claim}`, redeliveries: record.redeliveries }, timeLeftMs === undefined ? {} : { timeLeftMs });
  } catch (err) {
    if (!(err instanceof UndecodableDataError)) throw err;
    store.logger.error({ err, activityTask: id }, 'activity task holds data this worker cannot decode: it is held, retried when its lease expires');
    return undefined;
  }
}

/** The record of `task`'s attempt while `task` holds its lease. */
function activityHeldBy(store: MemoryStore, task: ActivityTask): ActivityRecord | undefined {
  store.assertOpen();
  const record = store.activities.get(activityRecordId(task));
  return record !== undefined && task.id === `${activityRecordId(task)}#${record.claim}` && record.lockedUntil > 0 ? record : undefined;
}

function activityRecordId(task: ActivityTask): string {
  return `${executionKey(task.instance)}#${task.scheduleEventId}`;
}
