import { SpanKind } from '@opentelemetry/api';
import type { ActivityTask, WorkflowTask } from '../backend/backend.js';
import type { OperatorCalls } from '../backend/operator-calls.js';
import type { TaskKind } from '../backend/management-types.js';
import type { WorkflowInstance } from '../core/instance.js';
import type {
  ActivityAttemptObserver,
  Instrumentation,
  WorkflowStartObserver,
  WorkflowTaskContext,
  WorkflowTaskObserver,
} from '../core/instrumentation.js';
import type { TraceCarrier } from '../core/trace-carrier.js';
import { ActivityAttemptReport } from './activity-observer.js';
import { Metrics } from './metric-specs.js';
import type { MetricSink } from './metric-sink.js';
import { SpanAttributes as A, SpanNames } from './span-names.js';
import { StatsCache } from './stats-cache.js';
import { guard, recordError, type Tracing } from './tracing.js';
import { WorkflowTaskReport } from './workflow-task-observer.js';

/**
 * The instrumentation behind `openTelemetry()` and `prometheusMetrics()`: spans through `tracing` (when given),
 * measurements into each of `sinks`, gauges read from the attached workers' store through a `StatsCache`.
 */
export class RedflowInstrumentation implements Instrumentation {
  readonly enabled = true;
  private readonly tracing: Tracing | undefined;
  private readonly sinks: readonly MetricSink[];
  private readonly stats: StatsCache;

  constructor(tracing: Tracing | undefined, sinks: readonly MetricSink[], statsIntervalMs: number) {
    this.tracing = tracing;
    this.sinks = sinks;
    this.stats = new StatsCache(statsIntervalMs);
    for (const sink of sinks) sink.observeStats(() => this.stats.read());
  }

  workflowStarting(instance: WorkflowInstance, name: string, queue: string): WorkflowStartObserver {
    const tracing = this.tracing;
    const sinks = this.sinks;
    let carrier: TraceCarrier | undefined;
    let end = (error?: unknown): void => {
      if (error === undefined) for (const sink of sinks) sink.add(Metrics.workflowsStarted, { workflow: name, queue, origin: 'client' });
    };
    guard(() => {
      if (tracing === undefined) return;
      const parent = tracing.active();
      const attributes = { [A.workflowName]: name, [A.instanceId]: instance.instanceId, [A.executionId]: instance.executionId, [A.queue]: queue };
      const span = tracing.tracer.startSpan(SpanNames.workflowStart, { kind: SpanKind.PRODUCER, attributes }, parent);
      carrier = tracing.carrierOf(span, parent);
      const count = end;
      end = (error?: unknown): void => {
        count(error);
        if (error !== undefined) recordError(span, error);
        span.end();
      };
    });
    return { traceContext: carrier, end: (error?: unknown) => guard(() => end(error)) };
  }

  workflowTaskStarted(task: WorkflowTask, context: WorkflowTaskContext, claimedAtMs: number): WorkflowTaskObserver {
    return new WorkflowTaskReport(this.tracing, this.sinks, task, context, claimedAtMs);
  }

  activityAttemptStarted(task: ActivityTask, claimedAtMs: number): ActivityAttemptObserver {
    return new ActivityAttemptReport(this.tracing, this.sinks, task, claimedAtMs);
  }

  leaseLost(kind: TaskKind, queue: string): void {
    guard(() => {
      for (const sink of this.sinks) sink.add(Metrics.leasesLost, { kind, queue });
    });
  }

  attach(backend: OperatorCalls): () => void {
    return this.stats.attach(backend);
  }
}
