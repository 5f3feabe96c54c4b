import type { FailureInfo } from './failure-info.js';

export type { FailureInfo } from './failure-info.js';

/** Stable machine-readable codes carried by every redflow error. */
export type ErrorCode =
  | 'WORKFLOW_ERROR'
  | 'CANCELED'
  | 'NON_DETERMINISM'
  | 'INSTANCE_ALREADY_EXISTS'
  | 'INSTANCE_NOT_FOUND'
  | 'INSTANCE_NOT_FINISHED'
  | 'WAIT_TIMEOUT'
  | 'CHANNEL_CLOSED'
  | 'INVALID_ARGUMENT'
  | 'BACKEND_CLOSED'
  | 'BACKEND_UNAVAILABLE'
  | 'LEASE_LOST'
  | 'UNDECODABLE_DATA'
  | 'UNSETTLED_WORKFLOW'
  | 'UNKNOWN_WORKFLOW'
  | 'ACTIVITY_TIMEOUT'
  | 'DEAD_LETTER_NOT_FOUND'
  | 'WORKFLOW_TESTER';

/** Base class of every error redflow raises itself. */
export abstract class RedflowError extends Error {
  abstract readonly code: ErrorCode;
}

/**
 * A workflow, activity or sub-workflow failed. `type` is the original error's `name` (`'Error'` for a thrown
 * non-`Error`); `permanent` is true when the failure must not be retried; `cause` is the original cause, itself
 * a `WorkflowError`.
 */
export class WorkflowError extends RedflowError {
  override readonly name = 'WorkflowError';
  readonly code = 'WORKFLOW_ERROR';
  readonly type: string;
  readonly permanent: boolean;
  /**
   * Payload data that came with the failure (API.md "Thrown values"), decoded like any payload: the thrown
   * value itself when it was not an `Error` (then `message` describes it: a string as is, an object as its
   * JSON); for an `Error`, its own enumerable fields beyond name, message, stack and cause (such as Node's
   * `code` and `errno`) and an `AggregateError`'s `errors`, as a plain object. Undefined when there are none.
   * What a payload cannot hold (functions, symbols, cycles, unreadable properties, more than 4 MiB) is left
   * out, and `message` ends with a note saying what.
   */
  readonly details: unknown;

  constructor(
    message: string,
    options: { type?: string; permanent?: boolean; cause?: unknown; stack?: string; details?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.type = options.type ?? 'Error';
    this.permanent = options.permanent ?? false;
    this.details = options.details;
    if (options.stack !== undefined) this.stack = options.stack;
  }
}

/** Work cancelled by a cancellation scope or by `cancelWorkflowInstance`. */
export class CanceledError extends RedflowError {
  override readonly name = 'CanceledError';
  readonly code = 'CANCELED';
  constructor(message = 'canceled') {
    super(message);
  }
}

/**
 * Replay produced different commands than the history recorded; the message names both sides. By default the
 * worker holds the task (reason `'nondeterminism'`, never parked) and the instance stays `'active'` until a
 * worker whose code matches the history takes it; with worker option `onNonDeterminism: 'fail'` the instance
 * fails and `Client.getWorkflowResult` rejects with this class.
 */
export class NonDeterminismError extends RedflowError {
  override readonly name = 'NonDeterminismError';
  readonly code = 'NON_DETERMINISM';
}

/**
 * A worker claimed a workflow task whose workflow name it has not registered (`workflowName`, started on
 * `queue`). The task is not run: it is held (reason `'unknown-workflow'`, never parked) until a worker that
 * registered the name takes it; nothing is recorded in the history and the instance stays `'active'`.
 */
export class UnknownWorkflowError extends RedflowError {
  override readonly name = 'UnknownWorkflowError';
  readonly code = 'UNKNOWN_WORKFLOW';
  readonly workflowName: string;
  readonly queue: string;
  constructor(workflowName: string, queue: string) {
    super(`workflow ${workflowName} is not registered on this worker (queue ${queue}); its tasks wait for a worker that registered it`);
    this.workflowName = workflowName;
    this.queue = queue;
  }
}

const INSTANCE_MESSAGES = {
  InstanceAlreadyExistsError: (instanceId: string) => `workflow instance already exists: ${instanceId}`,
  InstanceNotFoundError: (instanceId: string) => `workflow instance not found: ${instanceId}`,
};

/**
 * The recorded failure of a message to an instance in the wrong state (a child id that is active, a signal
 * target without an active execution), built without an `Error` whose stack trace nobody reads.
 */
export function instanceFailureInfo(type: keyof typeof INSTANCE_MESSAGES, instanceId: string): FailureInfo {
  return { message: INSTANCE_MESSAGES[type](instanceId), type, permanent: false };
}

/** An execution with this instance id is already active. */
export class InstanceAlreadyExistsError extends RedflowError {
  override readonly name = 'InstanceAlreadyExistsError';
  readonly code = 'INSTANCE_ALREADY_EXISTS';
  readonly instanceId: string;
  constructor(instanceId: string) {
    super(INSTANCE_MESSAGES.InstanceAlreadyExistsError(instanceId));
    this.instanceId = instanceId;
  }
}

/**
 * No such instance (or execution), or it was removed. `executionId` is set when one execution was asked for:
 * the message then names it (`workflow instance not found: order-7 (execution 0c1f...)`).
 */
export class InstanceNotFoundError extends RedflowError {
  override readonly name = 'InstanceNotFoundError';
  readonly code = 'INSTANCE_NOT_FOUND';
  readonly instanceId: string;
  // Declared, not defined: an error about a whole instance carries no `executionId` field at all.
  declare readonly executionId?: string;
  constructor(instanceId: string, executionId?: string) {
    super(INSTANCE_MESSAGES.InstanceNotFoundError(instanceId) + (executionId === undefined ? '' : ` (execution ${executionId})`));
    this.instanceId = instanceId;
    if (executionId !== undefined) this.executionId = executionId;
  }
}

/** The operation needs a finished instance and this one is still active. */
export class InstanceNotFinishedError extends RedflowError {
  override readonly name = 'InstanceNotFinishedError';
  readonly code = 'INSTANCE_NOT_FINISHED';
  readonly instanceId: string;
  constructor(instanceId: string) {
    super(`workflow instance is not finished: ${instanceId}`);
    this.instanceId = instanceId;
  }
}

/** A wait on a workflow ran past its timeout; the workflow itself keeps running. */
export class WaitTimeoutError extends RedflowError {
  override readonly name = 'WaitTimeoutError';
  readonly code = 'WAIT_TIMEOUT';
  readonly instanceId: string;
  readonly timeoutMs: number;
  constructor(instanceId: string, timeoutMs: number) {
    super(`workflow instance ${instanceId} did not finish within ${timeoutMs} ms`);
    this.instanceId = instanceId;
    this.timeoutMs = timeoutMs;
  }
}

/** `receive()` on a closed, empty workflow channel. */
export class ChannelClosedError extends RedflowError {
  override readonly name = 'ChannelClosedError';
  readonly code = 'CHANNEL_CLOSED';
  constructor() {
    super('channel is closed');
  }
}

/** An argument was rejected before anything was written (bad id, unencodable payload, bad option). */
export class InvalidArgumentError extends RedflowError {
  override readonly name = 'InvalidArgumentError';
  readonly code = 'INVALID_ARGUMENT';
}

/** A call was made on a backend after `close()`. */
export class BackendClosedError extends RedflowError {
  override readonly name = 'BackendClosedError';
  readonly code = 'BACKEND_CLOSED';
  constructor() {
    super('backend is closed');
  }
}

/**
 * The store cannot be reached: the backend gave up on a call after its `connectTimeoutMs` (no connection) or
 * `commandTimeoutMs` (no reply), or the connection broke during the call. Thrown by client calls,
 * `worker.start()` and `backend.connect()` instead of hanging or surfacing a driver error; `cause` is the
 * driver's error, when there was one. A call that timed out may still take effect once the store answers
 * again (its outcome is unknown): retry it when it is safe to repeat (`createWorkflowInstance` then rejects
 * with `InstanceAlreadyExistsError` if the first attempt got through).
 */
export class BackendUnavailableError extends RedflowError {
  override readonly name = 'BackendUnavailableError';
  readonly code = 'BACKEND_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** A task's lease was lost (another worker took it over); its completion changes nothing. */
export class LeaseLostError extends RedflowError {
  override readonly name = 'LeaseLostError';
  readonly code = 'LEASE_LOST';
}

/**
 * Stored data (a history or inbox event, an activity task) cannot be decoded: it was written by a version of
 * redflow this one cannot read, or it was damaged. It affects only the instance it belongs to: that instance's
 * tasks are held (not run, and retried after their lease), and reading the value (`getWorkflowResult`,
 * `getWorkflowInstanceHistory`) rejects with this error. `cause` is the decoder's own error.
 */
export class UndecodableDataError extends RedflowError {
  override readonly name = 'UndecodableDataError';
  readonly code = 'UNDECODABLE_DATA';
}

/**
 * Workflow code stopped at the end of a task without finishing while nothing it could wait for is pending in
 * the engine (no activity, timer, sub-workflow, signal it sent, signal-channel receive or cancellation wait):
 * it awaits something the engine does not control (a promise of `setTimeout`, I/O, `fetch`...), or every branch
 * waits on a channel nothing left can fill. The task is held (reason `'unsettled'`), never failed.
 */
export class UnsettledWorkflowError extends RedflowError {
  override readonly name = 'UnsettledWorkflowError';
  readonly code = 'UNSETTLED_WORKFLOW';
}

/**
 * Which bound of an activity ran out (see `ActivityOptions`): `'startToClose'` (one attempt ran longer than
 * `startToCloseTimeoutMs` from its start), `'heartbeat'` (a running attempt went `heartbeatTimeoutMs` without a
 * heartbeat) or `'scheduleToClose'` (the activity as a whole, retries and backoff waits included, ran past
 * `scheduleToCloseTimeoutMs` from its first schedule).
 */
export type ActivityTimeoutType = 'startToClose' | 'heartbeat' | 'scheduleToClose';

/**
 * An activity attempt ran past `startToCloseTimeoutMs` or missed `heartbeatTimeoutMs`, or the activity as a
 * whole ran past `scheduleToCloseTimeoutMs`. Inside the workflow it arrives as a `WorkflowError` with `type`
 * `'ActivityTimeoutError'` and `details` `{ timeoutType, timeoutMs }` (see `ActivityTimeoutDetails`); the first
 * two kinds are retried by the activity's retry policy like any failure, a `'scheduleToClose'` one is
 * permanent (no further attempt starts).
 */
export class ActivityTimeoutError extends RedflowError {
  override readonly name = 'ActivityTimeoutError';
  readonly code = 'ACTIVITY_TIMEOUT';
  /** Which bound ran out. */
  readonly timeoutType: ActivityTimeoutType;
  /** That bound (ms), as the activity's options gave it. */
  readonly timeoutMs: number;
  constructor(timeoutType: ActivityTimeoutType, timeoutMs: number) {
    super(activityTimeoutMessage(timeoutType, timeoutMs));
    this.timeoutType = timeoutType;
    this.timeoutMs = timeoutMs;
  }
}

/** `WorkflowError.details` of an `ActivityTimeoutError` that crossed the history. */
export interface ActivityTimeoutDetails {
  timeoutType: ActivityTimeoutType;
  /** The bound that ran out (ms). */
  timeoutMs: number;
}

const TIMEOUT_TEXTS: Record<ActivityTimeoutType, string> = {
  startToClose: 'activity attempt ran past its startToCloseTimeoutMs',
  heartbeat: 'activity attempt sent no heartbeat within its heartbeatTimeoutMs',
  scheduleToClose: 'activity ran past its scheduleToCloseTimeoutMs',
};

function activityTimeoutMessage(timeoutType: ActivityTimeoutType, timeoutMs: number): string {
  return `${TIMEOUT_TEXTS[timeoutType]} (${timeoutMs} ms)`;
}

/**
 * The recorded failure of an activity that timed out, as the history keeps it: type `'ActivityTimeoutError'`,
 * `details` an `ActivityTimeoutDetails`, permanent for `'scheduleToClose'` (the activity ends for good), and
 * `cause` the last attempt's own failure when there is one (a scheduleToClose deadline that fell in a backoff wait).
 */
export function activityTimeoutFailure(timeoutType: ActivityTimeoutType, timeoutMs: number, cause?: FailureInfo): FailureInfo {
  const details: ActivityTimeoutDetails = { timeoutType, timeoutMs };
  const info: FailureInfo = {
    message: activityTimeoutMessage(timeoutType, timeoutMs),
    type: 'ActivityTimeoutError',
    permanent: timeoutType === 'scheduleToClose',
    details,
  };
  if (cause !== undefined) info.cause = cause;
  return info;
}

const PERMANENT = Symbol.for('redflow.permanent');

/** Marks an error as not retryable; throw the result from an activity. */
export function permanentError(err: Error | string): Error {
  const error = typeof err === 'string' ? new Error(err) : err;
  Object.defineProperty(error, PERMANENT, { value: true, enumerable: false });
  return error;
}

/** True for errors raised by a cancellation. Never throws, whatever `err` is. */
export function isCanceled(err: unknown): boolean {
  try {
    if (err instanceof CanceledError) return true;
    return err instanceof WorkflowError && err.type === 'CanceledError';
  } catch {
    return false;
  }
}

/** True when `err` must not be retried (`permanentError`, or a permanent `WorkflowError`). Never throws. */
export function isPermanent(err: unknown): boolean {
  try {
    if (err instanceof WorkflowError) return err.permanent;
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[PERMANENT] === true;
  } catch {
    return false;
  }
}

/** `retryDeadLetterMessage` was given an id that names no dead-letter message (never parked, or already retried). */
export class DeadLetterNotFoundError extends RedflowError {
  override readonly name = 'DeadLetterNotFoundError';
  readonly code = 'DEAD_LETTER_NOT_FOUND';
  readonly id: string;
  constructor(id: string) {
    super(`no dead-letter message with id ${JSON.stringify(id)}`);
    this.id = id;
  }
}
