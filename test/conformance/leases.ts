import assert from 'node:assert/strict';
import type { ActivityTask, Backend, WorkflowTask } from '../../src/backend/backend.js';
import { InvalidArgumentError, LeaseLostError } from '../../src/errors/errors.js';
import { LOCK_MS, activityScheduled, completion, harness, instance, started, type Harness } from './harness.js';

// Leases are counted by the store's clock (Redis TIME) and observed here by the test's: allow for rounding.
const CLOCK_SLACK_MS = 5;

/**
 * Leases follow their holder: a task stays with the worker that claimed it until that worker's own lease
 * (the one it claimed, was handed or last extended the task with) runs out, whatever lease other workers
 * poll with; then the next poll of any worker takes it, and an activity's next run is told it is a
 * redelivery.
 */
export function leaseTests(backend: () => Backend, peerOf: (backend: Backend) => Backend): void {
  describe('leases follow their holder', () => {
    let peer: Backend;
    let h: Harness;
    let other: Harness;

    beforeEach(() => {
      peer = peerOf(backend());
      h = harness(backend);
      other = harness(() => peer);
    });
    afterEach(async () => {
      if (peer !== backend()) await peer.close();
    });

    async function scheduledActivity(seid: number): Promise<void> {
      await backend().createWorkflowInstance(instance(), started());
      const task = await h.pollOne();
      await backend().completeWorkflowTask(task, completion(task, activityScheduled(task, seid)));
    }

    async function onlyActivity(harnessOf: Harness, options: { lockMs: number; waitMs?: number }): Promise<ActivityTask> {
      const tasks = await harnessOf.pollActivities(options);
      assert.equal(tasks.length, 1, 'expected one activity task');
      return tasks[0] as ActivityTask;
    }

    it("keeps an activity with its holder for the holder's own lease, whatever lease others poll with", async () => {
      await scheduledActivity(5);
      const held = await onlyActivity(h, { lockMs: 600 });
      assert.equal(held.attempt, 0);
      assert.equal(held.redeliveries, 0);

      assert.deepEqual(await other.pollActivities({ lockMs: 50, waitMs: 300 }), [], "not taken within the holder's lease");
      const extendedAt = Date.now();
      await backend().extendActivityTask(held, 1_200);
      // Past the claim's 600 ms lease: the extension's own lease is what counts now.
      assert.deepEqual(await other.pollActivities({ lockMs: 50, waitMs: 700 }), [], "not taken within the extension's lease");

      const taken = await onlyActivity(other, { lockMs: 50, waitMs: 3_000 });
      assert.ok(Date.now() - extendedAt >= 1_200 - CLOCK_SLACK_MS, 'taken only once the lease granted by the extension ran out');
      assert.equal(taken.scheduleEventId, 5);
      assert.equal(taken.attempt, 0, 'the same attempt');
      assert.equal(taken.redeliveries, 1, 'told it is a redelivery');
      await assert.rejects(backend().extendActivityTask(held, LOCK_MS), LeaseLostError);
    });

    it("keeps a workflow task with its holder for the holder's own lease, whatever lease others poll with", async () => {
      const inst = instance();
      await backend().createWorkflowInstance(inst, started());
      const held = await h.pollOne({ lockMs: 600 });

      assert.deepEqual(await other.poll({ lockMs: 50, waitMs: 300 }), [], "not taken within the holder's lease");
      const extendedAt = Date.now();
      await backend().extendWorkflowTask(held, 1_200);
      assert.deepEqual(await other.poll({ lockMs: 50, waitMs: 700 }), [], "not taken within the extension's lease");

      const taken = await other.pollOne({ lockMs: 50, waitMs: 3_000 });
      assert.ok(Date.now() - extendedAt >= 1_200 - CLOCK_SLACK_MS, 'taken only once the lease granted by the extension ran out');
      assert.deepEqual(taken.instance, inst);
      assert.ok(taken.lockToken > held.lockToken, 'a higher fencing token');
      await assert.rejects(backend().completeWorkflowTask(held, completion(held)), LeaseLostError);
      await peer.completeWorkflowTask(taken, completion(taken));
      assert.equal((await peer.getWorkflowInstanceHistory(inst)).length, 2, 'only the new holder committed');
    });

    it("gives an abandoned activity to a worker with a longer lease once the holder's lease ran out", async () => {
      await scheduledActivity(6);
      const claimedAt = Date.now();
      await onlyActivity(h, { lockMs: 300 });
      // Waiting for the taker's own 60 s lease would outlast the poll.
      const taken = await onlyActivity(other, { lockMs: 60_000, waitMs: 5_000 });
      assert.ok(Date.now() - claimedAt >= 300 - CLOCK_SLACK_MS);
      assert.equal(taken.redeliveries, 1);
    });

    it("gives an abandoned workflow task to a worker with a longer lease once the holder's lease ran out", async () => {
      await backend().createWorkflowInstance(instance(), started());
      const claimedAt = Date.now();
      const held = await h.pollOne({ lockMs: 300 });
      const taken = await other.pollOne({ lockMs: 60_000, waitMs: 5_000 });
      assert.ok(Date.now() - claimedAt >= 300 - CLOCK_SLACK_MS);
      assert.ok(taken.lockToken > held.lockToken);
    });

    it('hands tasks over on the lease the taker asked for', async () => {
      // Workers serve the activity queue already (a RedisBackend hands over only from a stream they read).
      assert.deepEqual(await other.pollActivities({ waitMs: 50 }), []);
      await backend().createWorkflowInstance(instance(), started());
      const task = await h.pollOne();
      const [handed] = await backend().completeWorkflowTask(task, completion(task, activityScheduled(task, 8)), {
        queues: ['default'],
        max: 1,
        lockTimeoutMs: 1_500,
      });
      assert.ok(handed !== undefined, 'the scheduled activity was handed over');
      assert.equal(handed.redeliveries, 0);
      assert.deepEqual(await other.pollActivities({ lockMs: 50, waitMs: 500 }), [], 'the handed activity keeps its lease');

      const next: WorkflowTask | undefined = await backend().completeActivityTask(
        handed,
        { result: 1 },
        { queues: ['default'], lockTimeoutMs: 1_500, knownHistoryLength: () => 0 },
      );
      assert.ok(next !== undefined, 'the woken workflow task was handed over');
      assert.deepEqual(await other.poll({ lockMs: 50, waitMs: 500 }), [], 'the handed workflow task keeps its lease');
      await backend().completeWorkflowTask(next, completion(next));
    });

    it('counts the redeliveries of an activity attempt: one per lease that ran out, none for a release', async () => {
      await scheduledActivity(9);
      const first = await onlyActivity(h, { lockMs: 100 });
      const second = await onlyActivity(other, { lockMs: 100, waitMs: 3_000 });
      const third = await onlyActivity(h, { lockMs: LOCK_MS, waitMs: 3_000 });
      assert.deepEqual([first, second, third].map((t) => t.redeliveries), [0, 1, 2]);
      await backend().releaseActivityTask(third);
      const fourth = await onlyActivity(other, { lockMs: LOCK_MS });
      assert.deepEqual([fourth.scheduleEventId, fourth.attempt, fourth.redeliveries], [9, 0, 2]);
    });

    it('gives an activity back for later: no worker takes it before retryAfterMs, any worker after, as a redelivery', async () => {
      await scheduledActivity(10);
      const held = await onlyActivity(h, { lockMs: LOCK_MS });
      const releasedAt = Date.now();
      await backend().releaseActivityTask(held, 600);
      assert.deepEqual(await other.pollActivities({ lockMs: 50, waitMs: 300 }), [], 'not taken before retryAfterMs');
      const taken = await onlyActivity(other, { lockMs: LOCK_MS, waitMs: 5_000 });
      assert.ok(Date.now() - releasedAt >= 600 - CLOCK_SLACK_MS, 'taken only once retryAfterMs had passed');
      assert.deepEqual([taken.scheduleEventId, taken.attempt, taken.redeliveries], [10, 0, 1]);
      // A second give-back counts again.
      await peer.releaseActivityTask(taken, 100);
      const third = await onlyActivity(h, { lockMs: LOCK_MS, waitMs: 5_000 });
      assert.equal(third.redeliveries, 2);
    });

    it('brings an activity given back for later back when retryAfterMs ends, whatever leases the workers use', async () => {
      // A worker looks for tasks whose lease ran out at its first poll, then, with a 60 s lease, about 30 s
      // later: only the end of the delay itself can bring the task back to this one sooner.
      assert.deepEqual(await other.pollActivities({ lockMs: 60_000, waitMs: 50 }), []);
      await scheduledActivity(15);
      const held = await onlyActivity(h, { lockMs: 60_000 });
      const releasedAt = Date.now();
      await backend().releaseActivityTask(held, 200);
      const taken = await onlyActivity(other, { lockMs: 60_000, waitMs: 8_000 });
      assert.ok(Date.now() - releasedAt >= 200 - CLOCK_SLACK_MS, 'taken only once retryAfterMs had passed');
      assert.deepEqual([taken.scheduleEventId, taken.attempt, taken.redeliveries], [15, 0, 1]);
      // The worker that gave it back is woken as soon as any other.
      await peer.releaseActivityTask(taken, 200);
      const third = await onlyActivity(h, { lockMs: 60_000, waitMs: 8_000 });
      assert.deepEqual([third.scheduleEventId, third.redeliveries], [15, 2]);
    });

    it("drops the attempt's startToClose and heartbeat deadlines when it gives an activity back for later", async () => {
      await backend().createWorkflowInstance(instance(), started());
      const task = await h.pollOne();
      const timeouts = { startToCloseTimeoutMs: 400, heartbeatTimeoutMs: 400 };
      const scheduled = activityScheduled(task, 11);
      await backend().completeWorkflowTask(
        task,
        completion(task, { ...scheduled, activities: (scheduled.activities ?? []).map((a) => ({ ...a, timeouts })) }),
      );
      const held = await onlyActivity(h, { lockMs: LOCK_MS });
      assert.ok((held.timeLeftMs?.startToClose ?? 0) > 0);
      await backend().releaseActivityTask(held, 700);
      // Past both deadlines: had they stayed, the attempt would have timed out and woken the workflow.
      assert.deepEqual(await h.poll({ waitMs: 600 }), [], 'the attempt did not time out while given back');
      const taken = await onlyActivity(other, { lockMs: LOCK_MS, waitMs: 5_000 });
      assert.ok((taken.timeLeftMs?.startToClose ?? 0) > 300, 'startToClose starts again at the next claim');
      assert.ok((taken.timeLeftMs?.heartbeat ?? 0) > 300, 'so does the heartbeat timeout');
    });

    it('ignores a give-back for later from a worker that no longer holds the activity', async () => {
      await scheduledActivity(12);
      const stale = await onlyActivity(h, { lockMs: 100 });
      const taken = await onlyActivity(other, { lockMs: LOCK_MS, waitMs: 3_000 });
      await backend().releaseActivityTask(stale, 50);
      await backend().releaseActivityTask(stale);
      await peer.extendActivityTask(taken, LOCK_MS);
      assert.deepEqual(await h.pollActivities({ lockMs: LOCK_MS, waitMs: 400 }), [], 'the holder keeps it');
    });

    it('ends the hold of the worker that gave an activity back for later: it can neither extend it nor give it back again', async () => {
      await scheduledActivity(14);
      const held = await onlyActivity(h, { lockMs: LOCK_MS });
      await backend().releaseActivityTask(held, 400);
      await assert.rejects(backend().extendActivityTask(held, LOCK_MS), LeaseLostError);
      await backend().releaseActivityTask(held);
      assert.deepEqual(await other.pollActivities({ lockMs: 50, waitMs: 200 }), [], 'still kept for its delay');
      const taken = await onlyActivity(other, { lockMs: LOCK_MS, waitMs: 5_000 });
      assert.deepEqual([taken.scheduleEventId, taken.redeliveries], [14, 1]);
    });

    it('refuses a negative or non-finite retryAfterMs', async () => {
      await scheduledActivity(13);
      const held = await onlyActivity(h, { lockMs: LOCK_MS });
      for (const bad of [-1, Number.NaN, Infinity]) {
        await assert.rejects(backend().releaseActivityTask(held, bad), InvalidArgumentError);
      }
      await backend().extendActivityTask(held, LOCK_MS);
    });
  });
}
