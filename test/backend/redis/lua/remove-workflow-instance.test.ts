import assert from 'node:assert/strict';
import type { RemovalResult } from '../../../../src/backend/redis/instance-scripts.js';
import { executionKeys, seedExecution, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';

describe('lua/remove-workflow-instance', () => {
  const { redis, instanceScripts } = useScripts();

  /** Removes the chain of `chain[0]`, whose executions the caller gives as `chain`. */
  function remove(chain: ExecutionKeys[], finishedBeforeMs?: number): Promise<RemovalResult> {
    const [first] = chain as [ExecutionKeys];
    return instanceScripts().removeWorkflowInstance(
      { ...first, executions: chain },
      {
        instanceId: first.instanceId,
        executionIds: chain.map((k) => k.executionId),
        ...(finishedBeforeMs === undefined ? {} : { finishedBeforeMs }),
      },
    );
  }

  /** Execution `executionId` of order-1 under `prefix`. */
  const keysOf = (prefix: string, executionId: string): ExecutionKeys => executionKeys({ prefix, executionId });

  /**
   * An ended execution of `chain` (finished at `finishedAt`), with history, a pending timer and index
   * entries, as the latest execution of its instance id.
   */
  async function ended(k: ExecutionKeys, options: { chain?: string; state?: string; finishedAt?: number } = {}): Promise<void> {
    const chain = options.chain ?? k.executionId;
    const state = options.state ?? 'finished';
    const finishedAt = options.finishedAt ?? 3;
    await seedExecution(redis(), k, { state, history: ['h1'], inbox: ['late'] });
    await redis().hset(k.instance, { chain });
    await redis().hset(k.execution, { chain, finishedAt });
    const member = `${k.instanceId}\n${k.executionId}`;
    await redis().zadd(k.instances, 1, member, 2, 'other\ne');
    if (state === 'finished') await redis().zadd(k.finished, finishedAt, member);
    await redis().zadd(k.expiring, 4, member);
    await redis().zadd(k.chains, 0, `${member}\n${chain}`);
    await redis().zadd(k.timers, 5, `timer-${k.executionId}`, 6, 'theirs');
    await redis().sadd(k.executionTimers, `timer-${k.executionId}`);
  }

  async function assertGone(k: ExecutionKeys): Promise<void> {
    for (const key of [k.execution, k.inbox, k.history, k.executionTimers]) assert.equal(await redis().exists(key), 0, key);
    const member = `${k.instanceId}\n${k.executionId}`;
    assert.equal(await redis().zscore(k.instances, member), null);
    assert.equal(await redis().zscore(k.finished, member), null);
    assert.equal(await redis().zscore(k.expiring, member), null);
    assert.equal(await redis().zscore(k.timers, `timer-${k.executionId}`), null);
  }

  it('deletes every key of the execution, its timers and its index entries', async () => {
    const k = executionKeys();
    await ended(k);
    assert.deepEqual(await remove([k]), { removed: 1 });
    await assertGone(k);
    assert.equal(await redis().exists(k.instance), 0);
    assert.deepEqual(await redis().zrange(k.timers, 0, -1), ['theirs']);
    assert.deepEqual(await redis().zrange(k.instances, 0, -1), ['other\ne']);
    assert.equal(await redis().zcard(k.finished), 0);
    assert.equal(await redis().zcard(k.expiring), 0);
    assert.equal(await redis().zcard(k.chains), 0);
  });

  it('deletes a finished chain as a whole, whichever of its executions is asked for', async () => {
    const first = executionKeys({ executionId: 'exec-1' });
    const second = keysOf(first.prefix, 'exec-2');
    const third = keysOf(first.prefix, 'exec-3');
    await ended(first, { state: 'continued-as-new', chain: 'exec-1' });
    await ended(second, { state: 'continued-as-new', chain: 'exec-1' });
    await ended(third, { chain: 'exec-1' });
    assert.deepEqual(await remove([second, first, third]), { removed: 3 });
    for (const k of [first, second, third]) await assertGone(k);
    assert.equal(await redis().exists(first.instance), 0, 'the instance hash pointed into the chain');
    assert.equal(await redis().zcard(first.chains), 0);
  });

  it('refuses any execution of a chain whose latest execution is active, and writes nothing', async () => {
    const first = executionKeys({ executionId: 'exec-1' });
    const latest = keysOf(first.prefix, 'exec-2');
    await ended(first, { state: 'continued-as-new', chain: 'exec-1' });
    await seedExecution(redis(), latest, { history: ['h1'] });
    await redis().hset(latest.instance, { chain: 'exec-1' });
    await redis().hset(latest.execution, { chain: 'exec-1' });
    const before = await snapshot(redis(), first.prefix);
    assert.equal(await remove([first]), 'active');
    assert.equal(await remove([latest]), 'active');
    assert.deepEqual(await snapshot(redis(), first.prefix), before);
  });

  it('removes an old chain of an id while a newer chain of the id is active, keeping the newer one', async () => {
    const old = executionKeys({ executionId: 'exec-1' });
    const current = keysOf(old.prefix, 'exec-2');
    await ended(old);
    await seedExecution(redis(), current, { history: ['h1'] });
    await redis().hset(current.instance, { chain: 'exec-2' });
    assert.deepEqual(await remove([old]), { removed: 1 });
    await assertGone(old);
    assert.deepEqual(await redis().hmget(current.instance, 'executionId', 'state'), ['exec-2', 'active']);
    assert.equal(await redis().exists(current.execution), 1);
  });

  it('writes nothing when the executions given are not those of the chain', async () => {
    const first = executionKeys({ executionId: 'exec-1' });
    const second = keysOf(first.prefix, 'exec-2');
    await ended(first, { state: 'continued-as-new', chain: 'exec-1' });
    await ended(second, { chain: 'exec-1' });
    const before = await snapshot(redis(), first.prefix);
    assert.equal(await remove([second]), 'changed', 'one missing');
    assert.equal(await remove([second, first, keysOf(first.prefix, 'exec-9')]), 'changed', 'one too many');
    assert.equal(await remove([second, keysOf(first.prefix, 'exec-9')]), 'changed', 'another one');
    assert.deepEqual(await snapshot(redis(), first.prefix), before);
  });

  it('with a bound, removes only a chain that finished before it, judged by its latest execution', async () => {
    const first = executionKeys({ executionId: 'exec-1' });
    const second = keysOf(first.prefix, 'exec-2');
    await ended(first, { state: 'continued-as-new', chain: 'exec-1', finishedAt: 10 });
    await ended(second, { chain: 'exec-1', finishedAt: 20 });
    const before = await snapshot(redis(), first.prefix);
    assert.equal(await remove([first, second], 15), 'later');
    assert.equal(await remove([first, second], 20), 'later');
    assert.deepEqual(await snapshot(redis(), first.prefix), before);
    assert.deepEqual(await remove([first, second], 21), { removed: 2 });
  });

  it('refuses an active execution and writes nothing', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { history: ['h1'] });
    const before = await snapshot(redis(), k.prefix);
    assert.equal(await remove([k]), 'active');
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });

  it('reports a missing execution and drops the index entries its expired keys left', async () => {
    const k = executionKeys();
    const member = `${k.instanceId}\n${k.executionId}`;
    await redis().zadd(k.instances, 1, member);
    await redis().zadd(k.finished, 1, member);
    await redis().zadd(k.expiring, 1, member);
    await redis().zadd(k.chains, 0, `${member}\nexec-0`);
    assert.equal(await remove([k]), 'missing');
    assert.deepEqual(await snapshot(redis(), k.prefix), {});
  });
});
