import assert from 'node:assert/strict';
import type { WorkflowInstanceDescription } from '../../src/client/instance-description.js';
import { InstanceNotFoundError } from '../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { waitUntil } from '../helpers/engine.js';
import type { E2E } from './harness.js';

async function waitsForGo(ctx: WorkflowContext, n: number): Promise<number> {
  await workflow.newSignalChannel(ctx, 'go').receive();
  return n * 2;
}

async function parentOfOne(ctx: WorkflowContext, childId: string): Promise<number> {
  return workflow.createSubWorkflowInstance(ctx, { instanceId: childId }, waitsForGo, 21);
}

async function sleepsAnHour(ctx: WorkflowContext): Promise<void> {
  await workflow.sleep(ctx, 3_600_000);
}

async function unservedActivity(): Promise<string> {
  return 'never runs';
}

async function waitsOnActivity(ctx: WorkflowContext): Promise<string> {
  return workflow.executeActivity(ctx, { queue: 'nobody-serves-this' }, unservedActivity);
}

async function fails(): Promise<never> {
  await Promise.resolve();
  throw new Error('out of stock');
}

async function restartsOnce(ctx: WorkflowContext, run: number): Promise<number> {
  if (run < 1) workflow.continueAsNew(ctx, run + 1);
  return run;
}

/** `describeWorkflowInstance`: everything an operator needs about one execution, with real workflows. */
export function describeScenarios(e2e: E2E): void {
  it('describes a parent waiting on its child, the child with its parent, and both once done', async () => {
    const client = await e2e.engine({ workflows: [parentOfOne, waitsForGo] });
    const childId = e2e.id('child');
    const parent = await client.createWorkflowInstance({ instanceId: e2e.id('parent') }, parentOfOne, childId);
    let running: WorkflowInstanceDescription | undefined;
    assert.ok(
      await waitUntil(async () => {
        running = await client.describeWorkflowInstance(parent);
        return running.children[0]?.state === 'active';
      }, 10_000),
      'the child was started',
    );
    const described = running as WorkflowInstanceDescription;
    assert.deepEqual(described.instance, parent);
    assert.equal(described.name, 'parentOfOne');
    assert.equal(described.queue, 'default');
    assert.equal(described.state, 'active');
    assert.deepEqual(described.inputs, [childId]);
    assert.equal(described.outcome, undefined);
    assert.equal(described.parent, undefined);
    assert.equal(described.children.length, 1);
    const child = described.children[0];
    assert.equal(child?.instance.instanceId, childId);
    assert.equal(child?.name, 'waitsForGo');
    assert.equal(child?.status, 'running');
    assert.deepEqual(described.pending.subWorkflows.map((s) => s.attributes.instanceId), [childId]);
    assert.deepEqual(described.pending.activities, []);

    // On several partitions the child's start reaches its own partition through the parent's outbox: the
    // parent may list the child a moment before the child's record shows its parent.
    let childDescribed: WorkflowInstanceDescription | undefined;
    assert.ok(
      await waitUntil(async () => {
        childDescribed = await client.describeWorkflowInstance({ instanceId: childId });
        return childDescribed.parent !== undefined;
      }, 10_000),
      'the child knows its parent',
    );
    assert.ok(childDescribed !== undefined);
    assert.equal(childDescribed.parent?.instanceId, parent.instanceId);
    assert.equal(childDescribed.parent?.executionId, parent.executionId);
    assert.equal(childDescribed.state, 'active');

    await client.signalWorkflow(childId, 'go');
    assert.equal(await client.getWorkflowResult(parent, 10_000), 42);
    const done = await client.describeWorkflowInstance({ instanceId: parent.instanceId });
    assert.equal(done.state, 'finished');
    assert.equal(done.outcome, 'completed');
    assert.equal(done.result, 42);
    assert.ok(done.finishedAt instanceof Date);
    assert.equal(done.children[0]?.status, 'completed');
    assert.equal(done.children[0]?.state, 'finished');
    assert.deepEqual(done.pending.subWorkflows, []);
    assert.ok(done.historyLength >= 5);
  });

  it('shows a pending timer and a pending activity, and the error of a failed instance', async () => {
    const client = await e2e.engine({ workflows: [sleepsAnHour, waitsOnActivity, fails] });
    const sleeper = await client.createWorkflowInstance({ instanceId: e2e.id('sleeper') }, sleepsAnHour);
    const waiter = await client.createWorkflowInstance({ instanceId: e2e.id('waiter') }, waitsOnActivity);
    const failing = await client.createWorkflowInstance({ instanceId: e2e.id('failing') }, fails);
    assert.ok(await waitUntil(async () => (await client.describeWorkflowInstance(sleeper)).pending.timers.length === 1, 10_000));
    const timer = (await client.describeWorkflowInstance(sleeper)).pending.timers[0];
    assert.ok(timer !== undefined && timer.firesAt.getTime() > Date.now() + 3_000_000, 'fires in about an hour');
    assert.ok(await waitUntil(async () => (await client.describeWorkflowInstance(waiter)).pending.activities.length === 1, 10_000));
    const activity = (await client.describeWorkflowInstance(waiter)).pending.activities[0];
    assert.equal(activity?.name, 'unservedActivity');
    assert.equal(activity?.queue, 'nobody-serves-this');

    await assert.rejects(client.getWorkflowResult(failing, 10_000), { message: /out of stock/ });
    const failed = await client.describeWorkflowInstance(failing);
    assert.equal(failed.outcome, 'failed');
    assert.equal(failed.error?.message, 'out of stock');
    assert.equal(failed.result, undefined);

    await client.cancelWorkflowInstance(sleeper);
    await client.waitForWorkflowInstance(sleeper, 10_000);
    const canceled = await client.describeWorkflowInstance(sleeper);
    assert.equal(canceled.outcome, 'canceled');
    assert.equal(canceled.error?.type, 'CanceledError');
  });

  it('links the executions of a continue-as-new chain, and rejects an unknown instance', async () => {
    const client = await e2e.engine({ workflows: [restartsOnce] });
    const first = await client.createWorkflowInstance({ instanceId: e2e.id('chain') }, restartsOnce, 0);
    assert.equal(await client.getWorkflowResult(first, 10_000), 1);
    const latest = await client.describeWorkflowInstance({ instanceId: first.instanceId });
    assert.deepEqual(latest.continuedFrom, first);
    assert.equal(latest.outcome, 'completed');
    const earlier = await client.describeWorkflowInstance(first);
    assert.equal(earlier.state, 'continued-as-new');
    assert.equal(earlier.outcome, 'continued-as-new');
    assert.deepEqual(earlier.continuedTo, latest.instance);
    assert.equal(earlier.continuedFrom, undefined);
    await assert.rejects(client.describeWorkflowInstance({ instanceId: e2e.id('nobody') }), InstanceNotFoundError);
    await assert.rejects(client.describeWorkflowInstance({ instanceId: '' }), { name: 'InvalidArgumentError' });
  });
}
