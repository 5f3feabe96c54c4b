import assert from 'node:assert/strict';
import type { Client } from '../../src/client/client.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { CanceledError, InstanceNotFinishedError, InstanceNotFoundError } from '../../src/errors/errors.js';
import type { HistoryEvent } from '../../src/history/events.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { waitUntil } from '../helpers/engine.js';
import type { E2E } from './harness.js';

/** Continues as new once, then waits for signal `finish`. */
async function continuesOnceThenWaits(ctx: WorkflowContext, run: number): Promise<string> {
  if (run === 0) workflow.continueAsNew(ctx, 1);
  await workflow.newSignalChannel(ctx, 'finish').receive();
  return `run ${run}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const notFound = (read: Promise<unknown>): Promise<boolean> =>
  read.then(
    () => false,
    (err: unknown) => err instanceof InstanceNotFoundError,
  );

/** The executions of `instanceId` in the listing, as `executionId: state`, sorted. */
async function executionsOf(client: Client, instanceId: string): Promise<string[]> {
  const page = await client.listWorkflowInstances({ count: 100 });
  return page.instances
    .filter((info) => info.instance.instanceId === instanceId)
    .map((info) => `${info.instance.executionId}: ${info.state}`)
    .sort();
}

/** Waits until `first` has continued as new; returns the next execution. */
async function continued(client: Client, first: WorkflowInstance): Promise<WorkflowInstance> {
  assert.ok(await waitUntil(async () => (await client.getWorkflowInstanceState(first)) === 'continued-as-new', 10_000));
  const last = (await client.getWorkflowInstanceHistory(first)).at(-1);
  assert.ok(last?.type === 'WorkflowExecutionContinuedAsNew');
  return { instanceId: first.instanceId, executionId: last.attributes.continuedExecutionId };
}

/** Removal and retention of continue-as-new chains: only ever whole, and only once the latest execution finished. */
export function chainRemovalScenarios(e2e: E2E): void {
  it('removes no execution of a continued instance while its latest runs, by any call; then removes them together', async () => {
    const client = await e2e.engine({ workflows: [continuesOnceThenWaits] });
    const first = await client.createWorkflowInstance({ instanceId: e2e.id('chain') }, continuesOnceThenWaits, 0);
    const second = await continued(client, first);
    assert.equal(await client.removeWorkflowInstances({ finishedBefore: new Date(Date.now() + 60_000) }), 0);
    await assert.rejects(client.removeWorkflowInstance(first), InstanceNotFinishedError);
    await assert.rejects(client.removeWorkflowInstance(second), InstanceNotFinishedError);
    await assert.rejects(client.removeWorkflowInstance({ instanceId: first.instanceId }), InstanceNotFinishedError);
    assert.deepEqual(await executionsOf(client, first.instanceId), [`${first.executionId}: continued-as-new`, `${second.executionId}: active`].sort());

    await client.signalWorkflow(first.instanceId, 'finish', null);
    assert.equal(await client.getWorkflowResult(first, 10_000), 'run 1', 'the original handle still leads to the result');
    await client.removeWorkflowInstance(first);
    for (const execution of [first, second]) {
      await assert.rejects(client.getWorkflowInstanceState(execution), InstanceNotFoundError);
      await assert.rejects(client.getWorkflowResult(execution, 1_000), InstanceNotFoundError);
    }
    assert.deepEqual(await executionsOf(client, first.instanceId), []);
    assert.equal(await client.removeWorkflowInstances({ finishedBefore: new Date(Date.now() + 60_000) }), 0);
  });

  it('removes a finished chain by the time its latest execution finished', async () => {
    const client = await e2e.engine({ workflows: [continuesOnceThenWaits] });
    const first = await client.createWorkflowInstance({ instanceId: e2e.id('chain-time') }, continuesOnceThenWaits, 0);
    await continued(client, first);
    await sleep(20);
    const cutoff = new Date();
    await sleep(20);
    await client.signalWorkflow(first.instanceId, 'finish', null);
    await client.getWorkflowResult(first, 10_000);
    assert.equal(await client.removeWorkflowInstances({ finishedBefore: cutoff }), 0);
    assert.equal(await client.getWorkflowInstanceState(first), 'continued-as-new');
    assert.equal(await client.removeWorkflowInstances({ finishedBefore: new Date(Date.now() + 60_000) }), 2);
    assert.deepEqual(await executionsOf(client, first.instanceId), []);
  });

  it('keeps a continued instance past the retention time while it runs, then expires it as a whole', async () => {
    await e2e.useBackend({ retentionMs: 200 });
    const client = await e2e.engine({ workflows: [continuesOnceThenWaits] });
    const first = await client.createWorkflowInstance({ instanceId: e2e.id('chain-retained') }, continuesOnceThenWaits, 0);
    const second = await continued(client, first);
    await sleep(600);
    assert.equal(await client.getWorkflowInstanceState(first), 'continued-as-new');
    assert.equal((await client.getWorkflowInstanceHistory(first)).at(-1)?.type, 'WorkflowExecutionContinuedAsNew');
    await client.signalWorkflow(first.instanceId, 'finish', null);
    assert.equal(await client.getWorkflowResult(first, 10_000), 'run 1');
    assert.ok(await waitUntil(async () => (await notFound(client.getWorkflowInstanceState(first))) && notFound(client.getWorkflowInstanceState(second)), 5_000));
    assert.deepEqual(await executionsOf(client, first.instanceId), []);
  });

  it('runs a reused id as a new chain that the old chain neither holds nor takes along', async () => {
    async function continuesOnce(ctx: WorkflowContext, run: number): Promise<number> {
      if (run === 0) workflow.continueAsNew(ctx, 1);
      return run;
    }
    async function continuesOnceThenSleeps(ctx: WorkflowContext, run: number): Promise<void> {
      if (run === 0) workflow.continueAsNew(ctx, 1);
      await workflow.sleep(ctx, 60_000);
    }
    const client = await e2e.engine({ workflows: [continuesOnce, continuesOnceThenSleeps] });
    const id = e2e.id('reused');
    const old = await client.createWorkflowInstance({ instanceId: id }, continuesOnce, 0);
    assert.equal(await client.getWorkflowResult(old, 10_000), 1);
    const renewed = await client.createWorkflowInstance({ instanceId: id }, continuesOnceThenSleeps, 0);
    await continued(client, renewed);

    await client.cancelWorkflowInstance(old);
    await assert.rejects(client.getWorkflowResult(renewed, 300), { name: 'WaitTimeoutError' }, 'cancelling the old chain reaches nothing');
    assert.equal(await client.removeWorkflowInstances({ finishedBefore: new Date(Date.now() + 60_000) }), 2, 'the old chain goes');
    await assert.rejects(client.getWorkflowInstanceState(old), InstanceNotFoundError);
    assert.equal(await client.getWorkflowInstanceState({ instanceId: id }), 'active');
    await client.cancelWorkflowInstance(renewed);
    await assert.rejects(client.getWorkflowResult({ instanceId: id }, 10_000), CanceledError);
  });

  it("keeps a sub-workflow's chain while it runs and hands its final result to the parent", async () => {
    async function parentOfChain(ctx: WorkflowContext, childId: string): Promise<string> {
      return workflow.createSubWorkflowInstance(ctx, { instanceId: childId }, continuesOnceThenWaits, 0);
    }
    const client = await e2e.engine({ workflows: [parentOfChain, continuesOnceThenWaits] });
    const childId = e2e.id('child');
    const parent = await client.createWorkflowInstance({ instanceId: e2e.id('parent') }, parentOfChain, childId);
    const scheduled = async (): Promise<HistoryEvent | undefined> =>
      (await client.getWorkflowInstanceHistory(parent)).find((event) => event.type === 'SubWorkflowScheduled');
    assert.ok(await waitUntil(async () => (await scheduled()) !== undefined, 10_000));
    const start = await scheduled();
    assert.ok(start?.type === 'SubWorkflowScheduled');
    const childFirst = { instanceId: childId, executionId: start.attributes.executionId };
    // The child is created in its own partition once the parent's request reaches it.
    const created = async (): Promise<boolean> => client.getWorkflowInstanceState(childFirst).then(() => true, (err: unknown) => {
      if (err instanceof InstanceNotFoundError) return false;
      throw err;
    });
    assert.ok(await waitUntil(created, 10_000));
    const childSecond = await continued(client, childFirst);
    assert.equal(await client.removeWorkflowInstances({ finishedBefore: new Date(Date.now() + 60_000) }), 0);
    await assert.rejects(client.removeWorkflowInstance(childFirst), InstanceNotFinishedError);
    await client.signalWorkflow(childId, 'finish', null);
    assert.equal(await client.getWorkflowResult(parent, 10_000), 'run 1');
    assert.equal(await client.getWorkflowInstanceState(childSecond), 'finished');
    assert.equal(await client.removeWorkflowInstances({ finishedBefore: new Date(Date.now() + 60_000) }), 3);
  });
}
