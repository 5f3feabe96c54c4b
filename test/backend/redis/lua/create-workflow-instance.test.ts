import assert from 'node:assert/strict';
import { entries, executionKeys, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';

describe('lua/create-workflow-instance', () => {
  const { redis, scripts } = useScripts();

  function create(k: ExecutionKeys, createdAt = 5000): Promise<void> {
    return scripts().createWorkflowInstance(
      {
        instance: k.instance,
        execution: k.execution,
        inbox: k.inbox,
        workflowTasks: k.workflowTasks,
        instances: k.instances,
        active: k.active,
        workflowQueues: k.workflowQueues,
      },
      {
        instanceId: k.instanceId,
        executionId: k.executionId,
        name: 'greet',
        queue: 'default',
        createdAt,
        started: Buffer.from([0xde, 0xad, 0x00, 0xff]),
      },
    );
  }

  it('writes both hashes, the started event, one queued task and the index entries', async () => {
    const k = executionKeys();
    await create(k);

    assert.deepEqual(await redis().hgetall(k.instance), { executionId: 'exec-1', state: 'active', queue: 'default', chain: 'exec-1' });
    const execution = await redis().hgetall(k.execution);
    assert.equal(execution.chain, 'exec-1', 'it starts a chain of its own');
    assert.equal(execution.state, 'active');
    assert.equal(execution.name, 'greet');
    assert.equal(execution.queue, 'default');
    assert.equal(execution.createdAt, '5000');
    assert.equal(execution.queued, '1');
    assert.equal(execution.lockedUntil, '0');
    assert.equal(execution.lockToken, '0');
    assert.equal(execution.historyLength, '0');

    const inbox = await redis().lrangeBuffer(k.inbox, 0, -1);
    assert.deepEqual(inbox, [Buffer.concat([Buffer.from('WorkflowExecutionStarted\n'), Buffer.from([0xde, 0xad, 0x00, 0xff])])]);

    assert.deepEqual((await entries(redis(), k.workflowTasks)).map((e) => e.fields), [{ i: 'order-1', e: 'exec-1' }]);
    assert.deepEqual(await redis().zrange(k.instances, 0, -1, 'WITHSCORES'), ['order-1\nexec-1', '5000']);
    assert.deepEqual(await redis().smembers(k.active), ['order-1\nexec-1']);
    assert.deepEqual(await redis().smembers(k.workflowQueues), ['default']);
  });

  it('rejects a second execution while the first is active and writes nothing', async () => {
    const k = executionKeys();
    await create(k);
    const before = await snapshot(redis(), k.prefix);

    const second = executionKeys({ prefix: k.prefix, executionId: 'exec-2' });
    await assert.rejects(create(second), /^ReplyError: INSTANCE_EXISTS order-1$|INSTANCE_EXISTS order-1/);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });

  it('starts a new execution once the previous one ended', async () => {
    const k = executionKeys();
    await create(k);
    await redis().hset(k.instance, 'state', 'finished');
    await redis().hset(k.execution, 'state', 'finished');

    const next = executionKeys({ prefix: k.prefix, executionId: 'exec-2' });
    await create(next, 6000);
    assert.deepEqual(await redis().hgetall(k.instance), { executionId: 'exec-2', state: 'active', queue: 'default', chain: 'exec-2' });
    assert.equal(await redis().hget(next.execution, 'chain'), 'exec-2', 'a new chain, not the ended one');
    assert.equal(await redis().hget(k.execution, 'state'), 'finished');
    assert.equal(await redis().hget(next.execution, 'state'), 'active');
    assert.equal((await entries(redis(), k.workflowTasks)).length, 2);
    assert.equal(await redis().zcard(k.instances), 2);
  });

  it('clears a TTL that the previous execution left on the instance hash', async () => {
    const k = executionKeys();
    await create(k);
    await redis().hset(k.instance, 'state', 'finished');
    await redis().pexpire(k.instance, 60_000);
    await create(executionKeys({ prefix: k.prefix, executionId: 'exec-2' }));
    assert.equal(await redis().pttl(k.instance), -1);
  });

  it('rejects reusing an execution id, even of an ended execution', async () => {
    const k = executionKeys();
    await create(k);
    await redis().hset(k.instance, 'state', 'finished');
    await redis().hset(k.execution, 'state', 'finished');
    const before = await snapshot(redis(), k.prefix);

    await assert.rejects(create(k), /INSTANCE_EXISTS/);
    assert.deepEqual(await snapshot(redis(), k.prefix), before);
  });
});
