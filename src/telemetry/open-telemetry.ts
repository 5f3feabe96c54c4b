import { metrics, trace, type MeterProvider, type TextMapPropagator, type TracerProvider } from '@opentelemetry/api';
import type { Instrumentation } from '../core/instrumentation.js';
import { redflowVersion } from '../core/redflow-version.js';
import { assertStatsIntervalMs } from './options.js';
import { OpenTelemetryMetricSink } from './otel-metric-sink.js';
import type { MetricSink } from './metric-sink.js';
import { RedflowInstrumentation } from './redflow-instrumentation.js';
import { DEFAULT_STATS_INTERVAL_MS } from './stats-cache.js';
import { Tracing } from './tracing.js';

/** The instrumentation scope name of redflow's tracer and meter. */
export const INSTRUMENTATION_SCOPE = 'redflow';

/** Options of `openTelemetry`. */
export interface OpenTelemetryOptions {
  /** Where spans go. @default the global tracer provider (`trace.getTracerProvider()` of @opentelemetry/api) */
  tracerProvider?: TracerProvider;
  /** Where metrics go. @default the global meter provider (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider;
  /**
   * Writes trace contexts into the history and reads them back. @default the global propagator (`propagation`
   * of @opentelemetry/api; the Node SDK registers W3C Trace Context). Without any, each workflow task and
   * activity starts a trace of its own.
   */
  propagator?: TextMapPropagator;
  /** Record spans. @default true */
  tracing?: boolean;
  /** Record metrics. @default true */
  metrics?: boolean;
  /**
   * Longest age (ms) of the store stats the gauges report (backlog per queue, held and active instances): a
   * collection reads `getStats()` again only when the last read is older. A positive integer. @default 15000
   */
  statsIntervalMs?: number;
}

/**
 * Tracing and metrics through @opentelemetry/api (an optional peer dependency: install it with your SDK). Pass the
 * result as option `telemetry` of every `Worker` and `Client`; one instance may serve several. Spans:
 * `redflow.workflow.start` (client), `redflow.workflow.task`, `redflow.activity`, joined into one trace through
 * contexts recorded in the history; metrics: see `Metrics` and docs/telemetry.md. Throws `InvalidArgumentError` for a
 * `statsIntervalMs` that is not a positive integer.
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): Instrumentation {
  const statsIntervalMs = options.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS;
  assertStatsIntervalMs(statsIntervalMs);
  const version = redflowVersion();
  const tracing =
    options.tracing === false
      ? undefined
      : new Tracing((options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE, version), options.propagator);
  const sinks: MetricSink[] = [];
  if (options.metrics !== false) {
    sinks.push(new OpenTelemetryMetricSink((options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE, version)));
  }
  return new RedflowInstrumentation(tracing, sinks, statsIntervalMs);
}
