import { NonDeterminismError, RedflowError, WorkflowError, isPermanent } from './errors.js';
import {
  describeThrown,
  failureText,
  isErrorValue,
  isInstance,
  leftOutNote,
  read,
  snapshotDetails,
  snapshotErrorFields,
  type DetailsSnapshot,
} from './thrown-value.js';

/**
 * Serializable form of a failure that crossed the history (activity, workflow, side effect or sub-workflow).
 * `message`, `type` and `stack` are well-formed strings of at most `MAX_FAILURE_TEXT_LENGTH` code units.
 */
export interface FailureInfo {
  message: string;
  /** The original error's `name`; `'Error'` for a thrown non-`Error`. */
  type: string;
  stack?: string;
  permanent: boolean;
  /** The `cause` of the original error, converted the same way (an `Error` or any other value). */
  cause?: FailureInfo;
  /**
   * Payload data that came with the failure: a thrown non-`Error` value itself, the fields an `Error` carries
   * beyond name, message, stack and cause (see `WorkflowError.details`), or a `WorkflowError`'s own details.
   * Absent when there are none.
   */
  details?: unknown;
}

const MAX_CAUSE_DEPTH = 8;

/**
 * Turns anything thrown into the failure record kept in the history, following API.md "Thrown values": an
 * `Error` keeps its message, name (as `type`), stack, cause and extra fields (as `details`); any other value
 * becomes a message that describes it and `details` that hold it. Never throws, whatever `err` is (a Proxy
 * whose every trap throws, an object whose getters throw, a cycle...): what cannot be read or encoded is left
 * out of `details`, and the message says so.
 */
export function toFailureInfo(err: unknown): FailureInfo {
  try {
    return convert(err, 0);
  } catch {
    // Every read above is guarded; this is the last line for what no guard foresees (a stack overflow while
    // converting, say): the conversion runs in handlers whose throw would strand the instance.
    return { message: 'a value was thrown that could not be converted', type: 'Error', permanent: false };
  }
}

/** Rebuilds the error a workflow or client sees from a recorded failure, causes and details included. */
export function fromFailureInfo(info: FailureInfo): WorkflowError {
  const options: { type: string; permanent: boolean; cause?: unknown; stack?: string; details?: unknown } = {
    type: info.type,
    permanent: info.permanent,
  };
  if (info.cause !== undefined) options.cause = fromFailureInfo(info.cause);
  if (info.stack !== undefined) options.stack = info.stack;
  if (info.details !== undefined) options.details = info.details;
  return new WorkflowError(info.message, options);
}

/**
 * The `NonDeterminismError` a client sees for an execution that failed with one (type `'NonDeterminismError'`):
 * its message, and its stack when recorded. Inside workflows such a failure stays a `WorkflowError` of that type.
 */
export function nonDeterminismErrorOf(info: FailureInfo): NonDeterminismError {
  const error = new NonDeterminismError(info.message);
  if (info.stack !== undefined) error.stack = info.stack;
  return error;
}

function convert(err: unknown, depth: number): FailureInfo {
  if (!isErrorValue(err)) {
    const snapshot = snapshotDetails(err);
    return withDetails(describeThrown(err, snapshot.value), { type: 'Error', permanent: isPermanent(err) }, snapshot);
  }
  const workflowError = isInstance(err, WorkflowError);
  const info: Omit<FailureInfo, 'message'> = { type: errorType(err, workflowError), permanent: isPermanent(err) };
  const stack = read(err, 'stack');
  if (stack.ok && typeof stack.value === 'string') info.stack = failureText(stack.value);
  const cause = read(err, 'cause');
  if (cause.ok && cause.value !== undefined && depth < MAX_CAUSE_DEPTH) info.cause = convert(cause.value, depth + 1);
  if (workflowError) {
    const details = read(err, 'details');
    return withDetails(errorMessage(err), info, details.ok ? snapshotDetails(details.value) : undefined);
  }
  // Redflow's other errors carry nothing beyond what their type and message say.
  return withDetails(errorMessage(err), info, isInstance(err, RedflowError) ? undefined : snapshotErrorFields(err));
}

/** The record with `message` (and a note of what `snapshot` left out) within the text limit, and the details. */
function withDetails(message: string, info: Omit<FailureInfo, 'message'>, snapshot: DetailsSnapshot | undefined): FailureInfo {
  const record: FailureInfo = { message: failureText(message, snapshot === undefined ? '' : leftOutNote(snapshot)), ...info };
  if (snapshot?.value !== undefined) record.details = snapshot.value;
  return record;
}

function errorMessage(err: Error): string {
  const message = read(err, 'message');
  if (!message.ok) return '(the message of this error could not be read)';
  return describeThrown(message.value, undefined);
}

function errorType(err: Error, workflowError: boolean): string {
  const type = read(err, workflowError ? 'type' : 'name');
  return type.ok && typeof type.value === 'string' && type.value.length > 0 ? failureText(type.value) : 'Error';
}
