import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Backend, WorkflowInstanceFilter, WorkflowInstanceInfo } from '../../src/backend/backend.js';
import { matchesInstanceFilter } from '../../src/backend/instance-filter.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { InstanceAlreadyExistsError, InstanceNotFinishedError, InstanceNotFoundError, InvalidArgumentError } from '../../src/errors/errors.js';
import { newEvent, type NewEventOf } from '../../src/history/events.js';
import { completion, finishing, harness, instance, numbered, started, type BackendFactory, type Harness } from './harness.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Removal, listing, stats and retention. */
export function instanceManagementTests(h: Harness, backend: () => Backend, createBackend: BackendFactory): void {
  describe('instance management', () => {
    it('removes a finished execution and everything stored for it', async () => {
      const inst = instance();
      await h.startAndFinish(inst, 7);
      await backend().removeWorkflowInstance(inst);
      await assert.rejects(backend().getWorkflowInstanceState(inst), InstanceNotFoundError);
      await assert.rejects(backend().getWorkflowInstanceHistory(inst), InstanceNotFoundError);
      await assert.rejects(backend().removeWorkflowInstance(inst), InstanceNotFoundError);
      assert.deepEqual((await backend().listWorkflowInstances({ count: 10 })).instances, []);
      // The id is free again.
      await backend().createWorkflowInstance({ instanceId: inst.instanceId, executionId: randomUUID() }, started());
    });

    it('refuses to remove an active execution and rejects an unknown one', async () => {
      const inst = instance();
      await backend().createWorkflowInstance(inst, started());
      await assert.rejects(backend().removeWorkflowInstance(inst), InstanceNotFinishedError);
      assert.equal(await backend().getWorkflowInstanceState(inst), 'active');
      await assert.rejects(backend().removeWorkflowInstance(instance()), InstanceNotFoundError);
    });

    it('removes an old execution of an id without touching its newer, active one', async () => {
      const old = instance();
      await h.startAndFinish(old);
      const current = { instanceId: old.instanceId, executionId: randomUUID() };
      await backend().createWorkflowInstance(current, started());
      await backend().removeWorkflowInstance(old);
      assert.equal(await backend().getWorkflowInstanceState(current), 'active');
      await assert.rejects(
        backend().createWorkflowInstance({ instanceId: old.instanceId, executionId: randomUUID() }, started()),
        InstanceAlreadyExistsError,
        'the id is still taken by the active execution',
      );
      const task = await h.pollOne();
      assert.deepEqual(task.instance, current);
    });

    it('removes every execution that ended before a time, never an active one', async () => {
      const early = [instance(), instance()];
      for (const inst of early) await h.startAndFinish(inst);
      const active = instance();
      await h.startAndComplete(active);
      await sleep(20);
      const cutoff = new Date();
      await sleep(20);
      const late = instance();
      await h.startAndFinish(late);
      assert.equal(await backend().removeWorkflowInstances(cutoff), 2);
      for (const inst of early) await assert.rejects(backend().getWorkflowInstanceState(inst), InstanceNotFoundError);
      assert.equal(await backend().getWorkflowInstanceState(active), 'active');
      assert.equal(await backend().getWorkflowInstanceState(late), 'finished');
      assert.equal(await backend().removeWorkflowInstances(new Date(Date.now() + 1_000)), 1);
      assert.equal(await backend().getWorkflowInstanceState(active), 'active');
    });

    it('lists executions newest first, a page at a time, with their details', async () => {
      const base = Date.now() - 10_000;
      const made: WorkflowInstance[] = [];
      for (let i = 0; i < 5; i++) {
        const inst = instance();
        await backend().createWorkflowInstance(inst, started(i === 4 ? 'other' : 'default', new Date(base + i * 10)));
        made.push(inst);
        if (i === 0) {
          const task = await h.pollOne();
          await backend().completeWorkflowTask(task, finishing(task, 1));
        }
      }

      const seen: WorkflowInstanceInfo[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await backend().listWorkflowInstances({ count: 2, ...(cursor === undefined ? {} : { cursor }) });
        assert.ok(page.instances.length <= 2);
        seen.push(...page.instances);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== undefined);
      assert.equal(pages, 3, 'the last page has no nextCursor');
      assert.deepEqual(seen.map((info) => info.instance), [...made].reverse());
      const newest = seen[0] as WorkflowInstanceInfo;
      assert.equal(newest.name, 'wf');
      assert.equal(newest.queue, 'other');
      assert.equal(newest.state, 'active');
      assert.ok(newest.createdAt instanceof Date);
      assert.equal(newest.finishedAt, undefined);
      const oldest = seen.at(-1) as WorkflowInstanceInfo;
      assert.equal(oldest.state, 'finished');
      assert.ok(oldest.finishedAt instanceof Date);
      assert.ok(oldest.finishedAt.getTime() >= oldest.createdAt.getTime());
    });

    it('lists only the executions matching a filter, newest first, over pages', async () => {
      const made: Array<{ inst: WorkflowInstance; name: string; queue: string }> = [];
      const create = async (name: string, queue: string): Promise<WorkflowInstance> => {
        const inst = instance();
        const event = newEvent('WorkflowExecutionStarted', { name, queue, inputs: [] }) as NewEventOf<'WorkflowExecutionStarted'>;
        await backend().createWorkflowInstance(inst, event);
        made.push({ inst, name, queue });
        await sleep(3);
        return inst;
      };
      const finished = await create('wf', 'default');
      const task = await h.pollOne();
      await backend().completeWorkflowTask(task, finishing(task, 1));
      await create('other', 'default');
      const from = new Date();
      await create('wf', 'q2');
      await create('other', 'q2');
      await create('wf', 'default');
      const until = new Date();
      await create('wf', 'default');

      const all = async (filter: WorkflowInstanceFilter): Promise<WorkflowInstance[]> => {
        const seen: WorkflowInstance[] = [];
        let cursor: string | undefined;
        do {
          const page = await backend().listWorkflowInstances(Object.assign({ count: 1 }, filter, cursor === undefined ? {} : { cursor }));
          assert.ok(page.instances.length <= 1);
          for (const info of page.instances) assert.ok(matchesInstanceFilter(info, filter), JSON.stringify(info));
          seen.push(...page.instances.map((info) => info.instance));
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        return seen;
      };
      const expected = (keep: (m: { name: string; queue: string; index: number }) => boolean): WorkflowInstance[] =>
        made.filter((m, index) => keep({ name: m.name, queue: m.queue, index })).map((m) => m.inst).reverse();
      assert.deepEqual(await all({ name: 'wf' }), expected((m) => m.name === 'wf'));
      assert.deepEqual(await all({ queue: 'q2' }), expected((m) => m.queue === 'q2'));
      assert.deepEqual(await all({ name: 'wf', queue: 'default' }), expected((m) => m.name === 'wf' && m.queue === 'default'));
      assert.deepEqual(await all({ state: 'finished' }), [finished]);
      assert.equal((await all({ state: 'active' })).length, 5);
      assert.deepEqual(await all({ state: 'continued-as-new' }), []);
      assert.deepEqual(await all({ createdAfter: from, createdBefore: until }), expected((m) => m.index >= 2 && m.index <= 4));
      assert.deepEqual(await all({ createdAfter: from, name: 'other' }), expected((m) => m.index === 3));
      assert.deepEqual(await all({ createdBefore: from }), expected((m) => m.index < 2));
      assert.deepEqual(await all({ name: 'none' }), []);
      // A filtered page of the size of the whole result has no cursor.
      const whole = await backend().listWorkflowInstances({ count: 10, name: 'wf', createdAfter: from });
      assert.deepEqual(whole.instances.map((info) => info.instance), expected((m) => m.name === 'wf' && m.index >= 2));
      assert.equal(whole.nextCursor, undefined);
    });

    it('returns one page without a cursor when everything fits', async () => {
      await backend().createWorkflowInstance(instance(), started());
      const page = await backend().listWorkflowInstances({ count: 25 });
      assert.equal(page.instances.length, 1);
      assert.equal(page.nextCursor, undefined);
    });

    it('refuses a cursor it did not issue', async () => {
      await backend().createWorkflowInstance(instance(), started());
      for (const cursor of ['garbage', '-1', '1.5']) {
        await assert.rejects(backend().listWorkflowInstances({ count: 5, cursor }), InvalidArgumentError, cursor);
      }
    });

    it('counts active executions and pending tasks per queue', async () => {
      const a = instance();
      await backend().createWorkflowInstance(a, started());
      await backend().createWorkflowInstance(instance(), started());
      await backend().createWorkflowInstance(instance(), started('other'));
      let stats = await backend().getStats();
      assert.equal(stats.activeWorkflowInstances, 3);
      assert.equal(stats.pendingWorkflowTasks.default, 2);
      assert.equal(stats.pendingWorkflowTasks.other, 1);

      const task = await h.pollOne();
      assert.equal((await backend().getStats()).pendingWorkflowTasks.default, 2, 'a locked task is pending');
      const scheduled = numbered(task, [
        newEvent('WorkflowTaskStarted', {}),
        ...task.newEvents,
        newEvent('ActivityScheduled', { name: 'act', queue: 'acts', inputs: [], attempt: 0 }, 3),
      ]);
      await backend().completeWorkflowTask(
        task,
        completion(task, { events: scheduled, activities: [{ scheduleEventId: 3, name: 'act', queue: 'acts', inputs: [], attempt: 0 }] }),
      );
      stats = await backend().getStats();
      assert.equal(stats.pendingWorkflowTasks.default, 1);
      assert.equal(stats.pendingActivityTasks.acts, 1);

      const [activity] = await h.pollActivities({ queues: ['acts'] });
      assert.ok(activity !== undefined);
      assert.equal((await backend().getStats()).pendingActivityTasks.acts, 1, 'a running activity is pending');
      await backend().completeActivityTask(activity, { result: null });
      stats = await backend().getStats();
      assert.equal(stats.pendingActivityTasks.acts ?? 0, 0);
      assert.equal(stats.pendingWorkflowTasks.default, 2, 'the result queued its workflow again');

      const next = await h.pollOne({ queues: ['other'] });
      await backend().completeWorkflowTask(next, finishing(next, null));
      stats = await backend().getStats();
      assert.equal(stats.activeWorkflowInstances, 2);
      assert.equal(stats.pendingWorkflowTasks.other ?? 0, 0);
    });

    it('forgets ended executions after the retention time, and only those', async () => {
      const retained = await createBackend({ retentionMs: 300 });
      const r = harness(() => retained);
      try {
        const done = instance();
        await retained.createWorkflowInstance(done, started());
        const task = await r.pollOne();
        await retained.completeWorkflowTask(task, finishing(task, 'x'));
        const running = instance();
        await retained.createWorkflowInstance(running, started());
        assert.equal(await retained.getWorkflowInstanceState(done), 'finished');
        await sleep(700);
        await assert.rejects(retained.getWorkflowInstanceState(done), InstanceNotFoundError);
        await assert.rejects(retained.getWorkflowInstanceHistory(done), InstanceNotFoundError);
        assert.equal(await retained.getWorkflowInstanceState(running), 'active');
        const listed = (await retained.listWorkflowInstances({ count: 10 })).instances.map((info) => info.instance);
        assert.deepEqual(listed, [running]);
        assert.equal(await retained.removeWorkflowInstances(new Date(Date.now() + 1_000)), 0);
        assert.equal((await retained.getStats()).activeWorkflowInstances, 1);
        // Its id can be used again, and the new execution is kept while active.
        const again = { instanceId: done.instanceId, executionId: randomUUID() };
        await retained.createWorkflowInstance(again, started());
        await sleep(400);
        assert.equal(await retained.getWorkflowInstanceState(again), 'active');
      } finally {
        await retained.close();
      }
    });
  });
}
