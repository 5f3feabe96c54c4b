import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import { assertStatsIntervalMs } from './options.js';
import { PrometheusMetricSink } from './prometheus-metric-sink.js';
import { RedflowInstrumentation } from './redflow-instrumentation.js';
import { DEFAULT_STATS_INTERVAL_MS } from './stats-cache.js';

/** Options of `prometheusMetrics`. */
export interface PrometheusMetricsOptions {
  /**
   * The prom-client registry the metrics are registered in (prom-client's global `register` serves them with your
   * other metrics). One `PrometheusMetrics` per registry: a second one in the same registry throws, as prom-client
   * refuses a metric name twice. @default a new `Registry` of its own
   */
  registry?: Registry;
  /** As `OpenTelemetryOptions.statsIntervalMs`: longest age (ms) of the stats the gauges report. @default 15000 */
  statsIntervalMs?: number;
}

/**
 * redflow's metrics (no spans) as prom-client metrics, for a Prometheus scrape: pass it as option `telemetry` of
 * your `Worker`s, and serve `handler` (or `listen()`). Names follow Prometheus conventions: `redflow_workflow_started_total`,
 * `redflow_activity_duration_seconds`... (docs/telemetry.md lists them).
 */
export class PrometheusMetrics extends RedflowInstrumentation {
  /** The registry holding the metrics (also serves any metric of your own registered in it). */
  readonly registry: Registry;

  /** Throws `InvalidArgumentError` for a `statsIntervalMs` that is not a positive integer. */
  constructor(options: PrometheusMetricsOptions = {}) {
    const statsIntervalMs = options.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS;
    assertStatsIntervalMs(statsIntervalMs);
    const registry = options.registry ?? new Registry();
    super(undefined, [new PrometheusMetricSink(registry)], statsIntervalMs);
    this.registry = registry;
  }

  /** The metrics in the Prometheus text format (the gauges read the store's stats, at most once per interval). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * A Node request handler answering any GET or HEAD with the metrics (status 200, Prometheus text format), and
   * 405 to other methods; mount it where your server serves `/metrics`. Never throws: a failure answers 500.
   */
  readonly handler = (request: IncomingMessage, response: ServerResponse): void => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    this.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': this.registry.contentType });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`could not collect the metrics: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  };

  /**
   * Starts an HTTP server serving the metrics at `/metrics` (404 elsewhere) on `port` (0: a free one) and `host`
   * (default all interfaces). Resolves with the listening server (close it to stop); rejects when it cannot listen.
   */
  listen(port: number, host?: string): Promise<Server> {
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path === '/metrics') this.handler(request, response);
      else response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the metrics are at /metrics\n');
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }
}

/** The same as `new PrometheusMetrics(options)`. */
export function prometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  return new PrometheusMetrics(options);
}
