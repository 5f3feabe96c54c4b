import type { HistoryEvent } from '../../history/events.js';
import { toJsonSafe, type JsonSafe } from './json-safe.js';

/**
 * The colour group of a timeline entry: the workflow's own start and end, workflow tasks, activities, retries
 * (an activity or sub-workflow attempt after the first, and the backoff timer before it), failures, timers, signals, sub-workflows,
 * cancellations, side effects and patches.
 */
export type TimelineCategory =
  | 'workflow'
  | 'task'
  | 'activity'
  | 'retry'
  | 'failure'
  | 'timer'
  | 'signal'
  | 'child'
  | 'cancel'
  | 'side-effect'
  | 'patch';

/** One history event as the instance page's timeline shows it. All durations are in milliseconds. */
export interface TimelineEntry {
  sequenceId: number;
  type: string;
  /** ISO 8601. */
  timestamp: string;
  scheduleEventId?: number;
  category: TimelineCategory;
  /** One line for people: "Activity charge failed: PaymentError", "Retry 2 of activity charge", ... */
  label: string;
  /**
   * Time since the execution's earliest event (ms). Not the time since the previous event: events a task
   * records from its inbox (a signal, an activity's result) happened before the task that records them started,
   * so that would go negative.
   */
  sinceStartMs: number;
  /** On an answer (completion, failure, firing, delivery): the sequence id of the event that scheduled it. */
  scheduledBy?: number;
  /** On an answer: the time since the event that scheduled it. */
  sinceScheduledMs?: number;
  /** On a scheduling event: the sequence id of its answer, absent while it is pending. */
  answeredBy?: number;
  /** On a scheduling event: the time until its answer, absent while it is pending. */
  answeredAfterMs?: number;
  /** The event's attributes, decoded, as JSON (see `toJsonSafe`). */
  attributes: JsonSafe;
}

/** The name the engine gives the timer it waits on between two attempts. */
const RETRY_BACKOFF_TIMER = 'retry-backoff';

const SCHEDULING: ReadonlySet<string> = new Set(['ActivityScheduled', 'TimerScheduled', 'SubWorkflowScheduled', 'SignalSent']);

/** `history` (one execution's events, in order) as timeline entries, in the same order. */
export function historyTimeline(history: readonly HistoryEvent[]): TimelineEntry[] {
  const schedulers = new Map<number, HistoryEvent>();
  // By command: a scheduling event and its answer carry the same scheduleEventId.
  for (const event of history) {
    if (SCHEDULING.has(event.type) && event.scheduleEventId !== undefined) schedulers.set(event.scheduleEventId, event);
  }
  const answers = new Map<number, { sequenceId: number; afterMs: number }>();
  const startMs = Math.min(...history.map((event) => event.timestamp.getTime()));
  // The workflow time of the task that recorded the event: a timer's delay counts from it.
  let taskTime: Date | undefined;
  const entries = history.map((event) => {
    if (event.type === 'WorkflowTaskStarted') taskTime = event.timestamp;
    const scheduler = event.scheduleEventId === undefined || SCHEDULING.has(event.type) ? undefined : schedulers.get(event.scheduleEventId);
    const entry: TimelineEntry = {
      sequenceId: event.sequenceId,
      type: event.type,
      timestamp: event.timestamp.toISOString(),
      category: categoryOf(event),
      label: labelOf(event, scheduler, taskTime ?? event.timestamp),
      sinceStartMs: event.timestamp.getTime() - startMs,
      attributes: toJsonSafe(event.attributes),
    };
    if (event.scheduleEventId !== undefined) entry.scheduleEventId = event.scheduleEventId;
    if (scheduler !== undefined && isAnswer(event)) {
      entry.scheduledBy = scheduler.sequenceId;
      entry.sinceScheduledMs = event.timestamp.getTime() - scheduler.timestamp.getTime();
      answers.set(scheduler.sequenceId, { sequenceId: event.sequenceId, afterMs: entry.sinceScheduledMs });
    }
    return entry;
  });
  for (const entry of entries) {
    const answer = answers.get(entry.sequenceId);
    if (answer !== undefined) {
      entry.answeredBy = answer.sequenceId;
      entry.answeredAfterMs = answer.afterMs;
    }
  }
  return entries;
}

function isAnswer(event: HistoryEvent): boolean {
  return !event.type.endsWith('CancellationRequested');
}

function categoryOf(event: HistoryEvent): TimelineCategory {
  switch (event.type) {
    case 'WorkflowExecutionStarted':
    case 'WorkflowExecutionContinuedAsNew':
      return 'workflow';
    case 'WorkflowExecutionFinished':
      return event.attributes.error === undefined ? 'workflow' : 'failure';
    case 'WorkflowTaskStarted':
      return 'task';
    case 'ActivityScheduled':
    case 'SubWorkflowScheduled':
      if (event.attributes.attempt > 0) return 'retry';
      return event.type === 'ActivityScheduled' ? 'activity' : 'child';
    case 'ActivityCompleted':
      return 'activity';
    case 'SubWorkflowCompleted':
      return 'child';
    case 'ActivityFailed':
    case 'SubWorkflowFailed':
    case 'SignalFailed':
      return 'failure';
    case 'TimerScheduled':
      return event.attributes.name === RETRY_BACKOFF_TIMER ? 'retry' : 'timer';
    case 'TimerFired':
      return 'timer';
    case 'SignalReceived':
    case 'SignalSent':
    case 'SignalDelivered':
      return 'signal';
    case 'WorkflowExecutionCanceled':
    case 'ActivityCancellationRequested':
    case 'TimerCanceled':
    case 'SubWorkflowCancellationRequested':
      return 'cancel';
    case 'SideEffectResult':
      return event.attributes.error === undefined ? 'side-effect' : 'failure';
    case 'PatchRecorded':
      return 'patch';
  }
}

function labelOf(event: HistoryEvent, scheduler: HistoryEvent | undefined, taskTime: Date): string {
  const what = scheduler === undefined ? '' : subjectOf(scheduler);
  switch (event.type) {
    case 'WorkflowExecutionStarted':
      return `Started workflow ${event.attributes.name} on queue ${event.attributes.queue}`;
    case 'WorkflowExecutionFinished':
      return event.attributes.error === undefined ? 'Completed' : `Failed: ${event.attributes.error.type}: ${event.attributes.error.message}`;
    case 'WorkflowExecutionContinuedAsNew':
      return `Continued as new (execution ${event.attributes.continuedExecutionId})`;
    case 'WorkflowExecutionCanceled':
      return 'Cancellation requested';
    case 'WorkflowTaskStarted':
      return 'Workflow task';
    case 'ActivityScheduled':
      return event.attributes.attempt > 0
        ? `Retry: attempt ${event.attributes.attempt + 1} of activity ${event.attributes.name}`
        : `Activity ${event.attributes.name} scheduled`;
    case 'ActivityCompleted':
      return `${what || 'Activity'} completed`;
    case 'ActivityFailed':
      return `${what || 'Activity'} failed: ${event.attributes.error.type}: ${event.attributes.error.message}`;
    case 'ActivityCancellationRequested':
      return `Cancellation of ${what || 'an activity'} requested`;
    case 'TimerScheduled': {
      const delayMs = event.attributes.firesAt.getTime() - taskTime.getTime();
      if (event.attributes.name === RETRY_BACKOFF_TIMER) return `Retry backoff: waits ${formatDuration(delayMs)}`;
      return `Timer${event.attributes.name === undefined ? '' : ` ${event.attributes.name}`} set for ${formatDuration(delayMs)}`;
    }
    case 'TimerFired':
      return `${what || 'Timer'} fired`;
    case 'TimerCanceled':
      return `${what || 'Timer'} cancelled`;
    case 'SignalReceived':
      return `Signal ${event.attributes.name} received`;
    case 'SideEffectResult':
      return event.attributes.error === undefined ? 'Side effect recorded' : `Side effect failed: ${event.attributes.error.type}`;
    case 'PatchRecorded':
      return `Patch ${event.attributes.patchId}${event.attributes.deprecated === true ? ' (deprecated)' : ''} recorded`;
    case 'SubWorkflowScheduled':
      return event.attributes.attempt > 0
        ? `Retry: attempt ${event.attributes.attempt + 1} of child ${event.attributes.name} (${event.attributes.instanceId})`
        : `Child ${event.attributes.name} (${event.attributes.instanceId}) started`;
    case 'SubWorkflowCompleted':
      return `${what || 'Child'} completed`;
    case 'SubWorkflowFailed':
      return `${what || 'Child'} failed: ${event.attributes.error.type}: ${event.attributes.error.message}`;
    case 'SubWorkflowCancellationRequested':
      return `Cancellation of child ${event.attributes.instanceId} requested`;
    case 'SignalSent':
      return `Signal ${event.attributes.name} sent to ${event.attributes.instanceId}`;
    case 'SignalDelivered':
      return `${what || 'Signal'} delivered`;
    case 'SignalFailed':
      return `${what || 'Signal'} not delivered: ${event.attributes.error.message}`;
  }
}

/** "Activity charge", "Timer 30s", "Child ship (order-1/ship)", "Signal paid to order-2": what a scheduling event started. */
function subjectOf(event: HistoryEvent): string {
  switch (event.type) {
    case 'ActivityScheduled':
      return `Activity ${event.attributes.name}${event.attributes.attempt > 0 ? ` (attempt ${event.attributes.attempt + 1})` : ''}`;
    case 'TimerScheduled':
      return `Timer${event.attributes.name === undefined ? '' : ` ${event.attributes.name}`}`;
    case 'SubWorkflowScheduled':
      return `Child ${event.attributes.name} (${event.attributes.instanceId})`;
    case 'SignalSent':
      return `Signal ${event.attributes.name} to ${event.attributes.instanceId}`;
    default:
      return '';
  }
}

/** `ms` as "250ms", "1.5s", "2m 5s", "3h 0m", "2d 4h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m ${Math.floor((ms % 60_000) / 1000)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}
