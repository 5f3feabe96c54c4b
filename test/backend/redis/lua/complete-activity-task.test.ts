import assert from 'node:assert/strict';
import type { ActivityCompletionResult } from '../../../../src/backend/redis/scripts.js';
import {
  GROUP,
  addAndDeliver,
  createGroup,
  deliver,
  entries,
  executionKeys, inboxEvents,
  pending,
  seedExecution,
  serverNow,
  snapshot,
  useScripts,
  type ExecutionKeys,
} from '../script-fixture.js';

describe('lua/complete-activity-task', () => {
  const { redis, scripts } = useScripts();

  async function activity(k: ExecutionKeys): Promise<string> {
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task-blob' }, 'activity-worker');
    await redis().hset(k.heartbeats, entry, 'details', 'unrelated', 'other');
    return entry;
  }

  /** Runs the script; with `takeFor`, the woken workflow task may be handed to that consumer. */
  function run(
    k: ExecutionKeys,
    entry: string,
    options: { event?: string; takeFor?: { consumer: string; knownHistoryLength: number }; deadlines?: string[] } = {},
  ): Promise<ActivityCompletionResult> {
    return scripts().completeActivityTask(
      {
        activityTasks: k.activityTasks,
        execution: k.execution,
        inbox: k.inbox,
        workflowTasks: k.workflowTasks,
        heartbeats: k.heartbeats,
        history: k.history,
        timers: k.timers,
        executionTimers: k.executionTimers,
      },
      {
        entryId: entry,
        group: GROUP,
        event: Buffer.from(options.event ?? 'ActivityCompleted'),
        eventType: 'ActivityCompleted',
        instanceId: k.instanceId,
        executionId: k.executionId,
        scheduleEventId: 5,
        ...(options.deadlines === undefined ? {} : { deadlines: options.deadlines }),
      },
      options.takeFor === undefined ? undefined : { ...options.takeFor, lockTimeoutMs: 30_000, maxInboxEvents: 0 },
    );
  }

  async function complete(k: ExecutionKeys, entry: string, event = 'ActivityCompleted'): Promise<ActivityCompletionResult['outcome']> {
    return (await run(k, entry, { event })).outcome;
  }

  it('delivers the outcome, removes the task, its heartbeat and its entry record, and queues an idle execution', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k);
    const entry = await activity(k);
    await redis().hset(k.execution, 'a5', entry, 'a6', 'another attempt');

    assert.equal(await complete(k, entry), 'delivered');
    assert.deepEqual(await inboxEvents(redis(), k.inbox), [{ e: 'ActivityCompleted', t: 'ActivityCompleted' }]);
    assert.deepEqual(await entries(redis(), k.activityTasks), []);
    assert.deepEqual(await pending(redis(), k.activityTasks), []);
    assert.deepEqual(await redis().hgetall(k.heartbeats), { unrelated: 'other' });
    assert.deepEqual((await entries(redis(), k.workflowTasks)).map((e) => e.fields), [{ i: 'order-1', e: 'exec-1' }]);
    assert.equal(await redis().hget(k.execution, 'queued'), '1');
    assert.deepEqual(await redis().hmget(k.execution, 'a5', 'a6'), [null, 'another attempt']);
  });

  describe('handing the woken workflow task to the completing worker', () => {
    const completeAndTake = (k: ExecutionKeys, entry: string, knownHistoryLength = 0): Promise<ActivityCompletionResult> =>
      run(k, entry, { takeFor: { consumer: 'worker-b', knownHistoryLength } });

    it('locks the execution for the caller and returns its new events and the history it lacks', async () => {
      const k = executionKeys();
      await seedExecution(redis(), k, { lockToken: 4, history: ['h1', 'h2', 'h3'] });
      await createGroup(redis(), k.workflowTasks);
      const result = await completeAndTake(k, await activity(k), 2);
      assert.equal(result.outcome, 'handed');
      assert.ok(result.outcome === 'handed');
      assert.equal(result.locked.lockToken, 5);
      assert.equal(result.locked.historyLength, 3);
      assert.deepEqual(result.locked.history.map(String), ['h3']);
      assert.deepEqual(result.locked.inbox.map(String), ['ActivityCompleted']);
      assert.deepEqual(await pending(redis(), k.workflowTasks).then((p) => p.map((e) => [e.id, e.consumer])), [[result.entryId, 'worker-b']]);
      const lock = await redis().hmget(k.execution, 'lockEntry', 'queued', 'lockedUntil');
      assert.equal(lock[0], result.entryId);
      assert.equal(lock[1], '0');
      assert.ok(Number(lock[2]) > (await serverNow(redis())), 'leased');
      assert.deepEqual(await deliver(redis(), k.workflowTasks, 'worker-c'), [], 'no other worker sees it');
    });

    it('does not jump the queue: with another task waiting, it only queues', async () => {
      const k = executionKeys();
      await seedExecution(redis(), k);
      await createGroup(redis(), k.workflowTasks);
      await redis().xadd(k.workflowTasks, '*', 'i', 'other', 'e', 'exec-9');
      assert.equal((await completeAndTake(k, await activity(k))).outcome, 'delivered');
      assert.equal(await redis().hget(k.execution, 'queued'), '1');
      assert.deepEqual(await pending(redis(), k.workflowTasks), []);
      assert.equal(await redis().xlen(k.workflowTasks), 2);
    });

    it('only queues when the execution is locked or queued already', async () => {
      const k = executionKeys();
      await seedExecution(redis(), k, { queued: 1 });
      await createGroup(redis(), k.workflowTasks);
      assert.equal((await completeAndTake(k, await activity(k))).outcome, 'delivered');
      assert.deepEqual(await pending(redis(), k.workflowTasks), []);
    });
  });

  it('adds no second workflow task when one is queued already', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { queued: 1 });
    assert.equal(await complete(k, await activity(k)), 'delivered');
    assert.equal(await redis().llen(k.inbox), 1);
    assert.equal(await redis().exists(k.workflowTasks), 0);
  });

  it('leaves a locked execution to its holder: event in the inbox, no workflow task', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { lockToken: 1, lockedUntil: (await serverNow(redis())) + 30_000, lockEntry: '1-1' });
    assert.equal(await complete(k, await activity(k)), 'delivered');
    assert.equal(await redis().llen(k.inbox), 1);
    assert.equal(await redis().exists(k.workflowTasks), 0);
    assert.equal(await redis().hget(k.execution, 'queued'), '0');
  });

  it('drops a duplicate completion and changes nothing', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k);
    const entry = await activity(k);
    assert.equal(await complete(k, entry, 'first'), 'delivered');
    const before = await snapshot(redis(), k.prefix);

    assert.equal(await complete(k, entry, 'second'), 'duplicate');
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
    assert.deepEqual((await inboxEvents(redis(), k.inbox)).map((e) => e.e), ['first']);
  });

  it("removes the attempt's activity deadlines with it, and none on a duplicate completion", async () => {
    const k = executionKeys();
    await seedExecution(redis(), k);
    const entry = await activity(k);
    await redis().zadd(k.timers, 100, 'stc', 200, 'sc', 300, 'timer');
    await redis().sadd(k.executionTimers, 'stc', 'sc', 'timer');
    assert.equal((await run(k, entry, { deadlines: ['stc', '', 'sc'] })).outcome, 'delivered');
    assert.deepEqual(await redis().zrange(k.timers, 0, -1), ['timer']);
    assert.deepEqual(await redis().smembers(k.executionTimers), ['timer']);

    await redis().zadd(k.timers, 100, 'stc');
    assert.equal((await run(k, entry, { deadlines: ['stc', '', ''] })).outcome, 'duplicate');
    assert.deepEqual(await redis().zrange(k.timers, 0, -1), ['stc', 'timer'], 'a duplicate changes nothing');
  });

  it('removes the task but drops the outcome when the execution has ended', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { state: 'finished' });
    const entry = await activity(k);
    assert.equal(await complete(k, entry), 'dropped');
    assert.deepEqual(await entries(redis(), k.activityTasks), []);
    assert.equal(await redis().exists(k.inbox), 0);
    assert.equal(await redis().exists(k.workflowTasks), 0);
  });

  it('drops the outcome of an execution that does not exist without creating it', async () => {
    const k = executionKeys();
    const entry = await activity(k);
    assert.equal(await complete(k, entry), 'dropped');
    assert.equal(await redis().exists(k.execution), 0);
    assert.equal(await redis().exists(k.inbox), 0);
  });
});
