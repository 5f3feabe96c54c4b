import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { DURATION_BUCKETS_S, Metrics, prometheusLabel, prometheusName, type MetricSpec } from './metric-specs.js';
import { gaugeValues, type MetricAttributes, type MetricSink, type StatsReader } from './metric-sink.js';

type Labels = Record<string, string>;

/** Records redflow's metrics as prom-client metrics in `registry`. */
export class PrometheusMetricSink implements MetricSink {
  private readonly registry: Registry;
  private readonly counters = new Map<MetricSpec, Counter>();
  private readonly histograms = new Map<MetricSpec, Histogram>();

  constructor(registry: Registry) {
    this.registry = registry;
    for (const metric of Object.values(Metrics)) {
      const config = { name: prometheusName(metric), help: metric.description, labelNames: metric.attributes.map(prometheusLabel), registers: [registry] };
      if (metric.kind === 'counter') this.counters.set(metric, new Counter(config));
      if (metric.kind === 'histogram') this.histograms.set(metric, new Histogram(Object.assign(config, { buckets: [...DURATION_BUCKETS_S] })));
    }
  }

  add(metric: MetricSpec, attributes: MetricAttributes, value = 1): void {
    this.counters.get(metric)?.inc(labelsOf(attributes), value);
  }

  record(metric: MetricSpec, value: number, attributes: MetricAttributes): void {
    this.histograms.get(metric)?.observe(labelsOf(attributes), value);
  }

  observeStats(read: StatsReader): void {
    const specs = { active: Metrics.instancesActive, held: Metrics.instancesHeld, backlog: Metrics.queueBacklog };
    for (const metric of [specs.active, specs.held, specs.backlog]) {
      // The reads of one scrape's three gauges share one getStats() (see StatsCache).
      const gauge: Gauge = new Gauge({
        name: prometheusName(metric),
        help: metric.description,
        labelNames: metric.attributes.map(prometheusLabel),
        registers: [this.registry],
        collect: async () => {
          const stats = await read();
          gauge.reset();
          if (stats === undefined) return;
          for (const value of gaugeValues(stats, specs)) {
            if (value.metric === metric) gauge.set(labelsOf(value.attributes), value.value);
          }
        },
      });
    }
  }
}

function labelsOf(attributes: MetricAttributes): Labels {
  const labels: Labels = {};
  for (const [key, value] of Object.entries(attributes)) labels[prometheusLabel(key)] = value;
  return labels;
}
