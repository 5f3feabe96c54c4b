import type { ActivityTimeouts, AttemptTimeoutType } from '../core/activity-timeouts.js';
import type { TraceCarrier } from '../core/trace-carrier.js';
import type { FailureInfo } from '../errors/errors.js';
import type { CarriedEvent } from '../history/carry-over.js';
import type { WorkflowInstance, WorkflowInstanceState } from '../core/instance.js';
import type {
  HistoryEvent,
  NewEvent,
  NewEventOf,
  WorkflowExecutionContinuedAsNew,
  WorkflowExecutionFinished,
} from '../history/events.js';
import type { WorkflowTaskHold, HoldState } from './management-types.js';
import type { OperatorCalls } from './operator-calls.js';
import type { WorkerPresenceCalls } from './worker-presence-calls.js';

// Re-exported so `backend.ts` stays the one import of the whole backend contract.
export type {
  WorkflowInstanceInfo,
  WorkflowInstancePage,
  DeadLetterMessage,
  DeadLetterPage,
  ListDeadLetterMessagesQuery,
  ListWorkflowInstancesQuery,
  FilteredWorkflowInstancesQuery,
  WorkflowInstanceFilter,
  WorkflowInstanceDetails,
  WorkflowTaskHoldInfo,
  BackendStats,
  HoldReason,
  HeldTaskRetryPolicy,
  WorkflowTaskHold,
  HoldState,
  HeldWorkflowInstanceInfo,
  HeldWorkflowInstancePage,
  TaskKind,
  UnknownName,
  UnservedName,
  UnservedQueue,
  WorkerInfo,
} from './management-types.js';
export type { OperatorCalls } from './operator-calls.js';
export type { WorkerPresenceCalls } from './worker-presence-calls.js';

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
  /**
   * Set when the task's stored events cannot be decoded: `history` and `newEvents` are then empty, and the
   * claimer must not run the task but hold it (`holdWorkflowTask`, reason `'undecodable'`).
   */
  readonly undecodable?: Error;
}

/**
 * An activity attempt to enqueue when a workflow task commits. With `timeouts`, the backend fails the attempt
 * with `ActivityFailed` (see `activityTimeoutFailure`) when one runs out before it completes, and drops the task:
 * scheduleToClose at `timeouts.scheduleToCloseDeadline` whatever the attempt's state; startToClose and heartbeat
 * once a worker has claimed it (see `ActivityTask.timeLeftMs`). A completion after that changes nothing.
 */
export interface ActivityRequest {
  scheduleEventId: number;
  name: string;
  queue: string;
  inputs: unknown[];
  attempt: number;
  timeouts?: ActivityTimeouts;
  /** The trace context of the workflow task that scheduled it, when telemetry is on (see `TraceCarrier`). */
  traceContext?: TraceCarrier;
}

/**
 * A scheduled activity attempt whose scope was cancelled. If no worker has claimed it yet (claimed: handed to
 * a worker and not given back), the backend removes it, so it never runs, and the execution receives
 * `ActivityFailed` with a `CanceledError` failure (see `canceledActivityEvent`) for `scheduleEventId`; an
 * attempt already claimed is left to run to its end and settles with its own outcome.
 */
export interface ActivityCancellation {
  scheduleEventId: number;
  /** The queue the attempt was scheduled on. */
  queue: string;
}

/** A durable timer to add when a workflow task commits. */
export interface TimerRequest {
  scheduleEventId: number;
  firesAt: Date;
}

/**
 * A sub-workflow execution to create when the parent's task commits. If its instance id has an active
 * execution already, nothing is created and the parent receives `SubWorkflowFailed` (type
 * `InstanceAlreadyExistsError`) for `scheduleEventId`.
 */
export interface SubWorkflowRequest {
  scheduleEventId: number;
  /** The child's instance id and its execution id (chosen by the parent, deterministically). */
  instance: WorkflowInstance;
  /** The child's first event; `attributes.parent` links it to the parent execution. */
  started: NewEventOf<'WorkflowExecutionStarted'>;
}

/**
 * A signal a workflow sends to another instance when its task commits. The sender then receives
 * `SignalDelivered` for `scheduleEventId`, or `SignalFailed` (type `InstanceNotFoundError`) when the target
 * has no active execution.
 */
export interface SignalRequest {
  scheduleEventId: number;
  /** Delivered to the active execution of this instance id, whichever it is when the signal arrives. */
  instanceId: string;
  signal: NewEventOf<'SignalReceived'>;
}

/**
 * A sub-workflow execution its parent asks to cancel. One that has not started (no workflow task committed,
 * none running) ends at once, cancelled, without running (see `canceledBeforeStartEvents`), and the parent
 * receives `SubWorkflowFailed` with a `CanceledError` failure for `scheduleEventId`.
 */
export interface SubWorkflowCancellation extends WorkflowInstance {
  /** The parent's command that started the child. */
  scheduleEventId: number;
}

/** The outcome of a sub-workflow, sent to its parent execution when the child's last execution ends. */
export interface ParentNotification {
  parent: WorkflowInstance;
  event: NewEventOf<'SubWorkflowCompleted'> | NewEventOf<'SubWorkflowFailed'>;
}

/** The execution that follows one ending with continue-as-new, created in the same commit. */
export interface ContinuationRequest {
  /** Same instance id, new execution id. */
  instance: WorkflowInstance;
  started: NewEventOf<'WorkflowExecutionStarted'>;
  /**
   * What the new execution inherits, in this order: the signals the old execution received but its code
   * never consumed, then the signals and cancellation requests of its last task that it never applied
   * (they came after the code had continued as new), in arrival order. They open the new execution's inbox
   * right after `started`, followed by the signals and cancellation requests that arrived after the task
   * was claimed; every other late event is dropped with the old execution (see `CarriedEvent`).
   */
  carried: CarriedEvent[];
}

/** Everything a workflow task produced, committed atomically by `completeWorkflowTask`. */
export interface WorkflowTaskCompletion {
  /** Events to append to the history; their sequence ids continue from `task.historyLength`. */
  events: HistoryEvent[];
  activities: ActivityRequest[];
  timers: TimerRequest[];
  /** Schedule event ids of pending timers to remove. */
  canceledTimers: number[];
  /** Scheduled activity attempts asked to cancel. */
  canceledActivities?: ActivityCancellation[];
  /** Sub-workflows to start. Processed before `signals`, so a signal can reach a child started in the same task. */
  subWorkflows?: SubWorkflowRequest[];
  /** Signals to other instances. */
  signals?: SignalRequest[];
  /**
   * Sub-workflow executions asked to cancel: each receives `WorkflowExecutionCanceled` if still active, or
   * its instance's active execution does if it continued as new within its chain (as
   * `cancelWorkflowInstance`); one that has not started ends at once instead (see `SubWorkflowCancellation`);
   * a finished one is left alone.
   */
  cancellations?: SubWorkflowCancellation[];
  /** With state `'finished'` for a sub-workflow: its outcome for the parent. */
  notifyParent?: ParentNotification;
  /** With state `'continued-as-new'`: the next execution. */
  continuation?: ContinuationRequest;
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
  /**
   * How many times this attempt went to another worker because its holder's lease ran out before it
   * completed (the holder died, hung, or lost the store for longer than its lease): 0 on its first
   * delivery. A task given back at once with `releaseActivityTask` does not count; one given back with a delay
   * counts at its next claim.
   */
  readonly redeliveries: number;
  readonly inputs: unknown[];
  /** The attempt's timeouts, as scheduled; absent when it has none. */
  readonly timeouts?: ActivityTimeouts;
  /**
   * Time (ms) left at the claim before the attempt's startToClose and heartbeat timeouts fire in the backend.
   * Both count from the attempt's first claim (a heartbeat restarts the heartbeat one); a claim after a lease ran
   * out continues them, while a task given back with `releaseActivityTask` starts afresh at its next claim.
   * Absent for a bound the attempt does not have.
   */
  readonly timeLeftMs?: Partial<Record<AttemptTimeoutType, number>>;
  /**
   * When the backend queued the attempt (the commit of the workflow task that scheduled it): its queue wait counts
   * from it. Absent for a task queued by an older version.
   */
  readonly scheduledAt?: Date;
  /** As scheduled (`ActivityRequest.traceContext`); absent when the scheduling worker had no telemetry. */
  readonly traceContext?: TraceCarrier;
}

/** The outcome of an activity attempt. */
export type ActivityOutcome = { result: unknown } | { error: FailureInfo };

/** Arguments of a poll for tasks. */
export interface PollRequest {
  queues: readonly string[];
  /** Most tasks to return. */
  max: number;
  /**
   * Lease (ms) granted to each claimed task. A task stays with its holder until the holder's own lease
   * (as granted here, or by its latest extension) lapses, whatever lease other pollers ask for; then it
   * is given to another worker.
   */
  lockTimeoutMs: number;
  /** Aborting ends the wait early with what was claimed so far (usually nothing). */
  signal: AbortSignal;
}

/** Arguments of a workflow-task poll. */
export interface WorkflowPollRequest extends PollRequest {
  /** How many history events the caller already holds for an instance, so only the rest is read. */
  knownHistoryLength(instance: WorkflowInstance): number;
}

/**
 * Asks an activity completion to hand the caller the workflow task the outcome wakes, locked for it, so
 * the caller runs it without polling. A backend may always decline.
 */
export interface WorkflowTaskHandoff {
  /** Queues whose workflow tasks the caller runs. */
  queues: readonly string[];
  /** Lease (ms) of the handed-over task, as in `PollRequest`. */
  lockTimeoutMs: number;
  /** As in `WorkflowPollRequest`. */
  knownHistoryLength(instance: WorkflowInstance): number;
}

/**
 * Asks a workflow-task completion to hand the caller activity tasks it has just scheduled, claimed for it,
 * so the caller runs them without polling. A backend may always decline.
 */
export interface ActivityTaskHandoff {
  /** Queues whose activity tasks the caller runs. */
  queues: readonly string[];
  /** Most tasks to hand over. */
  max: number;
  /** Lease (ms) of the handed-over tasks, as in `PollRequest`. */
  lockTimeoutMs: number;
}

/** The last event of an execution that ended. */
export type ExecutionOutcome = WorkflowExecutionFinished | WorkflowExecutionContinuedAsNew;

/**
 * Storage of workflow instances, their histories and their task queues, with the calls of operators
 * (`OperatorCalls`) and of the live workers (`WorkerPresenceCalls`). The client and the worker know nothing
 * else about storage.
 */
export interface Backend extends OperatorCalls, WorkerPresenceCalls {
  /**
   * Connects to the store and checks it can serve this backend's settings; every other call does so itself
   * first, so calling it is optional (`worker.start()` does, to fail at once). Throws
   * `BackendUnavailableError` when the store cannot be reached in time, `InvalidArgumentError` when the store
   * is set up for other settings, `BackendClosedError` after `close()`.
   */
  connect(): Promise<void>;
  /** Creates an execution and queues its first workflow task. Throws `InstanceAlreadyExistsError` while the id is active. */
  createWorkflowInstance(instance: WorkflowInstance, started: NewEventOf<'WorkflowExecutionStarted'>): Promise<void>;
  /**
   * The latest execution of `instanceId`: the one the id was last started or continued as. Throws
   * `InstanceNotFoundError` when the id has none (it was never used, or that execution's chain was removed
   * or has expired).
   */
  getLatestExecution(instanceId: string): Promise<WorkflowInstance>;
  /** State of an execution. Throws `InstanceNotFoundError`. */
  getWorkflowInstanceState(instance: WorkflowInstance): Promise<WorkflowInstanceState>;
  /** Events of an execution after `afterSequenceId` (all by default). Throws `InstanceNotFoundError`. */
  getWorkflowInstanceHistory(instance: WorkflowInstance, afterSequenceId?: number): Promise<HistoryEvent[]>;
  /**
   * Last event of an ended execution (its outcome), or undefined while it is active. Throws
   * `InstanceNotFoundError`, and `UndecodableDataError` when the stored event cannot be decoded.
   */
  getWorkflowInstanceOutcome(instance: WorkflowInstance): Promise<ExecutionOutcome | undefined>;
  /**
   * Resolves with the execution's outcome (as `getWorkflowInstanceOutcome`) once it is no longer active
   * (at once if it has ended already), or with undefined after `timeoutMs`. Woken by the completion itself,
   * never by polling with sleeps. Throws `InstanceNotFoundError`, also when the execution disappears while
   * waited for (removed, expired, its data lost), and `UndecodableDataError`.
   */
  waitForWorkflowInstance(instance: WorkflowInstance, timeoutMs: number): Promise<ExecutionOutcome | undefined>;

  /**
   * Appends `signal` to the inbox of the active execution of `instanceId`, whichever it is at that moment.
   * Throws `InstanceNotFoundError` (and changes nothing) when the instance id has no active execution.
   */
  signalWorkflow(instanceId: string, signal: NewEventOf<'SignalReceived'>): Promise<void>;
  /**
   * Asks an execution to cancel: appends `WorkflowExecutionCanceled` to it if active, or to the active
   * execution of its continue-as-new chain if `instance` continued as new. A finished chain is left alone
   * (no error), even when its instance id runs a newer chain. Throws `InstanceNotFoundError` for an unknown
   * execution.
   */
  cancelWorkflowInstance(instance: WorkflowInstance): Promise<void>;

  /**
   * Claims up to `max` workflow tasks, waiting until one is ready. May return none before `signal` aborts
   * (after one blocking read); the caller polls again.
   */
  pollWorkflowTasks(request: WorkflowPollRequest): Promise<WorkflowTask[]>;
  /**
   * Renews the lease of a running workflow task for `lockTimeoutMs` from now. Throws `LeaseLostError` if
   * another worker holds it now.
   */
  extendWorkflowTask(task: WorkflowTask, lockTimeoutMs: number): Promise<void>;
  /**
   * Commits a workflow task atomically. Throws `LeaseLostError` (and changes nothing) if the lease was lost.
   * With `handoff`, returns activity tasks claimed for the caller (possibly none).
   */
  completeWorkflowTask(task: WorkflowTask, completion: WorkflowTaskCompletion, handoff?: ActivityTaskHandoff): Promise<ActivityTask[]>;
  /** Gives a claimed workflow task back without processing it, for another worker to take at once. */
  releaseWorkflowTask(task: WorkflowTask): Promise<void>;
  /**
   * Holds a claimed workflow task that failed for a reason outside the workflow code: commits nothing, records
   * the hold on the execution (attempts + 1, `since` kept from the run's first hold), gives the lease up and
   * makes the task claimable again once its backoff (`hold.retry`) has passed, durably; the attempt that
   * reaches `maxAttempts` parks it instead. Until then events that arrive are kept in the inbox but queue no
   * task. A later successful completion clears the hold. Throws `LeaseLostError` (changing nothing) if the
   * lease was lost.
   */
  holdWorkflowTask(task: WorkflowTask, hold: WorkflowTaskHold): Promise<HoldState>;
  /** Claims up to `max` activity tasks; like `pollWorkflowTasks`, it may return none before `signal` aborts. */
  pollActivityTasks(request: PollRequest): Promise<ActivityTask[]>;
  /**
   * Renews an activity's lease for `lockTimeoutMs` from now and records heartbeat details. Throws
   * `LeaseLostError` if another worker holds it now, or it was completed or released.
   */
  extendActivityTask(task: ActivityTask, lockTimeoutMs: number, details?: unknown): Promise<void>;
  /**
   * A heartbeat of a running activity attempt: what `extendActivityTask` does, and the attempt's heartbeat
   * timeout (`ActivityTimeouts.heartbeatTimeoutMs`) starts again from now. Throws `LeaseLostError` as
   * `extendActivityTask` does (also once the attempt has timed out).
   */
  heartbeatActivityTask(task: ActivityTask, lockTimeoutMs: number, details?: unknown): Promise<void>;
  /**
   * Delivers an activity's outcome to its workflow and removes the task. A second completion of the
   * same task, or one for an execution that has ended, changes nothing. With `handoff`, may return the
   * workflow task the outcome woke, locked for the caller.
   */
  completeActivityTask(task: ActivityTask, outcome: ActivityOutcome, handoff?: WorkflowTaskHandoff): Promise<WorkflowTask | undefined>;
  /**
   * Gives a claimed activity task back for another worker: at once, or, with `retryAfterMs` > 0, once that many
   * ms have passed (no worker can claim it before; the next claim counts as a redelivery, see
   * `ActivityTask.redeliveries`). Either way the attempt's startToClose and heartbeat deadlines are dropped
   * (they start again at its next claim) and nothing reaches the workflow. Changes nothing when the caller no
   * longer holds the task (another worker claimed it since). Once given back, the caller no longer holds it
   * (extending it throws `LeaseLostError`), and a cancellation removes it at once, as a task no worker has
   * claimed, even while its delay runs. Throws `InvalidArgumentError` unless `retryAfterMs` is a finite number >= 0.
   */
  releaseActivityTask(task: ActivityTask, retryAfterMs?: number): Promise<void>;

  /** Releases connections and timers; later calls reject with `BackendClosedError`. */
  close(): Promise<void>;
}
