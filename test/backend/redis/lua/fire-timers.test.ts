import assert from 'node:assert/strict';
import type { DueTimer } from '../../../../src/backend/redis/scripts.js';
import { entries, executionKeys, inboxEvents, seedExecution, serverNow, useScripts, type ExecutionKeys } from '../script-fixture.js';

describe('lua/fire-timers', () => {
  const { redis, scripts } = useScripts();

  function due(k: ExecutionKeys, member: string, event = 'TimerFired'): DueTimer {
    return {
      member,
      event: Buffer.from(event),
      instanceId: k.instanceId,
      executionId: k.executionId,
      execution: k.execution,
      inbox: k.inbox,
      workflowTasks: k.workflowTasks,
      executionTimers: k.executionTimers,
    };
  }

  it('moves due timers into inboxes and queues idle executions', async () => {
    const a = executionKeys();
    const b = executionKeys({ prefix: a.prefix, instanceId: 'order-2' });
    await seedExecution(redis(), a);
    await seedExecution(redis(), b);
    await redis().zadd(a.timers, 10, 'ta', 20, 'tb', 99_999, 'later');

    assert.equal(await scripts().fireTimers(a.timers, [due(a, 'ta', 'fired-a'), due(b, 'tb', 'fired-b')]), 2);
    assert.deepEqual(await redis().zrange(a.timers, 0, -1), ['later']);
    assert.deepEqual(await inboxEvents(redis(), a.inbox), [{ e: 'fired-a', t: 'TimerFired' }]);
    assert.deepEqual((await inboxEvents(redis(), b.inbox)).map((e) => e.e), ['fired-b']);
    assert.deepEqual(
      (await entries(redis(), a.workflowTasks)).map((e) => e.fields.i),
      ['order-1', 'order-2'],
    );
  });

  it('delivers to a locked execution at once without queuing a task', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { lockToken: 4, lockedUntil: (await serverNow(redis())) + 30_000, lockEntry: '1-1' });
    await redis().zadd(k.timers, 10, 't');

    assert.equal(await scripts().fireTimers(k.timers, [due(k, 't')]), 1);
    assert.equal(await redis().llen(k.inbox), 1);
    assert.equal(await redis().exists(k.workflowTasks), 0);
    assert.equal(await redis().zcard(k.timers), 0);
  });

  it("drops a fired timer from its execution's set of pending timers", async () => {
    const k = executionKeys();
    await seedExecution(redis(), k);
    await redis().zadd(k.timers, 10, 't', 20, 'u');
    await redis().sadd(k.executionTimers, 't', 'u');
    assert.equal(await scripts().fireTimers(k.timers, [due(k, 't')]), 1);
    assert.deepEqual(await redis().smembers(k.executionTimers), ['u']);
  });

  it('fires a timer once: a second call with the same members does nothing', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k);
    await redis().zadd(k.timers, 10, 't');
    assert.equal(await scripts().fireTimers(k.timers, [due(k, 't')]), 1);
    await redis().hset(k.execution, 'queued', 0);

    assert.equal(await scripts().fireTimers(k.timers, [due(k, 't')]), 0);
    assert.equal(await redis().llen(k.inbox), 1);
    assert.equal(await redis().xlen(k.workflowTasks), 1);
  });

  it('removes the timer of an ended execution without delivering it', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { state: 'finished' });
    await redis().zadd(k.timers, 10, 't');
    assert.equal(await scripts().fireTimers(k.timers, [due(k, 't')]), 0);
    assert.equal(await redis().zcard(k.timers), 0);
    assert.equal(await redis().exists(k.inbox), 0);
    assert.equal(await redis().exists(k.workflowTasks), 0);
  });
});
