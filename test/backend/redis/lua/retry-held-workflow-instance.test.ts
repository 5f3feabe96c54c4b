import assert from 'node:assert/strict';
import { holdRetryMember } from '../../../../src/backend/redis/timer-member.js';
import { entries, executionKeys, seedExecution, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';
import { claimExecution, holdClaimed } from './completion-fixture.js';

const retry = { firstRetryIntervalMs: 60_000, backoffCoefficient: 2, maxRetryIntervalMs: 60_000, maxAttempts: 10 };

describe('lua/retry-held-workflow-instance', () => {
  const { redis, scripts, heldTaskScripts } = useScripts();

  const member = (k: ExecutionKeys): string => `${k.instanceId}\n${k.executionId}`;
  const retryMember = (k: ExecutionKeys): string => holdRetryMember(k.instanceId, k.executionId, 'default');

  function retryHeld(k: ExecutionKeys): Promise<string> {
    return heldTaskScripts().retryHeldWorkflowInstance(
      { execution: k.execution, inbox: k.inbox, workflowTasks: k.workflowTasks, timers: k.timers, executionTimers: k.executionTimers, held: k.held },
      { instanceId: k.instanceId, executionId: k.executionId, member: member(k), retryMember: retryMember(k) },
    );
  }

  async function held(maxAttempts = retry.maxAttempts): Promise<ExecutionKeys> {
    const c = await claimExecution(redis(), scripts());
    const { k } = c;
    await holdClaimed(heldTaskScripts(), c, { ...retry, maxAttempts }, { reason: 'unsettled', errorType: 'UnsettledWorkflowError' });
    return k;
  }

  for (const [label, maxAttempts] of [['backing off', 10], ['parked', 1]] as const) {
    it(`clears the hold of an execution ${label}, removes its retry timer and queues its task now`, async () => {
      const k = await held(maxAttempts);
      assert.equal(await retryHeld(k), 'retried');
      const execution = await redis().hgetall(k.execution);
      assert.equal(execution.held, undefined);
      assert.equal(execution.holdAttempts, undefined, 'a later hold counts from 1');
      assert.equal(execution.queued, '1');
      assert.equal(await redis().zcard(k.held), 0);
      assert.equal(await redis().zscore(k.timers, retryMember(k)), null);
      assert.deepEqual(await redis().smembers(k.executionTimers), []);
      assert.deepEqual((await entries(redis(), k.workflowTasks)).map((e) => e.fields), [{ i: k.instanceId, e: k.executionId }]);
    });
  }

  it('answers not-held, changing nothing, for an execution that is not held', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { inbox: ['n1'] });
    const before = await snapshot(redis(), k.prefix);
    assert.equal(await retryHeld(k), 'not-held');
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });

  it('answers missing for an execution that does not exist', async () => {
    assert.equal(await retryHeld(executionKeys()), 'missing');
  });
});
