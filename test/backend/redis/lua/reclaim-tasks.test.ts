import assert from 'node:assert/strict';
import type { ReclaimedEntries } from '../../../../src/backend/redis/stream-replies.js';
import { GROUP, addAndDeliver, executionKeys, pending, snapshot, useScripts } from '../script-fixture.js';

describe('lua/reclaim-tasks', () => {
  const { redis, scripts } = useScripts();

  function reclaim(
    stream: string,
    consumer: string,
    options: { cursor?: string; max?: number; scan?: number; fallbackLeaseMs?: number } = {},
  ): Promise<ReclaimedEntries> {
    return scripts().reclaimTasks(stream, {
      group: GROUP,
      consumer,
      cursor: options.cursor ?? '0-0',
      max: options.max ?? 10,
      scan: options.scan ?? 100,
      fallbackLeaseMs: options.fallbackLeaseMs ?? 60_000,
    });
  }

  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it("claims an entry once its holder's own lease has run out, raising its delivery count", async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task' }, 'worker-a~100');
    await sleep(150);

    // The caller's own lease is far longer: it plays no part.
    const reclaimed = await reclaim(k.activityTasks, 'worker-b~60000');
    assert.deepEqual(
      reclaimed.entries.map((e) => [e.id, e.fields.get('t')?.toString(), e.deliveries]),
      [[entry, 'task', 2]],
    );
    assert.equal(reclaimed.cursor, '0-0', 'the scan saw every pending entry');
    const [held] = await pending(redis(), k.activityTasks);
    assert.equal(held?.consumer, 'worker-b~60000');
    assert.ok(held.idleMs < 100);
  });

  it("leaves an entry whose holder's lease still runs, however short the caller's lease, and says when it ends", async () => {
    const k = executionKeys();
    await addAndDeliver(redis(), k.activityTasks, { t: 'task' }, 'worker-a~60000');
    await sleep(150);
    const before = await snapshot(redis(), k.prefix);

    const reclaimed = await reclaim(k.activityTasks, 'worker-b~100', { fallbackLeaseMs: 100 });
    assert.deepEqual(reclaimed.entries, []);
    const left = reclaimed.soonestLeaseEndMs ?? 0;
    assert.ok(left > 58_000 && left <= 59_850, `lease ends in ${left} ms`);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });

  it('counts a lease from its latest extension, for the lease the extension granted', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task' }, 'worker-a~100');
    await sleep(50);
    // What extend-activity-task and extend-workflow-task do: move the entry to the consumer of the new lease.
    await redis().xclaim(k.activityTasks, GROUP, 'worker-a~60000', 0, entry, 'JUSTID');
    await sleep(150);
    assert.deepEqual((await reclaim(k.activityTasks, 'worker-b~100')).entries, []);
  });

  it('judges an entry of a consumer whose name carries no lease by the fallback lease', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task' }, 'old-worker');
    await sleep(150);
    assert.deepEqual((await reclaim(k.activityTasks, 'worker-b~100', { fallbackLeaseMs: 60_000 })).entries, []);
    const reclaimed = await reclaim(k.activityTasks, 'worker-b~100', { fallbackLeaseMs: 100 });
    assert.deepEqual(reclaimed.entries.map((e) => e.id), [entry]);
  });

  it('claims at most max entries and goes on after the last one it looked at', async () => {
    const k = executionKeys();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await addAndDeliver(redis(), k.activityTasks, { t: `task-${i}` }, 'worker-a~50'));
    await sleep(100);

    const first = await reclaim(k.activityTasks, 'worker-b~60000', { max: 2 });
    assert.deepEqual(first.entries.map((e) => e.id), ids.slice(0, 2));
    assert.equal(first.cursor, ids[1]);
    const second = await reclaim(k.activityTasks, 'worker-b~60000', { max: 2, cursor: first.cursor });
    assert.deepEqual(second.entries.map((e) => e.id), ids.slice(2));
    assert.equal(second.cursor, '0-0');
  });

  it('looks at most scan pending entries per call, so a long pending list is walked across calls', async () => {
    const k = executionKeys();
    const healthy = await addAndDeliver(redis(), k.activityTasks, { t: 'healthy' }, 'worker-a~60000');
    const abandoned = await addAndDeliver(redis(), k.activityTasks, { t: 'abandoned' }, 'worker-a~50');
    await sleep(100);

    const first = await reclaim(k.activityTasks, 'worker-b~60000', { scan: 1 });
    assert.deepEqual(first.entries, []);
    assert.equal(first.cursor, healthy);
    const second = await reclaim(k.activityTasks, 'worker-b~60000', { scan: 1, cursor: first.cursor });
    assert.deepEqual(second.entries.map((e) => e.id), [abandoned]);
  });

  it('acknowledges a pending entry that is no longer in the stream', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task' }, 'worker-a~50');
    await redis().xdel(k.activityTasks, entry);
    await sleep(100);
    assert.deepEqual((await reclaim(k.activityTasks, 'worker-b~60000')).entries, []);
    assert.deepEqual(await pending(redis(), k.activityTasks), []);
  });

  it('fails with NOGROUP when the group does not exist', async () => {
    const k = executionKeys();
    // The readers recreate their groups on this reply (a Redis restarted without its data).
    await assert.rejects(reclaim(k.activityTasks, 'worker-b~60000'), (err: Error) => err.message.startsWith('NOGROUP'));
  });
});
