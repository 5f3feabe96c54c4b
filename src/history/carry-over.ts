import type { NewEvent, NewEventOf } from './events.js';

/**
 * An inbox event addressed to the workflow instance rather than to one execution: a signal (sent by
 * instance id) or a cancellation request (from the client, or from a parent cancelling its child). One that
 * reaches an execution which continues as new without applying it is carried to the next execution, in
 * arrival order, so continue-as-new loses none; one addressed to an execution that has continued as new goes
 * to the instance's active execution. A cancellation request the execution did apply is passed on as well
 * (once), since it cancels the instance: the next execution starts with its root scope cancelled.
 *
 * Every other inbox event answers a command of the execution it reached (`ActivityCompleted`,
 * `ActivityFailed`, `TimerFired`, `SubWorkflowCompleted`, `SubWorkflowFailed`, `SignalDelivered`,
 * `SignalFailed`): once that execution has ended its history is closed and such late results are dropped
 * (API.md, "Completion with pending work"); the next execution never issued those commands.
 * `WorkflowExecutionStarted` opens an execution and is never carried.
 */
export type CarriedEvent = NewEventOf<'SignalReceived'> | NewEventOf<'WorkflowExecutionCanceled'>;

/** Types of `CarriedEvent`; lua/lib/carry-over.lua lists the same. */
const CARRIED_EVENT_TYPES: ReadonlySet<string> = new Set<CarriedEvent['type']>(['SignalReceived', 'WorkflowExecutionCanceled']);

/** True for an event that goes along with continue-as-new (see `CarriedEvent`). */
export function isCarriedOver(event: NewEvent): event is CarriedEvent {
  return CARRIED_EVENT_TYPES.has(event.type);
}
