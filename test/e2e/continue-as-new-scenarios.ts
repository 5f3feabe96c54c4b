import assert from 'node:assert/strict';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { typesOf, waitUntil } from '../helpers/engine.js';
import type { E2E } from './harness.js';

/** Continue-as-new: new executions, results, states and carried-over signals. */
export function continueAsNewScenarios(e2e: E2E): void {
  it('restarts the instance with a new execution and follows it to the final result (E-41, T-36)', async () => {
    async function restarts(ctx: WorkflowContext, run: number): Promise<number> {
      if (run < 3) workflow.continueAsNew(ctx, run + 1);
      return run;
    }
    const client = await e2e.engine({ workflows: [restarts] });
    const first = await client.createWorkflowInstance({ instanceId: e2e.id('can') }, restarts, 0);
    assert.equal(await client.getWorkflowResult(first, 10_000), 3);
    assert.equal(await client.getWorkflowInstanceState(first), 'continued-as-new');
    const history = await client.getWorkflowInstanceHistory(first);
    const last = history.at(-1);
    assert.ok(last?.type === 'WorkflowExecutionContinuedAsNew');
    const second = { instanceId: first.instanceId, executionId: last.attributes.continuedExecutionId };
    assert.notEqual(second.executionId, first.executionId);
    const secondHistory = await client.getWorkflowInstanceHistory(second);
    assert.deepEqual(typesOf(secondHistory).slice(0, 2), ['WorkflowTaskStarted', 'WorkflowExecutionStarted']);
    const started = secondHistory[1];
    assert.ok(started?.type === 'WorkflowExecutionStarted');
    assert.deepEqual(started.attributes.inputs, [1]);
    const page = await client.listWorkflowInstances({ count: 10 });
    const executions = page.instances.filter((info) => info.instance.instanceId === first.instanceId);
    // Executions created in the same millisecond may list in either order.
    assert.deepEqual(
      executions.map((info) => info.state).sort(),
      ['continued-as-new', 'continued-as-new', 'continued-as-new', 'finished'],
    );
  });

  it('keeps old executions of a continued instance while the latest runs, then removes them together (E-43)', async () => {
    async function threeRuns(ctx: WorkflowContext, run: number): Promise<number> {
      if (run < 2) workflow.continueAsNew(ctx, run + 1);
      await workflow.newSignalChannel(ctx, 'finish').receive();
      return run;
    }
    const client = await e2e.engine({ workflows: [threeRuns] });
    const first = await client.createWorkflowInstance({ instanceId: e2e.id('old-runs') }, threeRuns, 0);
    const executions = async (): Promise<string[]> =>
      (await client.listWorkflowInstances({ count: 10 })).instances.filter((i) => i.instance.instanceId === first.instanceId).map((i) => i.state);
    assert.ok(await waitUntil(async () => (await executions()).length === 3, 10_000), 'the chain reaches its third execution');
    assert.equal(await client.removeWorkflowInstances({ finishedBefore: new Date(Date.now() + 60_000) }), 0);
    assert.deepEqual([...(await executions())].sort(), ['active', 'continued-as-new', 'continued-as-new']);
    await client.signalWorkflow(first.instanceId, 'finish', null);
    assert.equal(await client.getWorkflowResult(first, 10_000), 2);
    assert.equal(await client.removeWorkflowInstances({ finishedBefore: new Date(Date.now() + 60_000) }), 3);
    assert.deepEqual(await executions(), []);
    await assert.rejects(client.getWorkflowInstanceState(first), { name: 'InstanceNotFoundError' });
  });

  it('carries unconsumed signals over to the next execution, in order, losing none', async () => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    async function gate(): Promise<void> {
      await opened;
    }
    async function oneSignalPerRun(ctx: WorkflowContext, seen: string): Promise<string> {
      // The first run waits while signals pile up unconsumed in its channel.
      if (seen === '') await workflow.executeActivity(ctx, {}, gate);
      const letter = await workflow.newSignalChannel<string>(ctx, 'letters').receive();
      if (seen.length + 1 < 6) workflow.continueAsNew(ctx, seen + letter);
      return seen + letter;
    }
    const client = await e2e.engine({ workflows: [oneSignalPerRun], activities: [gate] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('carry') }, oneSignalPerRun, '');
    for (const letter of 'abcd') await client.signalWorkflow(instance.instanceId, 'letters', letter);
    await client.signalWorkflow(instance.instanceId, 'other', 'not consumed by anyone');
    await new Promise((resolve) => setTimeout(resolve, 50));
    open();
    // Sent in a burst, so some arrive while an execution switches to the next.
    for (const letter of 'ef') await client.signalWorkflow(instance.instanceId, 'letters', letter);
    assert.equal(await client.getWorkflowResult(instance, 10_000), 'abcdef');
  });

  it('continues as new after many steps so the history stays small', async () => {
    async function step(i: number): Promise<number> {
      return i;
    }
    async function longRunning(ctx: WorkflowContext, done: number, total: number): Promise<number> {
      for (let i = 0; i < 5 && done < total; i++) done += await workflow.executeActivity(ctx, {}, step, 1);
      if (done < total) workflow.continueAsNew(ctx, done, total);
      return done;
    }
    const client = await e2e.engine({ workflows: [longRunning], activities: [step], options: { maxHistorySize: 40 } });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('long') }, longRunning, 0, 30);
    assert.equal(await client.getWorkflowResult(instance, 10_000), 30);
  });
}
