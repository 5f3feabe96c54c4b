import assert from 'node:assert/strict';
import { activityContext } from '../../src/activity/activity-context.js';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { startEngine, typesOf } from '../helpers/engine.js';

let startedOn: string[] = [];

/** Waits until the worker stops, then fails; the attempt on the next worker succeeds. */
async function untilStopped(label: string): Promise<string> {
  const { signal } = activityContext();
  startedOn.push(label);
  if (startedOn.length > 1) return 'finished on the second worker';
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  throw new Error('interrupted by stop');
}

async function stoppable(ctx: WorkflowContext): Promise<string> {
  return workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, untilStopped, 'attempt');
}

describe('graceful worker stop', function () {
  this.timeout(30_000);

  it('gives an interrupted activity back to the queue instead of failing it', async () => {
    startedOn = [];
    const backend = new MemoryBackend();
    const first = await startEngine(backend, { workflows: [stoppable], activities: [untilStopped] });
    const instance = await first.client.createWorkflowInstance({ instanceId: 'graceful' }, stoppable);
    while (startedOn.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const stopping = Date.now();
    // A second stop() waits for the same drain instead of returning early.
    const [a, b] = [first.stop(), first.worker.stop()];
    assert.equal(a, b);
    await a;
    assert.ok(Date.now() - stopping < 2_000, 'stop did not wait for a lease to expire');
    const second = await startEngine(backend, { workflows: [stoppable], activities: [untilStopped] });
    try {
      assert.equal(await second.client.getWorkflowResult(instance, 10_000), 'finished on the second worker');
      const types = typesOf(await second.client.getWorkflowInstanceHistory(instance));
      assert.ok(!types.includes('ActivityFailed'), 'the interrupted attempt was not recorded as a failure');
      assert.equal(types.filter((t) => t === 'ActivityScheduled').length, 1);
    } finally {
      await second.stop();
      await backend.close();
    }
  });
});
