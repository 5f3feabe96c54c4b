import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { activityTaskStreamKey } from '../../../../src/backend/redis/keys.js';
import type { CompleteWorkflowTaskArgs } from '../../../../src/backend/redis/scripts.js';
import { createGroup, deliver, entries, executionKeys, inboxEvents, pending, pushInbox, seedExecution, snapshot, useScripts } from '../script-fixture.js';
import { claimExecution, completeClaimed, type Claimed } from './completion-fixture.js';
import type { HandedActivityEntry } from '../../../../src/backend/redis/scripts.js';

describe('lua/complete-workflow-task', () => {
  const { redis, scripts, url } = useScripts();

  const claimed = (inbox?: string[]): Promise<Claimed> => claimExecution(redis(), scripts(), inbox);
  const complete = (c: Claimed, args: Partial<CompleteWorkflowTaskArgs> = {}, activityTasks: string[] = []): Promise<HandedActivityEntry[]> =>
    completeClaimed(scripts(), c, {
      activityQueues: activityTasks.map((stream, i) => ({ name: stream.slice(stream.lastIndexOf(':') + 1), stream: i })),
      ...args,
    }, activityTasks);

  it('hands the caller the activities it schedules on the queues it serves, at most as many as asked', async () => {
    const c = await claimed();
    const fast = activityTaskStreamKey(c.k.prefix, 0, 'fast');
    const slow = activityTaskStreamKey(c.k.prefix, 0, 'slow');
    const missing = activityTaskStreamKey(c.k.prefix, 0, 'nogroup');
    for (const stream of [fast, slow]) await createGroup(redis(), stream);
    const handed = await complete(
      c,
      {
        activities: [
          { queue: 0, scheduleEventId: 5, task: Buffer.from('a1') },
          { queue: 1, scheduleEventId: 6, task: Buffer.from('a2') },
          { queue: 0, scheduleEventId: 7, task: Buffer.from('a3') },
          { queue: 2, scheduleEventId: 8, task: Buffer.from('a4') },
        ],
        // Serves fast and the queue without a consumer group; slow is left to the pollers.
        handoff: { consumer: 'worker-b', max: 1, queues: [2, 0] },
      },
      [fast, slow, missing],
    );
    assert.deepEqual(handed.map((h) => [h.queue, h.task.toString()]), [[0, 'a1']]);
    assert.deepEqual((await pending(redis(), fast)).map((p) => [p.id, p.consumer]), [[handed[0]?.entryId, 'worker-b']]);
    assert.deepEqual(await deliver(redis(), fast, 'worker-c').then((ids) => ids.length), 1, 'a3 is left for the pollers');
    assert.equal((await deliver(redis(), slow, 'worker-c')).length, 1);
    assert.equal(await redis().xlen(missing), 1, 'a stream without a group hands nothing over and the commit still happens');
    assert.equal(await redis().hget(c.k.execution, 'historyLength'), '4');
  });

  it('appends history, trims the inbox, schedules timers and activities (recording their entries), and unlocks', async () => {
    const c = await claimed();
    const { k } = c;
    await redis().zadd(k.timers, 100, 'old-timer', 200, 'other-timer');
    await redis().sadd(k.executionTimers, 'old-timer');
    const fast = activityTaskStreamKey(k.prefix, 0, 'fast');
    const slow = activityTaskStreamKey(k.prefix, 0, 'slow');

    await complete(
      c,
      {
        timers: [
          { dueMs: 5000, member: 't1' },
          { dueMs: 6000, member: 't2' },
        ],
        canceledTimers: ['old-timer'],
        activities: [
          { queue: 0, scheduleEventId: 5, task: Buffer.from('a1') },
          { queue: 1, scheduleEventId: 6, task: Buffer.from('a2') },
          { queue: 0, scheduleEventId: 7, task: Buffer.from('a3') },
        ],
      },
      [fast, slow],
    );

    assert.deepEqual(await redis().lrange(k.history, 0, -1), ['h1', 'h2', 'h3', 'h4']);
    assert.equal(await redis().exists(k.inbox), 0, 'an emptied inbox is deleted');
    assert.deepEqual(await redis().zrange(k.timers, 0, -1, 'WITHSCORES'), ['other-timer', '200', 't1', '5000', 't2', '6000']);
    const fastEntries = await entries(redis(), fast);
    const slowEntries = await entries(redis(), slow);
    assert.deepEqual(fastEntries.map((e) => e.fields), [{ t: 'a1' }, { t: 'a3' }]);
    assert.deepEqual(slowEntries.map((e) => e.fields), [{ t: 'a2' }]);
    assert.deepEqual((await redis().smembers(k.executionTimers)).sort(), ['t1', 't2']);
    assert.deepEqual((await redis().smembers(k.activityQueues)).sort(), ['fast', 'slow']);
    const execution = await redis().hgetall(k.execution);
    assert.equal(execution.historyLength, '4');
    assert.equal(execution.lockedUntil, '0');
    assert.equal(execution.queued, '0');
    assert.deepEqual([execution.a5, execution.a6, execution.a7], [fastEntries[0]?.id, slowEntries[0]?.id, fastEntries[1]?.id]);
    assert.equal(execution.state, 'active');
    // The task entry is gone and nothing new was queued: the inbox is empty.
    assert.deepEqual(await entries(redis(), k.workflowTasks), []);
    assert.deepEqual(await pending(redis(), k.workflowTasks), []);
  });

  it('removes only the inbox events up to the cursor and re-queues for the rest', async () => {
    const c = await claimed(['n1', 'n2']);
    const { k } = c;
    await pushInbox(redis(), k.inbox, 'late');

    await complete(c);
    assert.deepEqual(await inboxEvents(redis(), k.inbox), [{ e: 'late', t: 'Test' }]);
    assert.deepEqual((await entries(redis(), k.workflowTasks)).map((e) => e.fields), [{ i: 'order-1', e: 'exec-1' }]);
    assert.equal(await redis().hget(k.execution, 'queued'), '1');
  });

  it('pushes a history larger than one Lua unpack in chunks', async () => {
    const c = await claimed();
    const events = Array.from({ length: 2500 }, (_, i) => Buffer.from(`e${i}`));
    await complete(c, { events });
    assert.equal(await redis().llen(c.k.history), 2502);
    assert.equal(await redis().lindex(c.k.history, -1), 'e2499');
    assert.equal(await redis().hget(c.k.execution, 'historyLength'), '2502');
  });

  it('records the entries of more activity tasks than one Lua unpack holds', async () => {
    const c = await claimed();
    const activities = Array.from({ length: 4500 }, (_, i) => ({ queue: 0, scheduleEventId: 10 + i, task: Buffer.from(`t${i}`) }));
    await complete(c, { activities }, [c.k.activityTasks]);
    const ids = (await entries(redis(), c.k.activityTasks)).map((e) => e.id);
    assert.equal(ids.length, 4500);
    assert.deepEqual(await redis().hmget(c.k.execution, 'a10', 'a4509', 'lockedUntil'), [ids[0], ids[4499], '0']);
  });

  it('ends the execution: state and finishedAt in both hashes, one message, no re-queue', async () => {
    const c = await claimed();
    const { k } = c;
    await pushInbox(redis(), k.inbox, 'late');
    const subscriber = new Redis(url());
    const messages: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => messages.push(message));
    await subscriber.subscribe(k.channel);
    try {
      await complete(c, { state: 'finished' });
      const execution = await redis().hgetall(k.execution);
      assert.equal(execution.state, 'finished');
      assert.ok(Number(execution.finishedAt) > 0);
      assert.equal(await redis().hget(k.instance, 'state'), 'finished');
      assert.deepEqual(await entries(redis(), k.workflowTasks), []);
      for (let i = 0; i < 50 && messages.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(messages, ['order-1\nexec-1']);
    } finally {
      subscriber.disconnect();
    }
  });

  it('ends the execution: drops its inbox and pending timers, moves it from active to finished', async () => {
    const c = await claimed();
    const { k } = c;
    await pushInbox(redis(), k.inbox, 'late', 'Test');
    await redis().zadd(k.timers, 100, 'mine', 200, 'other');
    await redis().sadd(k.executionTimers, 'mine');
    await complete(c, { state: 'finished', timers: [{ dueMs: 300, member: 'new' }] });
    assert.equal(await redis().exists(k.inbox), 0);
    assert.equal(await redis().exists(k.executionTimers), 0);
    assert.deepEqual(await redis().zrange(k.timers, 0, -1), ['other']);
    assert.deepEqual(await redis().smembers(k.active), []);
    const finishedAt = await redis().hget(k.execution, 'finishedAt');
    assert.deepEqual(await redis().zrange(k.finished, 0, -1, 'WITHSCORES'), ['order-1\nexec-1', finishedAt]);
    assert.equal(await redis().pttl(k.execution), -1, 'kept without a retention');
  });

  it('with a retention, makes the ended execution expire and drops index entries of expired ones', async () => {
    const c = await claimed();
    const { k } = c;
    await redis().zadd(k.instances, 1, 'old\ne0', 1000, 'order-1\nexec-1');
    await redis().zadd(k.finished, 1, 'old\ne0');
    await redis().zadd(k.expiring, 2, 'old\ne0');
    await redis().zadd(k.chains, 0, 'old\ne0\ne0', 0, 'old\ne01\ne0');
    await complete(c, { state: 'finished', retentionMs: 60_000 });
    for (const key of [k.execution, k.history, k.instance]) {
      const ttl = await redis().pttl(key);
      assert.ok(ttl > 50_000 && ttl <= 60_000, `${key} expires (${ttl})`);
    }
    assert.deepEqual(await redis().zrange(k.instances, 0, -1), ['order-1\nexec-1']);
    assert.deepEqual(await redis().zrange(k.finished, 0, -1), ['order-1\nexec-1']);
    assert.deepEqual(await redis().zrange(k.chains, 0, -1), ['old\ne01\ne0', 'order-1\nexec-1\nexec-1'], 'only the expired entry went');
    const [member, expiresAt] = await redis().zrange(k.expiring, 0, -1, 'WITHSCORES');
    assert.equal(member, 'order-1\nexec-1');
    assert.equal(Number(expiresAt), Number(await redis().hget(k.execution, 'finishedAt')) + 60_000);
  });

  it('continuing as new leaves the chain running: no TTL, no finished entry, recorded in the chains index', async () => {
    const c = await claimed();
    const { k } = c;
    await redis().hset(k.execution, 'chain', 'exec-0');
    await complete(c, { state: 'continued-as-new', retentionMs: 60_000 });
    assert.equal(await redis().hget(k.execution, 'state'), 'continued-as-new');
    for (const key of [k.execution, k.history, k.instance]) assert.equal(await redis().pttl(key), -1, `${key} is kept`);
    assert.equal(await redis().zcard(k.finished), 0);
    assert.equal(await redis().zcard(k.expiring), 0);
    assert.deepEqual(await redis().smembers(k.active), []);
    assert.deepEqual(await redis().zrange(k.chains, 0, -1), ['order-1\nexec-1\nexec-0']);
  });

  it('finishing a chain with a retention makes every execution of the chain expire together', async () => {
    const c = await claimed();
    const { k } = c;
    await redis().hset(k.execution, 'chain', 'exec-0');
    const earlier = executionKeys({ prefix: k.prefix, executionId: 'exec-0' });
    await seedExecution(redis(), earlier, { state: 'continued-as-new', history: ['e1'] });
    await redis().hset(k.instance, { executionId: 'exec-1', state: 'active' });
    await complete(
      c,
      { state: 'finished', retentionMs: 60_000, earlier: [{ executionId: 'exec-0', execution: 0, history: 1 }] },
      [earlier.execution, earlier.history],
    );
    for (const key of [k.execution, k.history, k.instance, earlier.execution, earlier.history]) {
      const ttl = await redis().pttl(key);
      assert.ok(ttl > 50_000 && ttl <= 60_000, `${key} expires (${ttl})`);
    }
    const expiresAt = Number(await redis().hget(k.execution, 'finishedAt')) + 60_000;
    assert.deepEqual(await redis().zrange(k.expiring, 0, -1, 'WITHSCORES'), [
      'order-1\nexec-0', String(expiresAt), 'order-1\nexec-1', String(expiresAt),
    ]);
    assert.deepEqual(await redis().zrange(k.finished, 0, -1), ['order-1\nexec-1'], 'the chain finished with its latest execution');
    assert.deepEqual(await redis().zrange(k.chains, 0, -1), ['order-1\nexec-1\nexec-0']);
  });

  it('with a retention, leaves the instance hash alone when it points to a newer execution', async () => {
    const c = await claimed();
    await redis().hset(c.k.instance, { executionId: 'exec-2', state: 'active' });
    await complete(c, { state: 'finished', retentionMs: 60_000 });
    assert.equal(await redis().pttl(c.k.instance), -1);
  });

  it('leaves the instance hash alone when it already points to a newer execution', async () => {
    const c = await claimed();
    await redis().hset(c.k.instance, { executionId: 'exec-2', state: 'active' });
    await complete(c, { state: 'continued-as-new' });
    assert.equal(await redis().hget(c.k.execution, 'state'), 'continued-as-new');
    assert.deepEqual(await redis().hgetall(c.k.instance), { executionId: 'exec-2', state: 'active', queue: 'default' });
  });

  it('rejects a stale token with LEASE_LOST and writes nothing', async () => {
    const c = await claimed();
    await redis().hincrby(c.k.execution, 'lockToken', 1);
    const before = await snapshot(redis(), c.k.prefix);
    await assert.rejects(
      complete(c, { timers: [{ dueMs: 1, member: 't' }], activities: [{ queue: 0, scheduleEventId: 5, task: Buffer.from('a') }] }, [
        c.k.activityTasks,
      ]),
      /LEASE_LOST exec-1/,
    );
    assert.deepEqual(await snapshot(redis(), c.k.prefix), before);
  });

  it('rejects a second completion with the same token', async () => {
    const c = await claimed();
    await complete(c);
    const before = await snapshot(redis(), c.k.prefix);
    await assert.rejects(complete(c), /LEASE_LOST/);
    assert.deepEqual(await snapshot(redis(), c.k.prefix), before);
  });

  it('rejects a completion whose starting history length is not the stored one', async () => {
    const c = await claimed();
    const before = await snapshot(redis(), c.k.prefix);
    await assert.rejects(complete(c, { historyLength: 1 }), /HISTORY_CONFLICT exec-1/);
    assert.deepEqual(await snapshot(redis(), c.k.prefix), before);
  });
});
