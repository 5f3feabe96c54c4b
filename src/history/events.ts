import type { ActivityTimeouts } from '../core/activity-timeouts.js';
import type { TraceCarrier } from '../core/trace-carrier.js';
import type { FailureInfo } from '../errors/errors.js';

/** Every kind of event a workflow history can hold. */
export type EventType = HistoryEvent['type'];

interface EventBase<T extends string, A> {
  /** Position in the execution's history, from 1, without gaps. */
  sequenceId: number;
  type: T;
  timestamp: Date;
  /** For scheduling and completion events: the id of the command they belong to. */
  scheduleEventId?: number;
  attributes: A;
}

/** Parent link of a sub-workflow execution. */
export interface ParentLink {
  instanceId: string;
  executionId: string;
  scheduleEventId: number;
}

/**
 * First event of every execution. `traceContext`, when telemetry is on, is the trace context of whoever started
 * it (a client's span, a parent's workflow task, the execution it continues); the engine never reads it.
 */
export type WorkflowExecutionStarted = EventBase<
  'WorkflowExecutionStarted',
  { name: string; queue: string; inputs: unknown[]; parent?: ParentLink; traceContext?: TraceCarrier }
>;
/** Last event of a finished execution: its result or its error. */
export type WorkflowExecutionFinished = EventBase<
  'WorkflowExecutionFinished',
  { result?: unknown; error?: FailureInfo }
>;
/** Last event of an execution that continued as new. */
export type WorkflowExecutionContinuedAsNew = EventBase<
  'WorkflowExecutionContinuedAsNew',
  { result?: unknown; continuedExecutionId: string }
>;
/** Cancellation was requested for the execution. */
export type WorkflowExecutionCanceled = EventBase<'WorkflowExecutionCanceled', Record<string, never>>;
/** Opens each workflow task; its timestamp is the workflow time of that task. */
export type WorkflowTaskStarted = EventBase<'WorkflowTaskStarted', Record<string, never>>;
/**
 * An activity attempt was scheduled; `timeouts` is absent when the activity has none. `traceContext`, when
 * telemetry is on, is the trace context of the workflow task that scheduled it; the engine never reads it.
 */
export type ActivityScheduled = EventBase<
  'ActivityScheduled',
  { name: string; queue: string; inputs: unknown[]; attempt: number; timeouts?: ActivityTimeouts; traceContext?: TraceCarrier }
>;
/** An activity attempt returned. */
export type ActivityCompleted = EventBase<'ActivityCompleted', { result: unknown }>;
/**
 * An activity attempt threw, was cancelled before a worker claimed it (type `CanceledError`), or timed out (type
 * `ActivityTimeoutError`, see `activityTimeoutFailure`).
 */
export type ActivityFailed = EventBase<'ActivityFailed', { error: FailureInfo }>;
/**
 * The scope of a scheduled activity attempt was cancelled. Its outcome follows: `ActivityFailed` with a
 * `CanceledError` when no worker had claimed the attempt (it never runs), else the attempt's own outcome.
 */
export type ActivityCancellationRequested = EventBase<'ActivityCancellationRequested', Record<string, never>>;
/** A durable timer was started. */
export type TimerScheduled = EventBase<'TimerScheduled', { firesAt: Date; name?: string }>;
/** A durable timer came due. */
export type TimerFired = EventBase<'TimerFired', Record<string, never>>;
/** A pending timer was cancelled. */
export type TimerCanceled = EventBase<'TimerCanceled', Record<string, never>>;
/** A signal arrived. */
export type SignalReceived = EventBase<'SignalReceived', { name: string; arg: unknown }>;
/** The recorded result of a side effect. */
export type SideEffectResult = EventBase<'SideEffectResult', { result?: unknown; error?: FailureInfo }>;
/**
 * The workflow code checked a patch (`workflow.patched`) while running live, or marked it deprecated
 * (`workflow.deprecatePatch`, `deprecated: true`). Recorded at most once per patch and execution, right after
 * the event whose handling ran that code; a replay then takes the patched branch.
 */
export type PatchRecorded = EventBase<'PatchRecorded', { patchId: string; deprecated?: true }>;
/** A sub-workflow was started. */
export type SubWorkflowScheduled = EventBase<
  'SubWorkflowScheduled',
  { name: string; queue: string; instanceId: string; executionId: string; inputs: unknown[]; attempt: number }
>;
/** A sub-workflow returned. */
export type SubWorkflowCompleted = EventBase<'SubWorkflowCompleted', { result: unknown }>;
/** A sub-workflow failed. */
export type SubWorkflowFailed = EventBase<'SubWorkflowFailed', { error: FailureInfo }>;
/** Cancellation of a sub-workflow was requested. */
export type SubWorkflowCancellationRequested = EventBase<
  'SubWorkflowCancellationRequested',
  { instanceId: string; executionId: string }
>;
/** The workflow sent a signal to another instance (`workflow.signalWorkflow`). */
export type SignalSent = EventBase<'SignalSent', { instanceId: string; name: string; arg: unknown }>;
/** A sent signal reached the target's active execution. */
export type SignalDelivered = EventBase<'SignalDelivered', Record<string, never>>;
/** A sent signal found no active execution of its target. */
export type SignalFailed = EventBase<'SignalFailed', { error: FailureInfo }>;

/** A recorded event of a workflow execution. */
export type HistoryEvent =
  | WorkflowExecutionStarted
  | WorkflowExecutionFinished
  | WorkflowExecutionContinuedAsNew
  | WorkflowExecutionCanceled
  | WorkflowTaskStarted
  | ActivityScheduled
  | ActivityCompleted
  | ActivityFailed
  | ActivityCancellationRequested
  | TimerScheduled
  | TimerFired
  | TimerCanceled
  | SignalReceived
  | SideEffectResult
  | PatchRecorded
  | SubWorkflowScheduled
  | SubWorkflowCompleted
  | SubWorkflowFailed
  | SubWorkflowCancellationRequested
  | SignalSent
  | SignalDelivered
  | SignalFailed;

type WithoutSequence<E> = E extends HistoryEvent ? Omit<E, 'sequenceId'> : never;

/** An event not yet in the history: it gets its sequence id when a workflow task commits it. */
export type NewEvent = WithoutSequence<HistoryEvent>;

/** The event of type `T`. */
export type EventOf<T extends EventType> = Extract<HistoryEvent, { type: T }>;

/** The not-yet-committed event of type `T`. */
export type NewEventOf<T extends EventType> = Omit<EventOf<T>, 'sequenceId'>;

/** Builds an event that waits in an inbox until a workflow task commits it. */
export function newEvent<T extends EventType>(
  type: T,
  attributes: EventOf<T>['attributes'],
  scheduleEventId?: number,
  timestamp: Date = new Date(),
): NewEvent {
  const event = { type, timestamp, attributes } as NewEvent;
  if (scheduleEventId !== undefined) event.scheduleEventId = scheduleEventId;
  return event;
}
