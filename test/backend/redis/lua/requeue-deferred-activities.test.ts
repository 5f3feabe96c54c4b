import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { deferredActivityMember } from '../../../../src/backend/redis/deferred-activity-member.js';
import { GROUP, addAndDeliver, deliver, entries, executionKeys, pending, seedExecution, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';

describe('lua/requeue-deferred-activities', () => {
  const { redis, scripts, url } = useScripts();

  function memberOf(k: ExecutionKeys, entry: string, deliveries: number): string {
    return deferredActivityMember({ instanceId: k.instanceId, executionId: k.executionId, scheduleEventId: 5, queue: 'default', entryId: entry, deliveries });
  }

  async function defer(k: ExecutionKeys, entry: string, deliveries = 1, delayMs = 60_000): Promise<string> {
    const member = memberOf(k, entry, deliveries);
    const deferred = await scripts().deferActivityTask(
      { activityTasks: k.activityTasks, timers: k.timers, executionTimers: k.executionTimers },
      { entryId: entry, group: GROUP, deliveries, consumer: `worker-a~later~${delayMs}`, member },
    );
    assert.equal(deferred, true);
    return member;
  }

  function requeue(k: ExecutionKeys, entry: string, deliveries: number, member = memberOf(k, entry, deliveries)): Promise<number> {
    return scripts().requeueDeferredActivities(k.timers, GROUP, [
      {
        member,
        entryId: entry,
        deliveries,
        scheduleEventId: 5,
        activityTasks: k.activityTasks,
        heartbeats: k.heartbeats,
        execution: k.execution,
        executionTimers: k.executionTimers,
      },
    ]);
  }

  async function deferredEntry(k: ExecutionKeys, fields: Record<string, string> = { t: 'task-blob' }): Promise<{ entry: string; member: string }> {
    await seedExecution(redis(), k);
    const entry = await addAndDeliver(redis(), k.activityTasks, fields, 'worker-a~60000');
    await redis().hset(k.execution, 'a5', entry);
    return { entry, member: await defer(k, entry) };
  }

  it('moves a deferred task to a fresh entry, with its heartbeat details and its execution record, as a redelivery', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k);
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob', x: 'extra' }, 'worker-a~60000');
    await redis().hset(k.execution, 'a5', entry);
    await redis().hset(k.heartbeats, entry, 'details');
    await defer(k, entry);

    assert.equal(await requeue(k, entry, 1), 1);
    const [fresh, ...rest] = await entries(redis(), k.activityTasks);
    assert.deepEqual(rest, []);
    assert.ok(fresh !== undefined && fresh.id !== entry);
    assert.deepEqual(fresh.fields, { t: 'task-blob', x: 'extra', r: '1' }, "the deferral's delivery counts as a redelivery");
    assert.deepEqual(await pending(redis(), k.activityTasks), [], 'the deferred entry is gone');
    assert.deepEqual(await redis().hgetall(k.heartbeats), { [fresh.id]: 'details' });
    assert.equal(await redis().hget(k.execution, 'a5'), fresh.id, 'a cancellation finds the task at its new entry');
    assert.deepEqual(await redis().zrange(k.timers, 0, -1), [], 'the member went');
    assert.deepEqual(await redis().smembers(k.executionTimers), []);
    assert.deepEqual(await deliver(redis(), k.activityTasks, 'worker-b~60000'), [fresh.id], 'any worker takes it at once');
  });

  it('adds the redeliveries the entry carried and its reclaims', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k);
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob', r: '2' }, 'worker-a~1000');
    await redis().xclaim(k.activityTasks, GROUP, 'worker-b~1000', 0, entry);
    await defer(k, entry, 2);

    assert.equal(await requeue(k, entry, 2), 1);
    assert.deepEqual((await entries(redis(), k.activityTasks)).map((e) => e.fields), [{ t: 'task-blob', r: '4' }]);
  });

  it('wakes a reader blocked on the stream', async () => {
    const k = executionKeys();
    const { entry } = await deferredEntry(k);
    const reader = new Redis(url());
    try {
      const read = reader.xreadgroup('GROUP', GROUP, 'worker-b~60000', 'BLOCK', 10_000, 'STREAMS', k.activityTasks, '>') as Promise<
        Array<[string, Array<[string, string[]]>]> | null
      >;
      // The read is blocked once Redis lists the client as blocked.
      for (let i = 0; i < 100 && !String(await redis().client('LIST')).includes('cmd=xreadgroup'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const startedAt = Date.now();
      assert.equal(await requeue(k, entry, 1), 1);
      const reply = await read;
      assert.ok(Date.now() - startedAt < 5_000, 'woken by the new entry, not by the block timeout');
      const fresh = (await entries(redis(), k.activityTasks))[0]?.id;
      assert.deepEqual(reply?.[0]?.[1].map(([id]) => id), [fresh]);
    } finally {
      reader.disconnect();
    }
  });

  it('leaves an entry a reclaim took meanwhile with its new holder: only the member goes', async () => {
    const k = executionKeys();
    const { entry } = await deferredEntry(k);
    await redis().xclaim(k.activityTasks, GROUP, 'worker-b~60000', 0, entry);
    const before = await snapshot(redis(), k.prefix);

    assert.equal(await requeue(k, entry, 1), 0);
    assert.deepEqual((await entries(redis(), k.activityTasks)).map((e) => e.id), [entry]);
    assert.deepEqual((await pending(redis(), k.activityTasks)).map((p) => [p.id, p.consumer]), [[entry, 'worker-b~60000']]);
    assert.equal(await redis().hget(k.execution, 'a5'), entry);
    assert.deepEqual(await redis().zrange(k.timers, 0, -1), []);
    assert.deepEqual(await redis().smembers(k.executionTimers), []);
    const after = await snapshot(redis(), k.prefix);
    delete before[k.timers];
    delete before[k.executionTimers];
    assert.deepEqual(after, before, 'nothing else changed');
  });

  it('leaves an entry deferred again after a reclaim to the member of its new deferral', async () => {
    const k = executionKeys();
    const { entry, member } = await deferredEntry(k);
    await redis().xclaim(k.activityTasks, GROUP, 'worker-b~60000', 0, entry);
    const second = await defer(k, entry, 2);

    assert.equal(await requeue(k, entry, 1, member), 0, 'the first deferral is over');
    assert.deepEqual((await pending(redis(), k.activityTasks)).map((p) => p.consumer), ['worker-a~later~60000']);
    assert.deepEqual(await redis().zrange(k.timers, 0, -1), [second]);
    assert.equal(await requeue(k, entry, 2, second), 1);
    assert.deepEqual((await entries(redis(), k.activityTasks)).map((e) => e.fields.r), ['2']);
  });

  it('does nothing for an entry a cancellation removed or a completion or timeout acknowledged meanwhile', async () => {
    for (const remove of ['cancel', 'acknowledge'] as const) {
      const k = executionKeys();
      const { entry } = await deferredEntry(k);
      if (remove === 'cancel') {
        await redis().xack(k.activityTasks, GROUP, entry);
        await redis().xdel(k.activityTasks, entry);
        await redis().hdel(k.execution, 'a5');
      } else {
        await redis().xack(k.activityTasks, GROUP, entry);
      }
      const before = await snapshot(redis(), k.prefix);
      assert.equal(await requeue(k, entry, 1), 0, remove);
      const after = await snapshot(redis(), k.prefix);
      assert.deepEqual(await redis().zrange(k.timers, 0, -1), [], remove);
      delete before[k.timers];
      delete before[k.executionTimers];
      assert.deepEqual(after, before, `${remove}: nothing else changed`);
    }
  });

  it('acknowledges an entry no longer in the stream and writes nothing else', async () => {
    const k = executionKeys();
    const { entry } = await deferredEntry(k);
    await redis().xdel(k.activityTasks, entry);
    assert.equal(await requeue(k, entry, 1), 0);
    assert.deepEqual(await pending(redis(), k.activityTasks), []);
    assert.equal(await redis().xlen(k.activityTasks), 0);
  });

  it('skips a member already gone (fired by another loop, or its execution ended): the entry stays deferred', async () => {
    const k = executionKeys();
    const { entry, member } = await deferredEntry(k);
    await redis().zrem(k.timers, member);
    const before = await snapshot(redis(), k.prefix);
    assert.equal(await requeue(k, entry, 1), 0);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });

  it('writes no record for an execution that is gone', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob' }, 'worker-a~60000');
    await defer(k, entry);
    assert.equal(await requeue(k, entry, 1), 1);
    assert.equal(await redis().exists(k.execution), 0, 'a removed execution is not recreated');
  });
});
