import type {
  ActivityOutcome,
  ActivityTask,
  Backend,
  ExecutionOutcome,
  PollRequest,
  WorkflowPollRequest,
  WorkflowTask,
  WorkflowTaskCompletion,
} from '../backend.js';
import { decode, encode } from '../../codec/codec.js';
import { decodeEvent, decodeHistoryEvent, encodeEvent } from '../../codec/event-codec.js';
import { executionKey, type WorkflowInstance, type WorkflowInstanceState } from '../../core/instance.js';
import {
  BackendClosedError,
  InstanceAlreadyExistsError,
  InstanceNotFoundError,
  LeaseLostError,
} from '../../errors/errors.js';
import { newEvent, type HistoryEvent, type NewEvent, type NewEventOf } from '../../history/events.js';
import { Notifier } from './notifier.js';

interface Execution {
  instance: WorkflowInstance;
  queue: string;
  state: WorkflowInstanceState;
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
}

type ActivityPayload = Omit<ActivityTask, 'id'>;

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
  private closed = false;

  async createWorkflowInstance(instance: WorkflowInstance, started: NewEventOf<'WorkflowExecutionStarted'>): Promise<void> {
    this.assertOpen();
    const current = this.instances.get(instance.instanceId);
    if (current !== undefined && this.executions.get(current)?.state === 'active') {
      throw new InstanceAlreadyExistsError(instance.instanceId);
    }
    const key = executionKey(instance);
    const execution: Execution = {
      instance: { ...instance },
      queue: started.attributes.queue,
      state: 'active',
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
    await Promise.resolve();
  }

  async getWorkflowInstanceState(instance: WorkflowInstance): Promise<WorkflowInstanceState> {
    await Promise.resolve();
    return this.execution(instance).state;
  }

  async getWorkflowInstanceHistory(instance: WorkflowInstance, afterSequenceId = 0): Promise<HistoryEvent[]> {
    await Promise.resolve();
    return this.execution(instance)
      .history.slice(afterSequenceId)
      .map((bytes, i) => decodeHistoryEvent(bytes, afterSequenceId + i + 1));
  }

  async getWorkflowInstanceOutcome(instance: WorkflowInstance): Promise<ExecutionOutcome | undefined> {
    await Promise.resolve();
    const execution = this.execution(instance);
    const last = execution.history.at(-1);
    if (execution.state === 'active' || last === undefined) return undefined;
    return decodeHistoryEvent(last, execution.history.length) as ExecutionOutcome;
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

  async completeWorkflowTask(task: WorkflowTask, completion: WorkflowTaskCompletion): Promise<void> {
    await Promise.resolve();
    const key = executionKey(task.instance);
    const execution = this.lockedBy(task);
    for (const event of completion.events) execution.history.push(encodeEvent(event));
    const cursor = Number(task.inboxCursor);
    execution.inbox = execution.inbox.filter((entry) => entry.id > cursor);
    for (const id of completion.canceledTimers) {
      clearTimeout(execution.timers.get(id));
      execution.timers.delete(id);
    }
    for (const timer of completion.timers) this.startTimer(key, execution, timer.scheduleEventId, timer.firesAt);
    for (const activity of completion.activities) {
      const payload: ActivityPayload = { instance: { ...task.instance }, workflowQueue: task.queue, ...activity };
      const id = `${key}#${activity.scheduleEventId}`;
      this.activities.set(id, { key, queue: activity.queue, payload: encode(payload), claim: 0, lockedUntil: 0 });
      this.enqueue(this.activityQueues, activity.queue, id);
    }
    this.unlock(key, execution);
    if (completion.state !== 'active') {
      execution.state = completion.state;
      execution.inbox = [];
      for (const timer of execution.timers.values()) clearTimeout(timer);
      execution.timers.clear();
      this.finished.notify(key);
    } else if (execution.inbox.length > 0) {
      this.queueWorkflowTask(key, execution);
    }
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
        const record = this.activities.get(id) as ActivityRecord;
        record.claim += 1;
        record.lockedUntil = Date.now() + request.lockTimeoutMs;
        this.leasedActivities.add(id);
        tasks.push({ ...decode<ActivityPayload>(record.payload), id: `${id}#${record.claim}` });
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

  async completeActivityTask(task: ActivityTask, outcome: ActivityOutcome): Promise<void> {
    await Promise.resolve();
    this.assertOpen();
    const id = activityRecordId(task);
    const record = this.activities.get(id);
    // The first completion wins, whichever worker holds the lease now; later ones change nothing.
    if (record === undefined) return;
    this.activities.delete(id);
    this.leasedActivities.delete(id);
    const execution = this.executions.get(record.key);
    if (execution?.state !== 'active') return;
    const event =
      'error' in outcome
        ? newEvent('ActivityFailed', { error: outcome.error }, task.scheduleEventId)
        : newEvent('ActivityCompleted', { result: outcome.result }, task.scheduleEventId);
    this.deliver(record.key, execution, event);
  }

  async releaseActivityTask(task: ActivityTask): Promise<void> {
    await Promise.resolve();
    const record = this.activityHeldBy(task);
    if (record === undefined) return;
    const id = activityRecordId(task);
    record.lockedUntil = 0;
    this.leasedActivities.delete(id);
    this.enqueue(this.activityQueues, record.queue, id);
  }

  async close(): Promise<void> {
    await Promise.resolve();
    if (this.closed) return;
    this.closed = true;
    for (const execution of this.executions.values()) for (const timer of execution.timers.values()) clearTimeout(timer);
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

  private lockExecution(key: string, request: WorkflowPollRequest): WorkflowTask | undefined {
    const execution = this.executions.get(key) as Execution;
    execution.queued = false;
    const last = execution.inbox.at(-1);
    if (last === undefined) return undefined;
    execution.lockToken += 1;
    execution.lockedUntil = Date.now() + request.lockTimeoutMs;
    this.leasedExecutions.add(key);
    const known = request.knownHistoryLength(execution.instance);
    const length = execution.history.length;
    const history =
      known <= length ? execution.history.slice(known).map((bytes, i) => decodeHistoryEvent(bytes, known + i + 1)) : [];
    return {
      id: `${key}#${execution.lockToken}`,
      instance: { ...execution.instance },
      queue: execution.queue,
      lockToken: execution.lockToken,
      historyLength: length,
      history,
      newEvents: execution.inbox.map((entry) => decodeEvent(entry.event)),
      inboxCursor: String(last.id),
    };
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

  /** Tasks whose worker stopped extending their lease become claimable by anyone. */
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

function activityRecordId(task: ActivityTask): string {
  return `${executionKey(task.instance)}#${task.scheduleEventId}`;
}
