import type { FailureInfo } from '../errors/errors.js';
import { newEvent, type NewEventOf } from '../history/events.js';
import type { SubWorkflowCancellation } from './backend.js';

// Built without a `CanceledError` object: nobody reads a stack trace of the backend's own bookkeeping.
function canceledFailure(message: string): FailureInfo {
  return { message, type: 'CanceledError', permanent: false };
}

/**
 * The outcome a backend gives an activity attempt that it removed, cancelled, before any worker claimed it:
 * `ActivityFailed` with a `CanceledError` failure, for `scheduleEventId`.
 */
export function canceledActivityEvent(scheduleEventId: number): NewEventOf<'ActivityFailed'> {
  const error = canceledFailure('canceled: the activity was canceled before a worker claimed it');
  return newEvent('ActivityFailed', { error }, scheduleEventId) as NewEventOf<'ActivityFailed'>;
}

/**
 * What a backend records when a parent cancels a sub-workflow execution that no worker has started: the
 * child's history becomes its `WorkflowExecutionStarted`, `canceled` and `finished`, and the parent receives
 * `parentFailed`.
 */
export interface CanceledBeforeStartEvents {
  canceled: NewEventOf<'WorkflowExecutionCanceled'>;
  /** The child's last event: a `CanceledError` failure. */
  finished: NewEventOf<'WorkflowExecutionFinished'>;
  /** `SubWorkflowFailed` with the same failure, for the parent's command that started the child. */
  parentFailed: NewEventOf<'SubWorkflowFailed'>;
}

/** The events that end `child`, cancelled before it started, and tell its parent (see `CanceledBeforeStartEvents`). */
export function canceledBeforeStartEvents(child: SubWorkflowCancellation): CanceledBeforeStartEvents {
  const error = canceledFailure(`canceled: sub-workflow ${child.instanceId} was canceled before it started`);
  return {
    canceled: newEvent('WorkflowExecutionCanceled', {}) as NewEventOf<'WorkflowExecutionCanceled'>,
    finished: newEvent('WorkflowExecutionFinished', { error }) as NewEventOf<'WorkflowExecutionFinished'>,
    parentFailed: newEvent('SubWorkflowFailed', { error }, child.scheduleEventId) as NewEventOf<'SubWorkflowFailed'>,
  };
}
