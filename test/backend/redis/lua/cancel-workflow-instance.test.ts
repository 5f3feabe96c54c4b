import assert from 'node:assert/strict';
import { entries, executionKeys, inboxEvents, seedExecution, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';

describe('lua/cancel-workflow-instance', () => {
  const { redis, instanceScripts } = useScripts();

  function cancel(k: ExecutionKeys): Promise<boolean> {
    return instanceScripts().cancelWorkflowInstance(
      { execution: k.execution, inbox: k.inbox, workflowTasks: k.workflowTasks },
      k.instanceId,
      k.executionId,
      Buffer.from('canceled'),
    );
  }

  it('appends WorkflowExecutionCanceled to an active execution and queues it', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k);
    assert.equal(await cancel(k), true);
    assert.deepEqual(await inboxEvents(redis(), k.inbox), [{ e: 'canceled', t: 'WorkflowExecutionCanceled' }]);
    assert.equal((await entries(redis(), k.workflowTasks)).length, 1);
  });

  it('does not queue an execution that is queued already', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { queued: 1 });
    assert.equal(await cancel(k), true);
    assert.equal(await redis().exists(k.workflowTasks), 0);
  });

  for (const state of ['finished', 'continued-as-new']) {
    it(`writes nothing to a ${state} execution`, async () => {
      const k = executionKeys();
      await seedExecution(redis(), k, { state });
      const before = await snapshot(redis(), k.prefix);
      assert.equal(await cancel(k), false);
      assert.deepEqual(await snapshot(redis(), k.prefix), before);
    });
  }

  it('writes nothing for an unknown execution', async () => {
    const k = executionKeys();
    assert.equal(await cancel(k), false);
    assert.deepEqual(await snapshot(redis(), k.prefix), {});
  });
});
