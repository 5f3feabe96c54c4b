import assert from 'node:assert/strict';
import type { RemovalResult } from '../../../../src/backend/redis/instance-scripts.js';
import { executionKeys, seedExecution, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';

describe('lua/remove-workflow-instance', () => {
  const { redis, instanceScripts } = useScripts();

  function remove(k: ExecutionKeys): Promise<RemovalResult> {
    return instanceScripts().removeWorkflowInstance(k, k.instanceId, k.executionId);
  }

  /** An ended execution with history, a pending timer and index entries, next to another execution. */
  async function ended(k: ExecutionKeys): Promise<void> {
    await seedExecution(redis(), k, { state: 'finished', history: ['h1'], inbox: ['late'] });
    const member = `${k.instanceId}\n${k.executionId}`;
    await redis().zadd(k.instances, 1, member, 2, 'other\ne');
    await redis().zadd(k.finished, 3, member);
    await redis().zadd(k.expiring, 4, member);
    await redis().zadd(k.timers, 5, 'mine', 6, 'theirs');
    await redis().sadd(k.executionTimers, 'mine');
  }

  it('deletes every key of the execution, its timers and its index entries', async () => {
    const k = executionKeys();
    await ended(k);
    assert.equal(await remove(k), 'removed');
    for (const key of [k.instance, k.execution, k.inbox, k.history, k.executionTimers]) {
      assert.equal(await redis().exists(key), 0, key);
    }
    assert.deepEqual(await redis().zrange(k.timers, 0, -1), ['theirs']);
    assert.deepEqual(await redis().zrange(k.instances, 0, -1), ['other\ne']);
    assert.equal(await redis().zcard(k.finished), 0);
    assert.equal(await redis().zcard(k.expiring), 0);
  });

  it('keeps the instance hash when it points at a newer execution', async () => {
    const k = executionKeys();
    await ended(k);
    await redis().hset(k.instance, { executionId: 'exec-2', state: 'active' });
    assert.equal(await remove(k), 'removed');
    assert.equal(await redis().hget(k.instance, 'executionId'), 'exec-2');
  });

  it('refuses an active execution and writes nothing', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { history: ['h1'] });
    const before = await snapshot(redis(), k.prefix);
    assert.equal(await remove(k), 'active');
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });

  it('reports a missing execution and drops the index entries its expired keys left', async () => {
    const k = executionKeys();
    const member = `${k.instanceId}\n${k.executionId}`;
    await redis().zadd(k.instances, 1, member);
    await redis().zadd(k.finished, 1, member);
    await redis().zadd(k.expiring, 1, member);
    assert.equal(await remove(k), 'missing');
    assert.deepEqual(await snapshot(redis(), k.prefix), {});
  });
});
