import type { Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api';
import { Metrics, DURATION_BUCKETS_S, type MetricSpec } from './metric-specs.js';
import { gaugeValues, type MetricAttributes, type MetricSink, type StatsReader } from './metric-sink.js';

/** Records redflow's metrics with the instruments of an OpenTelemetry `Meter`. */
export class OpenTelemetryMetricSink implements MetricSink {
  private readonly meter: Meter;
  private readonly counters = new Map<MetricSpec, Counter>();
  private readonly histograms = new Map<MetricSpec, Histogram>();

  constructor(meter: Meter) {
    this.meter = meter;
    for (const metric of Object.values(Metrics)) {
      const options = { description: metric.description, unit: metric.unit };
      if (metric.kind === 'counter') this.counters.set(metric, meter.createCounter(metric.name, options));
      if (metric.kind === 'histogram') {
        const advice = metric.unit === 's' ? { explicitBucketBoundaries: [...DURATION_BUCKETS_S] } : {};
        this.histograms.set(metric, meter.createHistogram(metric.name, Object.assign(options, { advice })));
      }
    }
  }

  add(metric: MetricSpec, attributes: MetricAttributes, value = 1): void {
    this.counters.get(metric)?.add(value, attributes);
  }

  record(metric: MetricSpec, value: number, attributes: MetricAttributes): void {
    this.histograms.get(metric)?.record(value, attributes);
  }

  observeStats(read: StatsReader): void {
    const specs = { active: Metrics.instancesActive, held: Metrics.instancesHeld, backlog: Metrics.queueBacklog };
    const gauges = new Map<MetricSpec, ObservableGauge>();
    for (const metric of [specs.active, specs.held, specs.backlog]) {
      gauges.set(metric, this.meter.createObservableGauge(metric.name, { description: metric.description, unit: metric.unit }));
    }
    this.meter.addBatchObservableCallback(
      async (result) => {
        const stats = await read();
        if (stats === undefined) return;
        for (const { metric, value, attributes } of gaugeValues(stats, specs)) {
          const gauge = gauges.get(metric);
          if (gauge !== undefined) result.observe(gauge, value, attributes);
        }
      },
      [...gauges.values()],
    );
  }
}
