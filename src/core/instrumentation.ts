import type { ActivityOutcome, ActivityTask, WorkflowTask, WorkflowTaskCompletion } from '../backend/backend.js';
import type { OperatorCalls } from '../backend/operator-calls.js';
import type { TaskKind } from '../backend/management-types.js';
import type { NewEventOf } from '../history/events.js';
import type { WorkflowInstance } from './instance.js';
import type { TraceCarrier } from './trace-carrier.js';

/**
 * Where the executor of a workflow task came from: `'cache'` (a live executor of the worker's cache, nothing
 * replayed), `'replay'` (built anew and replayed through the whole history: a cache miss), `'new'` (the
 * execution's first task: nothing to replay).
 */
export type ExecutorSource = 'cache' | 'replay' | 'new';

/** What a workflow task observer knows of the execution the task belongs to. */
export interface WorkflowTaskContext {
  /** The attributes of the execution's `WorkflowExecutionStarted` event (name, queue, trace context...). */
  readonly started: NewEventOf<'WorkflowExecutionStarted'>['attributes'] | undefined;
  readonly source: ExecutorSource;
  /**
   * Events replayed before the task's new events ran: the whole history for `'replay'`, the events other workers
   * committed since for `'cache'` (usually none).
   */
  readonly replayedEvents: number;
}

/** Told by the executor about the live (not replayed) events of a task as it applies them. */
export interface LiveEventObserver {
  /** A timer due at `firesAt` fired and its `TimerFired` is being applied now. */
  timerFired(scheduleEventId: number, firesAt: Date): void;
}

/** Follows one workflow start by a client. */
export interface WorkflowStartObserver {
  /** Recorded in the `WorkflowExecutionStarted` event, so the execution's spans join the starter's trace. */
  readonly traceContext: TraceCarrier | undefined;
  /** The start was written (no `error`) or refused. */
  end(error?: unknown): void;
}

/** Follows one workflow task on a worker. */
export interface WorkflowTaskObserver extends LiveEventObserver {
  /**
   * Recorded in the activities and sub-workflows the task schedules (see `stampTraceContext`), so their spans
   * are children of the task's.
   */
  readonly traceContext: TraceCarrier | undefined;
  /** The task committed `completion`. */
  committed(completion: WorkflowTaskCompletion): void;
  /** The task ended without committing (held, lease lost, the store unreachable...). */
  failed(error: unknown): void;
}

/** Follows one activity attempt on a worker. */
export interface ActivityAttemptObserver {
  /** Runs the activity's code inside the attempt's trace context (spans it starts are the attempt's children). */
  runInContext<T>(run: () => T): T;
  /**
   * The attempt ended: `outcome` is what is delivered to the workflow, undefined when the worker's stop
   * interrupted it and gave it back; `error` when its outcome could not be delivered.
   */
  ended(outcome: ActivityOutcome | undefined, error?: unknown): void;
}

/**
 * The hooks through which a `Worker` and a `Client` report what they do (option `telemetry`): workflow starts,
 * workflow tasks, activity attempts, timers, lost leases. Implemented by `openTelemetry()` and
 * `prometheusMetrics()` of `redflow/telemetry`; the default, `noInstrumentation`, does nothing and costs nothing:
 * callers check `enabled` before they gather any argument.
 */
export interface Instrumentation {
  /** False for an implementation that does nothing: the engine then calls no other member. */
  readonly enabled: boolean;
  /** A client starts `instance` of workflow `name` on `queue`. */
  workflowStarting(instance: WorkflowInstance, name: string, queue: string): WorkflowStartObserver;
  /**
   * A worker runs workflow task `task`, which it claimed (or was handed) at `claimedAtMs` (ms since the epoch,
   * fractional).
   */
  workflowTaskStarted(task: WorkflowTask, context: WorkflowTaskContext, claimedAtMs: number): WorkflowTaskObserver;
  /** A worker runs activity attempt `task`, claimed at `claimedAtMs` (ms since the epoch, fractional). */
  activityAttemptStarted(task: ActivityTask, claimedAtMs: number): ActivityAttemptObserver;
  /** A worker lost the lease of a task: another worker took it over, and this worker's completion is dropped. */
  leaseLost(kind: TaskKind, queue: string): void;
  /**
   * A worker started on `backend`: gauges of stored state (backlog per queue, held instances) may read its
   * `getStats()`. Returns what to call when the worker stops.
   */
  attach(backend: OperatorCalls): () => void;
}

/** The current time in ms since the epoch, with sub-ms precision. */
export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}

const detachNothing = (): void => undefined;

/** The default instrumentation: reports nothing. */
export const noInstrumentation: Instrumentation = Object.freeze({
  enabled: false,
  workflowStarting(): WorkflowStartObserver {
    throw new Error('noInstrumentation is disabled: check enabled first');
  },
  workflowTaskStarted(): WorkflowTaskObserver {
    throw new Error('noInstrumentation is disabled: check enabled first');
  },
  activityAttemptStarted(): ActivityAttemptObserver {
    throw new Error('noInstrumentation is disabled: check enabled first');
  },
  leaseLost: (): void => undefined,
  attach: () => detachNothing,
});

/**
 * Records `carrier` (the context of the workflow task that produced `completion`, or, where nothing traces the
 * task, the workflow's own context) in what the task schedules:
 * each new `ActivityScheduled` event and activity request, and each sub-workflow's `WorkflowExecutionStarted`.
 * A continuation keeps the context of the execution it continues (`workflowContext`), so a continue-as-new chain
 * stays one trace. Only new commands are stamped: a replay schedules nothing and stamps nothing.
 */
export function stampTraceContext(completion: WorkflowTaskCompletion, carrier: TraceCarrier, workflowContext: TraceCarrier | undefined): void {
  for (const event of completion.events) {
    if (event.type === 'ActivityScheduled') event.attributes.traceContext = carrier;
  }
  for (const activity of completion.activities) activity.traceContext = carrier;
  for (const child of completion.subWorkflows ?? []) child.started.attributes.traceContext = carrier;
  if (completion.continuation !== undefined && workflowContext !== undefined) {
    completion.continuation.started.attributes.traceContext = workflowContext;
  }
}

/** Whether `value` has every member of an `Instrumentation`. */
export function isInstrumentation(value: unknown): value is Instrumentation {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof Instrumentation, unknown>>;
  return (
    typeof candidate.enabled === 'boolean' &&
    typeof candidate.workflowStarting === 'function' &&
    typeof candidate.workflowTaskStarted === 'function' &&
    typeof candidate.activityAttemptStarted === 'function' &&
    typeof candidate.leaseLost === 'function' &&
    typeof candidate.attach === 'function'
  );
}
