import type { BackoffPolicy } from '../core/backoff.js';
import type { WorkflowInstance, WorkflowInstanceState } from '../core/instance.js';
import type { EventOf } from '../history/events.js';

// The types of the Backend's operator calls (listings, stats, holds, dead letters): what management tools
// see, apart from the task types the worker exchanges with the backend (backend.ts).

/** One execution in a listing. */
export interface WorkflowInstanceInfo {
  instance: WorkflowInstance;
  /** Workflow name. */
  name: string;
  queue: string;
  state: WorkflowInstanceState;
  createdAt: Date;
  /** When it stopped being active (finished or continued as new). */
  finishedAt?: Date;
}

/** A page of `listWorkflowInstances`. */
export interface WorkflowInstancePage {
  instances: WorkflowInstanceInfo[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/**
 * A message between executions (a sub-workflow start, a signal, an event such as a cancellation request or
 * a child's outcome) that could not be delivered and was parked after its last attempt.
 */
export interface DeadLetterMessage {
  /** Pass to `retryDeadLetterMessage`. */
  id: string;
  /** Partition of the sender, whose outbox the message was in. */
  partition: number;
  /** `'start'`, `'signal'` or `'event'`. */
  kind: string;
  /** The sending execution, when the message names it. */
  from?: WorkflowInstance;
  /** Instance id the message is for. */
  target: string;
  /** The last attempt's error. */
  error: { type: string; message: string };
  /** Delivery attempts made. */
  attempts: number;
  deadLetteredAt: Date;
}

/** A page of `listDeadLetterMessages`. */
export interface DeadLetterPage {
  messages: DeadLetterMessage[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** Arguments of `listDeadLetterMessages`. */
export interface ListDeadLetterMessagesQuery {
  /** `nextCursor` of the previous page; the first messages when omitted. */
  cursor?: string;
  /** Page size. */
  count: number;
}

/** Arguments of `listWorkflowInstances` (and, without the filter, of `listHeldWorkflowInstances`). */
export interface ListWorkflowInstancesQuery {
  /** `nextCursor` of the previous page; the newest executions when omitted. */
  cursor?: string;
  /** Page size. */
  count: number;
}

/**
 * Which executions `listWorkflowInstances` returns: those matching every field given (none: all of them).
 * Pass the same filter with every page of a listing; a cursor only says where the previous page stopped.
 */
export interface WorkflowInstanceFilter {
  /** Only executions in this state. */
  state?: WorkflowInstanceState;
  /** Only executions of this workflow name (exact match). */
  name?: string;
  /** Only executions whose workflow tasks go to this queue. */
  queue?: string;
  /** Only executions created at or after this time (inclusive). */
  createdAfter?: Date;
  /** Only executions created before this time (exclusive). */
  createdBefore?: Date;
}

/** Arguments of `Backend.listWorkflowInstances`: a page query and a filter. */
export type FilteredWorkflowInstancesQuery = ListWorkflowInstancesQuery & WorkflowInstanceFilter;

/** Counts for dashboards and autoscaling. */
export interface BackendStats {
  /** Executions in state `'active'`. */
  activeWorkflowInstances: number;
  /** Outbox messages parked after their last delivery attempt failed (`listDeadLetterMessages`); 0 on MemoryBackend. */
  deadLetterMessages: number;
  /** Workflow tasks queued or running, by queue (queues that never had one may be absent). */
  pendingWorkflowTasks: Record<string, number>;
  /** Activity tasks queued or running, by queue (queues that never had one may be absent). */
  pendingActivityTasks: Record<string, number>;
  /** Executions whose workflow task is held (backing off or parked; see `holdWorkflowTask`). */
  heldWorkflowInstances: number;
  /** Workers whose latest announcement (`announceWorker`) has not expired: `listWorkers().length`. */
  liveWorkers: number;
  /**
   * Queues with pending tasks of a kind that no live worker polls on that queue (`WorkerInfo.pollsWorkflowTasks`,
   * `pollsActivityTasks`): such tasks wait until one starts. Sorted by queue, then kind (workflow first).
   */
  unservedQueues: UnservedQueue[];
  /**
   * Workflow and activity names a worker lacked recently (`recordUnknownName`, within
   * `UNKNOWN_NAME_RETENTION_MS`) that no live worker serving that queue has registered: tasks of that name wait
   * until one starts. Sorted by queue, then kind, then name.
   */
  unservedNames: UnservedName[];
}

/** Which kind of task: a workflow task or an activity task. */
export type TaskKind = 'workflow' | 'activity';

/** A queue whose pending tasks of `kind` no live worker polls (see `BackendStats.unservedQueues`). */
export interface UnservedQueue {
  queue: string;
  kind: TaskKind;
  /** Its pending tasks of that kind, as in `pendingWorkflowTasks` / `pendingActivityTasks`. */
  pendingTasks: number;
}

/** A workflow or activity name a worker claimed a task for without having it registered. */
export interface UnknownName {
  /** `'workflow'` for a workflow name, `'activity'` for an activity name. */
  kind: TaskKind;
  /** The queue of the task (for an activity, the queue it runs on). */
  queue: string;
  name: string;
}

/** An unknown name no live worker serving its queue registered (see `BackendStats.unservedNames`). */
export interface UnservedName extends UnknownName {
  /** When a worker last recorded it (`recordUnknownName`), by the store's clock. */
  lastSeenAt: Date;
}

/**
 * A live worker, as it announces itself every `WorkerOptions.presenceIntervalMs` (see `Client.getWorkers`).
 * A worker whose announcements stop (killed, frozen, cut off from the store) disappears after 3 intervals; one
 * that stops disappears at once.
 */
export interface WorkerInfo {
  /** Unique per `Worker` object (a random UUID): a restarted process is a new worker. */
  workerId: string;
  /** The queues it takes tasks from (`WorkerOptions.queues`). */
  queues: string[];
  /** The workflow names it registered, sorted. */
  workflows: string[];
  /** The activity names it registered, sorted. */
  activities: string[];
  /**
   * It polls workflow tasks on `queues`: false for a worker that registered only activities, or that runs no
   * workflow poller (`workflowPollers: 0`).
   */
  pollsWorkflowTasks: boolean;
  /**
   * It polls activity tasks on `queues`: false for a worker that registered only workflows, or that runs no
   * activity poller (`activityPollers: 0`).
   */
  pollsActivityTasks: boolean;
  /** Id of its process. */
  pid: number;
  /** Host name of its machine (`os.hostname()`). */
  hostname: string;
  /** The application's deploy version it runs (`WorkerOptions.version`, e.g. a git sha); absent when not given. */
  version?: string;
  /** The version of redflow it runs. */
  redflowVersion: string;
  /** When it started taking tasks (`worker.start()`, once connected), by the worker's clock. */
  startedAt: Date;
  /** Its latest announcement, by the worker's clock. */
  lastSeenAt: Date;
}

/**
 * Why a workflow task is held: `'undecodable'` (its stored events cannot be decoded), `'engine-error'` (the
 * engine failed running or committing it), `'unsettled'` (the workflow code waits on something the engine does
 * not control), `'nondeterminism'` (replaying its history through the worker's code diverged, see
 * `NonDeterminismError`), `'unknown-workflow'` (the worker that claimed it has not registered its workflow,
 * see `UnknownWorkflowError`). Holds for the last two never park: they wait for a deploy. Open: other reasons
 * may be added.
 */
export type HoldReason = 'undecodable' | 'engine-error' | 'unsettled' | 'nondeterminism' | 'unknown-workflow' | (string & {});

/**
 * How a held workflow task is retried: the n-th hold of a run waits `backoffDelayMs` (ms) before the task may
 * be claimed again, and the `maxAttempts`-th parks it (no automatic retry).
 */
export type HeldTaskRetryPolicy = BackoffPolicy;

/** What `holdWorkflowTask` records about a held task. */
export interface WorkflowTaskHold {
  reason: HoldReason;
  /** The error that held it: its `name` and `message`. */
  error: { type: string; message: string };
  retry: HeldTaskRetryPolicy;
}

/** The hold of an execution after `holdWorkflowTask`. */
export interface HoldState {
  /** Failed attempts in this run of holds, this one included (1 for the first). */
  attempts: number;
  /** When the first hold of this run was recorded. */
  since: Date;
  /** When the task may be claimed again; absent once parked. */
  retryAt?: Date;
}

/** The hold of one execution's workflow task (see `getWorkflowInstanceDetails`, `listHeldWorkflowInstances`). */
export interface WorkflowTaskHoldInfo {
  reason: HoldReason;
  /** The error of the latest hold. */
  error: { type: string; message: string };
  /** When the first hold of this run was recorded. */
  since: Date;
  /** Failed attempts so far (holds of the same reason in a row). */
  attempts: number;
  /**
   * When the task may be (or was) claimed again; a past time means the retry is due or running. Absent once
   * parked.
   */
  retryAt?: Date;
  /** True after `maxAttempts` holds: it waits for `retryHeldWorkflowInstance`. */
  parked: boolean;
}

/** One held execution in a listing. */
export interface HeldWorkflowInstanceInfo extends WorkflowTaskHoldInfo {
  instance: WorkflowInstance;
  /** Workflow name. */
  name: string;
  queue: string;
}

/** One execution as the store records it, beyond its history (see `getWorkflowInstanceDetails`). */
export interface WorkflowInstanceDetails extends WorkflowInstanceInfo {
  /** Present while its workflow task is held. */
  hold?: WorkflowTaskHoldInfo;
  /** The execution of its chain that continued as new into this one; absent for the first of a chain. */
  continuedFrom?: WorkflowInstance;
  /**
   * The attributes of its `WorkflowExecutionStarted` event (inputs, parent) while that event still waits in its
   * inbox, before its first workflow task ran; absent once it is in the history, where it is read from then.
   */
  startedAttributes?: EventOf<'WorkflowExecutionStarted'>['attributes'];
}

/** A page of `listHeldWorkflowInstances`. */
export interface HeldWorkflowInstancePage {
  instances: HeldWorkflowInstanceInfo[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

