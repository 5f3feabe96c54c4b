import assert from 'node:assert/strict';
import { CanceledError, InstanceNotFoundError, WorkflowError } from '../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { typesOf, waitUntil } from '../helpers/engine.js';
import type { E2E } from './harness.js';

/** Cancellation: from the client, of scopes, of sub-workflows before and after they started. */
export function cancellationScenarios(e2e: E2E): void {
  it('ends a workflow that lets the cancellation escape as cancelled (T-35, B-16)', async () => {
    async function waitsForCancel(ctx: WorkflowContext): Promise<void> {
      await ctx.done;
      await workflow.sleep(ctx, 10);
    }
    const client = await e2e.engine({ workflows: [waitsForCancel] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('cancel') }, waitsForCancel);
    await client.cancelWorkflowInstance(instance);
    await assert.rejects(client.getWorkflowResult(instance, 10_000), CanceledError);
    const history = await client.getWorkflowInstanceHistory(instance);
    assert.ok(typesOf(history).includes('WorkflowExecutionCanceled'));
    // Cancelling a finished instance changes nothing; an unknown one is an error (B-15).
    await client.cancelWorkflowInstance(instance);
    assert.equal((await client.getWorkflowInstanceHistory(instance)).length, history.length);
    await assert.rejects(client.cancelWorkflowInstance({ instanceId: e2e.id('ghost'), executionId: 'none' }), InstanceNotFoundError);
  });

  it('runs cleanup on a disconnected context after cancellation and returns its value', async () => {
    const cleaned: string[] = [];
    async function cleanUp(what: string): Promise<string> {
      cleaned.push(what);
      return `cleaned ${what}`;
    }
    async function cleansUp(ctx: WorkflowContext): Promise<string> {
      try {
        await workflow.sleep(ctx, 60_000);
        return 'slept';
      } catch (err) {
        if (!workflow.isCanceled(err)) throw err;
        const cleanup = workflow.newDisconnectedContext(ctx);
        assert.equal(cleanup.canceled, false);
        const [activity, timer] = [workflow.executeActivity(ctx, {}, cleanUp, 'refused'), workflow.scheduleTimer(ctx, 1)];
        await assert.rejects(Promise.resolve(activity), CanceledError);
        await assert.rejects(Promise.resolve(timer), CanceledError);
        return workflow.executeActivity(cleanup, {}, cleanUp, 'resources');
      }
    }
    const client = await e2e.engine({ workflows: [cleansUp], activities: [cleanUp] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('cleanup') }, cleansUp);
    // Cancel once the sleep is committed, so its cancellation is recorded rather than withdrawn.
    const sleeping = async (): Promise<boolean> => typesOf(await client.getWorkflowInstanceHistory(instance)).includes('TimerScheduled');
    assert.ok(await waitUntil(sleeping, 10_000), 'the sleep is committed');
    await client.cancelWorkflowInstance(instance);
    assert.equal(await client.getWorkflowResult(instance, 10_000), 'cleaned resources');
    assert.deepEqual(cleaned, ['resources']);
    const history = await client.getWorkflowInstanceHistory(instance);
    assert.deepEqual(
      typesOf(history).filter((t) => t.startsWith('Timer')),
      ['TimerScheduled', 'TimerCanceled'],
      'the cancelled timer is removed, the refused one never scheduled',
    );
  });

  it('propagates cancellation to sub-workflows, which end with their own results (E-13)', async () => {
    let canceled = 0;
    const childrenWaiting: string[] = [];
    async function sleepyChild(ctx: WorkflowContext, i: number): Promise<number> {
      // Started before the cancellation: one that reaches a child's partition first cancels its start instead.
      await workflow.executeActivity(ctx, {}, noteWaiting, workflow.workflowInstance(ctx).instanceId);
      try {
        await workflow.sleep(ctx, 10_000);
      } catch (err) {
        if (!workflow.isCanceled(err)) throw err;
      }
      if (ctx.canceled && !workflow.replaying(ctx)) canceled += 1;
      return i * 2;
    }
    async function noteWaiting(id: string): Promise<void> {
      childrenWaiting.push(id);
    }
    async function cancelledParent(ctx: WorkflowContext): Promise<number> {
      const children = [workflow.createSubWorkflowInstance(ctx, {}, sleepyChild, 1), workflow.createSubWorkflowInstance(ctx, {}, sleepyChild, 2)];
      await workflow.executeActivity(ctx, {}, noteWaiting, workflow.workflowInstance(ctx).instanceId);
      let sum = 0;
      for (const child of children) sum += await child;
      if (ctx.canceled && !workflow.replaying(ctx)) canceled += 1;
      return sum;
    }
    const client = await e2e.engine({ workflows: [cancelledParent, sleepyChild], activities: [noteWaiting] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('propagate') }, cancelledParent);
    assert.ok(await waitUntil(() => childrenWaiting.length === 3, 10_000), 'the parent and both children are waiting');
    await client.cancelWorkflowInstance(instance);
    assert.equal(await client.getWorkflowResult(instance, 10_000), 6);
    assert.equal(canceled, 3);
    const history = await client.getWorkflowInstanceHistory(instance);
    assert.equal(typesOf(history).filter((t) => t === 'SubWorkflowCancellationRequested').length, 2);
  });

  it('never creates a sub-workflow cancelled before its task committed (E-14)', async () => {
    let childRuns = 0;
    async function neverRuns(_ctx: WorkflowContext): Promise<number> {
      childRuns += 1;
      return 1;
    }
    async function cancelsAtOnce(ctx: WorkflowContext, childId: string): Promise<number> {
      const [scope, cancel] = workflow.withCancel(ctx);
      const child = workflow.createSubWorkflowInstance(scope, { instanceId: childId }, neverRuns);
      cancel();
      await workflow.sleep(ctx, 2);
      try {
        return await child;
      } catch (err) {
        return workflow.isCanceled(err) ? 0 : -1;
      }
    }
    const client = await e2e.engine({ workflows: [cancelsAtOnce, neverRuns] });
    const childId = e2e.id('never');
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('cancel-before') }, cancelsAtOnce, childId);
    assert.equal(await client.getWorkflowResult(instance, 10_000), 0);
    assert.equal(childRuns, 0);
    const history = await client.getWorkflowInstanceHistory(instance);
    assert.ok(!typesOf(history).includes('SubWorkflowScheduled'));
    await assert.rejects(client.signalWorkflow(childId, 'any', 1), InstanceNotFoundError);
    const page = await client.listWorkflowInstances({ count: 100 });
    assert.ok(page.instances.every((info) => info.instance.instanceId !== childId));
  });

  it('asks a started sub-workflow to cancel and settles with its outcome (X-11)', async () => {
    async function childCancelled(ctx: WorkflowContext, parentId: string): Promise<string> {
      await workflow.signalWorkflow(ctx, parentId, 'child-started', null);
      await ctx.done;
      return 'child saw the cancel';
    }
    async function cancelsChildLater(ctx: WorkflowContext): Promise<string> {
      const [scope, cancel] = workflow.withCancel(ctx);
      const child = workflow.createSubWorkflowInstance(scope, {}, childCancelled, workflow.workflowInstance(ctx).instanceId);
      // Cancelled once it has started: a cancel that reaches the child's partition first cancels its start instead.
      await workflow.newSignalChannel(ctx, 'child-started').receive();
      cancel();
      return child;
    }
    const client = await e2e.engine({ workflows: [cancelsChildLater, childCancelled] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('cancel-after') }, cancelsChildLater);
    assert.equal(await client.getWorkflowResult(instance, 10_000), 'child saw the cancel');
    const history = await client.getWorkflowInstanceHistory(instance);
    const scheduled = history.find((e) => e.type === 'SubWorkflowScheduled');
    const requested = history.find((e) => e.type === 'SubWorkflowCancellationRequested');
    assert.ok(scheduled?.type === 'SubWorkflowScheduled' && requested?.type === 'SubWorkflowCancellationRequested');
    assert.equal(requested.scheduleEventId, scheduled.scheduleEventId);
    assert.deepEqual(requested.attributes, { instanceId: scheduled.attributes.instanceId, executionId: scheduled.attributes.executionId });
  });

  it('gives the parent a CanceledError when a child is cancelled directly (T-32)', async () => {
    const started: string[] = [];
    async function noteChild(id: string): Promise<void> {
      started.push(id);
    }
    async function childEndsCancelled(ctx: WorkflowContext): Promise<void> {
      await workflow.executeActivity(ctx, {}, noteChild, workflow.workflowInstance(ctx).instanceId);
      await ctx.done;
      throw new CanceledError('child canceled');
    }
    async function parentOfCancelled(ctx: WorkflowContext, childId: string): Promise<string> {
      try {
        await workflow.createSubWorkflowInstance(ctx, { instanceId: childId }, childEndsCancelled);
        return 'completed';
      } catch (err) {
        assert.ok(err instanceof WorkflowError);
        return `subworkflow: ${err.type} ${workflow.isCanceled(err)}`;
      }
    }
    const client = await e2e.engine({ workflows: [parentOfCancelled, childEndsCancelled], activities: [noteChild] });
    const childId = e2e.id('direct-child');
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('direct') }, parentOfCancelled, childId);
    assert.ok(await waitUntil(() => started.length > 0, 10_000), 'the child started');
    const page = await client.listWorkflowInstances({ count: 10 });
    const child = page.instances.find((info) => info.instance.instanceId === childId);
    assert.ok(child !== undefined);
    await client.cancelWorkflowInstance(child.instance);
    assert.equal(await client.getWorkflowResult(instance, 10_000), 'subworkflow: CanceledError true');
  });

  it('stops retrying an activity once its scope is cancelled during the backoff (T-17)', async () => {
    let attempts = 0;
    async function alwaysFails(): Promise<void> {
      attempts += 1;
      throw new Error('fails');
    }
    async function cancelledDuringBackoff(ctx: WorkflowContext): Promise<string> {
      const [scope, cancel] = workflow.withCancel(ctx);
      const activity = workflow.executeActivity(scope, { retry: { maxAttempts: 5, firstRetryIntervalMs: 60_000 } }, alwaysFails);
      await workflow.sleep(ctx, 200);
      cancel();
      try {
        await activity;
        return 'succeeded';
      } catch (err) {
        return workflow.isCanceled(err) ? 'canceled' : 'failed';
      }
    }
    assert.equal(await e2e.run({ workflows: [cancelledDuringBackoff], activities: [alwaysFails] }, cancelledDuringBackoff), 'canceled');
    assert.equal(attempts, 1);
  });
}
