import type { FailureInfo } from '../errors/errors.js';
import type { WorkflowInstance, WorkflowInstanceState } from '../core/instance.js';
import type {
  HistoryEvent,
  NewEvent,
  NewEventOf,
  WorkflowExecutionContinuedAsNew,
  WorkflowExecutionFinished,
} from '../history/events.js';

/** A claimed workflow task: an instance locked for one worker, with the events it has not processed yet. */
export interface WorkflowTask {
  /** Backend handle of the task (for Redis, the workflow-task stream entry id). */
  readonly id: string;
  readonly instance: WorkflowInstance;
  /** The queue the workflow runs on. */
  readonly queue: string;
  /** Fencing token: completions and extensions carrying an older token are rejected. */
  readonly lockToken: number;
  /** Number of events in the history before this task. */
  readonly historyLength: number;
  /**
   * History events the caller did not hold: those after the `knownHistoryLength` it reported, in order.
   * Empty when the caller reported more than `historyLength` (its copy is ahead and must be dropped).
   */
  readonly history: HistoryEvent[];
  /** Inbox events to apply, in arrival order. */
  readonly newEvents: NewEvent[];
  /** Backend cursor of the last inbox event in `newEvents`; completion removes the inbox up to it. */
  readonly inboxCursor: string;
}

/** An activity attempt to enqueue when a workflow task commits. */
export interface ActivityRequest {
  scheduleEventId: number;
  name: string;
  queue: string;
  inputs: unknown[];
  attempt: number;
}

/** A durable timer to add when a workflow task commits. */
export interface TimerRequest {
  scheduleEventId: number;
  firesAt: Date;
}

/** Everything a workflow task produced, committed atomically by `completeWorkflowTask`. */
export interface WorkflowTaskCompletion {
  /** Events to append to the history; their sequence ids continue from `task.historyLength`. */
  events: HistoryEvent[];
  activities: ActivityRequest[];
  timers: TimerRequest[];
  /** Schedule event ids of pending timers to remove. */
  canceledTimers: number[];
  /** State of the execution after the task. */
  state: WorkflowInstanceState;
}

/** A claimed activity attempt. */
export interface ActivityTask {
  /** Backend handle of the task (for Redis, the activity stream entry id). */
  readonly id: string;
  readonly instance: WorkflowInstance;
  /** The queue of the workflow that scheduled it (its result goes back there). */
  readonly workflowQueue: string;
  /** The queue the activity runs on. */
  readonly queue: string;
  readonly scheduleEventId: number;
  readonly name: string;
  readonly attempt: number;
  readonly inputs: unknown[];
}

/** The outcome of an activity attempt. */
export type ActivityOutcome = { result: unknown } | { error: FailureInfo };

/** Arguments of a poll for tasks. */
export interface PollRequest {
  queues: readonly string[];
  /** Most tasks to return. */
  max: number;
  /** Lease granted to each claimed task; a task whose lease lapses is given to another worker. */
  lockTimeoutMs: number;
  /** Aborting ends the wait early with what was claimed so far (usually nothing). */
  signal: AbortSignal;
}

/** Arguments of a workflow-task poll. */
export interface WorkflowPollRequest extends PollRequest {
  /** How many history events the caller already holds for an instance, so only the rest is read. */
  knownHistoryLength(instance: WorkflowInstance): number;
}

/** The last event of an execution that ended. */
export type ExecutionOutcome = WorkflowExecutionFinished | WorkflowExecutionContinuedAsNew;

/**
 * Storage of workflow instances, their histories and their task queues.
 * The client and the worker know nothing else about storage.
 */
export interface Backend {
  /** Creates an execution and queues its first workflow task. Throws `InstanceAlreadyExistsError` while the id is active. */
  createWorkflowInstance(instance: WorkflowInstance, started: NewEventOf<'WorkflowExecutionStarted'>): Promise<void>;
  /** State of an execution. Throws `InstanceNotFoundError`. */
  getWorkflowInstanceState(instance: WorkflowInstance): Promise<WorkflowInstanceState>;
  /** Events of an execution after `afterSequenceId` (all by default). Throws `InstanceNotFoundError`. */
  getWorkflowInstanceHistory(instance: WorkflowInstance, afterSequenceId?: number): Promise<HistoryEvent[]>;
  /** Last event of an ended execution, or undefined while it is active. Throws `InstanceNotFoundError`. */
  getWorkflowInstanceOutcome(instance: WorkflowInstance): Promise<ExecutionOutcome | undefined>;
  /**
   * Resolves with the execution's state once it is no longer active, or with 'active' after `timeoutMs`.
   * Woken by the completion itself, never by polling with sleeps. Throws `InstanceNotFoundError`.
   */
  waitForWorkflowInstance(instance: WorkflowInstance, timeoutMs: number): Promise<WorkflowInstanceState>;

  /**
   * Claims up to `max` workflow tasks, waiting until one is ready. May return none before `signal` aborts
   * (after one blocking read); the caller polls again.
   */
  pollWorkflowTasks(request: WorkflowPollRequest): Promise<WorkflowTask[]>;
  /** Extends the lease of a running workflow task. Throws `LeaseLostError` if another worker holds it now. */
  extendWorkflowTask(task: WorkflowTask, lockTimeoutMs: number): Promise<void>;
  /** Commits a workflow task atomically. Throws `LeaseLostError` (and changes nothing) if the lease was lost. */
  completeWorkflowTask(task: WorkflowTask, completion: WorkflowTaskCompletion): Promise<void>;
  /** Gives a claimed workflow task back without processing it, for another worker to take at once. */
  releaseWorkflowTask(task: WorkflowTask): Promise<void>;

  /** Claims up to `max` activity tasks; like `pollWorkflowTasks`, it may return none before `signal` aborts. */
  pollActivityTasks(request: PollRequest): Promise<ActivityTask[]>;
  /** Extends an activity's lease and records heartbeat details. Throws `LeaseLostError`. */
  extendActivityTask(task: ActivityTask, lockTimeoutMs: number, details?: unknown): Promise<void>;
  /**
   * Delivers an activity's outcome to its workflow and removes the task. A second completion of the
   * same task, or one for an execution that has ended, changes nothing.
   */
  completeActivityTask(task: ActivityTask, outcome: ActivityOutcome): Promise<void>;
  /** Gives a claimed activity task back for another worker to take at once. */
  releaseActivityTask(task: ActivityTask): Promise<void>;

  /** Releases connections and timers; later calls reject with `BackendClosedError`. */
  close(): Promise<void>;
}
