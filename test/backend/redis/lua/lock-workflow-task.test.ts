import assert from 'node:assert/strict';
import {
  GROUP,
  addAndDeliver,
  entries,
  executionKeys,
  pending,
  seedExecution,
  serverNow,
  snapshot,
  useScripts,
  type ExecutionKeys,
} from '../script-fixture.js';

describe('lua/lock-workflow-task', () => {
  const { redis, scripts } = useScripts();

  function lock(k: ExecutionKeys, entryId: string, options: { known?: number; max?: number; consumer?: string; lockTimeoutMs?: number } = {}) {
    return scripts().lockWorkflowTask(
      { execution: k.execution, inbox: k.inbox, history: k.history, workflowTasks: k.workflowTasks },
      {
        entryId,
        group: GROUP,
        knownHistoryLength: options.known ?? 0,
        lockTimeoutMs: options.lockTimeoutMs ?? 30_000,
        maxInboxEvents: options.max ?? 0,
        consumer: options.consumer ?? 'worker-a',
      },
    );
  }

  async function queued(k: ExecutionKeys, consumer = 'worker-a'): Promise<string> {
    return addAndDeliver(redis(), k.workflowTasks, { i: k.instanceId, e: k.executionId }, consumer);
  }

  it('claims a batch of one stream in one call, each entry on its own terms', async () => {
    const a = executionKeys();
    // Same prefix and queue: one stream, three executions.
    const b = executionKeys({ prefix: a.prefix, instanceId: 'order-2' });
    const c = executionKeys({ prefix: a.prefix, instanceId: 'order-3' });
    await seedExecution(redis(), a, { queued: 1, history: ['a1', 'a2'], inbox: ['na'] });
    await seedExecution(redis(), b, { queued: 1, state: 'finished' });
    await seedExecution(redis(), c, { queued: 1, inbox: ['nc'] });
    const entryA = await queued(a);
    const entryB = await queued(b);
    const entryC = await queued(c, 'worker-b');
    const [lockedA, lockedB, lockedC] = await scripts().lockWorkflowTasks(
      a.workflowTasks,
      { group: GROUP, consumer: 'worker-a', lockTimeoutMs: 30_000, maxInboxEvents: 0 },
      [
        { k: a, entryId: entryA, known: 1 },
        { k: b, entryId: entryB, known: 0 },
        { k: c, entryId: entryC, known: 0 },
      ].map(({ k, entryId, known }) => ({ execution: k.execution, inbox: k.inbox, history: k.history, entryId, knownHistoryLength: known })),
    );
    assert.deepEqual(lockedA?.history.map(String), ['a2']);
    assert.deepEqual(lockedA?.inbox.map(String), ['na']);
    assert.equal(lockedB, undefined, 'an ended execution has nothing to run');
    assert.equal(lockedC, undefined, 'an entry pending for another consumer is not ours');
    assert.deepEqual((await pending(redis(), a.workflowTasks)).map((e) => e.id).sort(), [entryA, entryC].sort());
    assert.equal(await redis().hget(c.execution, 'lockToken'), '0', 'untouched');
  });

  it('locks the execution and returns its inbox and the history after the known length', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { queued: 1, history: ['h1', 'h2', 'h3'], inbox: ['n1', 'n2'] });
    const before = await serverNow(redis());
    const entry = await queued(k);
    const after = await serverNow(redis());

    const locked = await lock(k, entry, { known: 1 });
    assert.ok(locked);
    assert.equal(locked.lockToken, 1);
    assert.equal(locked.historyLength, 3);
    assert.deepEqual(
      locked.inbox.map((event) => event.toString()),
      ['n1', 'n2'],
      'the events without their stored types',
    );
    assert.deepEqual(
      locked.history.map((b) => b.toString()),
      ['h2', 'h3'],
    );

    const execution = await redis().hgetall(k.execution);
    assert.equal(execution.lockToken, '1');
    assert.equal(execution.lockEntry, entry);
    assert.equal(execution.queued, '0');
    const until = Number(execution.lockedUntil);
    // The script takes the delivery time as its clock minus the entry's idle time, both in whole ms: up to 1 ms late.
    assert.ok(until >= before + 30_000 && until <= after + 30_000 + 1, `lockedUntil ${until}, delivered in [${before}, ${after}]`);
    // The entry stays pending for its consumer until completion; the inbox is untouched.
    assert.deepEqual((await pending(redis(), k.workflowTasks)).map((p) => [p.id, p.consumer]), [[entry, 'worker-a']]);
    assert.equal(await redis().llen(k.inbox), 2);
  });

  it('returns no history when the caller is current or ahead', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { history: ['h1', 'h2'], inbox: ['n1'] });
    const current = await lock(k, await queued(k), { known: 2 });
    assert.deepEqual(current?.history, []);

    const k2 = executionKeys();
    await seedExecution(redis(), k2, { history: ['h1', 'h2'], inbox: ['n1'] });
    const ahead = await lock(k2, await queued(k2), { known: 5 });
    assert.deepEqual(ahead?.history, []);
    assert.equal(ahead?.historyLength, 2);
  });

  it('returns at most maxInboxEvents inbox events, oldest first', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { inbox: ['n1', 'n2', 'n3'] });
    const locked = await lock(k, await queued(k), { max: 2 });
    assert.deepEqual(
      locked?.inbox.map(String),
      ['n1', 'n2'],
    );
  });

  it('drops the entry of a missing execution', async () => {
    const k = executionKeys();
    const entry = await queued(k);
    assert.equal(await lock(k, entry), undefined);
    assert.deepEqual(await entries(redis(), k.workflowTasks), []);
    assert.deepEqual(await pending(redis(), k.workflowTasks), []);
    assert.equal(await redis().exists(k.execution), 0);
  });

  it('drops the entry of an ended execution and clears queued', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { state: 'finished', queued: 1, inbox: ['late'] });
    const entry = await queued(k);
    assert.equal(await lock(k, entry), undefined);
    assert.deepEqual(await entries(redis(), k.workflowTasks), []);
    assert.deepEqual(await pending(redis(), k.workflowTasks), []);
    assert.equal(await redis().hget(k.execution, 'queued'), '0');
    assert.equal(await redis().hget(k.execution, 'lockToken'), '0');
  });

  it('drops the entry when the inbox is empty', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { queued: 1 });
    const entry = await queued(k);
    assert.equal(await lock(k, entry), undefined);
    assert.deepEqual(await entries(redis(), k.workflowTasks), []);
    assert.equal(await redis().hget(k.execution, 'queued'), '0');
    assert.equal(await redis().hget(k.execution, 'lockToken'), '0');
  });

  it('drops a second entry while another worker holds the lease', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { inbox: ['n1'] });
    const first = await queued(k, 'worker-a');
    assert.ok(await lock(k, first));
    const second = await queued(k, 'worker-b');

    assert.equal(await lock(k, second, { consumer: 'worker-b' }), undefined);
    assert.deepEqual((await entries(redis(), k.workflowTasks)).map((e) => e.id), [first]);
    assert.deepEqual((await pending(redis(), k.workflowTasks)).map((p) => p.id), [first]);
    assert.equal(await redis().hget(k.execution, 'lockToken'), '1');
    assert.equal(await redis().hget(k.execution, 'lockEntry'), first);
  });

  it("leaves the holder's own entry pending when it is reclaimed before the lease ran out", async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { inbox: ['n1'] });
    const entry = await queued(k, 'worker-a');
    assert.ok(await lock(k, entry));
    await redis().xclaim(k.workflowTasks, GROUP, 'worker-b', 0, entry, 'JUSTID');

    assert.equal(await lock(k, entry, { consumer: 'worker-b' }), undefined);
    assert.deepEqual((await pending(redis(), k.workflowTasks)).map((p) => [p.id, p.consumer]), [[entry, 'worker-b']]);
    assert.equal(await redis().hget(k.execution, 'lockToken'), '1');
  });

  it('takes over an expired lease with a higher token', async () => {
    const k = executionKeys();
    const past = (await serverNow(redis())) - 1;
    await seedExecution(redis(), k, { lockToken: 7, lockedUntil: past, lockEntry: 'old-entry', inbox: ['n1'] });
    const entry = await queued(k, 'worker-b');

    const locked = await lock(k, entry, { consumer: 'worker-b' });
    assert.equal(locked?.lockToken, 8);
    assert.equal(await redis().hget(k.execution, 'lockEntry'), entry);
    assert.ok(Number(await redis().hget(k.execution, 'lockedUntil')) > past);
  });

  it('releases an expired lock whose inbox is empty, so later events can wake the execution', async () => {
    const k = executionKeys();
    const past = (await serverNow(redis())) - 1;
    await seedExecution(redis(), k, { lockToken: 3, lockedUntil: past, lockEntry: 'old-entry' });
    const entry = await queued(k);

    assert.equal(await lock(k, entry), undefined);
    assert.equal(await redis().hget(k.execution, 'lockedUntil'), '0');
    assert.equal(await redis().hget(k.execution, 'lockToken'), '3');
  });

  it('counts the lease from the delivery, like the idle time reclaim-tasks goes by', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { inbox: ['n1'] });
    const before = await serverNow(redis());
    const entry = await queued(k);
    const after = await serverNow(redis());
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(await lock(k, entry, { lockTimeoutMs: 1000 }));
    const until = Number(await redis().hget(k.execution, 'lockedUntil'));
    // now - idle: both are whole milliseconds Redis rounds on its own, so the sum may land 1 ms either way.
    assert.ok(until >= before + 1000 - 1 && until <= after + 1000 + 1, `lockedUntil ${until}, delivered in [${before}, ${after}]`);
  });

  it('touches nothing when the entry is no longer pending for this consumer', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { queued: 1, inbox: ['n1'] });
    const entry = await queued(k, 'worker-a');
    // Another worker reclaimed it while this one was slow to lock it.
    await redis().xclaim(k.workflowTasks, GROUP, 'worker-b', 0, entry);
    const before = await snapshot(redis(), k.prefix);
    assert.equal(await lock(k, entry, { consumer: 'worker-a' }), undefined);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);

    // ... and completed it.
    await redis().xack(k.workflowTasks, GROUP, entry);
    await redis().xdel(k.workflowTasks, entry);
    const after = await snapshot(redis(), k.prefix);
    assert.equal(await lock(k, entry, { consumer: 'worker-a' }), undefined);
    assert.deepEqual(await snapshot(redis(), k.prefix), after);
  });
});
