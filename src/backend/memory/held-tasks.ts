import type {
  HeldWorkflowInstanceInfo,
  HeldWorkflowInstancePage,
  HoldReason,
  HoldState,
  ListWorkflowInstancesQuery,
  WorkflowTask,
  WorkflowTaskHold,
} from '../backend.js';
import { nextHold } from '../hold-backoff.js';
import { executionKey, type WorkflowInstance } from '../../core/instance.js';
import { InvalidArgumentError } from '../../errors/errors.js';
import { clearHold, isIdle, queueWorkflowTask, unlock } from './instance-lifecycle.js';
import type { Execution, MemoryStore } from './memory-store.js';
import { lockedBy } from './workflow-tasks.js';

/** The hold of an execution whose workflow task failed outside the workflow code (see `Backend.holdWorkflowTask`). */
export interface MemoryHold {
  reason: HoldReason;
  error: { type: string; message: string };
  since: Date;
  attempts: number;
  /** Absent once parked. */
  retryAt?: Date;
  /** True until the backoff has passed (for good once parked): no event queues the task meanwhile. */
  waiting: boolean;
  /** Ends the backoff. */
  timer?: NodeJS.Timeout;
}

/** Queues the task of an active execution that has events to process and nothing else that will run them. */
function queueIfIdle(store: MemoryStore, key: string, execution: Execution): void {
  if (execution.state === 'active' && execution.inbox.length > 0 && isIdle(execution)) queueWorkflowTask(store, key, execution);
}

/** `Backend.holdWorkflowTask` on `store` (see `lockedBy` for `LeaseLostError`). */
export async function holdWorkflowTask(store: MemoryStore, task: WorkflowTask, hold: WorkflowTaskHold): Promise<HoldState> {
  await Promise.resolve();
  const execution = lockedBy(store, task);
  const key = executionKey(task.instance);
  const previous = execution.hold;
  clearTimeout(previous?.timer);
  // Attempts count holds of one reason: holds for another (a worker without the workflow, which never parks)
  // must not use up the attempts of this one.
  const attempts = previous?.reason === hold.reason ? previous.attempts : 0;
  const state = nextHold(hold.retry, attempts, previous?.since ?? new Date(), Date.now());
  unlock(store, key, execution);
  const record: MemoryHold = { reason: hold.reason, error: { ...hold.error }, ...state, waiting: true };
  execution.hold = record;
  if (state.retryAt !== undefined) {
    record.timer = setTimeout(() => {
      if (execution.hold !== record) return;
      record.waiting = false;
      delete record.timer;
      queueIfIdle(store, key, execution);
    }, Math.max(0, state.retryAt.getTime() - Date.now()));
  }
  return { ...state };
}

/** `Backend.retryHeldWorkflowInstance` on `store`; `InstanceNotFoundError` for an unknown execution. */
export async function retryHeldWorkflowInstance(store: MemoryStore, instance: WorkflowInstance): Promise<boolean> {
  await Promise.resolve();
  const execution = store.execution(instance);
  if (execution.hold === undefined) return false;
  clearHold(execution);
  queueIfIdle(store, executionKey(instance), execution);
  return true;
}

/** The listing position of a hold: newest `since` first, then newest execution. */
function positionOf(execution: Execution): [number, number] {
  return [execution.hold?.since.getTime() ?? 0, execution.order];
}

function newerFirst(a: [number, number], b: [number, number]): number {
  return b[0] - a[0] || b[1] - a[1];
}

function decodeCursor(cursor: string): [number, number] {
  const parts = cursor.split(':').map(Number);
  const [since, order] = parts;
  if (parts.length !== 2 || !Number.isSafeInteger(since) || !Number.isSafeInteger(order)) {
    throw new InvalidArgumentError(`listHeldWorkflowInstances: cursor ${JSON.stringify(cursor)} was not issued by this backend`);
  }
  return [since as number, order as number];
}

/** `Backend.listHeldWorkflowInstances` on `store`: held executions, newest hold first, a page at a time. */
export async function listHeldWorkflowInstances(store: MemoryStore, query: ListWorkflowInstancesQuery): Promise<HeldWorkflowInstancePage> {
  await Promise.resolve();
  store.assertOpen();
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const held = [...store.executions.values()]
    .filter((e) => e.hold !== undefined && (after === undefined || newerFirst(after, positionOf(e)) < 0))
    .sort((a, b) => newerFirst(positionOf(a), positionOf(b)));
  const page = held.slice(0, query.count);
  const instances = page.map((e): HeldWorkflowInstanceInfo => {
    const hold = e.hold as MemoryHold;
    return {
      instance: { ...e.instance },
      name: e.name,
      queue: e.queue,
      reason: hold.reason,
      error: { ...hold.error },
      since: hold.since,
      attempts: hold.attempts,
      ...(hold.retryAt === undefined ? {} : { retryAt: hold.retryAt }),
      parked: hold.retryAt === undefined,
    };
  });
  const last = page.at(-1);
  return held.length > page.length && last !== undefined ? { instances, nextCursor: positionOf(last).join(':') } : { instances };
}
