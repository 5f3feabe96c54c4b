import type { Logger } from 'pino';
import { DeadLetterNotFoundError, InvalidArgumentError } from '../../errors/errors.js';
import type {
  ActivityOutcome,
  ActivityTask,
  ActivityTaskHandoff,
  Backend,
  BackendStats,
  DeadLetterPage,
  ListDeadLetterMessagesQuery,
  ExecutionOutcome,
  HeldWorkflowInstancePage,
  HoldState,
  FilteredWorkflowInstancesQuery,
  ListWorkflowInstancesQuery,
  PollRequest,
  WorkflowInstanceDetails,
  WorkflowInstancePage,
  WorkflowPollRequest,
  WorkflowTask,
  WorkflowTaskCompletion,
  WorkflowTaskHandoff,
  WorkflowTaskHold,
  UnknownName,
  WorkerInfo,
} from '../backend.js';
import type { WorkflowInstance, WorkflowInstanceState } from '../../core/instance.js';
import { createLogger } from '../../core/logger.js';
import type { HistoryEvent, NewEventOf } from '../../history/events.js';
import {
  completeActivityTask,
  extendActivityTask,
  heartbeatActivityTask,
  pollActivityTasks,
  releaseActivityTask,
} from './activity-tasks.js';
import { holdWorkflowTask, listHeldWorkflowInstances, retryHeldWorkflowInstance } from './held-tasks.js';
import { createWorkflowInstance } from './instance-lifecycle.js';
import {
  getLatestExecution,
  getStats,
  getWorkflowInstanceHistory,
  getWorkflowInstanceOutcome,
  getWorkflowInstanceState,
  listWorkflowInstances,
  getWorkflowInstanceDetails,
  removeWorkflowInstance,
  removeWorkflowInstances,
  waitForWorkflowInstance,
} from './instance-management.js';
import { cancelWorkflowInstance, signalWorkflow } from './instance-messages.js';
import { MemoryStore } from './memory-store.js';
import { MemoryWorkerPresence } from './worker-presence.js';
import { presenceReport } from '../presence-report.js';
import { completeWorkflowTask } from './workflow-task-completion.js';
import { extendWorkflowTask, pollWorkflowTasks, releaseWorkflowTask } from './workflow-tasks.js';

/** Options of `MemoryBackend`. */
export interface MemoryBackendOptions {
  /**
   * Delete a continue-as-new chain this long (ms) after its latest execution finished, all its executions
   * together. @default Infinity (keep until removed)
   */
  retentionMs?: number;
  /** Logger for activity tasks held because their data cannot be decoded, used as given. @default createLogger(): level `REDFLOW_LOG_LEVEL`, else `info` */
  logger?: Logger;
}

/**
 * The whole engine's storage in one process: the executable specification of the backend semantics, and the
 * zero-setup backend for tests, examples and the quick start. It passes the same conformance suite as Redis.
 * Its state is a `MemoryStore`; each operation group works on it in a module of its own.
 */
export class MemoryBackend implements Backend {
  private readonly store: MemoryStore;
  private readonly presence = new MemoryWorkerPresence();

  /**
   * Throws `InvalidArgumentError` for a `retentionMs` that is neither a positive integer nor `Infinity`, and
   * (without `logger`) for a `REDFLOW_LOG_LEVEL` that is not a level.
   */
  constructor(options: MemoryBackendOptions = {}) {
    const retentionMs = options.retentionMs ?? Infinity;
    if (retentionMs !== Infinity && (!Number.isSafeInteger(retentionMs) || retentionMs < 1)) {
      throw new InvalidArgumentError(`MemoryBackend option retentionMs must be a positive integer or Infinity, got ${String(retentionMs)}`);
    }
    this.store = new MemoryStore(retentionMs, options.logger ?? createLogger());
  }

  createWorkflowInstance(instance: WorkflowInstance, started: NewEventOf<'WorkflowExecutionStarted'>): Promise<void> {
    return createWorkflowInstance(this.store, instance, started);
  }

  signalWorkflow(instanceId: string, signal: NewEventOf<'SignalReceived'>): Promise<void> {
    return signalWorkflow(this.store, instanceId, signal);
  }

  cancelWorkflowInstance(instance: WorkflowInstance): Promise<void> {
    return cancelWorkflowInstance(this.store, instance);
  }

  removeWorkflowInstance(instance: WorkflowInstance): Promise<void> {
    return removeWorkflowInstance(this.store, instance);
  }

  removeWorkflowInstances(finishedBefore: Date): Promise<number> {
    return removeWorkflowInstances(this.store, finishedBefore);
  }

  listWorkflowInstances(query: FilteredWorkflowInstancesQuery): Promise<WorkflowInstancePage> {
    return listWorkflowInstances(this.store, query);
  }

  getWorkflowInstanceDetails(instance: WorkflowInstance): Promise<WorkflowInstanceDetails> {
    return getWorkflowInstanceDetails(this.store, instance);
  }

  /** Nothing to connect to: resolves, or rejects with `BackendClosedError` after `close()`. */
  async connect(): Promise<void> {
    await Promise.resolve();
    this.store.assertOpen();
  }

  async getStats(): Promise<BackendStats> {
    const stats = await getStats(this.store);
    const report = presenceReport(Object.assign({}, stats, { workers: this.presence.list(), unknownNames: this.presence.unknownNames() }));
    return Object.assign({}, stats, report);
  }

  async announceWorker(info: WorkerInfo, ttlMs: number): Promise<void> {
    await this.#open();
    this.presence.announce(info, ttlMs);
  }

  async withdrawWorker(workerId: string): Promise<void> {
    await this.#open();
    this.presence.withdraw(workerId);
  }

  async listWorkers(): Promise<WorkerInfo[]> {
    await this.#open();
    return this.presence.list();
  }

  async recordUnknownName(name: UnknownName): Promise<void> {
    await this.#open();
    this.presence.recordUnknownName(name);
  }

  // Messages between executions are delivered in the same step that sends them: there is no outbox, so
  // nothing is ever parked.

  async listDeadLetterMessages(_query: ListDeadLetterMessagesQuery): Promise<DeadLetterPage> {
    await Promise.resolve();
    this.store.assertOpen();
    return { messages: [] };
  }

  async retryDeadLetterMessage(id: string): Promise<void> {
    await Promise.resolve();
    this.store.assertOpen();
    throw new DeadLetterNotFoundError(String(id));
  }

  getLatestExecution(instanceId: string): Promise<WorkflowInstance> {
    return getLatestExecution(this.store, instanceId);
  }

  getWorkflowInstanceState(instance: WorkflowInstance): Promise<WorkflowInstanceState> {
    return getWorkflowInstanceState(this.store, instance);
  }

  getWorkflowInstanceHistory(instance: WorkflowInstance, afterSequenceId = 0): Promise<HistoryEvent[]> {
    return getWorkflowInstanceHistory(this.store, instance, afterSequenceId);
  }

  getWorkflowInstanceOutcome(instance: WorkflowInstance): Promise<ExecutionOutcome | undefined> {
    return getWorkflowInstanceOutcome(this.store, instance);
  }

  waitForWorkflowInstance(instance: WorkflowInstance, timeoutMs: number): Promise<ExecutionOutcome | undefined> {
    return waitForWorkflowInstance(this.store, instance, timeoutMs);
  }

  pollWorkflowTasks(request: WorkflowPollRequest): Promise<WorkflowTask[]> {
    return pollWorkflowTasks(this.store, request);
  }

  extendWorkflowTask(task: WorkflowTask, lockTimeoutMs: number): Promise<void> {
    return extendWorkflowTask(this.store, task, lockTimeoutMs);
  }

  completeWorkflowTask(task: WorkflowTask, completion: WorkflowTaskCompletion, handoff?: ActivityTaskHandoff): Promise<ActivityTask[]> {
    return completeWorkflowTask(this.store, task, completion, handoff);
  }

  releaseWorkflowTask(task: WorkflowTask): Promise<void> {
    return releaseWorkflowTask(this.store, task);
  }

  holdWorkflowTask(task: WorkflowTask, hold: WorkflowTaskHold): Promise<HoldState> {
    return holdWorkflowTask(this.store, task, hold);
  }

  listHeldWorkflowInstances(query: ListWorkflowInstancesQuery): Promise<HeldWorkflowInstancePage> {
    return listHeldWorkflowInstances(this.store, query);
  }

  retryHeldWorkflowInstance(instance: WorkflowInstance): Promise<boolean> {
    return retryHeldWorkflowInstance(this.store, instance);
  }

  pollActivityTasks(request: PollRequest): Promise<ActivityTask[]> {
    return pollActivityTasks(this.store, request);
  }

  extendActivityTask(task: ActivityTask, lockTimeoutMs: number): Promise<void> {
    return extendActivityTask(this.store, task, lockTimeoutMs);
  }

  heartbeatActivityTask(task: ActivityTask, lockTimeoutMs: number): Promise<void> {
    return heartbeatActivityTask(this.store, task, lockTimeoutMs);
  }

  completeActivityTask(task: ActivityTask, outcome: ActivityOutcome, handoff?: WorkflowTaskHandoff): Promise<WorkflowTask | undefined> {
    return completeActivityTask(this.store, task, outcome, handoff);
  }

  releaseActivityTask(task: ActivityTask, retryAfterMs?: number): Promise<void> {
    return releaseActivityTask(this.store, task, retryAfterMs);
  }

  async close(): Promise<void> {
    await Promise.resolve();
    this.store.close();
  }

  // As every call of this backend, a presence call settles asynchronously and rejects after `close()`.
  async #open(): Promise<void> {
    await Promise.resolve();
    this.store.assertOpen();
  }
}
