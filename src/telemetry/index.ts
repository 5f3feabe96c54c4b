/**
 * redflow's telemetry: tracing and metrics through @opentelemetry/api (`openTelemetry`), or metrics for Prometheus
 * through prom-client (`prometheusMetrics`). Both are optional peer dependencies, loaded only by this entry point
 * (`redflow/telemetry`); the engine itself never imports them. See docs/telemetry.md.
 */
export { openTelemetry, INSTRUMENTATION_SCOPE, type OpenTelemetryOptions } from './open-telemetry.js';
export { prometheusMetrics, PrometheusMetrics, type PrometheusMetricsOptions } from './prometheus.js';
export { Metrics, DURATION_BUCKETS_S, prometheusName, type MetricSpec, type MetricKind } from './metric-specs.js';
export { SpanNames, SpanEventNames, SpanAttributes } from './span-names.js';
export { DEFAULT_STATS_INTERVAL_MS } from './stats-cache.js';
export type {
  Instrumentation,
  ActivityAttemptObserver,
  ExecutorSource,
  LiveEventObserver,
  WorkflowStartObserver,
  WorkflowTaskContext,
  WorkflowTaskObserver,
} from '../core/instrumentation.js';
export type { TraceCarrier } from '../core/trace-carrier.js';
