import assert from 'node:assert/strict';
import {
  GROUP,
  addAndDeliver,
  executionKeys,
  pending,
  seedExecution,
  serverNow,
  snapshot,
  useScripts,
  type ExecutionKeys,
} from '../script-fixture.js';

describe('lua/extend-workflow-task', () => {
  const { redis, scripts } = useScripts();

  async function claimed(): Promise<{ k: ExecutionKeys; entry: string; token: number }> {
    const k = executionKeys();
    await seedExecution(redis(), k, { inbox: ['n1'] });
    const entry = await addAndDeliver(redis(), k.workflowTasks, { i: k.instanceId, e: k.executionId }, 'worker-a');
    const locked = await scripts().lockWorkflowTask(
      { execution: k.execution, inbox: k.inbox, history: k.history, workflowTasks: k.workflowTasks },
      { entryId: entry, group: GROUP, knownHistoryLength: 0, lockTimeoutMs: 1000, maxInboxEvents: 0, consumer: 'worker-a' },
    );
    assert.ok(locked);
    return { k, entry, token: locked.lockToken };
  }

  function extend(k: ExecutionKeys, entry: string, token: number, consumer = 'worker-a'): Promise<number> {
    return scripts().extendWorkflowTask(
      { execution: k.execution, workflowTasks: k.workflowTasks },
      { lockToken: token, entryId: entry, group: GROUP, consumer, lockTimeoutMs: 60_000, executionId: k.executionId },
    );
  }

  it('moves lockedUntil and resets the entry idle time', async () => {
    const { k, entry, token } = await claimed();
    await new Promise((r) => setTimeout(r, 120));
    assert.ok((await pending(redis(), k.workflowTasks))[0]!.idleMs >= 100);

    const now = await serverNow(redis());
    const until = await extend(k, entry, token);
    assert.ok(until >= now + 60_000 && until < now + 61_000);
    assert.equal(await redis().hget(k.execution, 'lockedUntil'), String(until));
    const [p] = await pending(redis(), k.workflowTasks);
    assert.equal(p?.consumer, 'worker-a');
    assert.ok(p.idleMs < 100, `idle ${p?.idleMs}`);
  });

  it('moves the entry to the consumer named for the lease it grants', async () => {
    const { k, entry, token } = await claimed();
    await extend(k, entry, token, 'worker-a~60000');
    assert.deepEqual((await pending(redis(), k.workflowTasks)).map((p) => p.consumer), ['worker-a~60000']);
  });

  it('takes its own entry back from a consumer that reclaimed it early', async () => {
    const { k, entry, token } = await claimed();
    await redis().xclaim(k.workflowTasks, GROUP, 'worker-b', 0, entry, 'JUSTID');
    await extend(k, entry, token);
    assert.deepEqual((await pending(redis(), k.workflowTasks)).map((p) => p.consumer), ['worker-a']);
  });

  it('fails with LEASE_LOST for a stale token and neither extends nor steals the entry', async () => {
    const { k, entry, token } = await claimed();
    await redis().hincrby(k.execution, 'lockToken', 1);
    await redis().xclaim(k.workflowTasks, GROUP, 'worker-b', 0, entry, 'JUSTID');
    const before = await snapshot(redis(), k.prefix);

    await assert.rejects(extend(k, entry, token), /LEASE_LOST exec-1/);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
    assert.deepEqual((await pending(redis(), k.workflowTasks)).map((p) => p.consumer), ['worker-b']);
  });

  it('fails with LEASE_LOST once the lock was released', async () => {
    const { k, entry, token } = await claimed();
    await redis().hset(k.execution, 'lockedUntil', 0);
    await assert.rejects(extend(k, entry, token), /LEASE_LOST/);
    assert.equal(await redis().hget(k.execution, 'lockedUntil'), '0');
  });
});
