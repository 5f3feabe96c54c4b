import type { BackendStats } from '../backend/management-types.js';
import type { MetricSpec } from './metric-specs.js';

/** Attribute values of one measurement, by attribute key (see `MetricSpec.attributes`). */
export type MetricAttributes = Readonly<Record<string, string>>;

/** Reads the store's stats for the gauges; undefined when no worker is attached or the read failed. */
export type StatsReader = () => Promise<BackendStats | undefined>;

/** Where measurements go: OpenTelemetry instruments or prom-client metrics. */
export interface MetricSink {
  /** Adds `value` (default 1) to counter `metric`. */
  add(metric: MetricSpec, attributes: MetricAttributes, value?: number): void;
  /** Records one value of histogram `metric`. */
  record(metric: MetricSpec, value: number, attributes: MetricAttributes): void;
  /** Makes the gauges read the stats from `read` when they are collected. */
  observeStats(read: StatsReader): void;
}

/** One gauge value: `metric` at `value` with `attributes`. */
export interface GaugeValue {
  metric: MetricSpec;
  value: number;
  attributes: MetricAttributes;
}

/** The gauge values that `stats` gives (see the gauges of `Metrics`). */
export function gaugeValues(stats: BackendStats, specs: { active: MetricSpec; held: MetricSpec; backlog: MetricSpec }): GaugeValue[] {
  const values: GaugeValue[] = [
    { metric: specs.active, value: stats.activeWorkflowInstances, attributes: {} },
    { metric: specs.held, value: stats.heldWorkflowInstances, attributes: {} },
  ];
  for (const [queue, value] of Object.entries(stats.pendingWorkflowTasks)) {
    values.push({ metric: specs.backlog, value, attributes: { queue, kind: 'workflow' } });
  }
  for (const [queue, value] of Object.entries(stats.pendingActivityTasks)) {
    values.push({ metric: specs.backlog, value, attributes: { queue, kind: 'activity' } });
  }
  return values;
}
