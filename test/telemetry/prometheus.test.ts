import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import { InvalidArgumentError } from '../../src/errors/errors.js';
import { prometheusMetrics, type PrometheusMetrics } from '../../src/telemetry/index.js';
import { redisBackendOn } from '../helpers/redis-backends.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { ORDER_RESULT, runOrder } from './scenario.js';

/** One sample of a scrape: metric name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (the subset prom-client writes: no escaped quotes in our labels). */
function parseScrape(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match !== null, `a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[pair[1] ?? ''] = pair[2] ?? '';
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

function sum(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([key, value]) => s.labels[key] === value))
    .reduce((total, s) => total + s.value, 0);
}

describe('telemetry: prometheusMetrics()', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  let metrics: PrometheusMetrics;
  let server: Server;
  let base: string;
  let scrape: Sample[];
  let contentType: string | null;

  before(async () => {
    metrics = prometheusMetrics({ statsIntervalMs: 1 });
    server = await metrics.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const backend = redisBackendOn(redis());
    const { worker, result } = await runOrder(backend, metrics, { instanceId: 'prom-order' });
    assert.equal(result, ORDER_RESULT);
    try {
      // The last task is counted once its commit returns and the last activity once its outcome is delivered,
      // which may be just after the waiter woke.
      const deadline = Date.now() + 5_000;
      for (;;) {
        const response = await fetch(`${base}/metrics`);
        assert.equal(response.status, 200);
        contentType = response.headers.get('content-type');
        scrape = parseScrape(await response.text());
        const done = sum(scrape, 'redflow_activity_duration_seconds_count') >= 3 && sum(scrape, 'redflow_workflow_ended_total') >= 2;
        if (done || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await worker.stop();
      await backend.close();
    }
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('serves the Prometheus text format at /metrics', () => {
    assert.match(contentType ?? '', /^text\/plain; version=0\.0\.4/);
  });

  it('counts starts, ends, failures and retries exactly', () => {
    assert.equal(sum(scrape, 'redflow_workflow_started_total', { workflow: 'order', queue: 'default', origin: 'client' }), 1);
    assert.equal(sum(scrape, 'redflow_workflow_started_total', { workflow: 'shipping', origin: 'parent' }), 1);
    assert.equal(sum(scrape, 'redflow_workflow_ended_total', { outcome: 'completed' }), 2);
    assert.equal(sum(scrape, 'redflow_activity_failures_total', { activity: 'flakyCharge', error_type: 'Error' }), 1);
    assert.equal(sum(scrape, 'redflow_activity_retries_total', { activity: 'flakyCharge' }), 1);
    assert.equal(sum(scrape, 'redflow_signal_received_total', { workflow: 'order' }), 1);
  });

  it('has latency histograms in seconds with their counts', () => {
    assert.equal(sum(scrape, 'redflow_activity_duration_seconds_count'), 3);
    assert.equal(sum(scrape, 'redflow_activity_queue_wait_seconds_count'), 3);
    assert.equal(sum(scrape, 'redflow_timer_lateness_seconds_count', { workflow: 'order' }), 2);
    const tasks = sum(scrape, 'redflow_workflow_task_duration_seconds_count', { outcome: 'committed' });
    assert.ok(tasks >= 3, `${tasks} workflow tasks`);
    assert.equal(sum(scrape, 'redflow_workflow_task_queue_wait_seconds_count'), tasks);
    const infBucket = sum(scrape, 'redflow_activity_duration_seconds_bucket', { le: '+Inf' });
    assert.equal(infBucket, 3);
  });

  it('reports the stored state as gauges read from getStats()', () => {
    assert.equal(sum(scrape, 'redflow_instances_active'), 0);
    assert.equal(sum(scrape, 'redflow_instances_held'), 0);
    const backlog = scrape.filter((s) => s.name === 'redflow_queue_backlog');
    assert.ok(backlog.length > 0, 'backlog per queue is reported');
    assert.ok(backlog.every((s) => s.labels.queue === 'default' && (s.labels.kind === 'workflow' || s.labels.kind === 'activity')));
  });

  it('answers 404 off /metrics and 405 to other methods', async () => {
    assert.equal((await fetch(`${base}/other`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
  });

  it('registers into a registry of the caller', async () => {
    const registry = new Registry();
    const own = prometheusMetrics({ registry });
    assert.equal(own.registry, registry);
    assert.match(await registry.metrics(), /# TYPE redflow_workflow_started_total counter/);
  });

  it('refuses a stats interval that is not a positive integer', () => {
    assert.throws(() => prometheusMetrics({ statsIntervalMs: 0 }), InvalidArgumentError);
  });
});
