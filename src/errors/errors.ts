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
  | 'LEASE_LOST'
  | 'UNDECODABLE_DATA';

/** Base class of every error redflow raises itself. */
export abstract class RedflowError extends Error {
  abstract readonly code: ErrorCode;
}

/** Serializable form of a failure that crossed the history (activity, workflow or sub-workflow). */
export interface FailureInfo {
  message: string;
  type: string;
  stack?: string;
  permanent: boolean;
  cause?: FailureInfo;
}

/**
 * A workflow, activity or sub-workflow failed. `type` is the original error's `name`;
 * `permanent` is true when the failure must not be retried.
 */
export class WorkflowError extends RedflowError {
  override readonly name = 'WorkflowError';
  readonly code = 'WORKFLOW_ERROR';
  readonly type: string;
  readonly permanent: boolean;

  constructor(message: string, options: { type?: string; permanent?: boolean; cause?: unknown; stack?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.type = options.type ?? 'Error';
    this.permanent = options.permanent ?? false;
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

/** Replay produced different commands than the history recorded. */
export class NonDeterminismError extends RedflowError {
  override readonly name = 'NonDeterminismError';
  readonly code = 'NON_DETERMINISM';
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

/** No such instance (or execution), or it was removed. */
export class InstanceNotFoundError extends RedflowError {
  override readonly name = 'InstanceNotFoundError';
  readonly code = 'INSTANCE_NOT_FOUND';
  readonly instanceId: string;
  constructor(instanceId: string) {
    super(INSTANCE_MESSAGES.InstanceNotFoundError(instanceId));
    this.instanceId = instanceId;
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

const PERMANENT = Symbol.for('redflow.permanent');

/** Marks an error as not retryable; throw the result from an activity. */
export function permanentError(err: Error | string): Error {
  const error = typeof err === 'string' ? new Error(err) : err;
  Object.defineProperty(error, PERMANENT, { value: true, enumerable: false });
  return error;
}

/** True for errors raised by a cancellation. */
export function isCanceled(err: unknown): boolean {
  if (err instanceof CanceledError) return true;
  return err instanceof WorkflowError && err.type === 'CanceledError';
}

function isPermanent(err: unknown): boolean {
  if (err instanceof WorkflowError) return err.permanent;
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[PERMANENT] === true;
}

/**
 * Turns anything thrown into the serializable failure record kept in the history. Its texts are made
 * well-formed UTF-16 (a lone surrogate becomes U+FFFD), so the record can always be stored.
 */
export function toFailureInfo(err: unknown, depth = 0): FailureInfo {
  if (!(err instanceof Error)) {
    return { message: wellFormed(String(err)), type: 'Error', permanent: false };
  }
  const info: FailureInfo = {
    message: wellFormed(err.message),
    type: wellFormed(err instanceof WorkflowError ? err.type : err.name),
    permanent: isPermanent(err),
  };
  if (err.stack !== undefined) info.stack = wellFormed(err.stack);
  if (err.cause !== undefined && depth < 8) info.cause = toFailureInfo(err.cause, depth + 1);
  return info;
}

// Error fields are strings by type only: code may have put anything there.
function wellFormed(text: string): string {
  return typeof text === 'string' ? text.toWellFormed() : text;
}

/** Rebuilds the error a workflow or client sees from a recorded failure. */
export function fromFailureInfo(info: FailureInfo): WorkflowError {
  const options: { type: string; permanent: boolean; cause?: unknown; stack?: string } = {
    type: info.type,
    permanent: info.permanent,
  };
  if (info.cause !== undefined) options.cause = fromFailureInfo(info.cause);
  if (info.stack !== undefined) options.stack = info.stack;
  return new WorkflowError(info.message, options);
}
