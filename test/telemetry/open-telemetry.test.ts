import assert from 'node:assert/strict';
import { context, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider, MetricReader, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Backend } from '../../src/backend/backend.js';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { openTelemetry } from '../../src/telemetry/index.js';
import { redisBackendOn } from '../helpers/redis-backends.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { ORDER_RESULT, runOrder } from './scenario.js';

/** A metric reader the test collects from on demand. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

interface Observed {
  spans: ReadableSpan[];
  metrics: MetricData[];
  result: string;
  rootTraceId: string;
}

/** Runs the order scenario with an SDK tracer and meter, under an active root span of the test. */
async function observe(backend: Backend, executorCacheSize: number, instanceId: string): Promise<Observed> {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const telemetry = openTelemetry({ tracerProvider, meterProvider, propagator: new W3CTraceContextPropagator(), statsIntervalMs: 1 });
  const root = tracerProvider.getTracer('test').startSpan('test.root');
  const { worker, result } = await runOrder(backend, telemetry, {
    executorCacheSize,
    instanceId,
    beforeStart: (start) => context.with(trace.setSpan(context.active(), root), start),
  });
  root.end();
  try {
    // The last task's span and counts come once its commit returns, which may be after the waiter woke; the last
    // activity's once its outcome is delivered.
    const spans = await settledSpans(exporter);
    const { resourceMetrics, errors } = await reader.collect();
    assert.deepEqual(errors, []);
    return { spans, metrics: resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics), result, rootTraceId: root.spanContext().traceId };
  } finally {
    await worker.stop();
    await backend.close();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  }
}

async function settledSpans(exporter: InMemorySpanExporter): Promise<ReadableSpan[]> {
  // Every task and attempt of the scenario has ended once the child's and the parent's last tasks have committed.
  const deadline = Date.now() + 5_000;
  const ended = (): number => exporter.getFinishedSpans().filter((span) => eventNames(span).includes('redflow.workflow.ended')).length;
  while (ended() < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 100));
  return exporter.getFinishedSpans();
}

function eventNames(span: ReadableSpan): string[] {
  return span.events.map((event) => event.name);
}

function named(spans: ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((span) => span.name === name);
}

function parentOf(span: ReadableSpan, spans: ReadableSpan[]): ReadableSpan | undefined {
  const parentId = span.parentSpanContext?.spanId;
  return spans.find((candidate) => candidate.spanContext().spanId === parentId);
}

function events(spans: ReadableSpan[], name: string): Attributes[] {
  return spans.flatMap((span) => span.events.filter((event) => event.name === name).map((event) => event.attributes ?? {}));
}

/** The sum of a counter's data points whose attributes include `match`. */
function counterValue(metrics: MetricData[], name: string, match: Attributes = {}): number {
  const metric = metrics.find((m) => m.descriptor.name === name);
  if (metric === undefined) return 0;
  return metric.dataPoints
    .filter((point) => Object.entries(match).every(([key, value]) => point.attributes[key] === value))
    .reduce((sum, point) => sum + (point.value as number), 0);
}

/** How many values a histogram recorded, over the data points whose attributes include `match`. */
function histogramCount(metrics: MetricData[], name: string, match: Attributes = {}): number {
  const metric = metrics.find((m) => m.descriptor.name === name);
  if (metric === undefined) return 0;
  return metric.dataPoints
    .filter((point) => Object.entries(match).every(([key, value]) => point.attributes[key] === value))
    .reduce((sum, point) => sum + (point.value as Histogram).count, 0);
}

function gaugeValue(metrics: MetricData[], name: string, match: Attributes = {}): number | undefined {
  const metric = metrics.find((m) => m.descriptor.name === name);
  const point = metric?.dataPoints.find((p) => Object.entries(match).every(([key, value]) => p.attributes[key] === value));
  return point?.value as number | undefined;
}

const backends: Array<[string, (redis: () => { url: string }) => Backend]> = [
  ['RedisBackend', (redis) => redisBackendOn(redis as never)],
  ['MemoryBackend', () => new MemoryBackend()],
];

describe('telemetry: openTelemetry()', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  let contextManager: AsyncLocalStorageContextManager;

  before(() => {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
  });
  after(() => {
    context.disable();
  });

  for (const [label, makeBackend] of backends) {
    for (const executorCacheSize of [128, 0]) {
      const mode = executorCacheSize === 0 ? 'replaying every task (executorCacheSize 0)' : 'with the executor cache';
      describe(`${label}, ${mode}`, () => {
        let observed: Observed;
        before(async () => {
          observed = await observe(makeBackend(redis), executorCacheSize, `order-${label}-${executorCacheSize}`);
        });

        it('runs the workflow to its result', () => {
          assert.equal(observed.result, ORDER_RESULT);
        });

        it('puts the client start, every workflow task, every activity attempt and the child in the caller trace', () => {
          const { spans, rootTraceId } = observed;
          const redflowSpans = spans.filter((span) => span.name.startsWith('redflow.'));
          assert.ok(redflowSpans.length >= 6, `spans: ${redflowSpans.map((s) => s.name).join(', ')}`);
          for (const span of redflowSpans) assert.equal(span.spanContext().traceId, rootTraceId, `${span.name} is in the caller's trace`);

          const [start, ...moreStarts] = named(spans, 'redflow.workflow.start');
          assert.ok(start !== undefined && moreStarts.length === 0, 'one start span');
          assert.equal(parentOf(start, spans)?.name, 'test.root');
          assert.equal(start.attributes['redflow.workflow.name'], 'order');

          const tasks = named(spans, 'redflow.workflow.task');
          const parentTasks = tasks.filter((span) => span.attributes['redflow.workflow.name'] === 'order');
          const childTasks = tasks.filter((span) => span.attributes['redflow.workflow.name'] === 'shipping');
          assert.ok(parentTasks.length >= 2 && childTasks.length >= 1, `${parentTasks.length} parent tasks, ${childTasks.length} child tasks`);
          for (const task of parentTasks) assert.equal(parentOf(task, spans), start, 'each task of the parent is a child of the start span');
          for (const task of childTasks) {
            const parent = parentOf(task, spans);
            assert.ok(parent !== undefined && parentTasks.includes(parent), 'the child runs under the parent task that started it');
            assert.ok(eventNames(parent).includes('redflow.child.scheduled'));
          }

          const activities = named(spans, 'redflow.activity');
          assert.deepEqual(activities.map((span) => [span.attributes['redflow.activity.name'], span.attributes['redflow.activity.attempt']]).sort(), [
            ['flakyCharge', 0],
            ['flakyCharge', 1],
            ['ship', 0],
          ]);
          for (const activity of activities) {
            const parent = parentOf(activity, spans);
            const owner = activity.attributes['redflow.activity.name'] === 'ship' ? childTasks : parentTasks;
            assert.ok(parent !== undefined && owner.includes(parent), `${String(activity.attributes['redflow.activity.name'])} is a child of the task that scheduled it`);
          }
          const failed = activities.find((span) => span.attributes['redflow.activity.attempt'] === 0 && span.attributes['redflow.activity.name'] === 'flakyCharge');
          assert.equal(failed?.status.code, 2, 'the failed attempt has status error');
          assert.equal(failed?.attributes['error.type'], 'Error');
        });

        it('records each timer, signal, activity and child once, however often the history is replayed', () => {
          const tasks = named(observed.spans, 'redflow.workflow.task');
          assert.equal(events(tasks, 'redflow.activity.scheduled').length, 3);
          assert.equal(events(tasks, 'redflow.timer.scheduled').filter((e) => e['redflow.timer.name'] === 'retry-backoff').length, 1);
          assert.equal(events(tasks, 'redflow.timer.scheduled').length, 2);
          assert.equal(events(tasks, 'redflow.timer.fired').length, 2);
          for (const fired of events(tasks, 'redflow.timer.fired')) assert.ok((fired['redflow.timer.lateness_ms'] as number) >= 0);
          assert.deepEqual(events(tasks, 'redflow.signal.received'), [{ 'redflow.signal.name': 'approve' }]);
          assert.equal(events(tasks, 'redflow.child.scheduled').length, 1);
          assert.deepEqual(events(tasks, 'redflow.workflow.ended').map((e) => e['redflow.workflow.outcome']), ['completed', 'completed']);
          const sources = new Set(tasks.map((task) => task.attributes['redflow.executor.source']));
          if (executorCacheSize === 0) assert.ok(!sources.has('cache') && sources.has('replay'), `sources: ${[...sources].join(', ')}`);
        });

        it('counts starts, ends, failures, retries and timers exactly', () => {
          const { metrics } = observed;
          assert.equal(counterValue(metrics, 'redflow.workflow.started', { workflow: 'order', origin: 'client' }), 1);
          assert.equal(counterValue(metrics, 'redflow.workflow.started', { workflow: 'shipping', origin: 'parent' }), 1);
          assert.equal(counterValue(metrics, 'redflow.workflow.started'), 2);
          assert.equal(counterValue(metrics, 'redflow.workflow.ended', { outcome: 'completed' }), 2);
          assert.equal(counterValue(metrics, 'redflow.workflow.ended'), 2);
          assert.equal(counterValue(metrics, 'redflow.activity.failures', { activity: 'flakyCharge', 'error.type': 'Error' }), 1);
          assert.equal(counterValue(metrics, 'redflow.activity.failures'), 1);
          assert.equal(counterValue(metrics, 'redflow.activity.retries', { activity: 'flakyCharge' }), 1);
          assert.equal(counterValue(metrics, 'redflow.activity.retries'), 1);
          assert.equal(counterValue(metrics, 'redflow.signal.received', { workflow: 'order' }), 1);
          assert.equal(counterValue(metrics, 'redflow.lease.lost'), 0);
          assert.equal(histogramCount(metrics, 'redflow.activity.duration'), 3);
          assert.equal(histogramCount(metrics, 'redflow.activity.duration', { outcome: 'failed' }), 1);
          assert.equal(histogramCount(metrics, 'redflow.activity.queue_wait'), 3);
          assert.equal(histogramCount(metrics, 'redflow.timer.lateness', { workflow: 'order' }), 2);
          const tasks = named(observed.spans, 'redflow.workflow.task').length;
          assert.equal(histogramCount(metrics, 'redflow.workflow_task.duration', { outcome: 'committed' }), tasks, 'one duration per task span');
          assert.equal(histogramCount(metrics, 'redflow.workflow_task.queue_wait'), tasks);
          const hits = counterValue(metrics, 'redflow.executor.cache_hits');
          const replays = counterValue(metrics, 'redflow.executor.full_replays');
          if (executorCacheSize === 0) {
            assert.equal(hits, 0);
            assert.equal(replays, tasks - 2, 'every task but the first of each execution replays');
          } else {
            assert.equal(hits + replays, tasks - 2, 'every task but the first of each execution is a hit or a replay');
            assert.ok(hits > 0, 'one worker keeps its executors');
          }
        });

        it('reports the stored state as gauges', () => {
          const { metrics } = observed;
          assert.equal(gaugeValue(metrics, 'redflow.instances.active'), 0);
          assert.equal(gaugeValue(metrics, 'redflow.instances.held'), 0);
          const backlog = metrics.find((m) => m.descriptor.name === 'redflow.queue.backlog');
          // MemoryBackend leaves queues without pending tasks out of its stats.
          if (label === 'RedisBackend') assert.ok(backlog !== undefined && backlog.dataPoints.length > 0, 'the backlog gauge is reported');
          for (const point of backlog?.dataPoints ?? []) assert.equal(point.value, 0, `no backlog left on ${JSON.stringify(point.attributes)}`);
        });
      });
    }
  }
});
