import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Backend } from '../../src/backend/backend.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { InstanceNotFinishedError, InstanceNotFoundError } from '../../src/errors/errors.js';
import { newEvent, type NewEventOf } from '../../src/history/events.js';
import { completion, continuing, finishing, harness, instance, started, type BackendFactory, type Harness } from './harness.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Continue-as-new chains (the executions of one instance id linked by continue-as-new) are removed and
 * expire as a whole, once their latest execution has finished; instance ids resolve to their latest execution.
 */
export function chainTests(h: Harness, backend: () => Backend, createBackend: BackendFactory): void {
  /** Runs the active execution `current` on `b` until it continues as new; returns the next execution. */
  async function continueAsNew(b: Backend, current: WorkflowInstance, on: Harness = h): Promise<WorkflowInstance> {
    const task = await on.pollOne();
    assert.deepEqual(task.instance, current);
    const next = { instanceId: current.instanceId, executionId: randomUUID() };
    await b.completeWorkflowTask(task, continuing(task, next));
    return next;
  }

  /** Runs the active execution `current` on `b` to its end. */
  async function finish(b: Backend, current: WorkflowInstance, on: Harness = h): Promise<void> {
    const task = await on.pollOne();
    assert.deepEqual(task.instance, current);
    await b.completeWorkflowTask(task, finishing(task, 'done'));
  }

  /** Starts an instance that continues as new `times` times; returns its executions, oldest first. */
  async function chain(times: number, b: Backend = backend(), on: Harness = h, inst = instance()): Promise<WorkflowInstance[]> {
    await b.createWorkflowInstance(inst, started());
    const executions = [inst];
    for (let i = 0; i < times; i++) executions.push(await continueAsNew(b, executions.at(-1) as WorkflowInstance, on));
    return executions;
  }

  async function listed(b: Backend, instanceId: string): Promise<string[]> {
    const page = await b.listWorkflowInstances({ count: 100 });
    return page.instances.filter((info) => info.instance.instanceId === instanceId).map((info) => info.instance.executionId).sort();
  }

  const ids = (executions: WorkflowInstance[]): string[] => executions.map((e) => e.executionId).sort();

  describe('continue-as-new chains', () => {
    it('removes no execution of a chain whose latest execution is active, by any call', async () => {
      const executions = await chain(2);
      const [first, second, latest] = executions as [WorkflowInstance, WorkflowInstance, WorkflowInstance];
      for (const execution of executions) {
        await assert.rejects(backend().removeWorkflowInstance(execution), InstanceNotFinishedError);
      }
      assert.equal(await backend().removeWorkflowInstances(new Date(Date.now() + 60_000)), 0);
      assert.equal(await backend().getWorkflowInstanceState(first), 'continued-as-new');
      assert.equal(await backend().getWorkflowInstanceState(second), 'continued-as-new');
      assert.equal(await backend().getWorkflowInstanceState(latest), 'active');
      assert.equal((await backend().getWorkflowInstanceHistory(first)).at(-1)?.type, 'WorkflowExecutionContinuedAsNew');
      assert.deepEqual(await listed(backend(), first.instanceId), ids(executions));
      assert.equal((await backend().getStats()).activeWorkflowInstances, 1);
    });

    it('removes a finished chain as a whole, whichever of its executions is named', async () => {
      const executions = await chain(2);
      const [first, middle, latest] = executions as [WorkflowInstance, WorkflowInstance, WorkflowInstance];
      await finish(backend(), latest);
      await backend().removeWorkflowInstance(middle);
      for (const execution of executions) {
        await assert.rejects(backend().getWorkflowInstanceState(execution), InstanceNotFoundError);
        await assert.rejects(backend().getWorkflowInstanceHistory(execution), InstanceNotFoundError);
        await assert.rejects(backend().removeWorkflowInstance(execution), InstanceNotFoundError);
      }
      assert.deepEqual(await listed(backend(), first.instanceId), []);
      await assert.rejects(backend().getLatestExecution(first.instanceId), InstanceNotFoundError);
      assert.equal(await backend().removeWorkflowInstances(new Date(Date.now() + 60_000)), 0, 'nothing is left in the indexes');
      // The id is free again.
      await backend().createWorkflowInstance({ instanceId: first.instanceId, executionId: randomUUID() }, started());
    });

    it('judges a chain by the time its latest execution finished', async () => {
      const executions = await chain(1);
      const [first, latest] = executions as [WorkflowInstance, WorkflowInstance];
      await sleep(20);
      const cutoff = new Date();
      await sleep(20);
      await finish(backend(), latest);
      assert.equal(await backend().removeWorkflowInstances(cutoff), 0, 'its first execution ended before the cutoff, the chain after it');
      assert.equal(await backend().getWorkflowInstanceState(first), 'continued-as-new');
      assert.equal(await backend().getWorkflowInstanceState(latest), 'finished');
      assert.equal(await backend().removeWorkflowInstances(new Date(Date.now() + 1_000)), 2);
      assert.deepEqual(await listed(backend(), first.instanceId), []);
    });

    it('keeps every execution of a chain while its latest is active, then expires the chain as a whole (retentionMs)', async () => {
      const retained = await createBackend({ retentionMs: 300 });
      const r = harness(() => retained);
      try {
        const executions = await chain(2, retained, r);
        const [first, second, latest] = executions as [WorkflowInstance, WorkflowInstance, WorkflowInstance];
        await sleep(700);
        assert.equal(await retained.getWorkflowInstanceState(first), 'continued-as-new');
        assert.equal(await retained.getWorkflowInstanceState(second), 'continued-as-new');
        assert.equal((await retained.getWorkflowInstanceHistory(first)).length, 3);
        assert.deepEqual(await listed(retained, first.instanceId), ids(executions));
        await finish(retained, latest, r);
        assert.equal(await retained.getWorkflowInstanceState(first), 'continued-as-new', 'kept for the retention time');
        await sleep(700);
        for (const execution of executions) await assert.rejects(retained.getWorkflowInstanceState(execution), InstanceNotFoundError);
        assert.deepEqual(await listed(retained, first.instanceId), []);
        assert.equal(await retained.removeWorkflowInstances(new Date(Date.now() + 60_000)), 0);
      } finally {
        await retained.close();
      }
    });

    it('starts a new chain when a finished id is reused, which neither keeps the old one nor takes it along', async () => {
      const old = await chain(1);
      const [oldFirst, oldLatest] = old as [WorkflowInstance, WorkflowInstance];
      await finish(backend(), oldLatest);
      const renewed = await chain(1, backend(), h, { instanceId: oldFirst.instanceId, executionId: randomUUID() });
      const [newFirst, newLatest] = renewed as [WorkflowInstance, WorkflowInstance];
      assert.deepEqual(await backend().getLatestExecution(oldFirst.instanceId), newLatest);
      const firstTask = await h.pollOne();
      await backend().completeWorkflowTask(firstTask, completion(firstTask));

      // Cancelling the old chain reaches nothing: it has finished, whatever the id runs now.
      await backend().cancelWorkflowInstance(oldFirst);
      assert.deepEqual(await h.poll({ waitMs: 300 }), [], 'the new chain got no cancellation');

      await assert.rejects(backend().removeWorkflowInstance(newFirst), InstanceNotFinishedError);
      assert.equal(await backend().removeWorkflowInstances(new Date(Date.now() + 60_000)), 2, 'the old chain goes');
      for (const execution of old) await assert.rejects(backend().getWorkflowInstanceState(execution), InstanceNotFoundError);
      assert.equal(await backend().getWorkflowInstanceState(newFirst), 'continued-as-new');
      assert.equal(await backend().getWorkflowInstanceState(newLatest), 'active');
      assert.deepEqual(await backend().getLatestExecution(oldFirst.instanceId), newLatest);
      assert.deepEqual(await listed(backend(), oldFirst.instanceId), ids(renewed));

      await backend().signalWorkflow(newLatest.instanceId, newEvent('SignalReceived', { name: 'go', arg: null }) as NewEventOf<'SignalReceived'>);
      await finish(backend(), newLatest);
      await backend().removeWorkflowInstance(newLatest);
      assert.deepEqual(await listed(backend(), oldFirst.instanceId), []);
    });

    it('removes an old chain of a reused id by name while the new chain runs', async () => {
      const old = await chain(1);
      const [oldFirst, oldLatest] = old as [WorkflowInstance, WorkflowInstance];
      await finish(backend(), oldLatest);
      const current = { instanceId: oldFirst.instanceId, executionId: randomUUID() };
      await backend().createWorkflowInstance(current, started());
      await backend().removeWorkflowInstance(oldFirst);
      for (const execution of old) await assert.rejects(backend().getWorkflowInstanceState(execution), InstanceNotFoundError);
      assert.equal(await backend().getWorkflowInstanceState(current), 'active');
      assert.deepEqual(await backend().getLatestExecution(current.instanceId), current);
      const task = await h.pollOne();
      assert.deepEqual(task.instance, current);
      await backend().completeWorkflowTask(task, completion(task));
    });

    it('expires an old chain of a reused id without touching the new one (retentionMs)', async () => {
      const retained = await createBackend({ retentionMs: 300 });
      const r = harness(() => retained);
      try {
        const old = await chain(1, retained, r);
        await finish(retained, old[1] as WorkflowInstance, r);
        const current = { instanceId: old[0]?.instanceId as string, executionId: randomUUID() };
        await retained.createWorkflowInstance(current, started());
        await sleep(700);
        for (const execution of old) await assert.rejects(retained.getWorkflowInstanceState(execution), InstanceNotFoundError);
        assert.equal(await retained.getWorkflowInstanceState(current), 'active');
        assert.deepEqual(await retained.getLatestExecution(current.instanceId), current);
        assert.deepEqual(await listed(retained, current.instanceId), [current.executionId]);
      } finally {
        await retained.close();
      }
    });

    it('names the latest execution of an instance id', async () => {
      await assert.rejects(backend().getLatestExecution(`unknown-${randomUUID()}`), InstanceNotFoundError);
      const first = instance();
      await backend().createWorkflowInstance(first, started());
      assert.deepEqual(await backend().getLatestExecution(first.instanceId), first);
      const next = await continueAsNew(backend(), first);
      assert.deepEqual(await backend().getLatestExecution(first.instanceId), next);
      await finish(backend(), next);
      assert.deepEqual(await backend().getLatestExecution(first.instanceId), next, 'still named once finished');
    });
  });
}
