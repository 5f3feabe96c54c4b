import assert from 'node:assert/strict';
import { outboxKey } from '../../../../src/backend/redis/keys.js';
import type { BeforeStartDelivery, DeliverMessageArgs, DeliveryResult } from '../../../../src/backend/redis/relay-scripts.js';
import { deliverMessageKeys, entries, executionKeys, inboxEvents, seedExecution, serverNow, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';

// deliver-message.lua, a parent's cancellation request for its child in another partition: it ends a child
// that no worker has started, and answers the parent.
describe('lua/deliver-message: cancelling a sub-workflow that has not started', () => {
  const { redis, relayScripts } = useScripts();

  async function seedChild(seed: Parameters<typeof seedExecution>[2] = {}): Promise<ExecutionKeys> {
    const kid = executionKeys({ instanceId: 'kid', executionId: 'kid-1' });
    await seedExecution(redis(), kid, { inbox: [{ event: 'kid-started', type: 'WorkflowExecutionStarted' }], ...seed });
    return kid;
  }

  /** Delivers the parent's cancellation request to `kid`; the parent is `parent` when local, else elsewhere. */
  function cancel(kid: ExecutionKeys, parent?: ExecutionKeys, messageId = '2-1700000000000-0'): Promise<DeliveryResult> {
    const keys = deliverMessageKeys(kid, parent);
    const args: DeliverMessageArgs = {
      messageId,
      dedupWindowMs: 60_000,
      kind: 'event',
      instanceId: 'kid',
      executionId: 'kid-1',
      queue: 'default',
      event: Buffer.from('kid-canceled'),
      eventType: 'WorkflowExecutionCanceled',
      name: '',
      createdAt: 0,
      answer: parent === undefined ? 'outbox' : 'local',
      senderInstanceId: 'parent',
      senderExecutionId: 'p-1',
      senderQueue: 'default',
      onSuccess: '',
      onFailure: 'parent-failed',
    };
    const beforeStart: BeforeStartDelivery = {
      history: kid.history,
      executionTimers: kid.executionTimers,
      timers: kid.timers,
      finished: kid.finished,
      expiring: kid.expiring,
      chains: kid.chains,
      held: kid.held,
      finishedEvent: Buffer.from('kid-finished'),
      finishedChannel: kid.channel,
      retentionMs: 0,
    };
    return relayScripts().deliverMessage(keys, args, beforeStart);
  }

  it('ends a child no worker has started and answers SubWorkflowFailed to a parent of the same partition', async () => {
    const kid = await seedChild();
    const parent = executionKeys({ prefix: kid.prefix, instanceId: 'parent', executionId: 'p-1' });
    await seedExecution(redis(), parent);
    assert.equal(await cancel(kid, parent), 'delivered');
    assert.deepEqual(await redis().lrange(kid.history, 0, -1), ['kid-started', 'kid-canceled', 'kid-finished']);
    assert.deepEqual(await redis().hmget(kid.execution, 'state', 'historyLength'), ['finished', '3']);
    assert.equal(await redis().hget(kid.instance, 'state'), 'finished');
    assert.equal(await redis().exists(kid.inbox), 0);
    assert.ok((await redis().zscore(kid.finished, 'kid\nkid-1')) !== null);
    assert.deepEqual(await inboxEvents(redis(), parent.inbox), [{ e: 'parent-failed', t: 'SubWorkflowFailed' }]);
    assert.ok((await entries(redis(), parent.workflowTasks)).some((e) => e.fields.i === 'parent'), 'the parent is queued');
  });

  it("answers through the child partition's outbox when the parent lives elsewhere, once", async () => {
    const kid = await seedChild();
    assert.equal(await cancel(kid), 'delivered');
    assert.equal(await redis().hget(kid.execution, 'state'), 'finished');
    assert.deepEqual((await entries(redis(), outboxKey(kid.prefix, 0))).map((e) => e.fields), [
      { k: 'event', i: 'parent', e: 'p-1', q: 'default', b: 'parent-failed', t: 'SubWorkflowFailed' },
    ]);
    const before = await snapshot(redis(), kid.prefix);
    assert.equal(await cancel(kid), 'duplicate');
    assert.deepEqual(await snapshot(redis(), kid.prefix), before);
  });

  it('delivers the request to a child that has started, or whose first task is running, with no answer', async () => {
    const started = await seedChild({ history: ['kid-started'], inbox: [] });
    assert.equal(await cancel(started), 'delivered');
    assert.equal(await redis().hget(started.execution, 'state'), 'active');
    assert.deepEqual(await inboxEvents(redis(), started.inbox), [{ e: 'kid-canceled', t: 'WorkflowExecutionCanceled' }]);

    const running = await seedChild({ lockToken: 1, lockedUntil: (await serverNow(redis())) + 30_000, lockEntry: '1-1' });
    assert.equal(await cancel(running), 'delivered');
    assert.equal(await redis().hget(running.execution, 'state'), 'active');
    assert.deepEqual((await inboxEvents(redis(), running.inbox)).map((e) => e.t), ['WorkflowExecutionStarted', 'WorkflowExecutionCanceled']);

    for (const kid of [started, running]) assert.equal(await redis().exists(outboxKey(kid.prefix, 0)), 0, 'no answer');
  });

  it('drops the request for a child that has ended', async () => {
    const kid = await seedChild({ state: 'finished', history: ['kid-started', 'kid-done'], inbox: [] });
    assert.equal(await cancel(kid), 'delivered');
    assert.deepEqual(await redis().lrange(kid.history, 0, -1), ['kid-started', 'kid-done']);
    assert.equal(await redis().exists(outboxKey(kid.prefix, 0)), 0);
  });
});
