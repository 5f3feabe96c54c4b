import { InvalidArgumentError } from '../errors/errors.js';
import type { HistoryEvent } from '../history/events.js';

/**
 * Checks that `history` has the shape of a recorded execution, so that replaying it can only fail by
 * divergence: a non-empty array of events whose sequence ids run from 1 without gaps, each with a string
 * `type`, a valid `Date` timestamp and an `attributes` object, opening with the first task's
 * `WorkflowTaskStarted` followed by `WorkflowExecutionStarted` (whose `name` is a string and `inputs` an array).
 * @throws InvalidArgumentError naming `what` and the first problem found.
 */
export function assertRecordedHistory(history: unknown, what = 'history'): asserts history is HistoryEvent[] {
  if (!Array.isArray(history)) throw new InvalidArgumentError(`${what} is not an array of history events`);
  if (history.length === 0) throw new InvalidArgumentError(`${what} is empty: a recorded execution starts with two events`);
  history.forEach((event: unknown, index) => assertEventShape(event, index, what));
  const events = history as HistoryEvent[];
  const [first, second] = events;
  if (first?.type !== 'WorkflowTaskStarted' || second?.type !== 'WorkflowExecutionStarted') {
    const found = events.slice(0, 2).map((event) => event.type).join(', ');
    throw new InvalidArgumentError(
      `${what} does not start like a recorded execution (WorkflowTaskStarted, WorkflowExecutionStarted): it starts with ${found}`,
    );
  }
  const { name, inputs } = second.attributes as { name?: unknown; inputs?: unknown };
  if (typeof name !== 'string' || !Array.isArray(inputs)) {
    throw new InvalidArgumentError(`${what}: event 2 (WorkflowExecutionStarted) has no workflow name or no inputs array`);
  }
}

function assertEventShape(event: unknown, index: number, what: string): void {
  const at = `${what}[${index}]`;
  if (typeof event !== 'object' || event === null) throw new InvalidArgumentError(`${at} is not a history event`);
  const { sequenceId, type, timestamp, attributes } = event as Partial<Record<keyof HistoryEvent, unknown>>;
  if (sequenceId !== index + 1) {
    throw new InvalidArgumentError(`${at} has sequenceId ${String(sequenceId)}, expected ${index + 1}: sequence ids run from 1 without gaps`);
  }
  if (typeof type !== 'string' || type === '') throw new InvalidArgumentError(`${at} (event ${index + 1}) has no type`);
  if (!(timestamp instanceof Date) || Number.isNaN(timestamp.getTime())) {
    throw new InvalidArgumentError(`${at} (event ${index + 1}, ${type}) has no valid Date timestamp`);
  }
  if (typeof attributes !== 'object' || attributes === null) {
    throw new InvalidArgumentError(`${at} (event ${index + 1}, ${type}) has no attributes object`);
  }
}
