import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ActivityTask, Backend } from '../../src/backend/backend.js';
import { BackendClosedError, InstanceAlreadyExistsError, InstanceNotFoundError, LeaseLostError } from '../../src/errors/errors.js';
import { newEvent } from '../../src/history/events.js';
import { LOCK_MS, activityScheduled, completion, harness, instance, numbered, started, type BackendFactory } from './harness.js';
import { chainTests } from './chains.js';
import { heldTaskTests } from './held-tasks.js';
import { instanceDetailsTests } from './instance-details.js';
import { instanceManagementTests } from './instance-management.js';
import { leaseTests } from './leases.js';
import { messagingTests } from './messaging.js';
import { unstartedCancellationTests } from './unstarted-cancellation.js';
import { workflowMessageTests } from './workflow-messages.js';
import { workerPresenceTests } from './worker-presence.js';

export type { BackendFactory } from './harness.js';

/**
 * The behaviour every `Backend` must show, exercised through the interface only. Run against each backend
 * (the MemoryBackend is its executable specification).
 */
export function backendConformanceSuite(
  name: string,
  createBackend: BackendFactory,
  /** A second client of the same store, as another worker process would have (defaults to the same object). */
  peerOf: (backend: Backend) => Backend = (backend) => backend,
): void {
  describe(`Backend conformance: ${name}`, function () {
    this.timeout(20_000);
    let backend: Backend;

    beforeEach(async () => {
      backend = await createBackend();
    });
    afterEach(async () => {
      await backend.close();
    });

    const h = harness(() => backend);
    const { poll, pollOne, pollActivities, startAndComplete } = h;

    it('creates an instance and hands out its first task (B-01, B-07)', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      assert.equal(await backend.getWorkflowInstanceState(inst), 'active');
      const task = await pollOne();
      assert.deepEqual(task.instance, inst);
      assert.equal(task.queue, 'default');
      assert.equal(task.historyLength, 0);
      assert.deepEqual(task.history, []);
      assert.equal(task.newEvents.length, 1);
      assert.equal(task.newEvents[0]?.type, 'WorkflowExecutionStarted');
      assert.deepEqual(task.newEvents[0]?.attributes, { name: 'wf', queue: 'default', inputs: [1, 'two'] });
    });

    it('rejects a second active execution of the same id and writes nothing (B-02)', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      const again = { instanceId: inst.instanceId, executionId: randomUUID() };
      await assert.rejects(backend.createWorkflowInstance(again, started()), InstanceAlreadyExistsError);
      await assert.rejects(backend.getWorkflowInstanceState(again), InstanceNotFoundError);
      assert.equal((await poll({ waitMs: 300 })).length, 1);
    });

    it('returns no task when there is none (B-06)', async () => {
      const began = Date.now();
      assert.deepEqual(await poll({ waitMs: 200 }), []);
      assert.ok(Date.now() - began < 1_900, 'the poll ended with its signal');
    });

    it('locks an instance while its task is out (B-09)', async () => {
      await backend.createWorkflowInstance(instance(), started());
      await pollOne();
      assert.deepEqual(await poll({ waitMs: 300 }), []);
    });

    it('only hands out tasks of the polled queues', async () => {
      await backend.createWorkflowInstance(instance(), started('other'));
      assert.deepEqual(await poll({ waitMs: 300 }), []);
      assert.equal((await poll({ queues: ['other'] })).length, 1);
    });

    it('appends completed events to the history in order and returns tails (B-11)', async () => {
      const inst = instance();
      const task = await startAndComplete(inst, {});
      const history = await backend.getWorkflowInstanceHistory(inst);
      assert.deepEqual(history.map((e) => [e.sequenceId, e.type]), [
        [1, 'WorkflowTaskStarted'],
        [2, 'WorkflowExecutionStarted'],
      ]);
      assert.deepEqual(history[1]?.attributes, task.newEvents[0]?.attributes);
      const tail = await backend.getWorkflowInstanceHistory(inst, 1);
      assert.deepEqual(tail.map((e) => e.sequenceId), [2]);
    });

    it('rejects a second completion of the same task and changes nothing (B-10)', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      const task = await pollOne();
      await backend.completeWorkflowTask(task, completion(task));
      await assert.rejects(backend.completeWorkflowTask(task, completion(task)), LeaseLostError);
      assert.equal((await backend.getWorkflowInstanceHistory(inst)).length, 2);
    });

    it('delivers activity tasks and their results, with the history the worker lacks', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      const task = await pollOne();
      await backend.completeWorkflowTask(task, completion(task, activityScheduled(task, 7)));
      const [activity, ...rest] = await pollActivities();
      assert.equal(rest.length, 0);
      assert.ok(activity !== undefined);
      assert.deepEqual(activity.instance, inst);
      assert.equal(activity.name, 'act');
      assert.equal(activity.scheduleEventId, 7);
      assert.deepEqual(activity.inputs, [7]);
      assert.equal(activity.workflowQueue, 'default');
      await backend.completeActivityTask(activity, { result: { ok: true } });
      const next = await pollOne({ known: 1 });
      assert.equal(next.historyLength, 3);
      assert.deepEqual(next.history.map((e) => e.sequenceId), [2, 3], 'only the history after what the caller holds');
      assert.equal(next.newEvents[0]?.type, 'ActivityCompleted');
      assert.equal(next.newEvents[0]?.scheduleEventId, 7);
      assert.deepEqual(next.newEvents[0]?.attributes, { result: { ok: true } });
    });

    it('drops a duplicate activity completion', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      const task = await pollOne();
      await backend.completeWorkflowTask(task, completion(task, activityScheduled(task, 3)));
      const [activity] = await pollActivities();
      assert.ok(activity !== undefined);
      await backend.completeActivityTask(activity, { result: 1 });
      await backend.completeActivityTask(activity, { result: 2 });
      const next = await pollOne();
      assert.deepEqual(next.newEvents.map((e) => e.type), ['ActivityCompleted']);
      assert.deepEqual(next.newEvents[0]?.attributes, { result: 1 });
    });

    it('delivers an activity failure as ActivityFailed', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      const task = await pollOne();
      await backend.completeWorkflowTask(task, completion(task, activityScheduled(task, 4)));
      const [activity] = await pollActivities();
      assert.ok(activity !== undefined);
      await backend.completeActivityTask(activity, { error: { message: 'boom', type: 'Error', permanent: false } });
      const next = await pollOne();
      assert.equal(next.newEvents[0]?.type, 'ActivityFailed');
      assert.deepEqual(next.newEvents[0]?.attributes, { error: { message: 'boom', type: 'Error', permanent: false } });
    });

    it('fires a due timer, not before its time', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      const task = await pollOne();
      const firesAt = new Date(Date.now() + 150);
      await backend.completeWorkflowTask(task, completion(task, { timers: [{ scheduleEventId: 1, firesAt }] }));
      const next = await pollOne();
      assert.ok(Date.now() >= firesAt.getTime() - 5, 'not before its time');
      assert.deepEqual(next.newEvents.map((e) => [e.type, e.scheduleEventId]), [['TimerFired', 1]]);
    });

    it('removes a cancelled timer so it never fires', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      const task = await pollOne();
      const soon = new Date(Date.now() + 300);
      await backend.completeWorkflowTask(task, completion(task, { timers: [{ scheduleEventId: 1, firesAt: soon }], ...activityScheduled(task, 2) }));
      const [activity] = await pollActivities();
      assert.ok(activity !== undefined);
      await backend.completeActivityTask(activity, { result: null });
      const second = await pollOne();
      await backend.completeWorkflowTask(
        second,
        completion(second, { canceledTimers: [1], timers: [{ scheduleEventId: 3, firesAt: new Date(Date.now() + 600) }] }),
      );
      const third = await pollOne({ waitMs: 2_000 });
      assert.deepEqual(third.newEvents.map((e) => [e.type, e.scheduleEventId]), [['TimerFired', 3]]);
    });

    it('puts a timer into the inbox of a locked instance at once and re-queues it after completion', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      const task = await pollOne();
      // Far enough out for the activity's round trip below, on a cold Redis Cluster client too.
      const firesAt = new Date(Date.now() + 800);
      await backend.completeWorkflowTask(task, completion(task, { timers: [{ scheduleEventId: 1, firesAt }], ...activityScheduled(task, 2) }));
      const [activity] = await pollActivities();
      assert.ok(activity !== undefined);
      await backend.completeActivityTask(activity, { result: 'r' });
      const busy = await pollOne();
      assert.deepEqual(busy.newEvents.map((e) => e.type), ['ActivityCompleted']);
      // The timer comes due while the task is out.
      await new Promise((resolve) => setTimeout(resolve, firesAt.getTime() + 300 - Date.now()));
      await backend.completeWorkflowTask(busy, completion(busy));
      const next = await pollOne({ waitMs: 500 });
      assert.deepEqual(next.newEvents.map((e) => e.type), ['TimerFired']);
    });

    it('gives an abandoned workflow task to another worker after its lease and fences the old holder', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      const stale = await pollOne({ lockMs: 300 });
      const taken = await pollOne({ waitMs: 3_000, lockMs: 300 });
      assert.deepEqual(taken.instance, inst);
      assert.ok(taken.lockToken > stale.lockToken, 'a higher fencing token');
      assert.deepEqual(taken.newEvents.map((e) => e.type), ['WorkflowExecutionStarted']);
      await assert.rejects(backend.completeWorkflowTask(stale, completion(stale)), LeaseLostError);
      await assert.rejects(backend.extendWorkflowTask(stale, LOCK_MS), LeaseLostError);
      assert.equal((await backend.getWorkflowInstanceHistory(inst)).length, 0, 'the stale completion wrote nothing');
      await backend.completeWorkflowTask(taken, completion(taken));
      assert.equal((await backend.getWorkflowInstanceHistory(inst)).length, 2);
    });

    it('keeps a task whose lease is extended', async () => {
      await backend.createWorkflowInstance(instance(), started());
      const task = await pollOne({ lockMs: 400 });
      const keep = setInterval(() => void backend.extendWorkflowTask(task, 400).catch(() => undefined), 100);
      try {
        assert.deepEqual(await poll({ waitMs: 1_200 }), []);
      } finally {
        clearInterval(keep);
      }
      await backend.completeWorkflowTask(task, completion(task));
    });

    it('hands a released workflow task out again at once', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      const task = await pollOne();
      await backend.releaseWorkflowTask(task);
      const again = await pollOne({ waitMs: 1_000 });
      assert.deepEqual(again.instance, inst);
      assert.deepEqual(again.newEvents.map((e) => e.type), ['WorkflowExecutionStarted']);
    });

    it('gives an abandoned activity to another worker after its lease; the first completion wins', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      const task = await pollOne();
      await backend.completeWorkflowTask(task, completion(task, activityScheduled(task, 5)));
      const [stale] = await pollActivities({ lockMs: 300 });
      assert.ok(stale !== undefined);
      const peer = peerOf(backend);
      try {
        const signal = AbortSignal.timeout(3_000);
        let taken: ActivityTask | undefined;
        while (taken === undefined && !signal.aborted) {
          [taken] = await peer.pollActivityTasks({ queues: ['default'], max: 1, lockTimeoutMs: 300, signal });
        }
        assert.ok(taken !== undefined, 'another worker took the activity over');
        assert.equal(taken.scheduleEventId, 5);
        await assert.rejects(backend.extendActivityTask(stale, LOCK_MS), LeaseLostError);
        await peer.completeActivityTask(taken, { result: 'winner' });
        await backend.completeActivityTask(stale, { result: 'late' });
      } finally {
        if (peer !== backend) await peer.close();
      }
      const next = await pollOne();
      assert.deepEqual(next.newEvents.map((e) => e.attributes), [{ result: 'winner' }]);
    });

    it('hands a released activity task out again at once', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      const task = await pollOne();
      await backend.completeWorkflowTask(task, completion(task, activityScheduled(task, 6, 'acts')));
      const [first] = await pollActivities({ queues: ['acts'] });
      assert.ok(first !== undefined);
      await backend.releaseActivityTask(first);
      const [again] = await pollActivities({ queues: ['acts'], waitMs: 1_000 });
      assert.equal(again?.scheduleEventId, 6);
    });

    it('finishes an execution, wakes waiters and reports its outcome', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      assert.equal(await backend.waitForWorkflowInstance(inst, 100), undefined);
      assert.equal(await backend.getWorkflowInstanceOutcome(inst), undefined);
      const waiting = backend.waitForWorkflowInstance(inst, 10_000);
      const task = await pollOne();
      const events = numbered(task, [
        newEvent('WorkflowTaskStarted', {}),
        ...task.newEvents,
        newEvent('WorkflowExecutionFinished', { result: 42 }),
      ]);
      const began = Date.now();
      await backend.completeWorkflowTask(task, { events, activities: [], timers: [], canceledTimers: [], state: 'finished' });
      const woken = await waiting;
      assert.equal(woken?.type, 'WorkflowExecutionFinished');
      assert.deepEqual(woken?.attributes, { result: 42 });
      assert.equal(woken?.sequenceId, 3);
      assert.deepEqual(await backend.waitForWorkflowInstance(inst, 0), woken, 'an ended execution answers at once, even with no time to wait');
      assert.ok(Date.now() - began < 1_000, 'woken by the completion');
      assert.equal(await backend.getWorkflowInstanceState(inst), 'finished');
      const outcome = await backend.getWorkflowInstanceOutcome(inst);
      assert.equal(outcome?.type, 'WorkflowExecutionFinished');
      assert.deepEqual(outcome?.attributes, { result: 42 });
      assert.equal(outcome?.sequenceId, 3);
      // A finished id can be used again.
      await backend.createWorkflowInstance({ instanceId: inst.instanceId, executionId: randomUUID() }, started());
    });

    it('drops an activity result for an execution that has ended', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      const task = await pollOne();
      const scheduled = activityScheduled(task, 2);
      const events = [...(scheduled.events ?? []), { ...newEvent('WorkflowExecutionFinished', { result: null }), sequenceId: task.historyLength + 4 }];
      await backend.completeWorkflowTask(task, { ...completion(task), ...scheduled, events, state: 'finished' });
      const [activity] = await pollActivities();
      assert.ok(activity !== undefined);
      await backend.completeActivityTask(activity, { result: 'late' });
      assert.deepEqual(await poll({ waitMs: 300 }), []);
      assert.equal((await backend.getWorkflowInstanceHistory(inst)).length, 4);
    });

    it('rejects every call after close()', async () => {
      const inst = instance();
      await backend.createWorkflowInstance(inst, started());
      await backend.close();
      await assert.rejects(backend.getWorkflowInstanceState(inst), BackendClosedError);
      await assert.rejects(backend.createWorkflowInstance(instance(), started()), BackendClosedError);
      await assert.rejects(poll({ waitMs: 100 }), BackendClosedError);
      await assert.rejects(pollActivities({ waitMs: 100 }), BackendClosedError);
    });

    it('connects on connect(), as often as asked, and refuses to after close()', async () => {
      await backend.connect();
      await backend.connect();
      await backend.close();
      await assert.rejects(backend.connect(), BackendClosedError);
    });

    messagingTests(h, () => backend);
    workflowMessageTests(h, () => backend);
    unstartedCancellationTests(h, () => backend);
    instanceManagementTests(h, () => backend, createBackend);
    instanceDetailsTests(h, () => backend);
    leaseTests(() => backend, peerOf);
    chainTests(h, () => backend, createBackend);
    heldTaskTests(h, () => backend);
    workerPresenceTests(h, () => backend);
  });
}
