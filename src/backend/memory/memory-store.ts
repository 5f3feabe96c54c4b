import type { Logger } from 'pino';
import type { ActivityTimeouts } from '../../core/activity-timeouts.js';
import type { LongTimer } from '../../core/long-timer.js';
import type { ActivityTimeoutType } from '../../errors/errors.js';
import { executionKey, type WorkflowInstance, type WorkflowInstanceState } from '../../core/instance.js';
import { BackendClosedError, InstanceNotFoundError } from '../../errors/errors.js';
import type { MemoryHold } from './held-tasks.js';
import { Notifier } from './notifier.js';
import { TaskQueues } from './task-queues.js';

/** An event waiting in an execution's inbox; `id` orders it among every inbox entry, and is a task's cursor. */
export interface InboxEntry {
  id: number;
  event: Buffer;
}

/** One execution of a workflow instance, under its `executionKey`. */
export interface Execution {
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
  inbox: InboxEntry[];
  /** Fencing token of the workflow task lock: +1 per claim. */
  lockToken: number;
  /** When the holder's lease runs out (ms since the epoch); 0 while unlocked. */
  lockedUntil: number;
  /** Its workflow task waits in its queue. */
  queued: boolean;
  /** Pending timers by schedule event id. */
  timers: Map<number, NodeJS.Timeout>;
  /** Set while its workflow task is held (see `Backend.holdWorkflowTask`). */
  hold?: MemoryHold;
}

/** One activity attempt not completed yet, under `<executionKey>#<scheduleEventId>`. */
export interface ActivityRecord {
  /** Key of the execution that scheduled it. */
  key: string;
  queue: string;
  /** Encoded `ActivityTask` fields (without id). */
  payload: Buffer;
  /** Claims so far; the task id a worker holds ends with it. */
  claim: number;
  /** When the holder's lease runs out (ms since the epoch); 0 while not held. */
  lockedUntil: number;
  /** Times the attempt's lease ran out while it was held (see `ActivityTask.redeliveries`). */
  redeliveries: number;
  /** Held by a worker: claimed and not given back (an expired lease still counts until another claim). */
  claimed: boolean;
  scheduleEventId: number;
  /** The attempt's timeouts, if it has any. */
  timeouts?: ActivityTimeouts;
  /** The running timers of those timeouts, with their due times (ms since the epoch). */
  deadlines: Map<ActivityTimeoutType, { dueMs: number; timer: LongTimer }>;
}

/**
 * Everything a `MemoryBackend` stores, shared by its operation groups (instance lifecycle, workflow tasks,
 * activity tasks, messages, management), which read and change it. Each operation makes its changes without
 * yielding in between, so each is atomic, as a Redis script is.
 */
export class MemoryStore {
  /** Every execution not removed, by `executionKey`. */
  readonly executions = new Map<string, Execution>();
  /** Key of the latest execution of each instance id. */
  readonly instances = new Map<string, string>();
  /** Activity attempts not completed yet, by `<executionKey>#<scheduleEventId>`. */
  readonly activities = new Map<string, ActivityRecord>();
  // Only what holds a lease, so lease expiry checks on every claim do not scan every execution ever made.
  /** Keys of the executions whose workflow task is locked. */
  readonly leasedExecutions = new Set<string>();
  /** Ids of the activity records whose attempt is leased. */
  readonly leasedActivities = new Set<string>();
  /** Delete a finished chain this long (ms) after it finished; Infinity: keep it until removed. */
  readonly retentionMs: number;
  /** Where activity tasks held because their data cannot be decoded are reported. */
  readonly logger: Logger;
  private readonly taskQueued = new Notifier();
  private readonly finished = new Notifier();
  /** Queued workflow tasks, by execution key. */
  readonly workflowQueues = new TaskQueues(() => this.taskQueued.notify('any'));
  /** Queued activity attempts, by activity record id. */
  readonly activityQueues = new TaskQueues(() => this.taskQueued.notify('any'));
  private nextInboxId = 1;
  private nextOrder = 1;
  private closed = false;

  constructor(retentionMs: number, logger: Logger) {
    this.retentionMs = retentionMs;
    this.logger = logger;
  }

  /** True once `close` was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Throws `BackendClosedError` once the store is closed. */
  assertOpen(): void {
    if (this.closed) throw new BackendClosedError();
  }

  /** The execution `instance` names; `BackendClosedError` once closed, `InstanceNotFoundError` if there is none. */
  execution(instance: WorkflowInstance): Execution {
    this.assertOpen();
    const execution = this.executions.get(executionKey(instance));
    if (execution === undefined) throw new InstanceNotFoundError(instance.instanceId, instance.executionId);
    return execution;
  }

  /** The key of the active execution of `instanceId`, if it has one. */
  activeExecution(instanceId: string): string | undefined {
    const key = this.instances.get(instanceId);
    return key !== undefined && this.executions.get(key)?.state === 'active' ? key : undefined;
  }

  /** Appends an encoded event to `execution`'s inbox, after every event appended to any inbox before. */
  appendToInbox(execution: Execution, event: Buffer): void {
    execution.inbox.push({ id: this.nextInboxId++, event });
  }

  /** The creation order of the next execution (see `Execution.order`). */
  takeCreationOrder(): number {
    return this.nextOrder++;
  }

  /** Resolves once a task is queued (in any queue), after `timeoutMs` (Infinity: never) or when `signal` aborts. */
  waitForQueuedTask(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return this.taskQueued.wait('any', timeoutMs, signal);
  }

  /** Resolves once the execution under `key` ends, after `timeoutMs` (Infinity: never), or when the store closes. */
  waitForEnd(key: string, timeoutMs: number): Promise<void> {
    return this.finished.wait(key, timeoutMs);
  }

  /** Wakes whoever waits for the execution under `key` to end. */
  notifyEnded(key: string): void {
    this.finished.notify(key);
  }

  /** Stops every timer and wakes every waiter; `assertOpen` throws from now on. Closing again does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const execution of this.executions.values()) {
      for (const timer of execution.timers.values()) clearTimeout(timer);
      clearTimeout(execution.expiry);
      clearTimeout(execution.hold?.timer);
    }
    for (const record of this.activities.values()) {
      for (const deadline of record.deadlines.values()) deadline.timer.clear();
    }
    this.taskQueued.wakeAll();
    this.finished.wakeAll();
  }
}
