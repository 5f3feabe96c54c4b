import type { ContinuationRequest, WorkflowTaskCompletion } from '../backend.js';
import { decodeEvent, encodeEvent } from '../../codec/event-codec.js';
import { executionKey, type WorkflowInstance } from '../../core/instance.js';
import { InstanceNotFoundError, instanceFailureInfo } from '../../errors/errors.js';
import { isCarriedOver } from '../../history/carry-over.js';
import { newEvent, type NewEvent, type NewEventOf } from '../../history/events.js';
import { canceledBeforeStartEvents } from '../canceled-before-start.js';
import { createExecution, deliver, end, unlock } from './instance-lifecycle.js';
import type { Execution, MemoryStore } from './memory-store.js';

/**
 * `Backend.signalWorkflow` on `store`: delivers `signal` to the active execution of `instanceId`. Throws
 * `InstanceNotFoundError` when it has none, `BackendClosedError` once closed.
 */
export async function signalWorkflow(store: MemoryStore, instanceId: string, signal: NewEventOf<'SignalReceived'>): Promise<void> {
  await Promise.resolve();
  store.assertOpen();
  const key = store.activeExecution(instanceId);
  if (key === undefined) throw new InstanceNotFoundError(instanceId);
  deliver(store, key, store.executions.get(key) as Execution, signal);
}

/** `Backend.cancelWorkflowInstance` on `store` (see `requestCancellation`); `InstanceNotFoundError` for an unknown execution. */
export async function cancelWorkflowInstance(store: MemoryStore, instance: WorkflowInstance): Promise<void> {
  await Promise.resolve();
  requestCancellation(store, store.execution(instance));
}

/** Delivers what the task sends to other instances; replies to the sender land in its inbox. */
export function sendMessages(store: MemoryStore, execution: Execution, completion: WorkflowTaskCompletion): void {
  const reply = (event: NewEvent): void => {
    if (execution.state === 'active') store.appendToInbox(execution, encodeEvent(event));
  };
  // A child no worker has started ends here, cancelled, and never runs; the others are asked below.
  for (const child of completion.cancellations ?? []) {
    const target = store.executions.get(executionKey(child));
    if (target === undefined || !hasNotStarted(target)) continue;
    const events = canceledBeforeStartEvents(child);
    endBeforeStart(store, executionKey(child), target, events.canceled, events.finished);
    reply(events.parentFailed);
  }
  for (const child of completion.subWorkflows ?? []) {
    if (store.activeExecution(child.instance.instanceId) === undefined) createExecution(store, child.instance, child.started);
    else {
      const error = instanceFailureInfo('InstanceAlreadyExistsError', child.instance.instanceId);
      reply(newEvent('SubWorkflowFailed', { error }, child.scheduleEventId));
    }
  }
  for (const request of completion.signals ?? []) {
    const target = store.activeExecution(request.instanceId);
    if (target === undefined) {
      const error = instanceFailureInfo('InstanceNotFoundError', request.instanceId);
      reply(newEvent('SignalFailed', { error }, request.scheduleEventId));
    } else {
      deliver(store, target, store.executions.get(target) as Execution, request.signal);
      reply(newEvent('SignalDelivered', {}, request.scheduleEventId));
    }
  }
  for (const child of completion.cancellations ?? []) {
    const target = store.executions.get(executionKey(child));
    if (target !== undefined) requestCancellation(store, target);
  }
  // A parent that has ended takes no child outcome: its history is closed.
  const notify = completion.notifyParent;
  const parent = notify === undefined ? undefined : store.executions.get(executionKey(notify.parent));
  if (notify !== undefined && parent?.state === 'active') deliver(store, executionKey(notify.parent), parent, notify.event);
}

/**
 * Starts the next execution with what the old one carries over, then the signals and cancellation requests
 * that arrived after its last task was claimed; the other late events end with the old inbox.
 */
export function continueAsNew(store: MemoryStore, old: Execution, continuation: ContinuationRequest): void {
  const next = createExecution(store, continuation.instance, continuation.started, old.chain);
  const leftover = old.inbox.map((entry) => decodeEvent(entry.event)).filter(isCarriedOver);
  for (const event of [...continuation.carried, ...leftover]) store.appendToInbox(next, encodeEvent(event));
}

/**
 * Appends `WorkflowExecutionCanceled` to `execution` if active, or to its instance's active execution if it
 * continued as new (the request is for the instance, within its chain); a finished chain has nothing left to cancel.
 */
function requestCancellation(store: MemoryStore, execution: Execution): void {
  // The chain's latest execution is the one that can still be active; a reused id runs another chain.
  const key = execution.chain.at(-1) as string;
  const latest = store.executions.get(key);
  if (latest?.state === 'active') deliver(store, key, latest, newEvent('WorkflowExecutionCanceled', {}));
}

/** True for an active execution that no worker has committed a task of, nor holds now. */
function hasNotStarted(execution: Execution): boolean {
  return execution.state === 'active' && execution.history.length === 0 && execution.lockedUntil <= Date.now();
}

/**
 * Ends an execution that has not started with the history `WorkflowExecutionStarted`, `canceled`, `finished`.
 * A holder whose lease lapsed during the first task loses it: its completion is refused.
 */
function endBeforeStart(store: MemoryStore, key: string, execution: Execution, canceled: NewEvent, finished: NewEvent): void {
  const started = execution.inbox[0]?.event;
  if (started !== undefined) execution.history.push(started);
  execution.history.push(encodeEvent(canceled), encodeEvent(finished));
  unlock(store, key, execution);
  end(store, key, execution, 'finished');
}
