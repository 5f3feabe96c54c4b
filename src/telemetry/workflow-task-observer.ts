import { SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import type { WorkflowTask, WorkflowTaskCompletion } from '../backend/backend.js';
import { epochNowMs, type WorkflowTaskContext, type WorkflowTaskObserver } from '../core/instrumentation.js';
import type { TraceCarrier } from '../core/trace-carrier.js';
import type { HistoryEvent } from '../history/events.js';
import { Metrics } from './metric-specs.js';
import type { MetricAttributes, MetricSink } from './metric-sink.js';
import { SpanAttributes as A, SpanEventNames, SpanNames } from './span-names.js';
import { guard, recordError, type Tracing } from './tracing.js';

/** How a finished execution ended, as the metric attribute `outcome` says it. */
export type WorkflowEnding = 'completed' | 'failed' | 'canceled' | 'continued-as-new';

/**
 * Reports one workflow task: a `redflow.workflow.task` span (child of the context its execution was started
 * with), the events of what the task did, and the task's metrics. Everything comes from the task's new events and
 * its completion, which a replay never produces again: no span or count is repeated.
 */
export class WorkflowTaskReport implements WorkflowTaskObserver {
  readonly traceContext: TraceCarrier | undefined;
  private readonly sinks: readonly MetricSink[];
  private readonly labels: MetricAttributes;
  private readonly claimedAtMs: number;
  private readonly span: Span | undefined;

  constructor(tracing: Tracing | undefined, sinks: readonly MetricSink[], task: WorkflowTask, context: WorkflowTaskContext, claimedAtMs: number) {
    this.sinks = sinks;
    this.claimedAtMs = claimedAtMs;
    const workflow = context.started?.name ?? '';
    this.labels = { workflow, queue: task.queue };
    let span: Span | undefined;
    let carrier: TraceCarrier | undefined;
    guard(() => {
      const wokenAtMs = earliestTimestampMs(task);
      for (const sink of sinks) {
        if (wokenAtMs !== undefined) sink.record(Metrics.workflowTaskQueueWait, seconds(claimedAtMs - wokenAtMs), this.labels);
        if (context.source === 'cache') sink.add(Metrics.executorCacheHits, this.labels);
        else if (context.source === 'replay') sink.add(Metrics.executorFullReplays, this.labels);
      }
      if (tracing === undefined) return;
      const attributes: Attributes = {
        [A.workflowName]: workflow,
        [A.instanceId]: task.instance.instanceId,
        [A.executionId]: task.instance.executionId,
        [A.queue]: task.queue,
        [A.executorSource]: context.source,
        [A.replayedEvents]: context.replayedEvents,
        [A.historyLength]: task.historyLength,
        [A.newEvents]: task.newEvents.length,
      };
      const parent = tracing.contextOf(context.started?.traceContext);
      span = tracing.tracer.startSpan(SpanNames.workflowTask, { kind: SpanKind.INTERNAL, startTime: claimedAtMs, attributes }, parent);
      carrier = tracing.carrierOf(span);
    });
    this.span = span;
    this.traceContext = carrier;
  }

  timerFired(scheduleEventId: number, firesAt: Date): void {
    guard(() => {
      const latenessMs = Math.max(0, epochNowMs() - firesAt.getTime());
      for (const sink of this.sinks) sink.record(Metrics.timerLateness, seconds(latenessMs), this.labels);
      this.span?.addEvent(SpanEventNames.timerFired, { [A.scheduleEventId]: scheduleEventId, [A.timerLatenessMs]: latenessMs });
    });
  }

  committed(completion: WorkflowTaskCompletion): void {
    guard(() => {
      for (const event of completion.events) this.reportEvent(event);
      for (const child of completion.subWorkflows ?? []) {
        const { name, queue } = child.started.attributes;
        for (const sink of this.sinks) sink.add(Metrics.workflowsStarted, { workflow: name, queue, origin: 'parent' });
      }
      if (completion.continuation !== undefined) {
        for (const sink of this.sinks) sink.add(Metrics.workflowsStarted, Object.assign({ origin: 'continue-as-new' }, this.labels));
      }
      this.finish('committed');
    });
  }

  failed(error: unknown): void {
    guard(() => {
      if (this.span !== undefined) recordError(this.span, error);
      this.finish('failed');
    });
  }

  private finish(outcome: 'committed' | 'failed'): void {
    const durationS = seconds(epochNowMs() - this.claimedAtMs);
    for (const sink of this.sinks) sink.record(Metrics.workflowTaskDuration, durationS, Object.assign({ outcome }, this.labels));
    this.span?.end();
  }

  /** The span event and metrics of one event the task recorded (none of them replayed). */
  private reportEvent(event: HistoryEvent): void {
    const span = this.span;
    switch (event.type) {
      case 'TimerScheduled': {
        const attributes: Attributes = { [A.scheduleEventId]: event.scheduleEventId ?? 0, [A.timerFiresAt]: event.attributes.firesAt.toISOString() };
        if (event.attributes.name !== undefined) attributes[A.timerName] = event.attributes.name;
        span?.addEvent(SpanEventNames.timerScheduled, attributes);
        break;
      }
      case 'SignalReceived':
        for (const sink of this.sinks) sink.add(Metrics.signalsReceived, this.labels);
        span?.addEvent(SpanEventNames.signalReceived, { [A.signalName]: event.attributes.name });
        break;
      case 'SignalSent':
        span?.addEvent(SpanEventNames.signalSent, { [A.signalName]: event.attributes.name, [A.childInstanceId]: event.attributes.instanceId });
        break;
      case 'ActivityScheduled':
        span?.addEvent(SpanEventNames.activityScheduled, {
          [A.activityName]: event.attributes.name,
          [A.attempt]: event.attributes.attempt,
          [A.scheduleEventId]: event.scheduleEventId ?? 0,
        });
        break;
      case 'SubWorkflowScheduled':
        span?.addEvent(SpanEventNames.childScheduled, {
          [A.workflowName]: event.attributes.name,
          [A.childInstanceId]: event.attributes.instanceId,
          [A.scheduleEventId]: event.scheduleEventId ?? 0,
        });
        break;
      case 'WorkflowExecutionFinished':
      case 'WorkflowExecutionContinuedAsNew': {
        const outcome = endingOf(event);
        for (const sink of this.sinks) sink.add(Metrics.workflowsEnded, Object.assign({ outcome }, this.labels));
        span?.setAttribute(A.workflowOutcome, outcome);
        span?.addEvent(SpanEventNames.workflowEnded, { [A.workflowOutcome]: outcome });
        if (event.type === 'WorkflowExecutionFinished' && event.attributes.error !== undefined && outcome === 'failed') {
          span?.setAttribute(A.errorType, event.attributes.error.type);
        }
        break;
      }
      default:
        break;
    }
  }
}

function endingOf(event: HistoryEvent): WorkflowEnding {
  if (event.type === 'WorkflowExecutionContinuedAsNew') return 'continued-as-new';
  if (event.type !== 'WorkflowExecutionFinished' || event.attributes.error === undefined) return 'completed';
  return event.attributes.error.type === 'CanceledError' ? 'canceled' : 'failed';
}

/** When the first of the task's new events arrived (ms since the epoch): the task was queued then. */
function earliestTimestampMs(task: WorkflowTask): number | undefined {
  let earliest: number | undefined;
  for (const event of task.newEvents) {
    const at = event.timestamp.getTime();
    if (earliest === undefined || at < earliest) earliest = at;
  }
  return earliest;
}

/** Milliseconds as seconds, never negative (clocks of different machines may disagree a little). */
export function seconds(ms: number): number {
  return Math.max(0, ms) / 1000;
}
