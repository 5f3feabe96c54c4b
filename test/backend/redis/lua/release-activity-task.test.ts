import assert from 'node:assert/strict';
import { GROUP, addAndDeliver, deliver, entries, executionKeys, pending, seedExecution, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';

describe('lua/release-activity-task', () => {
  const { redis, scripts } = useScripts();

  function release(k: ExecutionKeys, entry: string, deliveries = 1, deadlines?: string[]): Promise<string | undefined> {
    return scripts().releaseActivityTask(
      { activityTasks: k.activityTasks, heartbeats: k.heartbeats, execution: k.execution, timers: k.timers, executionTimers: k.executionTimers },
      { entryId: entry, group: GROUP, deliveries, scheduleEventId: 5, ...(deadlines === undefined ? {} : { deadlines }) },
    );
  }

  it('moves the task to a fresh entry, with its heartbeat details and its execution record, for any worker to take', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k);
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob', x: 'extra' }, 'worker-a~1000');
    await redis().hset(k.heartbeats, entry, 'details');
    await redis().hset(k.execution, 'a5', entry);

    const fresh = await release(k, entry);
    assert.ok(fresh !== undefined && fresh !== entry);
    assert.deepEqual(await entries(redis(), k.activityTasks), [{ id: fresh, fields: { t: 'task-blob', x: 'extra' } }]);
    assert.deepEqual(await pending(redis(), k.activityTasks), []);
    assert.deepEqual(await redis().hgetall(k.heartbeats), { [fresh]: 'details' });
    assert.equal(await redis().hget(k.execution, 'a5'), fresh, 'a cancellation finds the task at its new entry');
    assert.deepEqual(await deliver(redis(), k.activityTasks, 'worker-b~1000'), [fresh]);
  });

  it('writes no record for an execution that is gone or records another entry', async () => {
    const gone = executionKeys();
    const entry = await addAndDeliver(redis(), gone.activityTasks, { t: 'task-blob' }, 'worker-a~1000');
    assert.ok((await release(gone, entry)) !== undefined);
    assert.equal(await redis().exists(gone.execution), 0, 'a removed execution is not recreated');

    const other = executionKeys();
    await seedExecution(redis(), other);
    await redis().hset(other.execution, 'a5', 'some-other-entry');
    const second = await addAndDeliver(redis(), other.activityTasks, { t: 'task-blob' }, 'worker-a~1000');
    assert.ok((await release(other, second)) !== undefined);
    assert.equal(await redis().hget(other.execution, 'a5'), 'some-other-entry');
  });

  it('carries the redeliveries into the fresh entry: those it carried plus its own reclaims', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob', r: '2' }, 'worker-a~1000');
    await redis().xclaim(k.activityTasks, GROUP, 'worker-b~1000', 0, entry);

    const fresh = await release(k, entry, 2);
    assert.deepEqual(await entries(redis(), k.activityTasks), [{ id: fresh, fields: { t: 'task-blob', r: '3' } }]);
  });

  it('changes nothing for a delivery count that does not match the entry', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob' }, 'worker-a~1000');
    const before = await snapshot(redis(), k.prefix);
    assert.equal(await release(k, entry, 2), undefined);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });

  it('changes nothing when the entry was handed out again since this claim', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob' }, 'worker-a~1000');
    await redis().xclaim(k.activityTasks, GROUP, 'worker-b~1000', 0, entry);
    const before = await snapshot(redis(), k.prefix);
    assert.equal(await release(k, entry, 1), undefined);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });

  it("drops the attempt's startToClose and heartbeat deadlines: they start again at its next claim", async () => {
    const k = executionKeys();
    await seedExecution(redis(), k);
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob' }, 'worker-a~1000');
    await redis().zadd(k.timers, 100, 'stc', 100, 'hb', 200, 'sc');
    await redis().sadd(k.executionTimers, 'stc', 'hb', 'sc');
    assert.ok((await release(k, entry, 1, ['stc', 'hb'])) !== undefined);
    assert.deepEqual(await redis().zrange(k.timers, 0, -1), ['sc'], 'scheduleToClose runs on');
    assert.deepEqual(await redis().smembers(k.executionTimers), ['sc']);
  });
});
