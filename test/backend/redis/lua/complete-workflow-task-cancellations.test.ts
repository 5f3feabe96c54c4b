import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { ActivityCancellationArgs, ChildCancellationArgs, DeliveryArgs } from '../../../../src/backend/redis/completion-script.js';
import { GROUP, addAndDeliver, createGroup, entries, executionKeys, inboxEvents, pending, seedExecution, serverNow, useScripts, type ExecutionKeys } from '../script-fixture.js';
import { claimExecution, completeClaimed, type Claimed } from './completion-fixture.js';

// complete-workflow-task.lua, the parts that cancel work that has not started: activity attempts no worker
// has claimed, and sub-workflows of the same partition no worker has started.
describe('lua/complete-workflow-task: cancelling work that has not started', () => {
  const { redis, scripts, url } = useScripts();

  describe('activity attempts', () => {
    /** Cancels attempt 9 (its stream and the heartbeats hash are extra keys 0 and 1). */
    function cancelAttempt(c: Claimed, state = 'active'): Promise<unknown> {
      const activityCancellations: ActivityCancellationArgs = {
        heartbeats: 1,
        attempts: [{ stream: 0, scheduleEventId: 9, failed: Buffer.from('canceled-9') }],
      };
      return completeClaimed(scripts(), c, { state, activityCancellations }, [c.k.activityTasks, c.k.heartbeats]);
    }

    /** An attempt (schedule event id 9) queued for `k` and recorded in its execution hash, as a completion does. */
    async function queuedAttempt(k: ExecutionKeys): Promise<string> {
      const entry = (await redis().xadd(k.activityTasks, '*', 't', 'task-9')) as string;
      await redis().hset(k.execution, 'a9', entry);
      return entry;
    }

    it('removes an attempt no worker has claimed and answers ActivityFailed in its own inbox, re-queued', async () => {
      const c = await claimExecution(redis(), scripts());
      const { k } = c;
      await createGroup(redis(), k.activityTasks);
      const entry = await queuedAttempt(k);
      const other = (await redis().xadd(k.activityTasks, '*', 't', 'another')) as string;
      await redis().hset(k.heartbeats, entry, 'details', other, 'kept');

      await cancelAttempt(c);
      assert.deepEqual((await entries(redis(), k.activityTasks)).map((e) => e.id), [other], 'only the cancelled attempt is gone');
      assert.equal(await redis().hget(k.execution, 'a9'), null);
      assert.deepEqual(await redis().hgetall(k.heartbeats), { [other]: 'kept' });
      assert.deepEqual(await inboxEvents(redis(), k.inbox), [{ e: 'canceled-9', t: 'ActivityFailed' }]);
      assert.deepEqual((await entries(redis(), k.workflowTasks)).map((e) => e.fields), [{ i: 'order-1', e: 'exec-1' }]);
    });

    it('removes an attempt from a stream that no worker has read yet (no consumer group)', async () => {
      const c = await claimExecution(redis(), scripts());
      await queuedAttempt(c.k);
      await cancelAttempt(c);
      assert.equal(await redis().xlen(c.k.activityTasks), 0);
      assert.equal(await redis().llen(c.k.inbox), 1);
    });

    it('removes an attempt its worker gave back, at the entry it moved to', async () => {
      const c = await claimExecution(redis(), scripts());
      const { k } = c;
      const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-9' }, 'worker-b~1000');
      await redis().hset(k.execution, 'a9', entry);
      const moved = await scripts().releaseActivityTask(
        { activityTasks: k.activityTasks, heartbeats: k.heartbeats, execution: k.execution, timers: k.timers, executionTimers: k.executionTimers },
        { entryId: entry, group: GROUP, deliveries: 1, scheduleEventId: 9 },
      );
      assert.ok(moved !== undefined);

      await cancelAttempt(c);
      assert.equal(await redis().xlen(k.activityTasks), 0);
      assert.deepEqual((await inboxEvents(redis(), k.inbox)).map((e) => e.t), ['ActivityFailed']);
    });

    it('removes an attempt its worker gave back for later, while the delay runs, out of the pending list too', async () => {
      const c = await claimExecution(redis(), scripts());
      const { k } = c;
      const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-9' }, 'worker-b~1000');
      await redis().hset(k.execution, 'a9', entry);
      await redis().hset(k.heartbeats, entry, 'details');
      const deferred = await scripts().deferActivityTask(
        { activityTasks: k.activityTasks, timers: k.timers, executionTimers: k.executionTimers },
        { entryId: entry, group: GROUP, deliveries: 1, consumer: 'worker-b~later~60000', member: 'deferred-member' },
      );
      assert.equal(deferred, true);

      await cancelAttempt(c);
      assert.equal(await redis().xlen(k.activityTasks), 0);
      assert.deepEqual(await pending(redis(), k.activityTasks), []);
      assert.equal(await redis().hget(k.execution, 'a9'), null);
      assert.equal(await redis().hexists(k.heartbeats, entry), 0);
      assert.deepEqual((await inboxEvents(redis(), k.inbox)).map((e) => e.t), ['ActivityFailed']);
    });

    it('leaves an attempt a worker holds to run to its end: nothing removed, no answer', async () => {
      const c = await claimExecution(redis(), scripts());
      const { k } = c;
      const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-9' }, 'worker-b~1000');
      await redis().hset(k.execution, 'a9', entry);

      await cancelAttempt(c);
      assert.deepEqual((await entries(redis(), k.activityTasks)).map((e) => e.id), [entry]);
      assert.deepEqual((await pending(redis(), k.activityTasks)).map((p) => [p.id, p.consumer]), [[entry, 'worker-b~1000']]);
      assert.equal(await redis().hget(k.execution, 'a9'), entry, 'its completion removes the record');
      assert.equal(await redis().exists(k.inbox), 0);
      assert.deepEqual(await entries(redis(), k.workflowTasks), [], 'nothing to wake the execution for');
    });

    it('does nothing for an attempt that has completed', async () => {
      const c = await claimExecution(redis(), scripts());
      await redis().xadd(c.k.activityTasks, '*', 't', 'unrelated');
      await cancelAttempt(c);
      assert.equal(await redis().xlen(c.k.activityTasks), 1);
      assert.equal(await redis().exists(c.k.inbox), 0);
    });

    it('removes the attempt but answers nothing when the task ends the execution', async () => {
      const c = await claimExecution(redis(), scripts());
      await queuedAttempt(c.k);
      await cancelAttempt(c, 'finished');
      assert.equal(await redis().xlen(c.k.activityTasks), 0);
      assert.equal(await redis().exists(c.k.inbox), 0);
      assert.equal(await redis().hget(c.k.execution, 'state'), 'finished');
    });
  });

  describe('sub-workflows of the same partition', () => {
    /** A child of `c`'s partition, active, with its started event and a signal in its inbox. */
    async function seedChild(c: Claimed, seed: Parameters<typeof seedExecution>[2] = {}): Promise<ExecutionKeys> {
      const kid = executionKeys({ prefix: c.k.prefix, instanceId: 'kid', executionId: 'kid-1' });
      const inbox = [
        { event: 'kid-started', type: 'WorkflowExecutionStarted' },
        { event: 'kid-signal', type: 'SignalReceived' },
      ];
      await seedExecution(redis(), kid, { inbox, ...seed });
      await redis().zadd(kid.instances, 1000, 'kid\nkid-1');
      return kid;
    }

    /** Asks `kid` to cancel, as planCompletion does for a child of the same partition. */
    function cancelChild(c: Claimed, kid: ExecutionKeys, options: { state?: string; retentionMs?: number } = {}): Promise<unknown> {
      const cancellation: ChildCancellationArgs = {
        execution: 0,
        inbox: 1,
        instance: 3,
        history: 4,
        executionTimers: 5,
        instanceId: 'kid',
        executionId: 'kid-1',
        canceled: Buffer.from('kid-canceled'),
        finished: Buffer.from('kid-finished'),
        parentFailed: Buffer.from('parent-failed'),
      };
      const delivery: DeliveryArgs = {
        execution: 0,
        inbox: 1,
        workflowTasks: 2,
        instanceId: 'kid',
        executionId: 'kid-1',
        event: Buffer.from('kid-canceled'),
        eventType: 'WorkflowExecutionCanceled',
      };
      return completeClaimed(
        scripts(),
        c,
        { ...options, childCancellations: [cancellation], deliveries: [delivery] },
        [kid.execution, kid.inbox, kid.workflowTasks, kid.instance, kid.history, kid.executionTimers],
      );
    }

    it('ends a child no worker has started, cancelled, and answers SubWorkflowFailed in its own inbox', async () => {
      const c = await claimExecution(redis(), scripts());
      const kid = await seedChild(c);
      const subscriber = new Redis(url());
      const messages: string[] = [];
      subscriber.on('message', (_channel: string, message: string) => messages.push(message));
      await subscriber.subscribe(kid.channel);
      try {
        await cancelChild(c, kid);
        assert.deepEqual(await redis().lrange(kid.history, 0, -1), ['kid-started', 'kid-canceled', 'kid-finished']);
        const execution = await redis().hgetall(kid.execution);
        assert.deepEqual([execution.state, execution.historyLength, execution.lockedUntil], ['finished', '3', '0']);
        assert.ok(Number(execution.finishedAt) > 0);
        assert.equal(await redis().hget(kid.instance, 'state'), 'finished');
        assert.equal(await redis().exists(kid.inbox), 0, 'neither the signal nor the cancellation request is left for it');
        assert.equal(await redis().sismember(kid.active, 'kid\nkid-1'), 0);
        assert.equal(await redis().zscore(kid.finished, 'kid\nkid-1'), execution.finishedAt);
        assert.deepEqual(await inboxEvents(redis(), c.k.inbox), [{ e: 'parent-failed', t: 'SubWorkflowFailed' }]);
        assert.deepEqual((await entries(redis(), c.k.workflowTasks)).map((e) => e.fields.i), ['order-1'], 'the parent is re-queued');
        for (let i = 0; i < 50 && messages.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
        assert.deepEqual(messages, ['kid\nkid-1']);
      } finally {
        subscriber.disconnect();
      }
    });

    it('keeps the keys of the ended child for the retention', async () => {
      const c = await claimExecution(redis(), scripts());
      const kid = await seedChild(c);
      await cancelChild(c, kid, { retentionMs: 60_000 });
      const ttl = await redis().pttl(kid.history);
      assert.ok(ttl > 50_000 && ttl <= 60_000, `the history expires (${ttl})`);
      assert.deepEqual(await redis().zrange(kid.expiring, 0, -1), ['kid\nkid-1']);
    });

    it('asks a child that has started to cancel instead, with no answer', async () => {
      const c = await claimExecution(redis(), scripts());
      const kid = await seedChild(c, { history: ['kid-started'], inbox: [] });
      await cancelChild(c, kid);
      assert.equal(await redis().hget(kid.execution, 'state'), 'active');
      assert.deepEqual(await redis().lrange(kid.history, 0, -1), ['kid-started']);
      assert.deepEqual(await inboxEvents(redis(), kid.inbox), [{ e: 'kid-canceled', t: 'WorkflowExecutionCanceled' }]);
      assert.equal(await redis().exists(c.k.inbox), 0);
    });

    it('leaves a child whose first task a worker is running to that worker, asking it to cancel', async () => {
      const c = await claimExecution(redis(), scripts());
      const lockedUntil = (await serverNow(redis())) + 30_000;
      const kid = await seedChild(c, { lockToken: 1, lockedUntil, lockEntry: '1-1' });
      await cancelChild(c, kid);
      assert.equal(await redis().hget(kid.execution, 'state'), 'active');
      assert.equal(await redis().hget(kid.execution, 'lockedUntil'), String(lockedUntil));
      assert.deepEqual((await inboxEvents(redis(), kid.inbox)).map((e) => e.t), ['WorkflowExecutionStarted', 'SignalReceived', 'WorkflowExecutionCanceled']);
      assert.equal(await redis().exists(c.k.inbox), 0);
    });

    it("ends a child whose first task's holder let its lease lapse, and refuses that holder's completion", async () => {
      const c = await claimExecution(redis(), scripts());
      const kid = await seedChild(c, { lockToken: 3, lockedUntil: (await serverNow(redis())) - 1_000, lockEntry: '1-1' });
      await cancelChild(c, kid);
      assert.equal(await redis().hget(kid.execution, 'state'), 'finished');
      await assert.rejects(completeClaimed(scripts(), { k: kid, entry: '1-1', token: 3, inboxCount: 0 }), /LEASE_LOST kid-1/);
    });

    it('ends the child but drops the answer when the parent has just finished', async () => {
      const c = await claimExecution(redis(), scripts());
      const kid = await seedChild(c);
      await cancelChild(c, kid, { state: 'finished' });
      assert.equal(await redis().hget(kid.execution, 'state'), 'finished');
      assert.equal(await redis().exists(c.k.inbox), 0);
    });

    it('leaves an ended child alone', async () => {
      const c = await claimExecution(redis(), scripts());
      const kid = await seedChild(c, { state: 'finished', history: ['kid-started', 'kid-done'], inbox: [] });
      await cancelChild(c, kid);
      assert.deepEqual(await redis().lrange(kid.history, 0, -1), ['kid-started', 'kid-done']);
      assert.equal(await redis().exists(kid.inbox), 0);
      assert.equal(await redis().exists(c.k.inbox), 0);
    });
  });
});
