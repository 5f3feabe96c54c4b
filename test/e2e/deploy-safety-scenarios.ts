import assert from 'node:assert/strict';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { startEngine, typesOf, waitUntil } from '../helpers/engine.js';
import { captureLogs } from '../helpers/log-capture.js';
import type { E2E } from './harness.js';

// Quick held-task backoff; maxAttempts is ignored by holds that wait for a deploy.
const options = { heldTaskRetry: { firstRetryIntervalMs: 20, maxRetryIntervalMs: 200, maxAttempts: 2 } };

async function stepA(): Promise<string> {
  return 'a';
}

async function inserted(): Promise<string> {
  return 'inserted';
}

// Two versions of one workflow: the second inserts an activity before the one the first runs.
const original = {
  deployed: async (ctx: WorkflowContext): Promise<string> => {
    const a = await workflow.executeActivity(ctx, {}, stepA);
    const go = await workflow.newSignalChannel<string>(ctx, 'go').receive();
    return `${a}:${go}`;
  },
}.deployed;

const changed = {
  deployed: async (ctx: WorkflowContext): Promise<string> => {
    await workflow.executeActivity(ctx, {}, inserted);
    const a = await workflow.executeActivity(ctx, {}, stepA);
    const go = await workflow.newSignalChannel<string>(ctx, 'go').receive();
    return `${a}:${go}`;
  },
}.deployed;

/** Rolling deploys: code that diverges from a history holds the instance instead of failing it. */
export function deploySafetyScenarios(e2e: E2E): void {
  it('holds an instance whose replay diverges, changing nothing, until a worker with matching code continues it', async () => {
    const client = await e2e.client();
    const backend = e2e.backend();
    const setup = { activities: [stepA, inserted], options: { ...options, executorCacheSize: e2e.executorCacheSize } };
    const stops: Array<() => Promise<void>> = [];
    try {
      const first = await startEngine(backend, { ...setup, workflows: [original] });
      stops.push(first.stop);
      const instance: WorkflowInstance = await client.createWorkflowInstance({ instanceId: e2e.id('diverges') }, 'deployed');
      const waiting = await waitUntil(async () => typesOf(await client.getWorkflowInstanceHistory(instance)).includes('ActivityCompleted'), 10_000);
      assert.ok(waiting, 'the first version ran up to the signal');
      await first.stop();
      // An activity's outcome enters the history with the task that applied it: nothing is left to commit.
      const before = await client.getWorkflowInstanceHistory(instance);

      const logs = captureLogs();
      const second = await startEngine(backend, { ...setup, workflows: [changed], options: { ...setup.options, logger: logs.logger } });
      stops.push(second.stop);
      await client.signalWorkflow(instance.instanceId, 'go', 'now');
      let held;
      const heldLong = await waitUntil(async () => {
        held = (await client.listHeldWorkflowInstances()).instances.find((info) => info.instance.executionId === instance.executionId);
        return held !== undefined && held.attempts >= 3;
      }, 10_000);
      assert.ok(heldLong && held !== undefined, 'held past maxAttempts');
      const info = held as { reason: string; error: { type: string; message: string }; parked: boolean };
      assert.equal(info.reason, 'nondeterminism');
      assert.equal(info.error.type, 'NonDeterminismError');
      assert.match(info.error.message, /stepA/);
      assert.match(info.error.message, /inserted/);
      assert.equal(info.parked, false, 'a task waiting for a deploy never parks');
      assert.equal(await client.getWorkflowInstanceState(instance), 'active');
      assert.deepEqual(await client.getWorkflowInstanceHistory(instance), before, 'the diverged runs recorded nothing');
      const errors = logs.lines.filter((line) => line.level === 50 && /held \(nondeterminism\)/.test(line.msg));
      assert.ok(errors.length > 0, 'the hold is logged as an error');
      assert.match(errors[0]?.err?.message ?? '', /stepA/);
      await second.stop();

      const third = await startEngine(backend, { ...setup, workflows: [original] });
      stops.push(third.stop);
      assert.equal(await client.getWorkflowResult(instance, 10_000), 'a:now');
      assert.deepEqual((await client.listHeldWorkflowInstances()).instances, []);
    } finally {
      for (const stop of stops) await stop();
    }
  });
}
