import type {
  BackendStats,
  ExecutionOutcome,
  FilteredWorkflowInstancesQuery,
  WorkflowInstanceDetails,
  WorkflowInstanceInfo,
  WorkflowInstancePage,
} from '../backend.js';
import { matchesInstanceFilter } from '../instance-filter.js';
import { decodeEvent, decodeHistoryEvent } from '../../codec/event-codec.js';
import { executionKey, type WorkflowInstance, type WorkflowInstanceState } from '../../core/instance.js';
import { InstanceNotFinishedError, InstanceNotFoundError, InvalidArgumentError } from '../../errors/errors.js';
import type { HistoryEvent } from '../../history/events.js';
import type { PresenceReport } from '../presence-report.js';
import { removeChain } from './instance-lifecycle.js';
import type { Execution, MemoryStore } from './memory-store.js';

// What clients ask of stored executions besides running them: read, wait for, list, count and remove them.
// Each throws `BackendClosedError` once the store is closed.

/** `Backend.getWorkflowInstanceState` on `store`; `InstanceNotFoundError` for an unknown execution. */
export async function getWorkflowInstanceState(store: MemoryStore, instance: WorkflowInstance): Promise<WorkflowInstanceState> {
  await Promise.resolve();
  return store.execution(instance).state;
}

/** `Backend.getWorkflowInstanceHistory` on `store`: the events after `afterSequenceId`; `InstanceNotFoundError` for an unknown execution. */
export async function getWorkflowInstanceHistory(store: MemoryStore, instance: WorkflowInstance, afterSequenceId: number): Promise<HistoryEvent[]> {
  await Promise.resolve();
  return store
    .execution(instance)
    .history.slice(afterSequenceId)
    .map((bytes, i) => decodeHistoryEvent(bytes, afterSequenceId + i + 1, instance));
}

/** `Backend.getWorkflowInstanceOutcome` on `store`: the last event of an ended execution, undefined while active. */
export async function getWorkflowInstanceOutcome(store: MemoryStore, instance: WorkflowInstance): Promise<ExecutionOutcome | undefined> {
  await Promise.resolve();
  return outcomeOf(store.execution(instance), instance);
}

/** `Backend.waitForWorkflowInstance` on `store`: the outcome once the execution ended, or undefined after `timeoutMs`. */
export async function waitForWorkflowInstance(store: MemoryStore, instance: WorkflowInstance, timeoutMs: number): Promise<ExecutionOutcome | undefined> {
  const key = executionKey(instance);
  const execution = store.execution(instance);
  if (execution.state === 'active') await store.waitForEnd(key, timeoutMs);
  store.assertOpen();
  return outcomeOf(execution, instance);
}

function outcomeOf(execution: Execution, instance: WorkflowInstance): ExecutionOutcome | undefined {
  const last = execution.history.at(-1);
  if (execution.state === 'active' || last === undefined) return undefined;
  return decodeHistoryEvent(last, execution.history.length, instance) as ExecutionOutcome;
}

/** `Backend.getLatestExecution` on `store`: the newest execution of `instanceId`; `InstanceNotFoundError` if none is stored. */
export async function getLatestExecution(store: MemoryStore, instanceId: string): Promise<WorkflowInstance> {
  await Promise.resolve();
  store.assertOpen();
  const key = store.instances.get(instanceId);
  const execution = key === undefined ? undefined : store.executions.get(key);
  if (execution === undefined) throw new InstanceNotFoundError(instanceId);
  return { ...execution.instance };
}

/** `Backend.listWorkflowInstances` on `store`: the executions matching the filter, newest first, a page at a time. */
export async function listWorkflowInstances(store: MemoryStore, query: FilteredWorkflowInstancesQuery): Promise<WorkflowInstancePage> {
  await Promise.resolve();
  store.assertOpen();
  const before = query.cursor === undefined ? Infinity : Number(query.cursor);
  if (!(before === Infinity || (Number.isSafeInteger(before) && before > 0))) {
    throw new InvalidArgumentError(`listWorkflowInstances: cursor ${JSON.stringify(query.cursor)} was not issued by this backend`);
  }
  const newestFirst = [...store.executions.values()]
    .filter((e) => e.order < before && matchesInstanceFilter(infoOf(e), query))
    .sort((a, b) => b.order - a.order);
  const page = newestFirst.slice(0, query.count);
  const instances = page.map(infoOf);
  const last = page.at(-1);
  return newestFirst.length > page.length && last !== undefined ? { instances, nextCursor: String(last.order) } : { instances };
}

function infoOf(e: Execution): WorkflowInstanceInfo {
  const info: WorkflowInstanceInfo = { instance: { ...e.instance }, name: e.name, queue: e.queue, state: e.state, createdAt: e.createdAt };
  if (e.finishedAt !== undefined) info.finishedAt = e.finishedAt;
  return info;
}

/**
 * `Backend.getWorkflowInstanceDetails` on `store`: the execution's listing fields, hold and predecessor in its
 * chain; `InstanceNotFoundError` for an unknown execution.
 */
export async function getWorkflowInstanceDetails(store: MemoryStore, instance: WorkflowInstance): Promise<WorkflowInstanceDetails> {
  await Promise.resolve();
  const execution = store.execution(instance);
  const details: WorkflowInstanceDetails = infoOf(execution);
  const { hold } = execution;
  if (hold !== undefined) {
    details.hold = { reason: hold.reason, error: { ...hold.error }, since: hold.since, attempts: hold.attempts, parked: hold.retryAt === undefined };
    if (hold.retryAt !== undefined) details.hold.retryAt = hold.retryAt;
  }
  // The chain lists its executions oldest first, so the one before this one continued into it.
  const at = execution.chain.indexOf(executionKey(instance));
  const previous = at > 0 ? store.executions.get(execution.chain[at - 1] as string) : undefined;
  if (previous !== undefined) details.continuedFrom = { ...previous.instance };
  const head = execution.history.length === 0 ? execution.inbox[0] : undefined;
  if (execution.state === 'active' && head !== undefined) {
    const event = decodeEvent(head.event, instance);
    if (event.type === 'WorkflowExecutionStarted') details.startedAttributes = event.attributes;
  }
  return details;
}

/** `Backend.getStats` on `store` but for the workers (`PresenceReport`): active and held executions, and pending tasks per queue. */
export async function getStats(store: MemoryStore): Promise<Omit<BackendStats, keyof PresenceReport>> {
  await Promise.resolve();
  store.assertOpen();
  const stats: Omit<BackendStats, keyof PresenceReport> = { activeWorkflowInstances: 0, deadLetterMessages: 0, pendingWorkflowTasks: {}, pendingActivityTasks: {}, heldWorkflowInstances: 0 };
  for (const execution of store.executions.values()) {
    if (execution.state !== 'active') continue;
    stats.activeWorkflowInstances += 1;
    if (execution.hold !== undefined) stats.heldWorkflowInstances += 1;
    const pending = execution.queued || execution.lockedUntil > 0 ? 1 : 0;
    stats.pendingWorkflowTasks[execution.queue] = (stats.pendingWorkflowTasks[execution.queue] ?? 0) + pending;
  }
  for (const record of store.activities.values()) {
    stats.pendingActivityTasks[record.queue] = (stats.pendingActivityTasks[record.queue] ?? 0) + 1;
  }
  return stats;
}

/**
 * `Backend.removeWorkflowInstance` on `store`: removes the continue-as-new chain of `instance`. Throws
 * `InstanceNotFinishedError` while the chain's latest execution is active, `InstanceNotFoundError` for an unknown execution.
 */
export async function removeWorkflowInstance(store: MemoryStore, instance: WorkflowInstance): Promise<void> {
  await Promise.resolve();
  const execution = store.execution(instance);
  if (store.executions.get(execution.chain.at(-1) as string)?.state === 'active') {
    throw new InstanceNotFinishedError(instance.instanceId);
  }
  removeChain(store, execution.chain);
}

/** `Backend.removeWorkflowInstances` on `store`: removes every chain that finished before `finishedBefore`; returns how many executions went. */
export async function removeWorkflowInstances(store: MemoryStore, finishedBefore: Date): Promise<number> {
  await Promise.resolve();
  store.assertOpen();
  // Only the execution that finished its chain is 'finished'; its end time is the chain's.
  const chains = [...store.executions.values()]
    .filter((e) => e.state === 'finished' && e.finishedAt !== undefined && e.finishedAt < finishedBefore)
    .map((e) => e.chain);
  for (const chain of chains) removeChain(store, chain);
  return chains.reduce((sum, chain) => sum + chain.length, 0);
}
