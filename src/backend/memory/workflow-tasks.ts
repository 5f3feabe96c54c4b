import type { WorkflowPollRequest, WorkflowTask } from '../backend.js';
import { decodeEvent, decodeHistoryEvent } from '../../codec/event-codec.js';
import { executionKey } from '../../core/instance.js';
import { LeaseLostError, UndecodableDataError } from '../../errors/errors.js';
import { queueWorkflowTask, unlock } from './instance-lifecycle.js';
import type { Execution, MemoryStore } from './memory-store.js';
import { pollTasks } from './task-polling.js';

/** `Backend.pollWorkflowTasks` on `store`: claims queued workflow tasks, waiting for one if none is queued. */
export function pollWorkflowTasks(store: MemoryStore, request: WorkflowPollRequest): Promise<WorkflowTask[]> {
  return pollTasks(
    store,
    store.workflowQueues,
    request,
    (key) => {
      const execution = store.executions.get(key);
      return execution?.state === 'active' && execution.queued;
    },
    (key) => lockExecution(store, key, request),
  );
}

/**
 * Takes the workflow task of the execution under `key` out of the queue and locks it for
 * `request.lockTimeoutMs`: its new events, and the history the caller lacks. Undefined when its inbox is
 * empty. A task whose data cannot be decoded comes without events, with `undecodable` set, for the caller to hold.
 */
export function lockExecution(
  store: MemoryStore,
  key: string,
  request: Pick<WorkflowPollRequest, 'lockTimeoutMs' | 'knownHistoryLength'>,
): WorkflowTask | undefined {
  const execution = store.executions.get(key) as Execution;
  execution.queued = false;
  const last = execution.inbox.at(-1);
  if (last === undefined) return undefined;
  execution.lockToken += 1;
  execution.lockedUntil = Date.now() + request.lockTimeoutMs;
  store.leasedExecutions.add(key);
  const known = request.knownHistoryLength(execution.instance);
  const length = execution.history.length;
  const { instance } = execution;
  const task = {
    id: `${key}#${execution.lockToken}`,
    instance: { ...instance },
    queue: execution.queue,
    lockToken: execution.lockToken,
    historyLength: length,
    inboxCursor: String(last.id),
  };
  try {
    const history =
      known <= length ? execution.history.slice(known).map((bytes, i) => decodeHistoryEvent(bytes, known + i + 1, instance)) : [];
    return { history, newEvents: execution.inbox.map((entry) => decodeEvent(entry.event, instance)), ...task };
  } catch (err) {
    if (!(err instanceof UndecodableDataError)) throw err;
    return { history: [], newEvents: [], undecodable: err, ...task };
  }
}

/**
 * The execution `task` is of, while `task` still holds its lock; throws `LeaseLostError` once another claim
 * or the end of the lock took it, `BackendClosedError` once closed.
 */
export function lockedBy(store: MemoryStore, task: WorkflowTask): Execution {
  store.assertOpen();
  const execution = store.executions.get(executionKey(task.instance));
  if (execution === undefined || execution.lockToken !== task.lockToken || execution.lockedUntil === 0) {
    throw new LeaseLostError(`workflow task ${task.id} is no longer held by this worker`);
  }
  return execution;
}

/** `Backend.extendWorkflowTask` on `store`: the lock of `task` lasts `lockTimeoutMs` from now (see `lockedBy`). */
export async function extendWorkflowTask(store: MemoryStore, task: WorkflowTask, lockTimeoutMs: number): Promise<void> {
  await Promise.resolve();
  const execution = lockedBy(store, task);
  execution.lockedUntil = Date.now() + lockTimeoutMs;
}

/** `Backend.releaseWorkflowTask` on `store`: `task` is unlocked and queued again (see `lockedBy`). */
export async function releaseWorkflowTask(store: MemoryStore, task: WorkflowTask): Promise<void> {
  await Promise.resolve();
  const execution = lockedBy(store, task);
  const key = executionKey(task.instance);
  unlock(store, key, execution);
  queueWorkflowTask(store, key, execution);
}
