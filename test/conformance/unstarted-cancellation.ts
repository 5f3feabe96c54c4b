import assert from 'node:assert/strict';
import type { Backend, WorkflowTask, WorkflowTaskCompletion } from '../../src/backend/backend.js';
import { executionKey, type WorkflowInstance } from '../../src/core/instance.js';
import { newEvent, type NewEvent, type NewEventOf } from '../../src/history/events.js';
import { completion, finishing, instance, numbered, started, type Harness } from './harness.js';

const wake = newEvent('SignalReceived', { name: 'wake', arg: null }) as NewEventOf<'SignalReceived'>;

function errorTypeOf(event: NewEvent | undefined): string | undefined {
  return (event?.attributes as { error?: { type: string } } | undefined)?.error?.type;
}

/** Cancelling activity attempts no worker has claimed, and sub-workflows no worker has started. */
export function unstartedCancellationTests(h: Harness, backend: () => Backend): void {
  /** A completion of `task` that schedules activity attempt `seid` on `queue`. */
  function scheduling(task: WorkflowTask, seid: number, queue: string): WorkflowTaskCompletion {
    const events = numbered(task, [
      newEvent('WorkflowTaskStarted', {}),
      ...task.newEvents,
      newEvent('ActivityScheduled', { name: 'act', queue, inputs: [], attempt: 0 }, seid),
    ]);
    return { ...completion(task), events, activities: [{ scheduleEventId: seid, name: 'act', queue, inputs: [], attempt: 0 }] };
  }

  /** Claims tasks until one of `inst` comes and returns it, claimed; the others are committed plainly. */
  async function taskOf(inst: WorkflowInstance, waitMs = 5_000): Promise<WorkflowTask> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      assert.ok(Date.now() < deadline, `timed out waiting for a task of ${inst.instanceId}`);
      let mine: WorkflowTask | undefined;
      for (const task of await h.poll({ waitMs: 300 })) {
        if (mine === undefined && executionKey(task.instance) === executionKey(inst)) mine = task;
        else await backend().completeWorkflowTask(task, completion(task));
      }
      if (mine !== undefined) return mine;
    }
  }

  /** An instance that has scheduled activity attempt 3 on `queue`, woken by a signal and claimed again. */
  async function withScheduledActivity(queue: string): Promise<{ inst: WorkflowInstance; task: WorkflowTask }> {
    const inst = instance();
    await backend().createWorkflowInstance(inst, started());
    const first = await taskOf(inst);
    await backend().completeWorkflowTask(first, scheduling(first, 3, queue));
    await backend().signalWorkflow(inst.instanceId, wake);
    return { inst, task: await taskOf(inst) };
  }

  const cancelAttempt3 = (queue: string): Partial<WorkflowTaskCompletion> => ({ canceledActivities: [{ scheduleEventId: 3, queue }] });

  describe('cancelling work that has not started', () => {
    it('removes a cancelled activity attempt no worker has claimed, and answers ActivityFailed (CanceledError)', async () => {
      const { inst, task } = await withScheduledActivity('nobody');
      await backend().completeWorkflowTask(task, completion(task, cancelAttempt3('nobody')));
      const next = await taskOf(inst);
      assert.deepEqual(next.newEvents.map((e) => [e.type, e.scheduleEventId]), [['ActivityFailed', 3]]);
      assert.equal(errorTypeOf(next.newEvents[0]), 'CanceledError');
      assert.deepEqual(await h.pollActivities({ queues: ['nobody'], waitMs: 300 }), [], 'the attempt never runs');
      assert.equal((await backend().getStats()).pendingActivityTasks.nobody ?? 0, 0);
    });

    it('removes an attempt its worker gave back, as one no worker has claimed', async () => {
      const { inst, task } = await withScheduledActivity('default');
      const [claimed] = await h.pollActivities();
      assert.ok(claimed !== undefined);
      await backend().releaseActivityTask(claimed);
      await backend().completeWorkflowTask(task, completion(task, cancelAttempt3('default')));
      assert.equal(errorTypeOf((await taskOf(inst)).newEvents[0]), 'CanceledError');
      assert.deepEqual(await h.pollActivities({ waitMs: 300 }), []);
    });

    it('removes an attempt its worker gave back for later at once, before its delay ends', async () => {
      const { inst, task } = await withScheduledActivity('default');
      const [claimed] = await h.pollActivities();
      assert.ok(claimed !== undefined);
      await backend().releaseActivityTask(claimed, 60_000);
      await backend().completeWorkflowTask(task, completion(task, cancelAttempt3('default')));
      const next = await taskOf(inst);
      assert.deepEqual(next.newEvents.map((e) => [e.type, e.scheduleEventId]), [['ActivityFailed', 3]]);
      assert.equal(errorTypeOf(next.newEvents[0]), 'CanceledError');
      assert.deepEqual(await h.pollActivities({ lockMs: 50, waitMs: 300 }), [], 'the attempt never runs');
      assert.equal((await backend().getStats()).pendingActivityTasks.default ?? 0, 0);
    });

    it('leaves an attempt a worker has claimed to run to its end, and delivers its outcome', async () => {
      const { inst, task } = await withScheduledActivity('default');
      const [claimed] = await h.pollActivities();
      assert.ok(claimed !== undefined);
      await backend().completeWorkflowTask(task, completion(task, cancelAttempt3('default')));
      assert.deepEqual(await h.poll({ waitMs: 300 }), [], 'no answer to the cancellation');
      await backend().completeActivityTask(claimed, { result: 'done anyway' });
      const next = await taskOf(inst);
      assert.deepEqual(next.newEvents.map((e) => [e.type, e.scheduleEventId, e.attributes]), [['ActivityCompleted', 3, { result: 'done anyway' }]]);
    });

    it('removes an unclaimed attempt of an execution that ends in the cancelling task', async () => {
      const { inst, task } = await withScheduledActivity('nobody');
      await backend().completeWorkflowTask(task, finishing(task, 'done', cancelAttempt3('nobody')));
      assert.equal(await backend().getWorkflowInstanceState(inst), 'finished');
      assert.deepEqual(await h.pollActivities({ queues: ['nobody'], waitMs: 300 }), []);
    });

    describe('a sub-workflow', () => {
      function childStarted(parent: WorkflowInstance, queue: string): NewEventOf<'WorkflowExecutionStarted'> {
        const attributes = { name: 'child', queue, inputs: [], parent: { ...parent, scheduleEventId: 3 } };
        return newEvent('WorkflowExecutionStarted', attributes) as NewEventOf<'WorkflowExecutionStarted'>;
      }

      /** A parent that has started `child` on `queue` (command 3). */
      async function parentOf(child: WorkflowInstance, queue: string): Promise<WorkflowInstance> {
        const parent = instance();
        await h.startAndComplete(parent, { subWorkflows: [{ scheduleEventId: 3, instance: child, started: childStarted(parent, queue) }] });
        return parent;
      }

      /** Wakes `parent` and commits a task that asks `child` (command 3) to cancel. */
      async function cancelFrom(parent: WorkflowInstance, child: WorkflowInstance): Promise<void> {
        await backend().signalWorkflow(parent.instanceId, wake);
        const task = await taskOf(parent);
        await backend().completeWorkflowTask(task, completion(task, { cancellations: [{ ...child, scheduleEventId: 3 }] }));
      }

      it('ends one no worker has started, cancelled, and answers its parent SubWorkflowFailed (CanceledError)', async () => {
        const child = instance();
        const parent = await parentOf(child, 'nobody');
        const deadline = Date.now() + 5_000;
        while ((await backend().getWorkflowInstanceState(child).catch(() => undefined)) === undefined) {
          assert.ok(Date.now() < deadline, 'the child was never created');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await cancelFrom(parent, child);
        const answer = await taskOf(parent);
        assert.deepEqual(answer.newEvents.map((e) => [e.type, e.scheduleEventId]), [['SubWorkflowFailed', 3]]);
        assert.equal(errorTypeOf(answer.newEvents[0]), 'CanceledError');
        assert.equal(await backend().getWorkflowInstanceState(child), 'finished');
        const history = await backend().getWorkflowInstanceHistory(child);
        assert.deepEqual(history.map((e) => e.type), ['WorkflowExecutionStarted', 'WorkflowExecutionCanceled', 'WorkflowExecutionFinished']);
        assert.deepEqual(history[0]?.attributes, childStarted(parent, 'nobody').attributes);
        const outcome = await backend().getWorkflowInstanceOutcome(child);
        assert.equal(outcome?.type === 'WorkflowExecutionFinished' ? outcome.attributes.error?.type : undefined, 'CanceledError');
        assert.deepEqual(await h.poll({ queues: ['nobody'], waitMs: 300 }), [], 'the child never runs');
      });

      it('asks one whose first task a worker is running to cancel, and lets that task commit', async () => {
        const child = instance();
        const parent = await parentOf(child, 'default');
        const first = await taskOf(child);
        await cancelFrom(parent, child);
        await backend().completeWorkflowTask(first, completion(first));
        const next = await taskOf(child);
        assert.deepEqual(next.newEvents.map((e) => e.type), ['WorkflowExecutionCanceled']);
        assert.equal(await backend().getWorkflowInstanceState(child), 'active');
      });
    });
  });
}
