import assert from 'node:assert/strict';
import { GROUP, addAndDeliver, executionKeys, pending, serverNow, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';

describe('lua/extend-activity-task', () => {
  const { redis, scripts } = useScripts();

  function extend(k: ExecutionKeys, entry: string, consumer: string, deliveries = 1, details?: string): Promise<void> {
    return scripts().extendActivityTask(
      { activityTasks: k.activityTasks, heartbeats: k.heartbeats, timers: k.timers },
      { entryId: entry, group: GROUP, consumer, deliveries, ...(details === undefined ? {} : { details: Buffer.from(details) }) },
    );
  }

  it('resets the idle time of a held entry and records heartbeat details', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'x' }, 'worker-a~1000');
    await new Promise((r) => setTimeout(r, 120));

    await extend(k, entry, 'worker-a~1000', 1, 'progress 50%');
    const [p] = await pending(redis(), k.activityTasks);
    assert.equal(p?.consumer, 'worker-a~1000');
    assert.ok(p.idleMs < 100, `idle ${p?.idleMs}`);
    assert.equal(await redis().hget(k.heartbeats, entry), 'progress 50%');

    // Extending keeps the delivery count, so the holder can go on extending.
    await extend(k, entry, 'worker-a~1000');
    assert.equal(await redis().hget(k.heartbeats, entry), 'progress 50%');
  });

  it('moves the entry to the consumer named for the lease it grants, keeping its delivery count', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'x' }, 'worker-a~1000');
    await extend(k, entry, 'worker-a~60000');
    const raw = (await redis().xpending(k.activityTasks, GROUP, '-', '+', 10)) as Array<[string, string, number, number]>;
    assert.deepEqual(raw.map(([id, consumer, , deliveries]) => [id, consumer, deliveries]), [[entry, 'worker-a~60000', 1]]);
    await extend(k, entry, 'worker-a~1000');
    assert.deepEqual((await pending(redis(), k.activityTasks)).map((p) => p.consumer), ['worker-a~1000']);
  });

  it('fails with LEASE_LOST once another worker reclaimed the entry, without taking it back', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'x' }, 'worker-a~1000');
    // A reclaim claims with XCLAIM, which raises the delivery count.
    await redis().xclaim(k.activityTasks, GROUP, 'worker-b~1000', 0, entry);
    const before = await snapshot(redis(), k.prefix);

    await assert.rejects(extend(k, entry, 'worker-a~1000', 1, 'd'), new RegExp(`LEASE_LOST ${entry}`));
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
    assert.deepEqual((await pending(redis(), k.activityTasks)).map((p) => p.consumer), ['worker-b~1000']);
  });

  it('fences a stale claim when the entry was handed out again to the same consumer', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'x' }, 'worker-a~1000');
    await redis().xclaim(k.activityTasks, GROUP, 'worker-a~1000', 0, entry);

    await assert.rejects(extend(k, entry, 'worker-a~1000', 1), /LEASE_LOST/);
    await extend(k, entry, 'worker-a~1000', 2);
  });

  it('fails with LEASE_LOST once the task was completed', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'x' }, 'worker-a~1000');
    await redis().xack(k.activityTasks, GROUP, entry);
    await redis().xdel(k.activityTasks, entry);
    await assert.rejects(extend(k, entry, 'worker-a~1000', 1, 'd'), /LEASE_LOST/);
    assert.equal(await redis().exists(k.heartbeats), 0);
  });

  it("pushes the heartbeat deadline of a heartbeat to its timeout from now (Redis time), and never adds one", async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'x' }, 'worker-a~1000');
    await redis().zadd(k.timers, 100, 'hb');
    const heartbeat = (member: string): Promise<void> =>
      scripts().extendActivityTask(
        { activityTasks: k.activityTasks, heartbeats: k.heartbeats, timers: k.timers },
        { entryId: entry, group: GROUP, consumer: 'worker-a~1000', deliveries: 1, heartbeatDeadline: { member, timeoutMs: 3_000 } },
      );
    const before = await serverNow(redis());
    await heartbeat('hb');
    const after = await serverNow(redis());
    const score = Number(await redis().zscore(k.timers, 'hb'));
    assert.ok(score >= before + 3_000 && score <= after + 3_000);

    await extend(k, entry, 'worker-a~1000');
    assert.equal(Number(await redis().zscore(k.timers, 'hb')), score, 'a plain lease extension leaves it');
    await heartbeat('fired-already');
    assert.equal(await redis().zscore(k.timers, 'fired-already'), null);
  });
});
