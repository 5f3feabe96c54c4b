import assert from 'node:assert/strict';
import { MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { activityContext } from '../../src/activity/activity-context.js';
import type { ActivityTask, WorkflowTask, WorkflowTaskCompletion } from '../../src/backend/backend.js';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { Client } from '../../src/client/client.js';
import { LeaseLostError } from '../../src/errors/errors.js';
import { openTelemetry } from '../../src/telemetry/index.js';
import { Worker } from '../../src/worker/worker.js';
import type { WorkflowContext } from '../../src/workflow/context.js';
import { workflow } from '../../src/workflow/index.js';
import { testLogger, waitUntil } from '../helpers/engine.js';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** A store on which the first workflow-task commit and the first activity lease extension find the lease taken. */
class LeaseStealingBackend extends MemoryBackend {
  private commitStolen = false;
  private extensionStolen = false;

  override async completeWorkflowTask(task: WorkflowTask, completion: WorkflowTaskCompletion): Promise<ActivityTask[]> {
    if (!this.commitStolen) {
      this.commitStolen = true;
      throw new LeaseLostError('the workflow task was taken over');
    }
    return super.completeWorkflowTask(task, completion);
  }

  override async extendActivityTask(task: ActivityTask, lockTimeoutMs: number): Promise<void> {
    if (!this.extensionStolen) {
      this.extensionStolen = true;
      throw new LeaseLostError('the activity task was taken over');
    }
    return super.extendActivityTask(task, lockTimeoutMs);
  }
}

/** Waits until its lease is lost (its signal aborts), then returns. */
async function waitForAbort(): Promise<string> {
  const { signal } = activityContext();
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  return 'aborted';
}

async function oneActivity(ctx: WorkflowContext): Promise<string> {
  return workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, waitForAbort);
}

function leasesLost(metrics: MetricData[], kind: string): number {
  const metric = metrics.find((m) => m.descriptor.name === 'redflow.lease.lost');
  return (metric?.dataPoints ?? []).filter((p) => p.attributes.kind === kind).reduce((sum, p) => sum + (p.value as number), 0);
}

describe('telemetry: lost leases', function () {
  this.timeout(20_000);

  it('counts a workflow task and an activity attempt whose lease another worker took', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const telemetry = openTelemetry({ meterProvider, tracing: false });
    const backend = new LeaseStealingBackend();
    const worker = new Worker(backend, { logger: testLogger, telemetry, workflowLockTimeoutMs: 300, activityLockTimeoutMs: 300 });
    worker.registerWorkflow(oneActivity).registerActivity(waitForAbort);
    await worker.start();
    try {
      await new Client(backend).createWorkflowInstance({ instanceId: 'stolen' }, oneActivity);
      const collect = async (): Promise<MetricData[]> => (await reader.collect()).resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
      assert.ok(await waitUntil(async () => leasesLost(await collect(), 'activity') === 1, 10_000), 'the activity lease loss is counted');
      const metrics = await collect();
      assert.equal(leasesLost(metrics, 'workflow'), 1);
      assert.equal(leasesLost(metrics, 'activity'), 1);
    } finally {
      await worker.stop();
      await backend.close();
      await meterProvider.shutdown();
    }
  });
});
