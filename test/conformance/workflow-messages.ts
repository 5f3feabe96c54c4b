import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Backend, WorkflowTask, WorkflowTaskCompletion } from '../../src/backend/backend.js';
import { partitionOf } from '../../src/backend/redis/partition.js';
import { executionKey, type WorkflowInstance } from '../../src/core/instance.js';
import { InstanceNotFoundError } from '../../src/errors/errors.js';
import { newEvent, type NewEvent, type NewEventOf } from '../../src/history/events.js';
import { completion, continuing, finishing, instance, started, type Harness } from './harness.js';

function signal(name: string, arg: unknown): NewEventOf<'SignalReceived'> {
  return newEvent('SignalReceived', { name, arg }) as NewEventOf<'SignalReceived'>;
}

function cancellation(): NewEventOf<'WorkflowExecutionCanceled'> {
  return newEvent('WorkflowExecutionCanceled', {}) as NewEventOf<'WorkflowExecutionCanceled'>;
}

function childStarted(parent: WorkflowInstance, scheduleEventId: number): NewEventOf<'WorkflowExecutionStarted'> {
  const attributes = { name: 'child', queue: 'default', inputs: [scheduleEventId], parent: { ...parent, scheduleEventId } };
  return newEvent('WorkflowExecutionStarted', attributes) as NewEventOf<'WorkflowExecutionStarted'>;
}

const summary = (events: NewEvent[]): Array<[string, number | undefined]> => events.map((e) => [e.type, e.scheduleEventId]);

/** What workflow tasks send to other executions when they commit, and continue-as-new. */
export function workflowMessageTests(h: Harness, backend: () => Backend): void {
  /**
   * Polls until `until` holds for the events each execution received, committing every task it claims
   * (plainly, or with `complete` for chosen executions). Messages between partitions arrive a little
   * later, possibly in a task of their own, so tests look at what arrived, not at task boundaries.
   */
  async function receive(
    until: (received: Map<string, NewEvent[]>) => boolean,
    complete: (task: WorkflowTask) => WorkflowTaskCompletion = (task) => completion(task),
    waitMs = 5_000,
  ): Promise<Map<string, NewEvent[]>> {
    const received = new Map<string, NewEvent[]>();
    const deadline = Date.now() + waitMs;
    while (!until(received)) {
      assert.ok(Date.now() < deadline, `timed out; received ${JSON.stringify([...received].map(([k, v]) => [k, summary(v)]))}`);
      for (const task of await h.poll({ waitMs: 300 })) {
        const key = executionKey(task.instance);
        received.set(key, [...(received.get(key) ?? []), ...task.newEvents]);
        await backend().completeWorkflowTask(task, complete(task));
      }
    }
    return received;
  }

  const typesOf = (received: Map<string, NewEvent[]>, inst: WorkflowInstance): string[] =>
    (received.get(executionKey(inst)) ?? []).map((e) => e.type);

  describe('messages from workflow tasks', () => {
    it('starts a sub-workflow when the parent task commits', async () => {
      const parent = instance();
      const child = instance();
      await h.startAndComplete(parent, { subWorkflows: [{ scheduleEventId: 3, instance: child, started: childStarted(parent, 3) }] });
      const task = await h.pollOne({ waitMs: 3_000 });
      assert.deepEqual(task.instance, child);
      assert.deepEqual(task.newEvents.map((e) => e.type), ['WorkflowExecutionStarted']);
      assert.deepEqual(task.newEvents[0]?.attributes, childStarted(parent, 3).attributes);
      assert.equal(await backend().getWorkflowInstanceState(child), 'active');
    });

    it('answers SubWorkflowFailed (InstanceAlreadyExistsError) when the child id is active, and creates nothing', async () => {
      const busy = instance();
      await h.startAndComplete(busy);
      const parent = instance();
      const clash = { instanceId: busy.instanceId, executionId: randomUUID() };
      await h.startAndComplete(parent, { subWorkflows: [{ scheduleEventId: 4, instance: clash, started: childStarted(parent, 4) }] });
      const received = await receive((r) => typesOf(r, parent).length > 0);
      const [failed] = received.get(executionKey(parent)) ?? [];
      assert.equal(failed?.type, 'SubWorkflowFailed');
      assert.equal(failed?.scheduleEventId, 4);
      assert.equal((failed?.attributes as { error: { type: string } }).error.type, 'InstanceAlreadyExistsError');
      assert.equal(received.has(executionKey(busy)), false);
      await assert.rejects(backend().getWorkflowInstanceState(clash), InstanceNotFoundError);
      assert.equal(await backend().getWorkflowInstanceState(busy), 'active');
    });

    it('delivers a signal sent by a workflow and answers SignalDelivered', async () => {
      const target = instance();
      await h.startAndComplete(target);
      const sender = instance();
      await h.startAndComplete(sender, { signals: [{ scheduleEventId: 5, instanceId: target.instanceId, signal: signal('ping', 42) }] });
      const received = await receive((r) => typesOf(r, target).length > 0 && typesOf(r, sender).length > 0);
      assert.deepEqual(received.get(executionKey(target))?.map((e) => [e.type, e.attributes]), [['SignalReceived', { name: 'ping', arg: 42 }]]);
      assert.deepEqual(summary(received.get(executionKey(sender)) ?? []), [['SignalDelivered', 5]]);
    });

    it('answers SignalFailed (InstanceNotFoundError) for a target without an active execution', async () => {
      const sender = instance();
      await h.startAndComplete(sender, { signals: [{ scheduleEventId: 6, instanceId: `nobody-${randomUUID()}`, signal: signal('x', 0) }] });
      const received = await receive((r) => typesOf(r, sender).length > 0);
      const [failed] = received.get(executionKey(sender)) ?? [];
      assert.deepEqual([failed?.type, failed?.scheduleEventId], ['SignalFailed', 6]);
      assert.equal((failed?.attributes as { error: { type: string } }).error.type, 'InstanceNotFoundError');
    });

    it('lets a signal reach a child started in the same task', async () => {
      const parent = instance();
      const child = instance();
      await h.startAndComplete(parent, {
        subWorkflows: [{ scheduleEventId: 3, instance: child, started: childStarted(parent, 3) }],
        signals: [{ scheduleEventId: 4, instanceId: child.instanceId, signal: signal('hello', 'kid') }],
      });
      const received = await receive((r) => typesOf(r, child).length >= 2 && typesOf(r, parent).length > 0);
      assert.deepEqual(typesOf(received, child), ['WorkflowExecutionStarted', 'SignalReceived']);
      assert.deepEqual(summary(received.get(executionKey(parent)) ?? []), [['SignalDelivered', 4]]);
    });

    it('asks a sub-workflow to cancel, and leaves an ended one alone', async () => {
      const parent = instance();
      const child = instance();
      const ended = instance();
      await h.startAndFinish(ended);
      await h.startAndComplete(parent, { subWorkflows: [{ scheduleEventId: 3, instance: child, started: childStarted(parent, 3) }] });
      await receive((r) => typesOf(r, child).length > 0);
      await backend().signalWorkflow(parent.instanceId, signal('cancel-child', null));
      const task = await h.pollOne();
      assert.deepEqual(task.instance, parent);
      await backend().completeWorkflowTask(task, completion(task, { cancellations: [{ ...child, scheduleEventId: 3 }, { ...ended, scheduleEventId: 4 }] }));
      const received = await receive((r) => typesOf(r, child).length > 0);
      assert.deepEqual(typesOf(received, child), ['WorkflowExecutionCanceled']);
      assert.equal(received.has(executionKey(ended)), false);
      assert.equal((await backend().getWorkflowInstanceHistory(ended)).length, 3);
    });

    it("gives a finished sub-workflow's outcome to its parent", async () => {
      const parent = instance();
      const child = instance();
      await h.startAndComplete(parent, { subWorkflows: [{ scheduleEventId: 3, instance: child, started: childStarted(parent, 3) }] });
      const outcome = newEvent('SubWorkflowCompleted', { result: 'child-result' }, 3) as NewEventOf<'SubWorkflowCompleted'>;
      const received = await receive(
        (r) => typesOf(r, parent).length > 0,
        (task) =>
          task.instance.instanceId === child.instanceId ? finishing(task, 'child-result', { notifyParent: { parent, event: outcome } }) : completion(task),
      );
      assert.deepEqual(received.get(executionKey(parent))?.map((e) => [e.type, e.scheduleEventId, e.attributes]), [
        ['SubWorkflowCompleted', 3, { result: 'child-result' }],
      ]);
      assert.equal(await backend().getWorkflowInstanceState(child), 'finished');
    });

    it('drops a sub-workflow outcome for a parent that has ended', async () => {
      const parent = instance();
      const child = instance();
      await h.startAndComplete(parent, { subWorkflows: [{ scheduleEventId: 3, instance: child, started: childStarted(parent, 3) }] });
      const [childTask] = (await receiveTasks(child)).slice(0, 1);
      assert.ok(childTask !== undefined);
      await backend().signalWorkflow(parent.instanceId, signal('end', null));
      const parentTask = await h.pollOne();
      await backend().completeWorkflowTask(parentTask, finishing(parentTask, 'parent-done'));
      const event = newEvent('SubWorkflowFailed', { error: { message: 'x', type: 'Error', permanent: false } }, 3) as NewEventOf<'SubWorkflowFailed'>;
      await backend().completeWorkflowTask(childTask, finishing(childTask, null, { notifyParent: { parent, event } }));
      assert.deepEqual(await h.poll({ waitMs: 500 }), []);
      assert.equal((await backend().getWorkflowInstanceHistory(parent)).length, 5);
    });

    /** Claims tasks until one of `inst` comes, leaving it claimed; others are committed plainly. */
    async function receiveTasks(inst: WorkflowInstance): Promise<WorkflowTask[]> {
      const deadline = Date.now() + 5_000;
      for (;;) {
        assert.ok(Date.now() < deadline, 'timed out waiting for a task');
        const tasks = await h.poll({ waitMs: 300 });
        const mine = tasks.filter((task) => executionKey(task.instance) === executionKey(inst));
        for (const task of tasks) if (!mine.includes(task)) await backend().completeWorkflowTask(task, completion(task));
        if (mine.length > 0) return mine;
      }
    }
  });

  describe('continue-as-new', () => {
    it('starts the next execution with its started event, the carried events, then the signals and cancellations that arrived meanwhile', async () => {
      const first = instance();
      await h.startAndComplete(first, { activities: [{ scheduleEventId: 2, name: 'act', queue: 'default', inputs: [], attempt: 0 }] });
      const [activity] = await h.pollActivities();
      assert.ok(activity !== undefined);
      await backend().signalWorkflow(first.instanceId, signal('s', 1));
      const task = await h.pollOne();
      // Late arrivals, in this order: a signal, the result of the old execution's activity, a cancellation,
      // another signal.
      await backend().signalWorkflow(first.instanceId, signal('s', 2));
      await backend().completeActivityTask(activity, { result: 'late' });
      await backend().cancelWorkflowInstance(first);
      await backend().signalWorkflow(first.instanceId, signal('s', 3));
      const next = { instanceId: first.instanceId, executionId: randomUUID() };
      await backend().completeWorkflowTask(task, continuing(task, next, [signal('s', 1), cancellation()]));

      assert.equal(await backend().getWorkflowInstanceState(first), 'continued-as-new');
      assert.equal(await backend().getWorkflowInstanceState(next), 'active');
      const outcome = await backend().getWorkflowInstanceOutcome(first);
      assert.equal(outcome?.type, 'WorkflowExecutionContinuedAsNew');
      const nextTask = await h.pollOne();
      assert.deepEqual(nextTask.instance, next);
      assert.equal(nextTask.historyLength, 0);
      assert.deepEqual(
        nextTask.newEvents.map((e) => [e.type, e.type === 'SignalReceived' ? e.attributes.arg : undefined]),
        [
          ['WorkflowExecutionStarted', undefined],
          ['SignalReceived', 1],
          ['WorkflowExecutionCanceled', undefined],
          ['SignalReceived', 2],
          ['WorkflowExecutionCanceled', undefined],
          ['SignalReceived', 3],
        ],
        "instance messages are carried in arrival order; the old execution's activity result is not",
      );
      await backend().completeWorkflowTask(nextTask, completion(nextTask));
      await backend().signalWorkflow(first.instanceId, signal('s', 4));
      const later = await h.pollOne();
      assert.deepEqual(later.instance, next);
    });

    it('loses no signal sent while the execution switches', async () => {
      const first = instance();
      await h.startAndComplete(first);
      await backend().signalWorkflow(first.instanceId, signal('n', -1));
      const task = await h.pollOne();
      const next = { instanceId: first.instanceId, executionId: randomUUID() };
      const sends = Array.from({ length: 20 }, (_, i) => backend().signalWorkflow(first.instanceId, signal('n', i)));
      await Promise.all([...sends, backend().completeWorkflowTask(task, continuing(task, next, []))]);
      const received = await receive((r) => (r.get(executionKey(next)) ?? []).filter((e) => e.type === 'SignalReceived').length >= 20);
      const args = (received.get(executionKey(next)) ?? []).flatMap((e) => (e.type === 'SignalReceived' ? [e.attributes.arg] : []));
      assert.deepEqual([...args].sort((a, b) => Number(a) - Number(b)), Array.from({ length: 20 }, (_, i) => i));
    });

    it('routes a cancellation of the old execution to the active one', async () => {
      const first = instance();
      await backend().createWorkflowInstance(first, started());
      const task = await h.pollOne();
      const next = { instanceId: first.instanceId, executionId: randomUUID() };
      await backend().completeWorkflowTask(task, continuing(task, next, []));
      const nextTask = await h.pollOne();
      await backend().completeWorkflowTask(nextTask, completion(nextTask));
      await backend().cancelWorkflowInstance(first);
      const canceled = await h.pollOne();
      assert.deepEqual(canceled.instance, next);
      assert.deepEqual(canceled.newEvents.map((e) => e.type), ['WorkflowExecutionCanceled']);
    });

    /**
     * A parent that asks its child to cancel after the child continued as new into `second`, whose first
     * task is committed with `secondTask`.
     */
    async function cancelContinuedChild(
      secondTask: (task: WorkflowTask) => WorkflowTaskCompletion,
    ): Promise<{ child: WorkflowInstance; second: WorkflowInstance }> {
      const parent = instance();
      const child = instance();
      const second = { instanceId: child.instanceId, executionId: randomUUID() };
      await h.startAndComplete(parent, { subWorkflows: [{ scheduleEventId: 3, instance: child, started: childStarted(parent, 3) }] });
      await receive(
        (r) => typesOf(r, second).length > 0,
        (task) => (executionKey(task.instance) === executionKey(child) ? continuing(task, second, []) : secondTask(task)),
      );
      // The parent cancels the child execution it started, which has continued as new since.
      await backend().signalWorkflow(parent.instanceId, signal('cancel-child', null));
      const task = await h.pollOne();
      assert.deepEqual(task.instance, parent);
      await backend().completeWorkflowTask(task, completion(task, { cancellations: [{ ...child, scheduleEventId: 3 }] }));
      return { child, second };
    }

    it("hands a sub-workflow's cancellation to the child's active execution once the child has continued as new", async () => {
      const { child, second } = await cancelContinuedChild((task) => completion(task));
      const received = await receive((r) => typesOf(r, second).length > 0);
      assert.deepEqual(typesOf(received, second), ['WorkflowExecutionCanceled']);
      assert.equal(received.has(executionKey(child)), false);
    });

    it('delivers a cancellation to a continuation no worker has run yet, never ending it unstarted', async () => {
      const parent = instance();
      // On Redis with 3 partitions the request crosses partitions, through the relay that follows it.
      let child = instance();
      while (partitionOf(child.instanceId, 3) === partitionOf(parent.instanceId, 3)) child = instance();
      const second = { instanceId: child.instanceId, executionId: randomUUID() };
      await h.startAndComplete(parent, { subWorkflows: [{ scheduleEventId: 3, instance: child, started: childStarted(parent, 3) }] });
      const childTask = await h.pollOne();
      assert.deepEqual(childTask.instance, child);
      // The continuation runs on a queue nobody polls here, so no worker has started it when the request comes.
      const continued = continuing(childTask, second);
      await backend().completeWorkflowTask(childTask, { ...continued, continuation: { instance: second, started: started('later'), carried: [] } });
      await backend().signalWorkflow(parent.instanceId, signal('cancel-child', null));
      const task = await h.pollOne();
      assert.deepEqual(task.instance, parent);
      await backend().completeWorkflowTask(task, completion(task, { cancellations: [{ ...child, scheduleEventId: 3 }] }));
      // A relay may deliver the request a little later: a claim that comes too early is given back unrun, so
      // the continuation stays unstarted for it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const deadline = Date.now() + 5_000;
      let secondTask = await h.pollOne({ queues: ['later'] });
      while (secondTask.newEvents.length < 2 && Date.now() < deadline) {
        await backend().releaseWorkflowTask(secondTask);
        await new Promise((resolve) => setTimeout(resolve, 50));
        secondTask = await h.pollOne({ queues: ['later'] });
      }
      assert.deepEqual(secondTask.instance, second);
      assert.deepEqual(secondTask.newEvents.map((e) => e.type), ['WorkflowExecutionStarted', 'WorkflowExecutionCanceled']);
      assert.equal(await backend().getWorkflowInstanceState(second), 'active', 'it runs, sees the cancellation and may clean up');
      assert.deepEqual(await h.poll({ waitMs: 300 }), [], 'the parent hears nothing: the child has not ended');
    });

    it("drops a sub-workflow's cancellation once the child's continued chain has finished", async () => {
      const { second } = await cancelContinuedChild((task) => finishing(task, 'done'));
      assert.equal(await backend().getWorkflowInstanceState(second), 'finished');
      const length = (await backend().getWorkflowInstanceHistory(second)).length;
      assert.deepEqual(await h.poll({ waitMs: 500 }), []);
      assert.equal((await backend().getWorkflowInstanceHistory(second)).length, length);
    });
  });
}
