import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { InstanceNotFoundError } from '../../src/errors/errors.js';
import { newEvent, type NewEventOf } from '../../src/history/events.js';
import { completion, finishing, instance, type Harness } from './harness.js';

function signal(name: string, arg: unknown): NewEventOf<'SignalReceived'> {
  return newEvent('SignalReceived', { name, arg }) as NewEventOf<'SignalReceived'>;
}

/** Signals and cancellation requests from clients. */
export function messagingTests(h: Harness, backend: () => Backend): void {
  describe('signals and cancellation from clients', () => {
    it('delivers a signal to the active execution and queues it', async () => {
      const inst = instance();
      await h.startAndComplete(inst);
      await backend().signalWorkflow(inst.instanceId, signal('go', { n: 1 }));
      const task = await h.pollOne();
      assert.deepEqual(task.instance, inst);
      assert.deepEqual(task.newEvents.map((e) => [e.type, e.attributes]), [['SignalReceived', { name: 'go', arg: { n: 1 } }]]);
    });

    it('keeps signals in arrival order and wakes a locked instance once, after its task', async () => {
      const inst = instance();
      await h.startAndComplete(inst);
      await backend().signalWorkflow(inst.instanceId, signal('s', 1));
      const busy = await h.pollOne();
      await backend().signalWorkflow(inst.instanceId, signal('s', 2));
      await backend().signalWorkflow(inst.instanceId, signal('s', 3));
      assert.deepEqual(await h.poll({ waitMs: 300 }), [], 'no second task while locked');
      await backend().completeWorkflowTask(busy, completion(busy));
      const next = await h.pollOne();
      assert.deepEqual(next.newEvents.map((e) => e.attributes), [{ name: 's', arg: 2 }, { name: 's', arg: 3 }]);
      assert.deepEqual(await h.poll({ waitMs: 300 }), []);
    });

    it('rejects a signal to an unknown or finished instance id and writes nothing', async () => {
      await assert.rejects(backend().signalWorkflow(instance().instanceId, signal('x', 0)), InstanceNotFoundError);
      const inst = instance();
      await h.startAndFinish(inst);
      await assert.rejects(backend().signalWorkflow(inst.instanceId, signal('x', 0)), InstanceNotFoundError);
      assert.deepEqual(await h.poll({ waitMs: 300 }), []);
      assert.equal((await backend().getWorkflowInstanceHistory(inst)).length, 3);
    });

    it('cancels an active execution: WorkflowExecutionCanceled in its next task', async () => {
      const inst = instance();
      await h.startAndComplete(inst);
      await backend().cancelWorkflowInstance(inst);
      const task = await h.pollOne();
      assert.deepEqual(task.newEvents.map((e) => e.type), ['WorkflowExecutionCanceled']);
    });

    it('leaves a finished execution alone and rejects an unknown one', async () => {
      const inst = instance();
      await h.startAndFinish(inst);
      await backend().cancelWorkflowInstance(inst);
      assert.deepEqual(await h.poll({ waitMs: 300 }), []);
      assert.equal(await backend().getWorkflowInstanceState(inst), 'finished');
      await assert.rejects(backend().cancelWorkflowInstance(instance()), InstanceNotFoundError);
    });

    it('delivers a cancellation that arrives while the task runs after its completion', async () => {
      const inst = instance();
      await h.startAndComplete(inst);
      await backend().signalWorkflow(inst.instanceId, signal('s', 1));
      const busy = await h.pollOne();
      await backend().cancelWorkflowInstance(inst);
      await backend().completeWorkflowTask(busy, completion(busy));
      const next = await h.pollOne();
      assert.deepEqual(next.newEvents.map((e) => e.type), ['WorkflowExecutionCanceled']);
    });

    it('drops what arrived while the last task ran once the execution finishes', async () => {
      const inst = instance();
      await h.startAndComplete(inst);
      await backend().signalWorkflow(inst.instanceId, signal('s', 1));
      const last = await h.pollOne();
      await backend().signalWorkflow(inst.instanceId, signal('s', 2));
      await backend().completeWorkflowTask(last, finishing(last, 'done'));
      assert.deepEqual(await h.poll({ waitMs: 300 }), []);
      assert.equal(await backend().getWorkflowInstanceState(inst), 'finished');
    });
  });
}
