import assert from 'node:assert/strict';
import type { DueActivityDeadline } from '../../../../src/backend/redis/activity-deadline-scripts.js';
import { GROUP, addAndDeliver, entries, executionKeys, inboxEvents, pending, seedExecution, serverNow, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';

describe('lua/time-out-activities', () => {
  const { redis, deadlineScripts } = useScripts();

  function due(k: ExecutionKeys, member: string, others: string[] = ['', '']): DueActivityDeadline {
    return {
      member,
      others,
      scheduleEventId: 5,
      event: Buffer.from('failed-blob'),
      instanceId: k.instanceId,
      executionId: k.executionId,
      execution: k.execution,
      inbox: k.inbox,
      workflowTasks: k.workflowTasks,
      executionTimers: k.executionTimers,
      activityTasks: k.activityTasks,
      heartbeats: k.heartbeats,
    };
  }

  function fire(k: ExecutionKeys, dueBy: number, attempts: DueActivityDeadline[]): Promise<number> {
    return deadlineScripts().timeOutActivities(k.timers, dueBy, GROUP, attempts);
  }

  /** An execution with attempt 5 claimed by a worker, with heartbeat details and deadlines `stc` (due 100) and `sc` (due 900). */
  async function claimedAttempt(): Promise<{ k: ExecutionKeys; entry: string }> {
    const k = executionKeys();
    await seedExecution(redis(), k);
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task' }, 'worker-a~60000');
    await redis().hset(k.execution, 'a5', entry);
    await redis().hset(k.heartbeats, entry, 'details');
    await redis().zadd(k.timers, 100, 'stc', 900, 'sc', 50, 'other-timer');
    await redis().sadd(k.executionTimers, 'stc', 'sc', 'other-timer');
    return { k, entry };
  }

  it('removes a held attempt for good and tells its execution, once', async () => {
    const { k } = await claimedAttempt();
    assert.equal(await fire(k, 100, [due(k, 'stc', ['', 'sc'])]), 1);

    assert.equal(await redis().xlen(k.activityTasks), 0, 'the task entry is gone');
    assert.deepEqual(await pending(redis(), k.activityTasks), [], 'its holder lost it');
    assert.equal(await redis().hexists(k.execution, 'a5'), 0);
    assert.equal(await redis().hlen(k.heartbeats), 0);
    assert.deepEqual(await redis().zrange(k.timers, 0, -1), ['other-timer'], 'its other deadlines went with it');
    assert.deepEqual(await redis().smembers(k.executionTimers), ['other-timer']);
    assert.deepEqual(await inboxEvents(redis(), k.inbox), [{ e: 'failed-blob', t: 'ActivityFailed' }]);
    assert.deepEqual((await entries(redis(), k.workflowTasks)).map((e) => e.fields.i), [k.instanceId], 'the idle execution is queued');

    const before = await snapshot(redis(), k.prefix);
    assert.equal(await fire(k, 100, [due(k, 'stc', ['', 'sc'])]), 0, 'a second firing changes nothing');
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });

  it('removes a queued attempt no worker claimed, so none ever does', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k);
    await addAndDeliver(redis(), k.activityTasks, { t: 'earlier' });
    const entry = (await redis().xadd(k.activityTasks, '*', 't', 'task')) as string;
    await redis().hset(k.execution, 'a5', entry);
    await redis().zadd(k.timers, 100, 'sc');

    assert.equal(await fire(k, 100, [due(k, 'sc')]), 1);
    assert.deepEqual((await entries(redis(), k.activityTasks)).map((e) => e.fields.t), ['earlier']);
    assert.equal((await redis().xreadgroup('GROUP', GROUP, 'worker-b', 'STREAMS', k.activityTasks, '>')), null);
  });

  it('skips a deadline a heartbeat pushed past the due time, and one whose attempt already completed', async () => {
    const { k } = await claimedAttempt();
    const before = await snapshot(redis(), k.prefix);
    assert.equal(await fire(k, 99, [due(k, 'stc', ['', 'sc'])]), 0, 'scored 100: not due by 99');
    assert.deepEqual(await snapshot(redis(), k.prefix), before);

    await redis().hdel(k.execution, 'a5');
    assert.equal(await fire(k, 100, [due(k, 'stc', ['', 'sc'])]), 0);
    assert.equal(await redis().llen(k.inbox), 0, 'nothing delivered');
    assert.equal(await redis().zscore(k.timers, 'stc'), null, 'the stale deadline is dropped');
  });

  it('removes the attempt of an execution that ended without delivering anything', async () => {
    const { k } = await claimedAttempt();
    await redis().hset(k.execution, 'state', 'finished');
    assert.equal(await fire(k, await serverNow(redis()), [due(k, 'sc', ['stc', ''])]), 0);
    assert.equal(await redis().xlen(k.activityTasks), 0);
    assert.equal(await redis().exists(k.inbox), 0);
  });
});
