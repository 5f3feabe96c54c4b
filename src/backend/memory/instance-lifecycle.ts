import { encodeEvent } from '../../codec/event-codec.js';
import { executionKey, type WorkflowInstance, type WorkflowInstanceState } from '../../core/instance.js';
import { InstanceAlreadyExistsError } from '../../errors/errors.js';
import type { NewEvent, NewEventOf } from '../../history/events.js';
import { clearDeadlines } from './activity-deadlines.js';
import type { Execution, MemoryStore } from './memory-store.js';

/**
 * Starts a new chain for `instance` with `started` in its inbox. Throws `BackendClosedError` once closed and
 * `InstanceAlreadyExistsError` while the instance id has an active execution.
 */
export async function createWorkflowInstance(
  store: MemoryStore,
  instance: WorkflowInstance,
  started: NewEventOf<'WorkflowExecutionStarted'>,
): Promise<void> {
  store.assertOpen();
  if (store.activeExecution(instance.instanceId) !== undefined) throw new InstanceAlreadyExistsError(instance.instanceId);
  createExecution(store, instance, started);
  await Promise.resolve();
}

/**
 * Creates an active execution, as the next of `chain` (continue-as-new) or the first of a new chain. Throws
 * `InvalidArgumentError`, having changed nothing, when `started` cannot be encoded.
 */
export function createExecution(
  store: MemoryStore,
  instance: WorkflowInstance,
  started: NewEventOf<'WorkflowExecutionStarted'>,
  chain: string[] = [],
): Execution {
  const startedBlob = encodeEvent(started);
  const key = executionKey(instance);
  chain.push(key);
  const execution: Execution = {
    instance: { instanceId: instance.instanceId, executionId: instance.executionId },
    name: started.attributes.name,
    queue: started.attributes.queue,
    state: 'active',
    order: store.takeCreationOrder(),
    createdAt: new Date(),
    chain,
    history: [],
    inbox: [],
    lockToken: 0,
    lockedUntil: 0,
    queued: false,
    timers: new Map(),
  };
  store.executions.set(key, execution);
  store.instances.set(instance.instanceId, key);
  deliverEncoded(store, key, execution, startedBlob);
  return execution;
}

/**
 * Appends an event to an execution's inbox and queues it unless it is queued, locked or held already. Throws
 * `InvalidArgumentError`, having changed nothing, when `event` cannot be encoded.
 */
export function deliver(store: MemoryStore, key: string, execution: Execution, event: NewEvent): void {
  deliverEncoded(store, key, execution, encodeEvent(event));
}

/** `deliver` of an event encoded already (by `encodeEvent`); true when it queued the workflow task. */
export function deliverEncoded(store: MemoryStore, key: string, execution: Execution, event: Buffer): boolean {
  store.appendToInbox(execution, event);
  if (!isIdle(execution)) return false;
  queueWorkflowTask(store, key, execution);
  return true;
}

/** True when a new event must queue the execution's task: none is queued, none is running, no hold keeps it back. */
export function isIdle(execution: Execution): boolean {
  return !execution.queued && execution.lockedUntil === 0 && execution.hold?.waiting !== true;
}

/** Forgets the hold of `execution`, and the end of its backoff. */
export function clearHold(execution: Execution): void {
  clearTimeout(execution.hold?.timer);
  delete execution.hold;
}

/** Puts the workflow task of the execution under `key` in its queue. */
export function queueWorkflowTask(store: MemoryStore, key: string, execution: Execution): void {
  execution.queued = true;
  store.workflowQueues.push(execution.queue, key);
}

/** Ends the lock on the workflow task of the execution under `key`, whoever holds it. */
export function unlock(store: MemoryStore, key: string, execution: Execution): void {
  execution.lockedUntil = 0;
  store.leasedExecutions.delete(key);
}

/**
 * Gives an execution its end `state`: its inbox and timers go, its chain's retention starts if it finished
 * the chain, and whoever waits for it is woken.
 */
export function end(store: MemoryStore, key: string, execution: Execution, state: WorkflowInstanceState): void {
  execution.state = state;
  execution.finishedAt = new Date();
  execution.inbox = [];
  clearHold(execution);
  for (const timer of execution.timers.values()) clearTimeout(timer);
  execution.timers.clear();
  // An execution that continues as new leaves its chain running; the chain expires when it finishes.
  if (state === 'finished' && Number.isFinite(store.retentionMs)) {
    execution.expiry = setTimeout(() => removeChain(store, execution.chain), store.retentionMs);
    execution.expiry.unref();
  }
  store.notifyEnded(key);
}

/** Forgets every execution of an ended chain and whatever still refers to them. */
export function removeChain(store: MemoryStore, chain: readonly string[]): void {
  const keys = new Set(chain);
  for (const key of keys) {
    const execution = store.executions.get(key);
    if (execution === undefined) continue;
    clearTimeout(execution.expiry);
    store.executions.delete(key);
    if (store.instances.get(execution.instance.instanceId) === key) store.instances.delete(execution.instance.instanceId);
  }
  for (const [id, record] of store.activities) {
    if (keys.has(record.key)) {
      clearDeadlines(record);
      store.activities.delete(id);
      store.leasedActivities.delete(id);
    }
  }
}
