import assert from 'node:assert/strict';
import { partitionOf } from '../../src/backend/redis/partition.js';
import type { Client } from '../../src/client/client.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { CanceledError, WorkflowError } from '../../src/errors/errors.js';
import type { EventType } from '../../src/history/events.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { typesOf, waitUntil } from '../helpers/engine.js';
import type { E2E } from './harness.js';

/** The largest partition count the suites run with: ids are picked to share a partition, or not, under it. */
const PARTITIONS = 4;

/** Waits (10 s at most) until the history of `instance` holds an event of `type`. */
async function untilRecorded(client: Client, instance: WorkflowInstance, type: EventType): Promise<void> {
  const recorded = async (): Promise<boolean> => typesOf(await client.getWorkflowInstanceHistory(instance)).includes(type);
  assert.ok(await waitUntil(recorded, 10_000), `${type} was never recorded`);
}

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/**
 * Cancelling work that has not started: activities no worker has claimed, retry backoffs, sub-workflows no
 * worker has started. It rejects with CanceledError at once and never runs; an attempt already claimed runs
 * to its end.
 */
export function unstartedCancellationScenarios(e2e: E2E): void {
  /** A fresh id in the same partition as `other`, or in another one, when there are PARTITIONS partitions. */
  function idBeside(label: string, other: string, samePartition: boolean): string {
    for (;;) {
      const id = e2e.id(label);
      if ((partitionOf(id, PARTITIONS) === partitionOf(other, PARTITIONS)) === samePartition) return id;
    }
  }

  describe('activities', () => {
    let runs = 0;
    async function unserved(): Promise<string> {
      runs += 1;
      return 'ran';
    }
    beforeEach(() => {
      runs = 0;
    });

    it('rejects an activity no worker has claimed when its scope is cancelled, and removes it from its queue', async () => {
      async function cancelsUnclaimed(ctx: WorkflowContext): Promise<string> {
        const [scope, cancel] = workflow.withCancel(ctx);
        const activity = workflow.executeActivity(scope, { queue: 'nobody' }, unserved);
        // The activity is scheduled (committed) before the scope is cancelled.
        await workflow.sleep(ctx, 1);
        cancel();
        try {
          return await activity;
        } catch (err) {
          return err instanceof CanceledError ? 'canceled' : `failed: ${String(err)}`;
        }
      }
      const client = await e2e.engine({ workflows: [cancelsUnclaimed], activities: [unserved] });
      const instance = await client.createWorkflowInstance({ instanceId: e2e.id('unclaimed-scope') }, cancelsUnclaimed);
      assert.equal(await client.getWorkflowResult(instance, 10_000), 'canceled');
      const history = await client.getWorkflowInstanceHistory(instance);
      assert.deepEqual(
        typesOf(history).filter((t) => t.startsWith('Activity')),
        ['ActivityScheduled', 'ActivityCancellationRequested', 'ActivityFailed'],
      );
      const failed = history.find((e) => e.type === 'ActivityFailed');
      assert.ok(failed?.type === 'ActivityFailed');
      assert.equal(failed.attributes.error.type, 'CanceledError');
      assert.equal(failed.scheduleEventId, history.find((e) => e.type === 'ActivityScheduled')?.scheduleEventId);
      assert.equal((await client.getStats()).pendingActivityTasks.nobody ?? 0, 0, 'no task is left for a worker to run');
      assert.equal(runs, 0);
    });

    it('ends a cancelled workflow waiting on an unclaimed activity at once, without retrying it', async () => {
      async function waitsOnUnserved(ctx: WorkflowContext): Promise<string> {
        return workflow.executeActivity(ctx, { queue: 'nobody', retry: { maxAttempts: 3, firstRetryIntervalMs: 1 } }, unserved);
      }
      const client = await e2e.engine({ workflows: [waitsOnUnserved], activities: [unserved] });
      const instance = await client.createWorkflowInstance({ instanceId: e2e.id('unclaimed-client') }, waitsOnUnserved);
      await untilRecorded(client, instance, 'ActivityScheduled');
      await client.cancelWorkflowInstance(instance);
      await assert.rejects(client.getWorkflowResult(instance, 10_000), CanceledError);
      const types = typesOf(await client.getWorkflowInstanceHistory(instance));
      assert.equal(types.filter((t) => t === 'ActivityScheduled').length, 1, 'no further attempt');
      assert.ok(types.includes('ActivityCancellationRequested'));
      assert.equal((await client.getStats()).pendingActivityTasks.nobody ?? 0, 0);
      assert.equal(runs, 0);
    });

    it('lets an attempt a worker has claimed run to its end and returns its result', async () => {
      const release = gate();
      const started: number[] = [];
      async function claimedSlowly(): Promise<string> {
        started.push(1);
        await release.opened;
        return 'finished anyway';
      }
      async function waitsOnClaimed(ctx: WorkflowContext): Promise<string> {
        return workflow.executeActivity(ctx, {}, claimedSlowly);
      }
      const client = await e2e.engine({ workflows: [waitsOnClaimed], activities: [claimedSlowly] });
      const instance = await client.createWorkflowInstance({ instanceId: e2e.id('claimed') }, waitsOnClaimed);
      try {
        assert.ok(await waitUntil(() => started.length > 0, 10_000), 'the activity runs');
        await client.cancelWorkflowInstance(instance);
        await untilRecorded(client, instance, 'ActivityCancellationRequested');
      } finally {
        // Also on failure: the worker's stop waits for the activity.
        release.open();
      }
      assert.equal(await client.getWorkflowResult(instance, 10_000), 'finished anyway');
      const types = typesOf(await client.getWorkflowInstanceHistory(instance));
      assert.ok(types.includes('ActivityCompleted'));
      assert.ok(!types.includes('ActivityFailed'));
      assert.equal(started.length, 1);
    });

    it('starts no further attempt when a claimed attempt fails after the cancellation, and rejects with CanceledError', async () => {
      const release = gate();
      let attempts = 0;
      async function failsLate(): Promise<void> {
        attempts += 1;
        await release.opened;
        throw new Error('late failure');
      }
      async function retriesFailsLate(ctx: WorkflowContext): Promise<string> {
        const [scope, cancel] = workflow.withCancel(ctx);
        const activity = workflow.executeActivity(scope, { retry: { maxAttempts: 3, firstRetryIntervalMs: 1 } }, failsLate);
        await workflow.newSignalChannel(ctx, 'cancel').receive();
        cancel();
        try {
          await activity;
          return 'succeeded';
        } catch (err) {
          return err instanceof CanceledError ? 'canceled' : `failed: ${String(err)}`;
        }
      }
      const client = await e2e.engine({ workflows: [retriesFailsLate], activities: [failsLate] });
      const instance = await client.createWorkflowInstance({ instanceId: e2e.id('fails-late') }, retriesFailsLate);
      try {
        assert.ok(await waitUntil(() => attempts > 0, 10_000), 'the activity runs');
        await client.signalWorkflow(instance.instanceId, 'cancel', null);
        await untilRecorded(client, instance, 'ActivityCancellationRequested');
      } finally {
        release.open();
      }
      assert.equal(await client.getWorkflowResult(instance, 10_000), 'canceled');
      assert.equal(attempts, 1);
    });
  });

  describe('retry backoffs', () => {
    it('rejects an activity waiting between attempts at once when the workflow is cancelled', async () => {
      let attempts = 0;
      async function failsOnce(): Promise<void> {
        attempts += 1;
        throw new Error('first attempt fails');
      }
      async function backsOff(ctx: WorkflowContext): Promise<void> {
        await workflow.executeActivity(ctx, { retry: { maxAttempts: 3, firstRetryIntervalMs: 600_000 } }, failsOnce);
      }
      const client = await e2e.engine({ workflows: [backsOff], activities: [failsOnce] });
      const instance = await client.createWorkflowInstance({ instanceId: e2e.id('activity-backoff') }, backsOff);
      await untilRecorded(client, instance, 'TimerScheduled');
      await client.cancelWorkflowInstance(instance);
      await assert.rejects(client.getWorkflowResult(instance, 10_000), CanceledError);
      const types = typesOf(await client.getWorkflowInstanceHistory(instance));
      assert.ok(types.includes('TimerCanceled'), 'the backoff timer is removed');
      assert.equal(types.filter((t) => t === 'ActivityScheduled').length, 1);
      assert.equal(attempts, 1);
    });

    it('rejects a sub-workflow waiting between attempts at once when its scope is cancelled', async () => {
      let childRuns = 0;
      async function childFails(_ctx: WorkflowContext): Promise<void> {
        childRuns += 1;
        throw new Error('child fails');
      }
      async function retriesChild(ctx: WorkflowContext): Promise<string> {
        const [scope, cancel] = workflow.withCancel(ctx);
        const child = workflow.createSubWorkflowInstance(scope, { retry: { maxAttempts: 3, firstRetryIntervalMs: 600_000 } }, childFails);
        await workflow.newSignalChannel(ctx, 'cancel').receive();
        cancel();
        try {
          await child;
          return 'completed';
        } catch (err) {
          return workflow.isCanceled(err) ? 'canceled' : `failed: ${String(err)}`;
        }
      }
      const client = await e2e.engine({ workflows: [retriesChild, childFails] });
      const instance = await client.createWorkflowInstance({ instanceId: e2e.id('child-backoff') }, retriesChild);
      await untilRecorded(client, instance, 'TimerScheduled');
      await client.signalWorkflow(instance.instanceId, 'cancel', null);
      assert.equal(await client.getWorkflowResult(instance, 10_000), 'canceled');
      const types = typesOf(await client.getWorkflowInstanceHistory(instance));
      assert.equal(types.filter((t) => t === 'SubWorkflowScheduled').length, 1, 'no further attempt');
      assert.ok(types.includes('TimerCanceled'));
      assert.equal(childRuns, 1);
    });
  });

  describe('sub-workflows', () => {
    let childRuns = 0;
    async function unservedChild(_ctx: WorkflowContext): Promise<string> {
      childRuns += 1;
      return 'ran';
    }
    beforeEach(() => {
      childRuns = 0;
    });

    /** Checks that the child `parent` started ended cancelled without running, and that `parent` was told so. */
    async function assertEndedBeforeStart(client: Client, parent: WorkflowInstance): Promise<void> {
      const history = await client.getWorkflowInstanceHistory(parent);
      const scheduled = history.find((e) => e.type === 'SubWorkflowScheduled');
      assert.ok(scheduled?.type === 'SubWorkflowScheduled');
      const failed = history.find((e) => e.type === 'SubWorkflowFailed');
      assert.ok(failed?.type === 'SubWorkflowFailed');
      assert.equal(failed.scheduleEventId, scheduled.scheduleEventId);
      assert.equal(failed.attributes.error.type, 'CanceledError');
      const child = { instanceId: scheduled.attributes.instanceId, executionId: scheduled.attributes.executionId };
      assert.equal(await client.getWorkflowInstanceState(child), 'finished');
      await assert.rejects(client.getWorkflowResult(child, 1_000), CanceledError);
      assert.deepEqual(typesOf(await client.getWorkflowInstanceHistory(child)), [
        'WorkflowExecutionStarted',
        'WorkflowExecutionCanceled',
        'WorkflowExecutionFinished',
      ]);
      assert.equal(childRuns, 0);
    }

    it('ends a child no worker has started (same partition) when its parent is cancelled, and the parent ends cancelled', async () => {
      async function parentOfUnserved(ctx: WorkflowContext, childId: string): Promise<string> {
        return workflow.createSubWorkflowInstance(ctx, { instanceId: childId, queue: 'nobody' }, unservedChild);
      }
      const client = await e2e.engine({ workflows: [parentOfUnserved, unservedChild] });
      const parentId = e2e.id('unserved-parent');
      const childId = idBeside('unserved-child', parentId, true);
      const instance = await client.createWorkflowInstance({ instanceId: parentId }, parentOfUnserved, childId);
      await untilRecorded(client, instance, 'SubWorkflowScheduled');
      await client.cancelWorkflowInstance(instance);
      await assert.rejects(client.getWorkflowResult(instance, 10_000), CanceledError);
      await assertEndedBeforeStart(client, instance);
    });

    it('ends a child no worker has started (another partition, when there are several) when its scope is cancelled', async () => {
      async function cancelsRemoteChild(ctx: WorkflowContext, childId: string): Promise<string> {
        const [scope, cancel] = workflow.withCancel(ctx);
        const child = workflow.createSubWorkflowInstance(scope, { instanceId: childId, queue: 'nobody' }, unservedChild);
        await workflow.sleep(ctx, 1);
        cancel();
        try {
          await child;
          return 'completed';
        } catch (err) {
          // As for an unclaimed activity: the scope's own CanceledError, not the child's failure record.
          return err instanceof CanceledError ? 'CanceledError' : String(err);
        }
      }
      const client = await e2e.engine({ workflows: [cancelsRemoteChild, unservedChild] });
      const parentId = e2e.id('remote-parent');
      const childId = idBeside('remote-child', parentId, false);
      const instance = await client.createWorkflowInstance({ instanceId: parentId }, cancelsRemoteChild, childId);
      assert.equal(await client.getWorkflowResult(instance, 10_000), 'CanceledError');
      await assertEndedBeforeStart(client, instance);
    });

    it("rejects with CanceledError when a started child the scope asked to cancel ends cancelled, and with the child's error when it fails otherwise", async () => {
      async function childEnds(ctx: WorkflowContext, how: string, parentId: string): Promise<string> {
        await workflow.signalWorkflow(ctx, parentId, 'child-started', null);
        await ctx.done;
        if (how === 'cleanup fails') throw new RangeError('cleanup failed');
        // Rejects with CanceledError: the child's context is cancelled.
        await workflow.sleep(ctx, 1);
        return 'not cancelled';
      }
      async function cancelsStartedChild(ctx: WorkflowContext, how: string): Promise<string> {
        const [scope, cancel] = workflow.withCancel(ctx);
        const child = workflow.createSubWorkflowInstance(scope, {}, childEnds, how, workflow.workflowInstance(ctx).instanceId);
        await workflow.newSignalChannel(ctx, 'child-started').receive();
        cancel();
        try {
          return await child;
        } catch (err) {
          if (err instanceof CanceledError) return 'CanceledError';
          assert.ok(err instanceof WorkflowError);
          return `WorkflowError ${err.type}: ${err.message}`;
        }
      }
      const client = await e2e.engine({ workflows: [cancelsStartedChild, childEnds] });
      const cases: [how: string, expected: string][] = [
        ['ends cancelled', 'CanceledError'],
        ['cleanup fails', 'WorkflowError RangeError: cleanup failed'],
      ];
      for (const [how, expected] of cases) {
        const instance = await client.createWorkflowInstance({ instanceId: e2e.id('started-child-parent') }, cancelsStartedChild, how);
        assert.equal(await client.getWorkflowResult(instance, 10_000), expected, how);
        const history = await client.getWorkflowInstanceHistory(instance);
        assert.ok(typesOf(history).includes('SubWorkflowCancellationRequested'), 'the child had started and was asked to cancel');
        const failed = history.find((e) => e.type === 'SubWorkflowFailed');
        assert.ok(failed?.type === 'SubWorkflowFailed');
        assert.equal(failed.attributes.error.type, how === 'ends cancelled' ? 'CanceledError' : 'RangeError');
      }
    });
  });
}
