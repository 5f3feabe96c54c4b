import assert from 'node:assert/strict';
import { entries, executionKeys, inboxEvents, seedExecution, serverNow, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';

describe('lua/signal-workflow', () => {
  const { redis, instanceScripts } = useScripts();

  function signal(k: ExecutionKeys, executionId = k.executionId): Promise<boolean> {
    return instanceScripts().signalWorkflow(
      { instance: k.instance, execution: k.execution, inbox: k.inbox, workflowTasks: k.workflowTasks },
      k.instanceId,
      executionId,
      Buffer.from('sig'),
    );
  }

  it('appends the signal with its type and queues an idle execution', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k);
    assert.equal(await signal(k), true);
    assert.deepEqual(await inboxEvents(redis(), k.inbox), [{ e: 'sig', t: 'SignalReceived' }]);
    assert.deepEqual((await entries(redis(), k.workflowTasks)).map((e) => e.fields), [{ i: 'order-1', e: 'exec-1' }]);
    assert.equal(await redis().hget(k.execution, 'queued'), '1');
  });

  it('does not queue a locked execution a second time', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { lockToken: 1, lockedUntil: (await serverNow(redis())) + 30_000, lockEntry: '1-1' });
    assert.equal(await signal(k), true);
    assert.equal(await redis().llen(k.inbox), 1);
    assert.equal(await redis().exists(k.workflowTasks), 0);
  });

  it('writes nothing when the instance points at another execution now', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k);
    await redis().hset(k.instance, 'executionId', 'exec-2');
    const before = await snapshot(redis(), k.prefix);
    assert.equal(await signal(k), false);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });

  it('writes nothing when the execution has ended', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k, { state: 'continued-as-new' });
    const before = await snapshot(redis(), k.prefix);
    assert.equal(await signal(k), false);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });

  it('writes nothing for an unknown instance', async () => {
    const k = executionKeys();
    assert.equal(await signal(k), false);
    assert.deepEqual(await snapshot(redis(), k.prefix), {});
  });
});
