import assert from 'node:assert/strict';
import {
  GROUP,
  addAndDeliver,
  entries,
  executionKeys,
  pending,
  seedExecution,
  snapshot,
  useScripts,
  type ExecutionKeys,
} from '../script-fixture.js';

describe('lua/release-workflow-task', () => {
  const { redis, scripts } = useScripts();

  async function claimed(): Promise<{ k: ExecutionKeys; entry: string; token: number }> {
    const k = executionKeys();
    await seedExecution(redis(), k, { inbox: ['n1'] });
    const entry = await addAndDeliver(redis(), k.workflowTasks, { i: k.instanceId, e: k.executionId });
    const locked = await scripts().lockWorkflowTask(
      { execution: k.execution, inbox: k.inbox, history: k.history, workflowTasks: k.workflowTasks },
      { entryId: entry, group: GROUP, knownHistoryLength: 0, lockTimeoutMs: 30_000, maxInboxEvents: 0, consumer: 'worker-a' },
    );
    assert.ok(locked);
    return { k, entry, token: locked.lockToken };
  }

  function release(k: ExecutionKeys, entry: string, token: number): Promise<void> {
    return scripts().releaseWorkflowTask(
      { execution: k.execution, inbox: k.inbox, workflowTasks: k.workflowTasks },
      { lockToken: token, entryId: entry, group: GROUP, instanceId: k.instanceId, executionId: k.executionId },
    );
  }

  it('unlocks, removes the entry and queues a fresh one for the waiting events', async () => {
    const { k, entry, token } = await claimed();
    await release(k, entry, token);

    const execution = await redis().hgetall(k.execution);
    assert.equal(execution.lockedUntil, '0');
    assert.equal(execution.queued, '1');
    const queued = await entries(redis(), k.workflowTasks);
    assert.equal(queued.length, 1);
    assert.notEqual(queued[0]?.id, entry);
    assert.deepEqual(queued[0]?.fields, { i: 'order-1', e: 'exec-1' });
    assert.deepEqual(await pending(redis(), k.workflowTasks), []);
    assert.equal(await redis().llen(k.inbox), 1);
  });

  it('does not re-queue an execution that ended meanwhile', async () => {
    const { k, entry, token } = await claimed();
    await redis().hset(k.execution, 'state', 'finished');
    await release(k, entry, token);
    assert.deepEqual(await entries(redis(), k.workflowTasks), []);
    assert.equal(await redis().hget(k.execution, 'queued'), '0');
  });

  it('fails with LEASE_LOST for a stale token and changes nothing', async () => {
    const { k, entry, token } = await claimed();
    await redis().hincrby(k.execution, 'lockToken', 1);
    const before = await snapshot(redis(), k.prefix);
    await assert.rejects(release(k, entry, token), /LEASE_LOST exec-1/);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });
});
