import assert from 'node:assert/strict';
import type { Backend, WorkflowTaskHold } from '../../src/backend/backend.js';
import { InstanceNotFoundError, LeaseLostError } from '../../src/errors/errors.js';
import { newEvent, type NewEventOf } from '../../src/history/events.js';
import { completion, instance, started, type Harness } from './harness.js';

const signal = newEvent('SignalReceived', { name: 'go', arg: 'late' }) as NewEventOf<'SignalReceived'>;

function holdOf(maxAttempts: number, firstRetryIntervalMs = 60_000): WorkflowTaskHold {
  return {
    reason: 'engine-error',
    error: { type: 'TypeError', message: 'boom' },
    retry: { firstRetryIntervalMs, backoffCoefficient: 2, maxRetryIntervalMs: 60_000, maxAttempts },
  };
}

/** Held workflow tasks (`holdWorkflowTask`, `listHeldWorkflowInstances`, `retryHeldWorkflowInstance`), fenced like completions. */
export function heldTaskTests(h: Harness, backend: () => Backend): void {
  describe('held workflow tasks', () => {
    it('refuses the hold of a task whose lease was lost, and changes nothing', async () => {
      const inst = instance();
      await backend().createWorkflowInstance(inst, started());
      const lost = await h.pollOne({ lockMs: 100 });
      const taken = await h.pollOne({ waitMs: 3_000 });
      assert.equal(taken.lockToken, lost.lockToken + 1, 'another claim took it after the lease ran out');
      await assert.rejects(backend().holdWorkflowTask(lost, holdOf(10)), LeaseLostError);
      assert.deepEqual((await backend().listHeldWorkflowInstances({ count: 10 })).instances, []);
      assert.equal((await backend().getStats()).heldWorkflowInstances, 0);
      await backend().completeWorkflowTask(taken, completion(taken));
      assert.equal((await backend().getWorkflowInstanceHistory(inst)).length, 2, 'the holder of the lease commits');
    });

    it('keeps events that arrive for a parked task without queueing it, until an operator retries it', async () => {
      const inst = instance();
      await backend().createWorkflowInstance(inst, started());
      const task = await h.pollOne();
      const held = await backend().holdWorkflowTask(task, holdOf(1));
      assert.equal(held.attempts, 1);
      assert.equal(held.retryAt, undefined, 'parked at once');
      await assert.rejects(backend().holdWorkflowTask(task, holdOf(1)), LeaseLostError, 'the hold gave the lease up');

      const [listed] = (await backend().listHeldWorkflowInstances({ count: 10 })).instances;
      assert.deepEqual(listed?.instance, inst);
      assert.equal(listed?.name, 'wf');
      assert.equal(listed?.reason, 'engine-error');
      assert.deepEqual(listed?.error, { type: 'TypeError', message: 'boom' });
      assert.equal(listed?.parked, true);
      assert.equal((await backend().getStats()).heldWorkflowInstances, 1);
      assert.equal((await backend().getStats()).pendingWorkflowTasks.default ?? 0, 0, 'a held task is not pending');

      await backend().signalWorkflow(inst.instanceId, signal);
      assert.deepEqual(await h.poll({ waitMs: 300 }), [], 'the signal queued nothing');
      assert.equal(await backend().getWorkflowInstanceState(inst), 'active');

      assert.equal(await backend().retryHeldWorkflowInstance(inst), true);
      const again = await h.pollOne();
      assert.deepEqual(again.newEvents.map((e) => e.type), ['WorkflowExecutionStarted', 'SignalReceived'], 'nothing was lost');
      await backend().completeWorkflowTask(again, completion(again));
      assert.deepEqual((await backend().listHeldWorkflowInstances({ count: 10 })).instances, [], 'the commit cleared nothing left');
      assert.equal(await backend().retryHeldWorkflowInstance(inst), false, 'not held');
      await assert.rejects(backend().retryHeldWorkflowInstance(instance()), InstanceNotFoundError);
    });

    it('makes a backing-off task claimable again after its backoff, counting attempts until a commit clears them', async () => {
      const inst = instance();
      await backend().createWorkflowInstance(inst, started());
      let task = await h.pollOne();
      const first = await backend().holdWorkflowTask(task, holdOf(10, 200));
      assert.ok(first.retryAt !== undefined && first.retryAt.getTime() - first.since.getTime() >= 150);
      assert.deepEqual(await h.poll({ waitMs: 100 }), [], 'not before its backoff');
      task = await h.pollOne({ waitMs: 5_000 });
      const second = await backend().holdWorkflowTask(task, holdOf(10, 200));
      assert.equal(second.attempts, 2);
      assert.equal(second.since.getTime(), first.since.getTime());
      assert.equal((await backend().listHeldWorkflowInstances({ count: 10 })).instances[0]?.attempts, 2);
      task = await h.pollOne({ waitMs: 5_000 });
      await backend().completeWorkflowTask(task, completion(task));
      assert.equal((await backend().getStats()).heldWorkflowInstances, 0);
    });

    it('counts the attempts of each reason apart: holds for another reason do not use them up', async () => {
      const inst = instance();
      await backend().createWorkflowInstance(inst, started());
      const unknown: WorkflowTaskHold = Object.assign(holdOf(Number.MAX_SAFE_INTEGER, 50), { reason: 'unknown-workflow' as const });
      let task = await h.pollOne();
      for (let i = 1; i <= 3; i++) {
        assert.equal((await backend().holdWorkflowTask(task, unknown)).attempts, i);
        task = await h.pollOne({ waitMs: 5_000 });
      }
      const failing = await backend().holdWorkflowTask(task, holdOf(2, 50));
      assert.equal(failing.attempts, 1, 'the first hold of its reason');
      assert.ok(failing.retryAt !== undefined, 'not parked: it has a second attempt');
      task = await h.pollOne({ waitMs: 5_000 });
      const parked = await backend().holdWorkflowTask(task, holdOf(2, 50));
      assert.equal(parked.attempts, 2);
      assert.equal(parked.retryAt, undefined, 'parked at its second attempt');
    });
  });
}
