import assert from 'node:assert/strict';
import { GROUP, addAndDeliver, entries, executionKeys, pending, serverNow, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';

describe('lua/defer-activity-task', () => {
  const { redis, scripts, deadlineScripts } = useScripts();

  function defer(k: ExecutionKeys, entry: string, consumer: string, deliveries = 1, deadlines?: string[]): Promise<boolean> {
    return scripts().deferActivityTask(
      { activityTasks: k.activityTasks, timers: k.timers, executionTimers: k.executionTimers },
      { entryId: entry, group: GROUP, deliveries, consumer, member: `later:${entry}:${deliveries}`, ...(deadlines === undefined ? {} : { deadlines }) },
    );
  }

  function reclaim(k: ExecutionKeys, consumer: string): Promise<Array<{ id: string; deliveries: number }>> {
    return scripts()
      .reclaimTasks(k.activityTasks, { group: GROUP, consumer, cursor: '0-0', max: 10, scan: 100, fallbackLeaseMs: 60_000 })
      .then((r) => r.entries.map((e) => ({ id: e.id, deliveries: e.deliveries })));
  }

  it('keeps the entry pending under the consumer named for the delay, with its idle time reset', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob' }, 'worker-a~60000');
    await redis().hset(k.heartbeats, entry, 'details');
    await new Promise((resolve) => setTimeout(resolve, 30));

    assert.equal(await defer(k, entry, 'worker-a~later~200'), true);
    assert.deepEqual(await entries(redis(), k.activityTasks), [{ id: entry, fields: { t: 'task-blob' } }]);
    const [held] = await pending(redis(), k.activityTasks);
    assert.equal(held?.consumer, 'worker-a~later~200');
    assert.ok(held.idleMs < 30, `idle time reset, got ${held.idleMs}`);
    assert.equal(await redis().hget(k.heartbeats, entry), 'details');
  });

  it('is claimed by nobody before the delay ends, and after it as a redelivery', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob' }, 'worker-a~60000');
    assert.equal(await defer(k, entry, 'worker-a~later~150'), true);
    assert.deepEqual(await reclaim(k, 'worker-b~60000'), []);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await reclaim(k, 'worker-b~60000'), [{ id: entry, deliveries: 2 }]);
  });

  it("drops the attempt's startToClose and heartbeat deadlines: they start again at its next claim", async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob' }, 'worker-a~1000');
    await redis().zadd(k.timers, 100, 'stc', 100, 'hb', 200, 'sc');
    await redis().sadd(k.executionTimers, 'stc', 'hb', 'sc');
    assert.equal(await defer(k, entry, 'worker-a~later~500', 1, ['stc', 'hb']), true);
    assert.deepEqual(await redis().zrange(k.timers, 0, -1), ['sc', `later:${entry}:1`], 'scheduleToClose runs on');
    assert.deepEqual((await redis().smembers(k.executionTimers)).sort(), [`later:${entry}:1`, 'sc']);
  });

  it("adds the member that brings the task back, due when the delay ends (Redis time), to the timers and the execution's timers", async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob' }, 'worker-a~60000');
    const before = await serverNow(redis());
    assert.equal(await defer(k, entry, 'worker-a~later~1500', 1), true);
    const after = await serverNow(redis());
    const due = Number(await redis().zscore(k.timers, `later:${entry}:1`));
    assert.ok(due >= before + 1_500 && due <= after + 1_500, `due ${due - before} ms after the call`);
    assert.deepEqual(await redis().smembers(k.executionTimers), [`later:${entry}:1`], 'goes with the execution when it ends');
  });

  it('changes nothing for a delivery count that does not match the entry, or an entry handed out again', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob' }, 'worker-a~1000');
    await redis().zadd(k.timers, 100, 'stc');
    let before = await snapshot(redis(), k.prefix);
    assert.equal(await defer(k, entry, 'worker-a~later~500', 2, ['stc', '']), false);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);

    await redis().xclaim(k.activityTasks, GROUP, 'worker-b~1000', 0, entry);
    before = await snapshot(redis(), k.prefix);
    assert.equal(await defer(k, entry, 'worker-a~later~500', 1, ['stc', '']), false);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });

  it('ends the hold of the worker that deferred it: it can no longer extend, start, give back or defer the entry', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob' }, 'worker-a~1000');
    assert.equal(await defer(k, entry, 'worker-a~later~60000'), true);
    const before = await snapshot(redis(), k.prefix);
    await assert.rejects(
      scripts().extendActivityTask(
        { activityTasks: k.activityTasks, heartbeats: k.heartbeats, timers: k.timers },
        { entryId: entry, group: GROUP, consumer: 'worker-a~1000', deliveries: 1 },
      ),
      /LEASE_LOST/,
    );
    const keys = { activityTasks: k.activityTasks, heartbeats: k.heartbeats, execution: k.execution, timers: k.timers, executionTimers: k.executionTimers };
    assert.equal(await scripts().releaseActivityTask(keys, { entryId: entry, group: GROUP, deliveries: 1, scheduleEventId: 9 }), undefined);
    assert.equal(await defer(k, entry, 'worker-a~later~10'), false);
    const attempt = await deadlineScripts().startActivityAttempt(
      { activityTasks: k.activityTasks, timers: k.timers, executionTimers: k.executionTimers },
      { entryId: entry, group: GROUP, deliveries: 1, startToCloseMember: 'stc', startToCloseTimeoutMs: 1_000, heartbeatMember: '', heartbeatTimeoutMs: 0 },
    );
    assert.equal(attempt, undefined);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
    assert.deepEqual((await pending(redis(), k.activityTasks)).map((p) => p.consumer), ['worker-a~later~60000'], 'still deferred');
  });

  it('changes nothing for an entry that is not pending', async () => {
    const k = executionKeys();
    const id = await redis().xadd(k.activityTasks, '*', 't', 'task-blob');
    await redis().xgroup('CREATE', k.activityTasks, GROUP, '0');
    const before = await snapshot(redis(), k.prefix);
    assert.equal(await defer(k, id as string, 'worker-a~later~500'), false);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });
});
