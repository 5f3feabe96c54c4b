import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Backend, WorkerInfo } from '../../src/backend/backend.js';
import { InvalidArgumentError } from '../../src/errors/errors.js';
import { waitUntil } from '../helpers/engine.js';
import { activityScheduled, completion, instance, started, type Harness } from './harness.js';

/** A worker info on `queues` (a fresh id), with `overrides`. */
export function workerInfo(overrides: Partial<WorkerInfo> = {}): WorkerInfo {
  return {
    workerId: randomUUID(),
    queues: ['default'],
    workflows: ['wf'],
    activities: ['act'],
    pollsWorkflowTasks: true,
    pollsActivityTasks: true,
    pid: 4242,
    hostname: 'host-a',
    version: 'abc123',
    redflowVersion: '0.1.0',
    startedAt: new Date(1_700_000_000_000),
    lastSeenAt: new Date(1_700_000_001_000),
    ...overrides,
  };
}

/** Live workers (`announceWorker`, `withdrawWorker`, `listWorkers`), unknown names, and what `getStats` joins from them. */
export function workerPresenceTests(h: Harness, backend: () => Backend): void {
  describe('worker presence', () => {
    it('lists an announced worker with every field, renews it in place, and forgets it once withdrawn', async () => {
      assert.deepEqual(await backend().listWorkers(), []);
      const info = workerInfo();
      await backend().announceWorker(info, 60_000);
      assert.deepEqual(await backend().listWorkers(), [info]);
      const { version: _version, ...unversioned } = info;
      const renewed = { ...unversioned, lastSeenAt: new Date(1_700_000_002_000) };
      await backend().announceWorker(renewed, 60_000);
      const [listed, ...rest] = await backend().listWorkers();
      assert.deepEqual(rest, []);
      assert.deepEqual(listed, renewed, 'replaced, without the version it no longer has');
      assert.ok(listed?.lastSeenAt instanceof Date);
      await backend().withdrawWorker(info.workerId);
      assert.deepEqual(await backend().listWorkers(), []);
      await backend().withdrawWorker(info.workerId);
      await backend().withdrawWorker('never-announced');
    });

    it('lists workers by start time, then id, and drops one whose announcement expired', async () => {
      const late = workerInfo({ startedAt: new Date(2_000) });
      const early = workerInfo({ startedAt: new Date(1_000) });
      const lapsing = workerInfo({ startedAt: new Date(3_000) });
      await backend().announceWorker(late, 60_000);
      await backend().announceWorker(early, 60_000);
      await backend().announceWorker(lapsing, 300);
      assert.deepEqual((await backend().listWorkers()).map((w) => w.workerId), [early.workerId, late.workerId, lapsing.workerId]);
      assert.ok(await waitUntil(async () => (await backend().listWorkers()).length === 2, 5_000), 'the lapsed one went');
      assert.deepEqual((await backend().listWorkers()).map((w) => w.workerId), [early.workerId, late.workerId]);
      assert.equal((await backend().getStats()).liveWorkers, 2);
    });

    it('refuses malformed announcements and names, storing nothing', async () => {
      const bad: Array<[WorkerInfo, number]> = [
        [workerInfo(), 0],
        [workerInfo(), -5],
        [workerInfo(), 1.5],
        [workerInfo({ workerId: '' }), 1_000],
        [workerInfo({ version: 7 as unknown as string }), 1_000],
        [workerInfo({ queues: 'default' as unknown as string[] }), 1_000],
        [workerInfo({ startedAt: new Date(Number.NaN) }), 1_000],
        [workerInfo({ pollsWorkflowTasks: 'yes' as unknown as boolean }), 1_000],
      ];
      for (const [info, ttlMs] of bad) await assert.rejects(backend().announceWorker(info, ttlMs), InvalidArgumentError);
      assert.deepEqual(await backend().listWorkers(), []);
      for (const name of [
        { kind: 'timer', queue: 'default', name: 'x' },
        { kind: 'workflow', queue: 'no spaces', name: 'x' },
        { kind: 'activity', queue: 'default', name: '' },
      ]) {
        await assert.rejects(backend().recordUnknownName(name as never), InvalidArgumentError);
      }
      assert.deepEqual((await backend().getStats()).unservedNames, []);
    });

    it('reports a queue with pending tasks of a kind no live worker polls there, until one does', async () => {
      const queue = `lonely-${randomUUID()}`;
      await backend().createWorkflowInstance(instance(), started(queue));
      const unserved = { queue, kind: 'workflow', pendingTasks: 1 };
      assert.deepEqual((await backend().getStats()).unservedQueues, [unserved]);
      const activities = workerInfo({ queues: [queue], pollsWorkflowTasks: false });
      await backend().announceWorker(activities, 60_000);
      await backend().announceWorker(workerInfo({ queues: ['default'] }), 60_000);
      assert.deepEqual((await backend().getStats()).unservedQueues, [unserved], 'neither polls workflow tasks on it');
      await backend().announceWorker(workerInfo({ queues: ['default', queue], pollsActivityTasks: false }), 60_000);
      const stats = await backend().getStats();
      assert.deepEqual(stats.unservedQueues, []);
      assert.equal(stats.liveWorkers, 3);

      const task = await h.pollOne({ queues: [queue] });
      await backend().completeWorkflowTask(task, completion(task, activityScheduled(task, 2, queue)));
      assert.deepEqual((await backend().getStats()).unservedQueues, [], 'its activity task is polled there');
      await backend().withdrawWorker(activities.workerId);
      assert.deepEqual((await backend().getStats()).unservedQueues, [{ queue, kind: 'activity', pendingTasks: 1 }], 'unserved once that worker is gone');
    });

    it('reports a recently unknown name until a live worker that polls its kind on its queue registered it', async () => {
      const queue = `names-${randomUUID()}`;
      const before = Date.now();
      await backend().recordUnknownName({ kind: 'activity', queue, name: 'charge' });
      await backend().recordUnknownName({ kind: 'workflow', queue, name: 'order' });
      await backend().recordUnknownName({ kind: 'activity', queue, name: 'charge' });
      const { unservedNames } = await backend().getStats();
      assert.deepEqual(unservedNames.map(({ kind, name }) => [kind, name]), [['workflow', 'order'], ['activity', 'charge']]);
      for (const entry of unservedNames) {
        assert.equal(entry.queue, queue);
        assert.ok(entry.lastSeenAt instanceof Date && Math.abs(entry.lastSeenAt.getTime() - before) < 5_000, 'seen now');
      }
      await backend().announceWorker(workerInfo({ queues: ['default'], activities: ['charge'], workflows: ['order'] }), 60_000);
      await backend().announceWorker(workerInfo({ queues: [queue], workflows: ['charge'], activities: ['order'] }), 60_000);
      await backend().announceWorker(workerInfo({ queues: [queue], activities: ['charge'], pollsActivityTasks: false }), 60_000);
      assert.equal((await backend().getStats()).unservedNames.length, 2, 'another queue, another kind, or not polling it');
      await backend().announceWorker(workerInfo({ queues: [queue], workflows: [], activities: ['charge'], pollsWorkflowTasks: false }), 60_000);
      assert.deepEqual((await backend().getStats()).unservedNames.map(({ name }) => name), ['order']);
      const orders = workerInfo({ queues: [queue], workflows: ['order'], activities: [] });
      await backend().announceWorker(orders, 60_000);
      assert.deepEqual((await backend().getStats()).unservedNames, []);
      await backend().withdrawWorker(orders.workerId);
      assert.deepEqual((await backend().getStats()).unservedNames.map(({ name }) => name), ['order'], 'wanted again once its worker is gone');
    });
  });
}
