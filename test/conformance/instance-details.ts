import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Backend } from '../../src/backend/backend.js';
import { InstanceNotFoundError } from '../../src/errors/errors.js';
import { continuing, finishing, instance, started, type Harness } from './harness.js';

/** `getWorkflowInstanceDetails`: an execution's fields, its hold and the execution it continued from. */
export function instanceDetailsTests(h: Harness, backend: () => Backend): void {
  describe('instance details', () => {
    it('gives an execution its listing fields, before its first task and after it ended', async () => {
      const inst = instance();
      await backend().createWorkflowInstance(inst, started('q-details'));
      const waiting = await backend().getWorkflowInstanceDetails(inst);
      assert.deepEqual(waiting.instance, inst);
      assert.equal(waiting.name, 'wf');
      assert.equal(waiting.queue, 'q-details');
      assert.equal(waiting.state, 'active');
      assert.ok(waiting.createdAt instanceof Date && !Number.isNaN(waiting.createdAt.getTime()));
      assert.equal(waiting.finishedAt, undefined);
      assert.equal(waiting.hold, undefined);
      assert.equal(waiting.continuedFrom, undefined);
      assert.deepEqual(waiting.startedAttributes?.inputs, [1, 'two'], 'the started event still waiting in the inbox');
      const listed = (await backend().listWorkflowInstances({ count: 1 })).instances[0];
      assert.equal(listed?.createdAt.getTime(), waiting.createdAt.getTime(), 'the same creation time as the listing');

      const task = await h.pollOne({ queues: ['q-details'] });
      await backend().completeWorkflowTask(task, finishing(task, 'done'));
      const ended = await backend().getWorkflowInstanceDetails(inst);
      assert.equal(ended.state, 'finished');
      assert.equal(ended.startedAttributes, undefined, 'in the history now');
      assert.ok(ended.finishedAt instanceof Date && ended.finishedAt.getTime() >= ended.createdAt.getTime());
    });

    it('gives a held execution its hold, and drops it once retried and committed', async () => {
      const inst = instance();
      await backend().createWorkflowInstance(inst, started());
      const task = await h.pollOne();
      const retry = { firstRetryIntervalMs: 60_000, backoffCoefficient: 2, maxRetryIntervalMs: 60_000, maxAttempts: 5 };
      const held = await backend().holdWorkflowTask(task, { reason: 'unsettled', error: { type: 'UnsettledWorkflowError', message: 'waits' }, retry });
      const details = await backend().getWorkflowInstanceDetails(inst);
      assert.deepEqual(details.hold, {
        reason: 'unsettled',
        error: { type: 'UnsettledWorkflowError', message: 'waits' },
        since: held.since,
        attempts: 1,
        retryAt: held.retryAt,
        parked: false,
      });
      assert.equal(await backend().retryHeldWorkflowInstance(inst), true);
      const again = await h.pollOne();
      await backend().completeWorkflowTask(again, finishing(again, null));
      assert.equal((await backend().getWorkflowInstanceDetails(inst)).hold, undefined);
    });

    it('names the execution each one of a chain continued from', async () => {
      const first = instance();
      const second = { instanceId: first.instanceId, executionId: randomUUID() };
      const third = { instanceId: first.instanceId, executionId: randomUUID() };
      await backend().createWorkflowInstance(first, started());
      const t1 = await h.pollOne();
      await backend().completeWorkflowTask(t1, continuing(t1, second));
      const t2 = await h.pollOne();
      await backend().completeWorkflowTask(t2, continuing(t2, third));
      assert.equal((await backend().getWorkflowInstanceDetails(first)).continuedFrom, undefined);
      assert.equal((await backend().getWorkflowInstanceDetails(first)).state, 'continued-as-new');
      assert.deepEqual((await backend().getWorkflowInstanceDetails(second)).continuedFrom, first);
      assert.deepEqual((await backend().getWorkflowInstanceDetails(third)).continuedFrom, second);
      assert.equal((await backend().getWorkflowInstanceDetails(third)).state, 'active');
    });

    it('rejects an unknown execution with InstanceNotFoundError', async () => {
      await assert.rejects(backend().getWorkflowInstanceDetails(instance()), InstanceNotFoundError);
      const inst = instance();
      await backend().createWorkflowInstance(inst, started());
      await assert.rejects(backend().getWorkflowInstanceDetails({ instanceId: inst.instanceId, executionId: randomUUID() }), InstanceNotFoundError);
    });
  });
}
