import { pino, type Logger } from 'pino';
import type {
  ActivityOutcome,
  ActivityTask,
  ActivityTaskHandoff,
  Backend,
  BackendStats,
  ContinuationRequest,
  ExecutionOutcome,
  ListWorkflowInstancesQuery,
  PollRequest,
  WorkflowInstancePage,
  WorkflowPollRequest,
  WorkflowTask,
  WorkflowTaskCompletion,
  WorkflowTaskHandoff,
} from '../backend.js';
import { assertEncodable, decode, encode } from '../../codec/codec.js';
import { decodeEvent, decodeHistoryEvent, encodeEvent } from '../../codec/event-codec.js';
import { executionKey, type WorkflowInstance, type WorkflowInstanceState } from '../../core/instance.js';
import {
  BackendClosedError,
  InstanceAlreadyExistsError,
  InstanceNotFinishedError,
  InstanceNotFoundError,
  LeaseLostError,
  UndecodableDataError,
  instanceFailureInfo,
} from '../../errors/errors.js';
import { isCarriedOver } from '../../history/carry-over.js';
import { newEvent, type HistoryEvent, type NewEvent, type NewEventOf } from '../../history/events.js';
import { canceledActivityEvent, canceledBeforeStartEvents } from '../canceled-before-start.js';
import { Notifier } from './notifier.js';

interface Execution {
  instance: WorkflowInstance;
  name: string;
  queue: string;
  state: WorkflowInstanceState;
  /** Creation order, the listing's sort key and cursor. */
  order: number;
  createdAt: Date;
  finishedAt?: Date;
  /**
   * Keys of the executions of its continue-as-new chain, oldest first: one array shared by all of them,
   * since a chain is removed (or expires) only as a whole.
   */
  chain: string[];
  /** On the execution that finished its chain, with a retention: removes the chain. */
  expiry?: NodeJS.Timeout;
  /** Encoded events, as the Redis backend stores them: what comes out is a copy, never shared state. */
  history: Buffer[];
  inbox: Array<{ id: number; event: Buffer }>;
  lockToken: number;
  lockedUntil: number;
  queued: boolean;
  timers: Map<number, NodeJS.Timeout>;
}

interface ActivityRecord {
  key: string;
  queue: string;
  /** Encoded `ActivityTask` fields (without id). */
  payload: Buffer;
  claim: number;
  lockedUntil: number;
  /** Times the attempt's lease ran out while it was held (see `ActivityTask.redeliveries`). */
  redeliveries: number;
  /** Held by a worker: claimed and not given back (an expired lease still counts until another claim). */
  claimed: boolean;
}

type ActivityPayload = Omit<ActivityTask, 'id' | 'redeliveries'>;

/** Options of `MemoryBackend`. */
export interface MemoryBackendOptions {
  /**
   * Delete a continue-as-new chain this long (ms) after its latest execution finished, all its executions
   * together. @default Infinity (keep until removed)
   */
  retentionMs?: number;
  /** Logger for tasks held because their data cannot be decoded. @default pino */
  logger?: Logger;
}

/**
 * The whole engine's storage in one process: the executable specification of the backend semantics, and the
 * zero-setup backend for tests, examples and the quick start. It passes the same conformance suite as Redis.
 */
export class MemoryBackend implements Backend {
  private readonly instances = new Map<string, string>();
  private readonly executions = new Map<string, Execution>();
  private readonly workflowQueues = new Map<string, string[]>();
  private readonly activityQueues = new Map<string, string[]>();
  private readonly activities = new Map<string, ActivityRecord>();
  // Only what holds a lease, so lease expiry checks on every claim do not scan every execution ever made.
  private readonly leasedExecutions = new Set<string>();
  private readonly leasedActivities = new Set<string>();
  private readonly finished = new Notifier();
  private readonly ready = new Notifier();
  private nextInboxId = 1;
  private nextOrder = 1;
  private closed = false;
  private readonly retentionMs: number;
  private readonly logger: Logger;

  constructor(options: MemoryBackendOptions = {}) {
    this.retentionMs = options.retentionMs ?? Infinity;
    this.logger = options.logger ?? pino({ name: 'redflow' });
  }

  async createWorkflowInstance(instance: WorkflowInstance, started: NewEventOf<'WorkflowExecutionStarted'>): Promise<void> {
    this.assertOpen();
    if (this.activeExecution(instance.instanceId) !== undefined) throw new InstanceAlreadyExistsError(instance.instanceId);
    this.createExecution(instance, started);
    await Promise.resolve();
  }

  async signalWorkflow(instanceId: string, signal: NewEventOf<'SignalReceived'>): Promise<void> {
    await Promise.resolve();
    this.assertOpen();
    const key = this.activeExecution(instanceId);
    if (key === undefined) throw new InstanceNotFoundError(instanceId);
    this.deliver(key, this.executions.get(key) as Execution, signal);
  }

  async cancelWorkflowInstance(instance: WorkflowInstance): Promise<void> {
    await Promise.resolve();
    this.requestCancellation(this.execution(instance));
  }

  async removeWorkflowInstance(instance: WorkflowInstance): Promise<void> {
    await Promise.resolve();
    const execution = this.execution(instance);
    if (this.executions.get(execution.chain.at(-1) as string)?.state === 'active') {
      throw new InstanceNotFinishedError(instance.instanceId);
    }
    this.removeChain(execution.chain);
  }

  async removeWorkflowInstances(finishedBefore: Date): Promise<number> {
    await Promise.resolve();
    this.assertOpen();
    // Only the execution that finished its chain is 'finished'; its end time is the chain's.
    const chains = [...this.executions.values()]
      .filter((e) => e.state === 'finished' && e.finishedAt !== undefined && e.finishedAt < finishedBefore)
      .map((e) => e.chain);
    for (const chain of chains) this.removeChain(chain);
    return chains.reduce((sum, chain) => sum + chain.length, 0);
  }

  async listWorkflowInstances(query: ListWorkflowInstancesQuery): Promise<WorkflowInstancePage> {
    await Promise.resolve();
    this.assertOpen();
    const before = query.cursor === undefined ? Infinity : Number(query.cursor);
    const newestFirst = [...this.executions.values()].filter((e) => e.order < before).sort((a, b) => b.order - a.order);
    const page = newestFirst.slice(0, query.count);
    const instances = page.map((e) => ({
      instance: { ...e.instance },
      name: e.name,
      queue: e.queue,
      state: e.state,
      createdAt: e.createdAt,
      ...(e.finishedAt === undefined ? {} : { finishedAt: e.finishedAt }),
    }));
    const last = page.at(-1);
    return newestFirst.length > page.length && last !== undefined ? { instances, nextCursor: String(last.order) } : { instances };
  }

  async getStats(): Promise<BackendStats> {
    await Promise.resolve();
    this.assertOpen();
    const stats: BackendStats = { activeWorkflowInstances: 0, pendingWorkflowTasks: {}, pendingActivityTasks: {} };
    for (const execution of this.executions.values()) {
      if (execution.state !== 'active') continue;
      stats.activeWorkflowInstances += 1;
      const pending = execution.queued || execution.lockedUntil > 0 ? 1 : 0;
      stats.pendingWorkflowTasks[execution.queue] = (stats.pendingWorkflowTasks[execution.queue] ?? 0) + pending;
    }
    for (const record of this.activities.values()) {
      stats.pendingActivityTasks[record.queue] = (stats.pendingActivityTasks[record.queue] ?? 0) + 1;
    }
    return stats;
  }

  async getLatestExecution(instanceId: string): Promise<WorkflowInstance> {
    await Promise.resolve();
    this.assertOpen();
    const key = this.instances.get(instanceId);
    const execution = key === undefined ? undefined : this.executions.get(key);
    if (execution === undefined) throw new InstanceNotFoundError(instanceId);
    return { ...execution.instance };
  }

  async getWorkflowInstanceState(instance: WorkflowInstance): Promise<WorkflowInstanceState> {
    await Promise.resolve();
    return this.execution(instance).state;
  }

  async getWorkflowInstanceHistory(instance: WorkflowInstance, afterSequenceId = 0): Promise<HistoryEvent[]> {
    await Promise.resolve();
    return this.execution(instance)
      .history.slice(afterSequenceId)
      .map((bytes, i) => decodeHistoryEvent(bytes, afterSequenceId + i + 1, instance));
  }

  async getWorkflowInstanceOutcome(instance: WorkflowInstance): Promise<ExecutionOutcome | undefined> {
    await Promise.resolve();
    const execution = this.execution(instance);
    const last = execution.history.at(-1);
    if (execution.state === 'active' || last === undefined) return undefined;
    return decodeHistoryEvent(last, execution.history.length, instance) as ExecutionOutcome;
  }

  async waitForWorkflowInstance(instance: WorkflowInstance, timeoutMs: number): Promise<WorkflowInstanceState> {
    const key = executionKey(instance);
    const execution = this.execution(instance);
    if (execution.state === 'active') await this.finished.wait(key, timeoutMs);
    this.assertOpen();
    return execution.state;
  }

  async pollWorkflowTasks(request: WorkflowPollRequest): Promise<WorkflowTask[]> {
    this.assertOpen();
    for (;;) {
      const tasks: WorkflowTask[] = [];
      while (tasks.length < request.max) {
        const key = this.takeReady(this.workflowQueues, request.queues, (k) => this.claimable(k));
        if (key === undefined) break;
        const task = this.lockExecution(key, request);
        if (task !== undefined) tasks.push(task);
      }
      if (tasks.length > 0 || request.signal.aborted || this.closed) return tasks;
      await this.ready.wait('any', this.untilNextLeaseExpiry(), request.signal);
    }
  }

  async extendWorkflowTask(task: WorkflowTask, lockTimeoutMs: number): Promise<void> {
    await Promise.resolve();
    const execution = this.lockedBy(task);
    execution.lockedUntil = Date.now() + lockTimeoutMs;
  }

  async completeWorkflowTask(task: WorkflowTask, completion: WorkflowTaskCompletion, handoff?: ActivityTaskHandoff): Promise<ActivityTask[]> {
    await Promise.resolve();
    const key = executionKey(task.instance);
    const execution = this.lockedBy(task);
    // Every blob below is encoded while the state changes: what cannot be must be refused before the first change.
    assertEncodable(completion, 'workflow task completion');
    for (const event of completion.events) execution.history.push(encodeEvent(event));
    const cursor = Number(task.inboxCursor);
    execution.inbox = execution.inbox.filter((entry) => entry.id > cursor);
    for (const id of completion.canceledTimers) {
      clearTimeout(execution.timers.get(id));
      execution.timers.delete(id);
    }
    for (const timer of completion.timers) this.startTimer(key, execution, timer.scheduleEventId, timer.firesAt);
    const handed: ActivityTask[] = [];
    for (const activity of completion.activities) {
      const payload: ActivityPayload = { instance: { ...task.instance }, workflowQueue: task.queue, ...activity };
      const id = `${key}#${activity.scheduleEventId}`;
      this.activities.set(id, { key, queue: activity.queue, payload: encode(payload), claim: 0, lockedUntil: 0, redeliveries: 0, claimed: false });
      if (handoff !== undefined && handed.length < handoff.max && handoff.queues.includes(activity.queue)) {
        const claimed = this.claimActivity(id, handoff.lockTimeoutMs);
        if (claimed !== undefined) handed.push(claimed);
      } else {
        this.enqueue(this.activityQueues, activity.queue, id);
      }
    }
    this.cancelUnclaimedActivities(key, execution, completion);
    this.unlock(key, execution);
    if (completion.continuation !== undefined) this.continueAsNew(execution, completion.continuation);
    if (completion.state !== 'active') this.end(key, execution, completion.state);
    this.sendMessages(execution, completion);
    if (execution.state === 'active' && execution.inbox.length > 0 && !execution.queued) this.queueWorkflowTask(key, execution);
    return handed;
  }

  /** Removes each cancelled activity attempt no worker has claimed, and tells the execution (if it goes on). */
  private cancelUnclaimedActivities(key: string, execution: Execution, completion: WorkflowTaskCompletion): void {
    for (const { scheduleEventId } of completion.canceledActivities ?? []) {
      const id = `${key}#${scheduleEventId}`;
      const record = this.activities.get(id);
      if (record === undefined || record.claimed) continue;
      this.activities.delete(id);
      unqueue(this.activityQueues, record.queue, id);
      if (completion.state === 'active') execution.inbox.push({ id: this.nextInboxId++, event: encodeEvent(canceledActivityEvent(scheduleEventId)) });
    }
  }

  /** Delivers what the task sends to other instances; replies to the sender land in its inbox. */
  private sendMessages(execution: Execution, completion: WorkflowTaskCompletion): void {
    const reply = (event: NewEvent): void => {
      if (execution.state === 'active') execution.inbox.push({ id: this.nextInboxId++, event: encodeEvent(event) });
    };
    // A child no worker has started ends here, cancelled, and never runs; the others are asked below.
    for (const child of completion.cancellations ?? []) {
      const target = this.executions.get(executionKey(child));
      if (target === undefined || !this.hasNotStarted(target)) continue;
      const events = canceledBeforeStartEvents(child);
      this.endBeforeStart(executionKey(child), target, events.canceled, events.finished);
      reply(events.parentFailed);
    }
    for (const child of completion.subWorkflows ?? []) {
      if (this.activeExecution(child.instance.instanceId) === undefined) this.createExecution(child.instance, child.started);
      else {
        const error = instanceFailureInfo('InstanceAlreadyExistsError', child.instance.instanceId);
        reply(newEvent('SubWorkflowFailed', { error }, child.scheduleEventId));
      }
    }
    for (const request of completion.signals ?? []) {
      const target = this.activeExecution(request.instanceId);
      if (target === undefined) {
        const error = instanceFailureInfo('InstanceNotFoundError', request.instanceId);
        reply(newEvent('SignalFailed', { error }, request.scheduleEventId));
      } else {
        this.deliver(target, this.executions.get(target) as Execution, request.signal);
        reply(newEvent('SignalDelivered', {}, request.scheduleEventId));
      }
    }
    for (const child of completion.cancellations ?? []) {
      const target = this.executions.get(executionKey(child));
      if (target !== undefined) this.requestCancellation(target);
    }
    // A parent that has ended takes no child outcome: its history is closed.
    const notify = completion.notifyParent;
    const parent = notify === undefined ? undefined : this.executions.get(executionKey(notify.parent));
    if (notify !== undefined && parent?.state === 'active') this.deliver(executionKey(notify.parent), parent, notify.event);
  }

  /**
   * Starts the next execution with what the old one carries over, then the signals and cancellation requests
   * that arrived after its last task was claimed; the other late events end with the old inbox.
   */
  private continueAsNew(old: Execution, continuation: ContinuationRequest): void {
    const next = this.createExecution(continuation.instance, continuation.started, old.chain);
    const leftover = old.inbox.map((entry) => decodeEvent(entry.event)).filter(isCarriedOver);
    for (const event of [...continuation.carried, ...leftover]) {
      next.inbox.push({ id: this.nextInboxId++, event: encodeEvent(event) });
    }
  }

  /**
   * Appends `WorkflowExecutionCanceled` to `execution` if active, or to its instance's active execution if it
   * continued as new (the request is for the instance, within its chain); a finished chain has nothing left to cancel.
   */
  private requestCancellation(execution: Execution): void {
    // The chain's latest execution is the one that can still be active; a reused id runs another chain.
    const key = execution.chain.at(-1) as string;
    const latest = this.executions.get(key);
    if (latest?.state === 'active') this.deliver(key, latest, newEvent('WorkflowExecutionCanceled', {}));
  }

  /** True for an active execution that no worker has committed a task of, nor holds now. */
  private hasNotStarted(execution: Execution): boolean {
    return execution.state === 'active' && execution.history.length === 0 && execution.lockedUntil <= Date.now();
  }

  /**
   * Ends an execution that has not started with the history `WorkflowExecutionStarted`, `canceled`, `finished`.
   * A holder whose lease lapsed during the first task loses it: its completion is refused.
   */
  private endBeforeStart(key: string, execution: Execution, canceled: NewEvent, finished: NewEvent): void {
    const started = execution.inbox[0]?.event;
    if (started !== undefined) execution.history.push(started);
    execution.history.push(encodeEvent(canceled), encodeEvent(finished));
    this.unlock(key, execution);
    this.end(key, execution, 'finished');
  }

  private end(key: string, execution: Execution, state: WorkflowInstanceState): void {
    execution.state = state;
    execution.finishedAt = new Date();
    execution.inbox = [];
    for (const timer of execution.timers.values()) clearTimeout(timer);
    execution.timers.clear();
    // An execution that continues as new leaves its chain running; the chain expires when it finishes.
    if (state === 'finished' && Number.isFinite(this.retentionMs)) {
      execution.expiry = setTimeout(() => this.removeChain(execution.chain), this.retentionMs);
      execution.expiry.unref();
    }
    this.finished.notify(key);
  }

  async releaseWorkflowTask(task: WorkflowTask): Promise<void> {
    await Promise.resolve();
    const execution = this.lockedBy(task);
    const key = executionKey(task.instance);
    this.unlock(key, execution);
    this.queueWorkflowTask(key, execution);
  }

  async pollActivityTasks(request: PollRequest): Promise<ActivityTask[]> {
    this.assertOpen();
    for (;;) {
      const tasks: ActivityTask[] = [];
      while (tasks.length < request.max) {
        const id = this.takeReady(this.activityQueues, request.queues, (k) => this.activities.has(k));
        if (id === undefined) break;
        const task = this.claimActivity(id, request.lockTimeoutMs);
        if (task !== undefined) tasks.push(task);
      }
      if (tasks.length > 0 || request.signal.aborted || this.closed) return tasks;
      await this.ready.wait('any', this.untilNextLeaseExpiry(), request.signal);
    }
  }

  async extendActivityTask(task: ActivityTask, lockTimeoutMs: number): Promise<void> {
    await Promise.resolve();
    const record = this.activityHeldBy(task);
    if (record === undefined) throw new LeaseLostError(`activity task ${task.id} is no longer held by this worker`);
    record.lockedUntil = Date.now() + lockTimeoutMs;
  }

  async completeActivityTask(task: ActivityTask, outcome: ActivityOutcome, handoff?: WorkflowTaskHandoff): Promise<WorkflowTask | undefined> {
    await Promise.resolve();
    this.assertOpen();
    const id = activityRecordId(task);
    const record = this.activities.get(id);
    // The first completion wins, whichever worker holds the lease now; later ones change nothing.
    if (record === undefined) return undefined;
    this.activities.delete(id);
    this.leasedActivities.delete(id);
    const execution = this.executions.get(record.key);
    if (execution?.state !== 'active') return undefined;
    const event =
      'error' in outcome
        ? newEvent('ActivityFailed', { error: outcome.error }, task.scheduleEventId)
        : newEvent('ActivityCompleted', { result: outcome.result }, task.scheduleEventId);
    const wakes = !execution.queued && execution.lockedUntil === 0;
    this.deliver(record.key, execution, event);
    if (!wakes || handoff?.queues.includes(execution.queue) !== true) return undefined;
    // The task this outcome queued goes to the caller instead of waiting for a poll.
    unqueue(this.workflowQueues, execution.queue, record.key);
    return this.lockExecution(record.key, handoff);
  }

  async releaseActivityTask(task: ActivityTask): Promise<void> {
    await Promise.resolve();
    const record = this.activityHeldBy(task);
    if (record === undefined) return;
    const id = activityRecordId(task);
    record.lockedUntil = 0;
    record.claimed = false;
    this.leasedActivities.delete(id);
    this.enqueue(this.activityQueues, record.queue, id);
  }

  async close(): Promise<void> {
    await Promise.resolve();
    if (this.closed) return;
    this.closed = true;
    for (const execution of this.executions.values()) {
      for (const timer of execution.timers.values()) clearTimeout(timer);
      clearTimeout(execution.expiry);
    }
    this.ready.wakeAll();
    this.finished.wakeAll();
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new BackendClosedError();
  }

  private execution(instance: WorkflowInstance): Execution {
    this.assertOpen();
    const execution = this.executions.get(executionKey(instance));
    if (execution === undefined) throw new InstanceNotFoundError(instance.instanceId);
    return execution;
  }

  /** The key of the active execution of `instanceId`, if it has one. */
  private activeExecution(instanceId: string): string | undefined {
    const key = this.instances.get(instanceId);
    return key !== undefined && this.executions.get(key)?.state === 'active' ? key : undefined;
  }

  /** Creates an active execution, as the next of `chain` (continue-as-new) or the first of a new chain. */
  private createExecution(instance: WorkflowInstance, started: NewEventOf<'WorkflowExecutionStarted'>, chain: string[] = []): Execution {
    const key = executionKey(instance);
    chain.push(key);
    const execution: Execution = {
      instance: { instanceId: instance.instanceId, executionId: instance.executionId },
      name: started.attributes.name,
      queue: started.attributes.queue,
      state: 'active',
      order: this.nextOrder++,
      createdAt: new Date(),
      chain,
      history: [],
      inbox: [],
      lockToken: 0,
      lockedUntil: 0,
      queued: false,
      timers: new Map(),
    };
    this.executions.set(key, execution);
    this.instances.set(instance.instanceId, key);
    this.deliver(key, execution, started);
    return execution;
  }

  /** Forgets every execution of an ended chain and whatever still refers to them. */
  private removeChain(chain: readonly string[]): void {
    const keys = new Set(chain);
    for (const key of keys) {
      const execution = this.executions.get(key);
      if (execution === undefined) continue;
      clearTimeout(execution.expiry);
      this.executions.delete(key);
      if (this.instances.get(execution.instance.instanceId) === key) this.instances.delete(execution.instance.instanceId);
    }
    for (const [id, record] of this.activities) {
      if (keys.has(record.key)) {
        this.activities.delete(id);
        this.leasedActivities.delete(id);
      }
    }
  }

  /** Appends an event to an execution's inbox and queues it unless it is queued or locked already. */
  private deliver(key: string, execution: Execution, event: NewEvent): void {
    execution.inbox.push({ id: this.nextInboxId++, event: encodeEvent(event) });
    if (!execution.queued && execution.lockedUntil === 0) this.queueWorkflowTask(key, execution);
  }

  private queueWorkflowTask(key: string, execution: Execution): void {
    execution.queued = true;
    this.enqueue(this.workflowQueues, execution.queue, key);
  }

  private enqueue(queues: Map<string, string[]>, queue: string, id: string): void {
    const entries = queues.get(queue) ?? [];
    entries.push(id);
    queues.set(queue, entries);
    this.ready.notify('any');
  }

  private takeReady(queues: Map<string, string[]>, names: readonly string[], valid: (id: string) => boolean): string | undefined {
    this.requeueExpiredLeases();
    for (const name of names) {
      const entries = queues.get(name);
      while (entries !== undefined && entries.length > 0) {
        const id = entries.shift() as string;
        if (valid(id)) return id;
      }
    }
    return undefined;
  }

  private claimable(key: string): boolean {
    const execution = this.executions.get(key);
    return execution?.state === 'active' && execution.queued;
  }

  /** Claims an activity; undefined when its payload cannot be decoded: it is then held until its lease expires. */
  private claimActivity(id: string, lockTimeoutMs: number): ActivityTask | undefined {
    const record = this.activities.get(id) as ActivityRecord;
    record.claim += 1;
    record.claimed = true;
    record.lockedUntil = Date.now() + lockTimeoutMs;
    this.leasedActivities.add(id);
    try {
      return { ...decode<ActivityPayload>(record.payload, `activity task ${id}`), id: `${id}#${record.claim}`, redeliveries: record.redeliveries };
    } catch (err) {
      if (!(err instanceof UndecodableDataError)) throw err;
      this.logger.error({ err, activityTask: id }, 'activity task holds data this worker cannot decode: it is held, retried when its lease expires');
      return undefined;
    }
  }

  private lockExecution(key: string, request: Pick<WorkflowPollRequest, 'lockTimeoutMs' | 'knownHistoryLength'>): WorkflowTask | undefined {
    const execution = this.executions.get(key) as Execution;
    execution.queued = false;
    const last = execution.inbox.at(-1);
    if (last === undefined) return undefined;
    execution.lockToken += 1;
    execution.lockedUntil = Date.now() + request.lockTimeoutMs;
    this.leasedExecutions.add(key);
    const known = request.knownHistoryLength(execution.instance);
    const length = execution.history.length;
    const { instance } = execution;
    try {
      const history =
        known <= length ? execution.history.slice(known).map((bytes, i) => decodeHistoryEvent(bytes, known + i + 1, instance)) : [];
      return {
        id: `${key}#${execution.lockToken}`,
        instance: { ...instance },
        queue: execution.queue,
        lockToken: execution.lockToken,
        historyLength: length,
        history,
        newEvents: execution.inbox.map((entry) => decodeEvent(entry.event, instance)),
        inboxCursor: String(last.id),
      };
    } catch (err) {
      if (!(err instanceof UndecodableDataError)) throw err;
      // Locked, and left to its lease: that is its backoff, and only this instance waits.
      this.logger.error(
        { err, instanceId: instance.instanceId, executionId: instance.executionId, queue: execution.queue },
        'workflow task holds data this worker cannot decode: the instance is held, its task retried when its lease expires',
      );
      return undefined;
    }
  }

  private lockedBy(task: WorkflowTask): Execution {
    this.assertOpen();
    const execution = this.executions.get(executionKey(task.instance));
    if (execution === undefined || execution.lockToken !== task.lockToken || execution.lockedUntil === 0) {
      throw new LeaseLostError(`workflow task ${task.id} is no longer held by this worker`);
    }
    return execution;
  }

  private activityHeldBy(task: ActivityTask): ActivityRecord | undefined {
    this.assertOpen();
    const record = this.activities.get(activityRecordId(task));
    return record !== undefined && task.id === `${activityRecordId(task)}#${record.claim}` && record.lockedUntil > 0 ? record : undefined;
  }

  private unlock(key: string, execution: Execution): void {
    execution.lockedUntil = 0;
    this.leasedExecutions.delete(key);
  }

  /** Tasks whose holder stopped extending its own lease (the one it claimed or last extended with) become claimable by anyone. */
  private requeueExpiredLeases(): void {
    const now = Date.now();
    for (const key of this.leasedExecutions) {
      const execution = this.executions.get(key) as Execution;
      if (execution.lockedUntil <= now) {
        this.unlock(key, execution);
        if (!execution.queued) this.queueWorkflowTask(key, execution);
      }
    }
    for (const id of this.leasedActivities) {
      const record = this.activities.get(id) as ActivityRecord;
      if (record.lockedUntil <= now) {
        record.lockedUntil = 0;
        record.redeliveries += 1;
        this.leasedActivities.delete(id);
        this.enqueue(this.activityQueues, record.queue, id);
      }
    }
  }

  private untilNextLeaseExpiry(): number {
    let next = Infinity;
    for (const key of this.leasedExecutions) next = Math.min(next, (this.executions.get(key) as Execution).lockedUntil);
    for (const id of this.leasedActivities) next = Math.min(next, (this.activities.get(id) as ActivityRecord).lockedUntil);
    return Math.max(1, next - Date.now());
  }

  private startTimer(key: string, execution: Execution, scheduleEventId: number, firesAt: Date): void {
    const timer = setTimeout(() => {
      execution.timers.delete(scheduleEventId);
      if (execution.state === 'active') this.deliver(key, execution, newEvent('TimerFired', {}, scheduleEventId));
    }, Math.max(0, firesAt.getTime() - Date.now()));
    execution.timers.set(scheduleEventId, timer);
  }
}

/** Takes `id` out of a queue it waits in. */
function unqueue(queues: Map<string, string[]>, queue: string, id: string): void {
  const entries = queues.get(queue);
  const at = entries?.indexOf(id) ?? -1;
  if (at >= 0) entries?.splice(at, 1);
}

function activityRecordId(task: ActivityTask): string {
  return `${executionKey(task.instance)}#${task.scheduleEventId}`;
}
