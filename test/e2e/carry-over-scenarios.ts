import assert from 'node:assert/strict';
import { partitionOf } from '../../src/backend/redis/partition.js';
import type { Client } from '../../src/client/client.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { CanceledError } from '../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { typesOf, waitUntil } from '../helpers/engine.js';
import type { E2E } from './harness.js';

// The partition count of the Redis runs that spread instances; the ids below are picked for it.
const PARTITIONS = 4;

/** Every execution of the chain that starts at `first`, oldest first. */
async function chainOf(client: Client, first: WorkflowInstance): Promise<WorkflowInstance[]> {
  const chain = [first];
  for (;;) {
    const last = (await client.getWorkflowInstanceHistory(chain.at(-1) as WorkflowInstance)).at(-1);
    if (last?.type !== 'WorkflowExecutionContinuedAsNew') return chain;
    chain.push({ instanceId: first.instanceId, executionId: last.attributes.continuedExecutionId });
  }
}

/** Types of the signal and cancellation events in an execution's history, in order. */
async function messagesOf(client: Client, execution: WorkflowInstance): Promise<string[]> {
  const types = typesOf(await client.getWorkflowInstanceHistory(execution));
  return types.filter((type) => type === 'SignalReceived' || type === 'WorkflowExecutionCanceled');
}

/**
 * Continue-as-new loses no signal or cancellation request: what reaches an execution after (or during,
 * without applying it) the task that continues it goes to the next execution, in arrival order; a
 * cancellation the execution applied before it continued goes along too, once.
 */
export function carryOverScenarios(e2e: E2E): void {
  it('carries a cancellation sent after the signal that makes the workflow continue as new, and the instance ends cancelled', async () => {
    async function waitsThenSleeps(ctx: WorkflowContext, run: number): Promise<string> {
      if (run === 1) {
        await workflow.newSignalChannel(ctx, 'next').receive();
        workflow.continueAsNew(ctx, 2);
      }
      await workflow.sleep(ctx, 60_000);
      return 'slept';
    }
    // No worker yet: the signal and the cancellation both wait in the first execution's inbox.
    const early = await e2e.client();
    const first = await early.createWorkflowInstance({ instanceId: e2e.id('carry-cancel') }, waitsThenSleeps, 1);
    await early.signalWorkflow(first.instanceId, 'next', null);
    await early.cancelWorkflowInstance(first);
    const client = await e2e.engine({ workflows: [waitsThenSleeps] });
    await assert.rejects(client.getWorkflowResult(first, 10_000), CanceledError);
    const chain = await chainOf(client, first);
    assert.equal(chain.length, 2);
    const [, second] = chain as [WorkflowInstance, WorkflowInstance];
    assert.deepEqual(await messagesOf(client, first), ['SignalReceived'], 'the first execution never applied the cancellation');
    assert.deepEqual(await messagesOf(client, second), ['WorkflowExecutionCanceled']);
    assert.equal(await client.getWorkflowInstanceState(second), 'finished');
  });

  it('passes on a cancellation the execution applied while waiting on a signal, and the continued instance ends cancelled', async () => {
    async function waitsThenSleeps(ctx: WorkflowContext, run: number): Promise<string> {
      if (run === 1) {
        await workflow.newSignalChannel(ctx, 'next').receive();
        // The root scope is cancelled by now; the code continues all the same.
        workflow.continueAsNew(ctx, ctx.canceled ? 2 : 3);
      }
      await workflow.sleep(ctx, 60_000);
      return 'slept';
    }
    const client = await e2e.engine({ workflows: [waitsThenSleeps] });
    const first = await client.createWorkflowInstance({ instanceId: e2e.id('carry-applied-cancel') }, waitsThenSleeps, 1);
    await client.cancelWorkflowInstance(first);
    // The cancellation is applied before the signal is sent: nothing in the first execution acts on it.
    assert.ok(await waitUntil(async () => (await messagesOf(client, first)).includes('WorkflowExecutionCanceled'), 10_000), 'the cancellation is applied');
    await client.signalWorkflow(first.instanceId, 'next', null);
    await assert.rejects(client.getWorkflowResult(first, 10_000), CanceledError);
    const chain = await chainOf(client, first);
    assert.equal(chain.length, 2);
    const [, second] = chain as [WorkflowInstance, WorkflowInstance];
    assert.deepEqual(await messagesOf(client, first), ['WorkflowExecutionCanceled', 'SignalReceived']);
    assert.deepEqual(await messagesOf(client, second), ['WorkflowExecutionCanceled'], 'passed on once');
    const secondStart = (await client.getWorkflowInstanceHistory(second)).find((event) => event.type === 'WorkflowExecutionStarted');
    assert.ok(secondStart?.type === 'WorkflowExecutionStarted');
    assert.deepEqual(secondStart.attributes.inputs, [2], 'the first execution saw its root scope cancelled');
  });

  it('carries unconsumed signals first, then pending signals and the cancellation interleaved as they arrived', async () => {
    async function collects(ctx: WorkflowContext, run: number): Promise<string> {
      if (run === 1) {
        await workflow.newSignalChannel(ctx, 'go').receive();
        workflow.continueAsNew(ctx, 2);
      }
      const letters = workflow.newSignalChannel<string>(ctx, 'letters');
      const seen: string[] = [];
      // A letter read after the cancellation was applied is marked with '!'.
      for (let i = 0; i < 4; i++) seen.push(`${await letters.receive()}${ctx.canceled ? '!' : ''}`);
      return seen.join(',');
    }
    const early = await e2e.client();
    const first = await early.createWorkflowInstance({ instanceId: e2e.id('carry-order') }, collects, 1);
    // 'x' reaches the first execution before 'go' and stays unconsumed in its channel; the rest arrive after.
    await early.signalWorkflow(first.instanceId, 'letters', 'x');
    await early.signalWorkflow(first.instanceId, 'go', null);
    await early.signalWorkflow(first.instanceId, 'letters', 'a');
    await early.signalWorkflow(first.instanceId, 'letters', 'b');
    await early.cancelWorkflowInstance(first);
    await early.signalWorkflow(first.instanceId, 'letters', 'c');
    const client = await e2e.engine({ workflows: [collects] });
    assert.equal(await client.getWorkflowResult(first, 10_000), 'x,a,b,c!');
    const [, second] = (await chainOf(client, first)) as [WorkflowInstance, WorkflowInstance];
    assert.deepEqual(await messagesOf(client, second), [
      'SignalReceived',
      'SignalReceived',
      'SignalReceived',
      'WorkflowExecutionCanceled',
      'SignalReceived',
    ]);
  });

  it('routes a cancellation of the old execution, sent after the instance continued, to the active one', async () => {
    async function continuesAtOnce(ctx: WorkflowContext, run: number): Promise<string> {
      if (run === 1) workflow.continueAsNew(ctx, 2);
      await workflow.sleep(ctx, 60_000);
      return 'slept';
    }
    const client = await e2e.engine({ workflows: [continuesAtOnce] });
    const first = await client.createWorkflowInstance({ instanceId: e2e.id('cancel-old') }, continuesAtOnce, 1);
    assert.ok(await waitUntil(async () => (await client.getWorkflowInstanceState(first)) !== 'active', 10_000), 'the first execution continues as new');
    await client.cancelWorkflowInstance(first);
    await assert.rejects(client.getWorkflowResult(first, 10_000), CanceledError);
    const [, second] = (await chainOf(client, first)) as [WorkflowInstance, WorkflowInstance];
    assert.deepEqual(await messagesOf(client, second), ['WorkflowExecutionCanceled']);
  });

  it("cancels a sub-workflow that continued as new before the parent's cancellation arrived, in the same partition or another", async () => {
    async function continuingChild(ctx: WorkflowContext, run: number, parentId: string): Promise<string> {
      if (run === 1) workflow.continueAsNew(ctx, 2, parentId);
      await workflow.signalWorkflow(ctx, parentId, 'child-continued', null);
      await workflow.sleep(ctx, 60_000);
      return 'slept';
    }
    async function cancelsChildLater(ctx: WorkflowContext, childId: string): Promise<string> {
      const [scope, cancel] = workflow.withCancel(ctx);
      const parentId = workflow.workflowInstance(ctx).instanceId;
      const child = workflow.createSubWorkflowInstance(scope, { instanceId: childId }, continuingChild, 1, parentId);
      // The request names the child's first execution, which has continued as new by now.
      await workflow.newSignalChannel(ctx, 'child-continued').receive();
      cancel();
      try {
        return await child;
      } catch (err) {
        return workflow.isCanceled(err) ? 'child canceled' : `child failed: ${String(err)}`;
      }
    }
    const client = await e2e.engine({ workflows: [cancelsChildLater, continuingChild] });
    for (const samePartition of [true, false]) {
      const parentId = e2e.id('parent');
      let childId = e2e.id('child');
      while ((partitionOf(childId, PARTITIONS) === partitionOf(parentId, PARTITIONS)) !== samePartition) childId = e2e.id('child');
      const parent = await client.createWorkflowInstance({ instanceId: parentId }, cancelsChildLater, childId);
      assert.equal(await client.getWorkflowResult(parent, 10_000), 'child canceled');
      const history = await client.getWorkflowInstanceHistory(parent);
      const scheduled = history.find((event) => event.type === 'SubWorkflowScheduled');
      assert.ok(scheduled?.type === 'SubWorkflowScheduled');
      const [first, second] = (await chainOf(client, { instanceId: childId, executionId: scheduled.attributes.executionId })) as [
        WorkflowInstance,
        WorkflowInstance,
      ];
      assert.deepEqual(await messagesOf(client, first), []);
      assert.deepEqual(await messagesOf(client, second), ['WorkflowExecutionCanceled']);
    }
  });
}
