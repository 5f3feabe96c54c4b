import assert from 'node:assert/strict';
import { outboxKey, relayedKey } from '../../../../src/backend/redis/keys.js';
import type { DeliverMessageArgs, DeliverMessageKeys, DeliveryResult } from '../../../../src/backend/redis/relay-scripts.js';
import { announcements, deliverMessageKeys, entries, executionKeys, inboxEvents, seedExecution, serverNow, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';

describe('lua/deliver-message', () => {
  const { redis, relayScripts } = useScripts();


  function args(target: ExecutionKeys, overrides: Partial<DeliverMessageArgs>): DeliverMessageArgs {
    return {
      messageId: '3-1700000000000-0',
      dedupWindowMs: 60_000,
      kind: 'event',
      instanceId: target.instanceId,
      executionId: target.executionId,
      queue: 'default',
      event: Buffer.from('event'),
      eventType: 'Test',
      name: 'wf',
      createdAt: 1234,
      answer: '',
      senderInstanceId: 'sender',
      senderExecutionId: 's-1',
      senderQueue: 'default',
      onSuccess: 'ok',
      onFailure: 'failed',
      ...overrides,
    };
  }

  function deliver(k: DeliverMessageKeys, a: DeliverMessageArgs): Promise<DeliveryResult> {
    return relayScripts().deliverMessage(k, a);
  }

  it('delivers a message once: the same message id again changes nothing', async () => {
    const target = executionKeys();
    await seedExecution(redis(), target);
    const a = args(target, { event: Buffer.from('canceled'), eventType: 'WorkflowExecutionCanceled' });
    assert.equal(await deliver(deliverMessageKeys(target), a), 'delivered');
    const before = await snapshot(redis(), target.prefix);
    assert.equal(await deliver(deliverMessageKeys(target), a), 'duplicate');
    assert.deepEqual(await snapshot(redis(), target.prefix), before);
    assert.deepEqual(await inboxEvents(redis(), target.inbox), [{ e: 'canceled', t: 'WorkflowExecutionCanceled' }]);
    assert.equal((await entries(redis(), target.workflowTasks)).length, 1);
    assert.equal(await deliver(deliverMessageKeys(target), { ...a, messageId: '3-1700000000000-1' }), 'delivered', 'another message id is new');
  });

  it('records an event for an ended execution without delivering it', async () => {
    const target = executionKeys();
    await seedExecution(redis(), target, { state: 'finished' });
    assert.equal(await deliver(deliverMessageKeys(target), args(target, {})), 'delivered');
    assert.equal(await redis().exists(target.inbox), 0);
    assert.ok(await redis().zscore(relayedKey(target.prefix, 0), '3-1700000000000-0'));
  });

  it("answers moved, writing nothing, for a cancellation of an execution that continued as new while its instance is active", async () => {
    const old = executionKeys();
    await seedExecution(redis(), old, { state: 'continued-as-new' });
    const active = executionKeys({ prefix: old.prefix, executionId: 'exec-2' });
    await seedExecution(redis(), active);
    const before = await snapshot(redis(), old.prefix);
    const a = args(old, { event: Buffer.from('cancel'), eventType: 'WorkflowExecutionCanceled' });
    assert.equal(await deliver(deliverMessageKeys(old), a), 'moved');
    assert.deepEqual(await snapshot(redis(), old.prefix), before);
    // The caller retries with the instance's active execution.
    assert.equal(await deliver(deliverMessageKeys(active), { ...a, executionId: 'exec-2' }), 'delivered');
    assert.deepEqual(await inboxEvents(redis(), active.inbox), [{ e: 'cancel', t: 'WorkflowExecutionCanceled' }]);
    assert.equal(await redis().exists(old.inbox), 0);
  });

  it('drops a cancellation of an execution that continued as new when its id now runs another chain', async () => {
    const old = executionKeys();
    await seedExecution(redis(), old, { state: 'continued-as-new' });
    await redis().hset(old.execution, 'chain', 'exec-0');
    // The old chain finished and the id was started again: the active execution is of a new chain.
    const reused = executionKeys({ prefix: old.prefix, executionId: 'exec-9' });
    await seedExecution(redis(), reused);
    await redis().hset(reused.instance, 'chain', 'exec-9');
    const cancel = args(old, { event: Buffer.from('cancel'), eventType: 'WorkflowExecutionCanceled' });
    assert.equal(await deliver(deliverMessageKeys(old), cancel), 'delivered', 'recorded and dropped, not moved');
    assert.equal(await redis().exists(reused.inbox), 0);
    assert.equal(await redis().exists(old.inbox), 0);
  });

  it("drops other events for an execution that continued as new, and a cancellation once its chain has finished", async () => {
    const old = executionKeys();
    await seedExecution(redis(), old, { state: 'continued-as-new' });
    const active = executionKeys({ prefix: old.prefix, executionId: 'exec-2' });
    await seedExecution(redis(), active);
    const late = args(old, { event: Buffer.from('late'), eventType: 'SubWorkflowCompleted' });
    assert.equal(await deliver(deliverMessageKeys(old), late), 'delivered');
    await redis().hset(old.instance, 'state', 'finished');
    const cancel = args(old, { messageId: 'm2', event: Buffer.from('cancel'), eventType: 'WorkflowExecutionCanceled' });
    assert.equal(await deliver(deliverMessageKeys(old), cancel), 'delivered');
    assert.equal(await redis().exists(old.inbox), 0);
    assert.equal(await redis().exists(active.inbox), 0);
    assert.deepEqual((await redis().zrange(relayedKey(old.prefix, 0), 0, -1)).sort(), ['3-1700000000000-0', 'm2']);
  });

  it('forgets delivery records older than the dedup window', async () => {
    const target = executionKeys();
    await seedExecution(redis(), target);
    const relayed = relayedKey(target.prefix, 0);
    const now = await serverNow(redis());
    await redis().zadd(relayed, now - 120_000, 'old', now - 1_000, 'recent');
    await deliver(deliverMessageKeys(target), args(target, {}));
    assert.deepEqual(await redis().zrange(relayed, 0, -1), ['recent', '3-1700000000000-0']);
  });

  it('starts a sub-workflow execution', async () => {
    const child = executionKeys({ instanceId: 'kid', executionId: 'kid-1' });
    const a = args(child, { kind: 'start', event: Buffer.from('started'), name: 'child', answer: 'outbox' });
    assert.equal(await deliver(deliverMessageKeys(child), a), 'delivered');
    assert.deepEqual(await redis().hgetall(child.instance), { executionId: 'kid-1', state: 'active', queue: 'default', chain: 'kid-1' });
    assert.equal(await redis().hget(child.execution, 'name'), 'child');
    assert.equal(await redis().hget(child.execution, 'createdAt'), '1234');
    assert.deepEqual(await inboxEvents(redis(), child.inbox), [{ e: 'started', t: 'WorkflowExecutionStarted' }]);
    assert.deepEqual((await entries(redis(), child.workflowTasks)).map((e) => e.fields), [{ i: 'kid', e: 'kid-1' }]);
    assert.deepEqual(await redis().smembers(child.active), ['kid\nkid-1']);
    assert.equal(await redis().exists(outboxKey(child.prefix, 0)), 0, 'no answer');
  });

  it('answers SubWorkflowFailed through the outbox when the child id is active, creating nothing', async () => {
    const busy = executionKeys({ instanceId: 'kid', executionId: 'kid-0' });
    await seedExecution(redis(), busy);
    const child = executionKeys({ prefix: busy.prefix, instanceId: 'kid', executionId: 'kid-1' });
    const a = args(child, { kind: 'start', event: Buffer.from('started'), answer: 'outbox', onFailure: 'clash' });
    const announced = await announcements(redis(), outboxKey(busy.prefix, 0), async () => {
      assert.equal(await deliver(deliverMessageKeys(child), a), 'delivered');
    });
    assert.deepEqual(announced, [''], "the answer is announced on the outbox's channel");
    assert.equal(await redis().exists(child.execution), 0);
    assert.deepEqual((await entries(redis(), outboxKey(busy.prefix, 0))).map((e) => e.fields), [
      { k: 'event', i: 'sender', e: 's-1', q: 'default', b: 'clash', t: 'SubWorkflowFailed' },
    ]);
  });

  it("delivers a signal to the instance's active execution and answers SignalDelivered to a local sender", async () => {
    const target = executionKeys();
    await seedExecution(redis(), target);
    const sender = executionKeys({ prefix: target.prefix, instanceId: 'sender', executionId: 's-1' });
    await seedExecution(redis(), sender);
    const a = args(target, { kind: 'signal', event: Buffer.from('sig'), answer: 'local', onSuccess: 'delivered' });
    assert.equal(await deliver(deliverMessageKeys(target, sender), a), 'delivered');
    assert.deepEqual(await inboxEvents(redis(), target.inbox), [{ e: 'sig', t: 'SignalReceived' }]);
    assert.deepEqual(await inboxEvents(redis(), sender.inbox), [{ e: 'delivered', t: 'SignalDelivered' }]);
    const queued = (await entries(redis(), target.workflowTasks)).map((e) => e.fields.i).sort();
    assert.deepEqual(queued, ['order-1', 'sender']);
  });

  it('writes nothing and records nothing when the signal target is no longer the active execution', async () => {
    const target = executionKeys();
    await seedExecution(redis(), target);
    await redis().hset(target.instance, 'executionId', 'exec-2');
    const before = await snapshot(redis(), target.prefix);
    const a = args(target, { kind: 'signal', answer: 'outbox' });
    assert.equal(await deliver(deliverMessageKeys(target), a), 'moved');
    assert.deepEqual(await snapshot(redis(), target.prefix), before);
  });

  it('answers SignalFailed when the instance has no active execution', async () => {
    const target = executionKeys();
    await seedExecution(redis(), target, { state: 'finished' });
    const a = args(target, { kind: 'signal', executionId: '', answer: 'outbox', onFailure: 'not-found' });
    assert.equal(await deliver(deliverMessageKeys(target), a), 'delivered');
    assert.equal(await redis().exists(target.inbox), 0);
    assert.deepEqual((await entries(redis(), outboxKey(target.prefix, 0))).map((e) => [e.fields.b, e.fields.t]), [['not-found', 'SignalFailed']]);
    const unknown = executionKeys({ prefix: target.prefix, instanceId: 'nobody', executionId: '' });
    assert.equal(await deliver(deliverMessageKeys(unknown), { ...args(unknown, { kind: 'signal', answer: 'outbox' }), messageId: 'm2' }), 'delivered');
    assert.equal(await redis().xlen(outboxKey(target.prefix, 0)), 2);
  });
});
