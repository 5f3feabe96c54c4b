import assert from 'node:assert/strict';
import type { RecordedHold } from '../../../../src/backend/redis/held-task-scripts.js';
import { holdRetryMember } from '../../../../src/backend/redis/timer-member.js';
import { GROUP, addAndDeliver, entries, executionKeys, pending, pushInbox, serverNow, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';
import { claimExecution, completeClaimed, holdClaimed, type Claimed } from './completion-fixture.js';

const retry = { firstRetryIntervalMs: 1000, backoffCoefficient: 2, maxRetryIntervalMs: 3000, maxAttempts: 4 };

describe('lua/hold-workflow-task', () => {
  const { redis, scripts, heldTaskScripts } = useScripts();

  const member = (k: ExecutionKeys): string => `${k.instanceId}\n${k.executionId}`;
  const retryMember = (k: ExecutionKeys): string => holdRetryMember(k.instanceId, k.executionId, 'default');

  const hold = (c: Claimed): Promise<RecordedHold> => holdClaimed(heldTaskScripts(), c, retry);

  /** Claims the execution's next task again, as a worker would after the retry queued it. */
  async function claimAgain(c: Claimed): Promise<Claimed> {
    const { k } = c;
    const entry = (await entries(redis(), k.workflowTasks)).at(-1)?.id;
    assert.ok(entry !== undefined, 'a task was queued');
    await redis().xreadgroup('GROUP', GROUP, 'worker-a', 'STREAMS', k.workflowTasks, '>');
    const locked = await scripts().lockWorkflowTask(
      { execution: k.execution, inbox: k.inbox, history: k.history, workflowTasks: k.workflowTasks },
      { entryId: entry, group: GROUP, knownHistoryLength: 2, lockTimeoutMs: 30_000, maxInboxEvents: 0, consumer: 'worker-a' },
    );
    assert.ok(locked, 'claimed again');
    return { ...c, entry, token: locked.lockToken };
  }

  /** What fire-timers does with the retry timer once it is due. */
  async function fireRetry(k: ExecutionKeys): Promise<void> {
    await scripts().fireTimers(k.timers, [
      { member: retryMember(k), event: Buffer.alloc(0), instanceId: k.instanceId, executionId: k.executionId, execution: k.execution, inbox: k.inbox, workflowTasks: k.workflowTasks, executionTimers: k.executionTimers },
    ]);
  }

  it('gives the lock up, removes the entry, records the hold and schedules its retry, committing nothing', async () => {
    const c = await claimExecution(redis(), scripts());
    const { k } = c;
    const now = await serverNow(redis());
    const held = await hold(c);
    assert.equal(held.attempts, 1);
    assert.ok(held.sinceMs >= now && held.sinceMs < now + 1000);
    assert.equal(held.retryAtMs, held.sinceMs + 1000);

    const execution = await redis().hgetall(k.execution);
    assert.equal(execution.lockedUntil, '0');
    assert.equal(execution.held, '1');
    assert.equal(execution.holdReason, 'engine-error');
    assert.equal(execution.holdErrorType, 'TypeError');
    assert.equal(execution.holdErrorMessage, 'boom');
    assert.equal(execution.holdAttempts, '1');
    assert.equal(execution.historyLength, '2', 'nothing committed');
    assert.equal(await redis().llen(k.inbox), 2, 'the events stay');
    assert.deepEqual(await entries(redis(), k.workflowTasks), [], 'the entry is gone');
    assert.deepEqual(await pending(redis(), k.workflowTasks), []);
    assert.equal(Number(await redis().zscore(k.timers, retryMember(k))), held.retryAtMs);
    assert.deepEqual(await redis().smembers(k.executionTimers), [retryMember(k)]);
    assert.equal(Number(await redis().zscore(k.held, member(k))), held.sinceMs);
  });

  it('backs off exponentially, capped, keeps since, and parks at the most attempts', async () => {
    let c = await claimExecution(redis(), scripts());
    const { k } = c;
    const waits: number[] = [];
    let since = 0;
    for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
      const held = await hold(c);
      assert.equal(held.attempts, attempt);
      if (attempt === 1) since = held.sinceMs;
      assert.equal(held.sinceMs, since, 'since is the first hold of the run');
      if (attempt < retry.maxAttempts) {
        waits.push(held.retryAtMs - (await serverNow(redis())));
        // An event meanwhile queues nothing: only the retry does.
        await pushInbox(redis(), k.inbox, `late-${attempt}`, 'SignalReceived');
        assert.deepEqual(await entries(redis(), k.workflowTasks), []);
        await fireRetry(k);
        assert.equal(await redis().hget(k.execution, 'held'), '0');
        c = await claimAgain(c);
      } else {
        assert.equal(held.retryAtMs, 0, 'parked');
        assert.equal(await redis().zscore(k.timers, retryMember(k)), null, 'no retry timer');
      }
    }
    // 1000, 2000, then capped at 3000 (less the time the test took).
    assert.deepEqual(waits.map((ms) => Math.round(ms / 500) * 500), [1000, 2000, 3000]);
    assert.equal(await redis().hget(k.execution, 'held'), '1');
  });

  it('refuses a holder whose lease was lost (LEASE_LOST) and changes nothing', async () => {
    const c = await claimExecution(redis(), scripts());
    await redis().hincrby(c.k.execution, 'lockToken', 1);
    const before = await snapshot(redis(), c.k.prefix);
    await assert.rejects(hold(c), /LEASE_LOST exec-1/);
    assert.deepEqual(await snapshot(redis(), c.k.prefix), before);
  });

  it('refuses a second hold of the same claim', async () => {
    const c = await claimExecution(redis(), scripts());
    await hold(c);
    await assert.rejects(hold(c), /LEASE_LOST exec-1/);
    assert.equal(await redis().hget(c.k.execution, 'holdAttempts'), '1');
  });

  it('keeps a spare entry from running a held execution before its retry', async () => {
    const c = await claimExecution(redis(), scripts());
    const { k } = c;
    await hold(c);
    const spare = await addAndDeliver(redis(), k.workflowTasks, { i: k.instanceId, e: k.executionId });
    const locked = await scripts().lockWorkflowTask(
      { execution: k.execution, inbox: k.inbox, history: k.history, workflowTasks: k.workflowTasks },
      { entryId: spare, group: GROUP, knownHistoryLength: 2, lockTimeoutMs: 30_000, maxInboxEvents: 0, consumer: 'worker-a' },
    );
    assert.equal(locked, undefined);
    assert.deepEqual(await entries(redis(), k.workflowTasks), [], 'the spare entry is dropped');
    assert.equal(await redis().hget(k.execution, 'held'), '1');
  });

  it('is cleared by the next commit, which counts a later hold from 1 again', async () => {
    let c = await claimExecution(redis(), scripts());
    const { k } = c;
    await hold(c);
    await fireRetry(k);
    c = await claimAgain(c);
    await completeClaimed(scripts(), c);
    const execution = await redis().hgetall(k.execution);
    for (const field of ['held', 'holdReason', 'holdErrorType', 'holdErrorMessage', 'holdSince', 'holdAttempts', 'holdRetryAt']) {
      assert.equal(execution[field], undefined, field);
    }
    assert.equal(await redis().zcard(k.held), 0);

    const next = await claimExecution(redis(), scripts(), ['n3'], executionKeys({ prefix: k.prefix, instanceId: 'order-2' }));
    assert.equal((await hold(next)).attempts, 1);
  });
});
