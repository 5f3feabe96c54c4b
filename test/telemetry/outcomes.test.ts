import assert from 'node:assert/strict';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { Client } from '../../src/client/client.js';
import { InvalidArgumentError } from '../../src/errors/errors.js';
import { openTelemetry } from '../../src/telemetry/index.js';
import { Worker } from '../../src/worker/worker.js';
import type { WorkflowContext } from '../../src/workflow/context.js';
import { workflow } from '../../src/workflow/index.js';
import { testLogger, waitUntil } from '../helpers/engine.js';
import { ship, shipping } from './scenario.js';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

async function countdown(ctx: WorkflowContext, n: number): Promise<string> {
  if (n > 0) workflow.continueAsNew(ctx, n - 1);
  return 'liftoff';
}

async function broken(): Promise<never> {
  throw new TypeError('no such order');
}

async function waitsLong(ctx: WorkflowContext): Promise<void> {
  await workflow.sleep(ctx, 3_600_000);
}

function counter(metrics: MetricData[], name: string, match: Record<string, string>): number {
  const metric = metrics.find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? [])
    .filter((point) => Object.entries(match).every(([key, value]) => point.attributes[key] === value))
    .reduce((sum, point) => sum + (point.value as number), 0);
}

describe('telemetry: workflow outcomes', function () {
  this.timeout(20_000);

  it('counts each ending by outcome and keeps a continue-as-new chain in one trace', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const telemetry = openTelemetry({ tracerProvider, meterProvider, propagator: new W3CTraceContextPropagator() });
    const backend = new MemoryBackend();
    const worker = new Worker(backend, { logger: testLogger, telemetry });
    worker.registerWorkflow(countdown).registerWorkflow(broken).registerWorkflow(waitsLong);
    await worker.start();
    try {
      const client = new Client(backend, { telemetry });
      await client.createWorkflowInstance({ instanceId: 'countdown' }, countdown, 2);
      await client.createWorkflowInstance({ instanceId: 'broken' }, broken);
      await client.createWorkflowInstance({ instanceId: 'waits' }, waitsLong);
      assert.equal(await client.getWorkflowResult({ instanceId: 'countdown' }, 10_000), 'liftoff');
      await client.waitForWorkflowInstance({ instanceId: 'broken' }, 10_000);
      assert.ok(await waitUntil(async () => (await backend.getWorkflowInstanceHistory(await backend.getLatestExecution('waits'))).length > 2, 5_000));
      await client.cancelWorkflowInstance({ instanceId: 'waits' });
      await client.waitForWorkflowInstance({ instanceId: 'waits' }, 10_000);

      const ended = (): Promise<MetricData[]> => reader.collect().then(({ resourceMetrics }) => resourceMetrics.scopeMetrics.flatMap((s) => s.metrics));
      let metrics = await ended();
      // The last task's count comes once its commit returns, which may be just after the waiter woke.
      await waitUntil(async () => counter((metrics = await ended()), 'redflow.workflow.ended', {}) >= 5, 2_000);
      assert.equal(counter(metrics, 'redflow.workflow.ended', { workflow: 'countdown', outcome: 'continued-as-new' }), 2);
      assert.equal(counter(metrics, 'redflow.workflow.ended', { workflow: 'countdown', outcome: 'completed' }), 1);
      assert.equal(counter(metrics, 'redflow.workflow.ended', { workflow: 'broken', outcome: 'failed' }), 1);
      assert.equal(counter(metrics, 'redflow.workflow.ended', { workflow: 'waitsLong', outcome: 'canceled' }), 1);
      assert.equal(counter(metrics, 'redflow.workflow.started', { workflow: 'countdown', origin: 'continue-as-new' }), 2);
      assert.equal(counter(metrics, 'redflow.workflow.started', { origin: 'client' }), 3);

      const countdownSpans = exporter.getFinishedSpans().filter((span) => span.attributes['redflow.workflow.name'] === 'countdown');
      const executions = new Set(countdownSpans.map((span) => span.attributes['redflow.workflow.execution_id']));
      assert.equal(executions.size, 3, 'a start span and the tasks of three executions');
      assert.equal(new Set(countdownSpans.map((span) => span.spanContext().traceId)).size, 1, 'the chain is one trace');
      const failedTask = exporter.getFinishedSpans().find((span) => span.attributes['redflow.workflow.outcome'] === 'failed');
      assert.equal(failedTask?.attributes['error.type'], 'TypeError');
    } finally {
      await worker.stop();
      await backend.close();
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    }
  });

  it('refuses a telemetry option that is not an instrumentation', () => {
    const backend = new MemoryBackend();
    assert.throws(() => new Worker(backend, { telemetry: {} as never }), InvalidArgumentError);
    assert.throws(() => new Client(backend, { telemetry: { enabled: true } as never }), InvalidArgumentError);
  });
});

describe('telemetry: workers without tracing', function () {
  this.timeout(20_000);

  it('pass the workflow trace context on to the activities they schedule', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const traced = openTelemetry({ tracerProvider, metrics: false, propagator: new W3CTraceContextPropagator() });
    const backend = new MemoryBackend();
    // Workflow tasks run where nothing is traced; the activity runs where it is.
    const workflows = new Worker(backend, { logger: testLogger }).registerWorkflow(shipping);
    const activities = new Worker(backend, { logger: testLogger, telemetry: traced }).registerActivity(ship);
    await workflows.start();
    await activities.start();
    try {
      const client = new Client(backend, { telemetry: traced });
      await client.createWorkflowInstance({ instanceId: 'untraced-tasks' }, shipping, 'o-9');
      assert.equal(await client.getWorkflowResult({ instanceId: 'untraced-tasks' }, 10_000), 'shipped o-9');
      assert.ok(await waitUntil(() => exporter.getFinishedSpans().some((span) => span.name === 'redflow.activity'), 5_000));
      const spans = exporter.getFinishedSpans();
      const start = spans.find((span) => span.name === 'redflow.workflow.start');
      const activity = spans.find((span) => span.name === 'redflow.activity');
      assert.deepEqual(spans.map((span) => span.name).sort(), ['redflow.activity', 'redflow.workflow.start']);
      assert.equal(activity?.spanContext().traceId, start?.spanContext().traceId);
      assert.equal(activity?.parentSpanContext?.spanId, start?.spanContext().spanId, 'the activity is a child of the start span');
    } finally {
      await workflows.stop();
      await activities.stop();
      await backend.close();
      await tracerProvider.shutdown();
    }
  });
});
