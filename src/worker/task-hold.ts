import type { Logger } from 'pino';
import type { Backend, HeldTaskRetryPolicy, HoldReason, WorkflowTask } from '../backend/backend.js';
import { LeaseLostError, NonDeterminismError, UndecodableDataError, UnknownWorkflowError, UnsettledWorkflowError } from '../errors/errors.js';

// Long messages (a decoder's dump, a stack in a message) would bloat every listing; the log keeps the whole error.
const MAX_MESSAGE_LENGTH = 2000;

/** Why a workflow task that failed with `err` (anything but `LeaseLostError`) is held. */
export function holdReasonOf(err: unknown): HoldReason {
  if (err instanceof UndecodableDataError) return 'undecodable';
  if (err instanceof UnsettledWorkflowError) return 'unsettled';
  if (err instanceof NonDeterminismError) return 'nondeterminism';
  if (err instanceof UnknownWorkflowError) return 'unknown-workflow';
  return 'engine-error';
}

/**
 * The retry policy of a hold for `reason`: `retry` as the worker gives it, except that a task waiting for a
 * deploy (code that matches its history, or that registers its workflow) never parks: a deploy, not an
 * operator, ends that wait.
 */
export function holdPolicyOf(reason: HoldReason, retry: HeldTaskRetryPolicy): HeldTaskRetryPolicy {
  return reason === 'nondeterminism' || reason === 'unknown-workflow' ? Object.assign({}, retry, { maxAttempts: Number.MAX_SAFE_INTEGER }) : retry;
}

/** `err` as a hold records it: its name and message, whatever was thrown. */
function holdErrorOf(err: unknown): { type: string; message: string } {
  let type = 'Error';
  let message: string;
  try {
    if (err instanceof Error) {
      type = String(err.name);
      message = String(err.message);
    } else message = String(err);
  } catch {
    message = 'an error that cannot be described';
  }
  return { type, message: message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}...` : message };
}

/**
 * Holds `task`, which failed with `err` for a reason outside the workflow code, or that waits for a deploy (see
 * `Backend.holdWorkflowTask`, `holdPolicyOf`), and logs it once, as an error: with the attempt and the next
 * retry, or saying it is parked. With `quiet` (the caller reported it already) the hold is logged at debug
 * level. Never throws: a hold refused because the lease was lost needs nothing more, and one that fails
 * otherwise leaves the task to its lease.
 */
export async function holdTask(
  backend: Backend,
  task: WorkflowTask,
  err: unknown,
  retry: HeldTaskRetryPolicy,
  logger: Logger,
  quiet = false,
): Promise<void> {
  const reason = holdReasonOf(err);
  try {
    const held = await backend.holdWorkflowTask(task, { reason, error: holdErrorOf(err), retry: holdPolicyOf(reason, retry) });
    const fields = { err, queue: task.queue, reason, attempt: held.attempts, since: held.since };
    if (quiet) {
      logger.debug(Object.assign({}, fields, { retryAt: held.retryAt }), `workflow task held (${reason}): attempt ${held.attempts}`);
    } else if (held.retryAt === undefined) {
      logger.error(fields, `workflow task held (${reason}) and parked after ${held.attempts} attempts: retryHeldWorkflowInstance runs it again`);
    } else {
      logger.error(Object.assign({}, fields, { retryAt: held.retryAt }), `workflow task held (${reason}): attempt ${held.attempts}, retried at ${held.retryAt.toISOString()}`);
    }
  } catch (holdErr) {
    if (holdErr instanceof LeaseLostError) logger.warn({ err }, 'workflow task failed after another worker took it over; dropped');
    else logger.error({ err, holdErr }, 'workflow task failed and could not be held; it runs again when its lease expires');
  }
}
