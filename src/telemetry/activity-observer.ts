import { SpanKind, SpanStatusCode, context, trace, type Context, type Span } from '@opentelemetry/api';
import type { ActivityOutcome, ActivityTask } from '../backend/backend.js';
import { epochNowMs, type ActivityAttemptObserver } from '../core/instrumentation.js';
import { Metrics } from './metric-specs.js';
import type { MetricAttributes, MetricSink } from './metric-sink.js';
import { SpanAttributes as A, SpanNames } from './span-names.js';
import { guard, recordError, type Tracing } from './tracing.js';
import { seconds } from './workflow-task-observer.js';

/**
 * Reports one activity attempt: a `redflow.activity` span, child of the workflow task that scheduled it (the
 * context the task carries), active while the activity's code runs; and the attempt's metrics.
 */
export class ActivityAttemptReport implements ActivityAttemptObserver {
  private readonly sinks: readonly MetricSink[];
  private readonly labels: MetricAttributes;
  private readonly claimedAtMs: number;
  private readonly span: Span | undefined;
  private readonly spanContext: Context | undefined;

  constructor(tracing: Tracing | undefined, sinks: readonly MetricSink[], task: ActivityTask, claimedAtMs: number) {
    this.sinks = sinks;
    this.claimedAtMs = claimedAtMs;
    this.labels = { activity: task.name, queue: task.queue };
    let span: Span | undefined;
    let spanContext: Context | undefined;
    guard(() => {
      for (const sink of sinks) {
        if (task.scheduledAt !== undefined) sink.record(Metrics.activityQueueWait, seconds(claimedAtMs - task.scheduledAt.getTime()), this.labels);
        if (task.attempt > 0) sink.add(Metrics.activityRetries, this.labels);
      }
      if (tracing === undefined) return;
      const parent = tracing.contextOf(task.traceContext);
      span = tracing.tracer.startSpan(
        SpanNames.activity,
        {
          kind: SpanKind.CONSUMER,
          startTime: claimedAtMs,
          attributes: {
            [A.activityName]: task.name,
            [A.instanceId]: task.instance.instanceId,
            [A.executionId]: task.instance.executionId,
            [A.queue]: task.queue,
            [A.attempt]: task.attempt,
            [A.redeliveries]: task.redeliveries,
            [A.scheduleEventId]: task.scheduleEventId,
          },
        },
        parent,
      );
      spanContext = trace.setSpan(parent, span);
    });
    this.span = span;
    this.spanContext = spanContext;
  }

  runInContext<T>(run: () => T): T {
    return this.spanContext === undefined ? run() : context.with(this.spanContext, run);
  }

  ended(outcome: ActivityOutcome | undefined, error?: unknown): void {
    guard(() => {
      const result = outcome === undefined ? 'released' : 'error' in outcome ? 'failed' : 'completed';
      for (const sink of this.sinks) {
        sink.record(Metrics.activityDuration, seconds(epochNowMs() - this.claimedAtMs), Object.assign({ outcome: result }, this.labels));
        if (outcome !== undefined && 'error' in outcome) sink.add(Metrics.activityFailures, Object.assign({ 'error.type': outcome.error.type }, this.labels));
      }
      const span = this.span;
      if (span === undefined) return;
      span.setAttribute(A.activityOutcome, result);
      if (outcome !== undefined && 'error' in outcome) {
        span.setAttribute(A.errorType, outcome.error.type);
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.message });
      }
      if (error !== undefined) recordError(span, error, false);
      span.end();
    });
  }
}
