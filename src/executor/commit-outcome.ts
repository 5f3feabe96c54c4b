import type { WorkflowTaskCompletion } from '../backend/backend.js';
import { newExecutionId } from '../core/execution-id.js';
import { toFailureInfo, type FailureInfo } from '../errors/failure-info.js';
import { isCarriedOver, type CarriedEvent } from '../history/carry-over.js';
import { newEvent, type NewEvent, type NewEventOf, type ParentLink } from '../history/events.js';
import { CompletionBuilder } from './completion-builder.js';
import type { SignalInbox } from './signal-inbox.js';

/** How the workflow function ended: a result, an error, or a request to continue as new with these inputs. */
export type WorkflowOutcome = { result: unknown } | { error: FailureInfo } | { continueAs: unknown[] };

/** What committing an outcome reads of the execution that ends. */
export interface EndingExecution {
  /** Its instance id, which a continuation keeps. */
  readonly instanceId: string;
  /** The attributes of its `WorkflowExecutionStarted` event (name, queue, parent), once applied. */
  readonly started: NewEventOf<'WorkflowExecutionStarted'>['attributes'] | undefined;
  /** Its signals: those the code did not receive go to a continuation. */
  readonly signals: SignalInbox;
  /** True once it applied a cancellation request (its root scope is cancelled). */
  readonly canceled: boolean;
}

/**
 * Records how the execution ends. A result or an error finishes it: `WorkflowExecutionFinished`, state
 * `finished`, and a sub-workflow's outcome goes to its parent (`notifyParent`). A request to continue as new
 * records `WorkflowExecutionContinuedAsNew` and starts the next execution of the instance (`continuation`,
 * state `continued-as-new`) with the same name, queue and parent and the new inputs, carrying over what this
 * execution did not apply: first the signals its channels still hold, then the signals and cancellation
 * requests of this task that arrived after the outcome (`unapplied`, see `CarriedEvent`), in arrival order.
 * A cancellation request is addressed to the instance: an execution that continues as new after applying
 * one passes it on too (see `carriedCancellation`), so the next execution starts cancelled.
 */
export function commitOutcome(
  outcome: WorkflowOutcome,
  execution: EndingExecution,
  unapplied: readonly NewEvent[],
  record: (event: NewEvent) => void,
  completion: WorkflowTaskCompletion,
): void {
  if ('continueAs' in outcome) {
    commitContinueAsNew(outcome.continueAs, execution, unapplied, record, completion);
    return;
  }
  commitFinished(outcome, execution.started?.parent, record, completion);
}

/**
 * The completion of a task that ends the execution with `error` in place of what the task would have
 * committed: the task's start, its new events and `WorkflowExecutionFinished` with the error, numbered after
 * `task.historyLength` events. A sub-workflow's parent (`parent`) is given the error.
 */
export function failedTaskCompletion(
  task: { historyLength: number; newEvents: readonly NewEvent[] },
  error: Error,
  parent: ParentLink | undefined,
): WorkflowTaskCompletion {
  const builder = new CompletionBuilder(task.historyLength);
  builder.record(newEvent('WorkflowTaskStarted', {}));
  for (const event of task.newEvents) builder.record(event);
  commitFinished({ error: toFailureInfo(error) }, parent, (event) => builder.record(event), builder.completion);
  return builder.completion;
}

function commitContinueAsNew(
  inputs: unknown[],
  execution: EndingExecution,
  unapplied: readonly NewEvent[],
  record: (event: NewEvent) => void,
  completion: WorkflowTaskCompletion,
): void {
  const next = { instanceId: execution.instanceId, executionId: newExecutionId() };
  record(newEvent('WorkflowExecutionContinuedAsNew', { continuedExecutionId: next.executionId }));
  const { name, queue, parent } = execution.started ?? { name: '', queue: '' };
  const attributes: NewEventOf<'WorkflowExecutionStarted'>['attributes'] = { name, queue, inputs };
  if (parent !== undefined) attributes.parent = parent;
  const started = newEvent('WorkflowExecutionStarted', attributes) as NewEventOf<'WorkflowExecutionStarted'>;
  // Unconsumed signals first, as the channels hold them; then what the code never saw, in arrival order.
  const unconsumed = execution.signals
    .unconsumed()
    .map(({ name: signalName, arg }) => newEvent('SignalReceived', { name: signalName, arg }) as NewEventOf<'SignalReceived'>);
  const carried = unapplied.filter(isCarriedOver);
  completion.continuation = { instance: next, started, carried: [...unconsumed, ...carriedCancellation(execution, carried), ...carried] };
  completion.state = 'continued-as-new';
}

/**
 * The cancellation an execution that applied a cancellation request passes on, ahead of what it never
 * applied (the request arrived before those): none when it was not cancelled, or when `carried` already
 * holds a cancellation request, which cancels the next execution all the same.
 */
function carriedCancellation(execution: EndingExecution, carried: readonly CarriedEvent[]): CarriedEvent[] {
  if (!execution.canceled || carried.some((event) => event.type === 'WorkflowExecutionCanceled')) return [];
  return [newEvent('WorkflowExecutionCanceled', {}) as NewEventOf<'WorkflowExecutionCanceled'>];
}

function commitFinished(
  outcome: { result: unknown } | { error: FailureInfo },
  parent: ParentLink | undefined,
  record: (event: NewEvent) => void,
  completion: WorkflowTaskCompletion,
): void {
  record(newEvent('WorkflowExecutionFinished', outcome));
  notifyParent(completion, outcome, parent);
  completion.state = 'finished';
}

/** Gives a sub-workflow's outcome to its parent. */
function notifyParent(
  completion: WorkflowTaskCompletion,
  outcome: { result: unknown } | { error: FailureInfo },
  parent: ParentLink | undefined,
): void {
  if (parent === undefined) return;
  const event =
    'error' in outcome
      ? newEvent('SubWorkflowFailed', { error: outcome.error }, parent.scheduleEventId)
      : newEvent('SubWorkflowCompleted', { result: outcome.result }, parent.scheduleEventId);
  completion.notifyParent = {
    parent: { instanceId: parent.instanceId, executionId: parent.executionId },
    event: event as NewEventOf<'SubWorkflowCompleted'> | NewEventOf<'SubWorkflowFailed'>,
  };
}
