import assert from 'node:assert/strict';
import { outboxKey } from '../../../../src/backend/redis/keys.js';
import type { ChildArgs } from '../../../../src/backend/redis/completion-script.js';
import { entries, executionKeys, inboxEvents, pushInbox, seedExecution, useScripts, type ExecutionKeys } from '../script-fixture.js';
import { claimExecution, completeClaimed } from './completion-fixture.js';

// complete-workflow-task.lua, the parts that reach other executions: continue-as-new, sub-workflows of
// the same partition, outbox messages and events for executions of the same partition.
describe('lua/complete-workflow-task: messages to other executions', () => {
  const { redis, scripts } = useScripts();

  /** Extra keys of `k` as the completion names them: execution, inbox, workflow-task stream (and instance). */
  function extraOf(k: ExecutionKeys): string[] {
    return [k.execution, k.inbox, k.workflowTasks, k.instance];
  }

  it('continues as new: a new active execution inherits the carried events, then the signals and cancellations that arrived meanwhile', async () => {
    const c = await claimExecution(redis(), scripts(), ['n1']);
    const { k } = c;
    await pushInbox(redis(), k.inbox, 'late-signal', 'SignalReceived');
    await pushInbox(redis(), k.inbox, 'late-timer', 'TimerFired');
    await pushInbox(redis(), k.inbox, 'late-cancel', 'WorkflowExecutionCanceled');
    await pushInbox(redis(), k.inbox, 'late-activity', 'ActivityCompleted');
    await pushInbox(redis(), k.inbox, 'last-signal', 'SignalReceived');
    await redis().pexpire(k.instance, 100_000);
    const next = executionKeys({ prefix: k.prefix, executionId: 'exec-2', queue: 'next-queue' });
    await completeClaimed(scripts(), c, {
      state: 'continued-as-new',
      continuation: {
        execution: 0,
        inbox: 1,
        workflowTasks: 2,
        executionId: 'exec-2',
        name: 'wf',
        queue: 'next-queue',
        createdAt: 7000,
        started: Buffer.from('started'),
        carried: [
          { type: 'SignalReceived', event: Buffer.from('unconsumed') },
          { type: 'WorkflowExecutionCanceled', event: Buffer.from('unapplied-cancel') },
          { type: 'SignalReceived', event: Buffer.from('unapplied-signal') },
        ],
      },
    }, extraOf(next).slice(0, 3));

    assert.equal(await redis().hget(k.execution, 'state'), 'continued-as-new');
    assert.equal(await redis().exists(k.inbox), 0, 'the old inbox is gone');
    assert.deepEqual(await redis().hgetall(k.instance), { executionId: 'exec-2', state: 'active', queue: 'next-queue', chain: 'exec-1' });
    assert.equal(await redis().hget(next.execution, 'chain'), 'exec-1', 'the next execution continues the chain');
    assert.equal(await redis().pttl(k.instance), -1);
    assert.equal(await redis().hget(next.execution, 'state'), 'active');
    assert.deepEqual((await inboxEvents(redis(), next.inbox)).map((e) => [e.t, e.e]), [
      ['WorkflowExecutionStarted', 'started'],
      ['SignalReceived', 'unconsumed'],
      ['WorkflowExecutionCanceled', 'unapplied-cancel'],
      ['SignalReceived', 'unapplied-signal'],
      ['SignalReceived', 'late-signal'],
      ['WorkflowExecutionCanceled', 'late-cancel'],
      ['SignalReceived', 'last-signal'],
    ]);
    assert.deepEqual((await entries(redis(), next.workflowTasks)).map((e) => e.fields), [{ i: 'order-1', e: 'exec-2' }]);
    assert.deepEqual(await redis().smembers(k.active), ['order-1\nexec-2']);
    assert.deepEqual(await redis().zrange(k.finished, 0, -1), [], 'the chain has not finished');
    assert.deepEqual(await redis().zrange(k.chains, 0, -1), ['order-1\nexec-1\nexec-1']);
    assert.deepEqual(await redis().zrange(k.instances, 0, -1), ['order-1\nexec-2']);
    assert.deepEqual(await redis().smembers(k.workflowQueues), ['next-queue']);
  });

  function child(k: ExecutionKeys): ChildArgs {
    return {
      instance: 3,
      execution: 0,
      inbox: 1,
      workflowTasks: 2,
      instanceId: k.instanceId,
      executionId: k.executionId,
      name: 'child',
      queue: 'default',
      createdAt: 9000,
      started: Buffer.from('child-started'),
      clash: Buffer.from('clash'),
    };
  }

  it('starts a sub-workflow of the same partition as createWorkflowInstance would', async () => {
    const c = await claimExecution(redis(), scripts());
    const kid = executionKeys({ prefix: c.k.prefix, instanceId: 'kid', executionId: 'kid-1' });
    await completeClaimed(scripts(), c, { children: [child(kid)] }, extraOf(kid));
    assert.deepEqual(await redis().hgetall(kid.instance), { executionId: 'kid-1', state: 'active', queue: 'default', chain: 'kid-1' });
    assert.equal(await redis().hget(kid.execution, 'name'), 'child');
    assert.deepEqual(await inboxEvents(redis(), kid.inbox), [{ e: 'child-started', t: 'WorkflowExecutionStarted' }]);
    assert.deepEqual((await entries(redis(), kid.workflowTasks)).map((e) => e.fields), [{ i: 'kid', e: 'kid-1' }]);
    assert.ok((await redis().smembers(kid.active)).includes('kid\nkid-1'));
    assert.equal(await redis().zscore(kid.instances, 'kid\nkid-1'), '9000');
    assert.equal(await redis().llen(c.k.inbox), 0, 'no answer for a started child');
  });

  it('answers SubWorkflowFailed in its own inbox, re-queued, when the child id is active; creates nothing', async () => {
    const c = await claimExecution(redis(), scripts());
    const busy = executionKeys({ prefix: c.k.prefix, instanceId: 'kid', executionId: 'kid-0' });
    await seedExecution(redis(), busy);
    const kid = executionKeys({ prefix: c.k.prefix, instanceId: 'kid', executionId: 'kid-1' });
    await completeClaimed(scripts(), c, { children: [child(kid)] }, extraOf(kid));
    assert.equal(await redis().exists(kid.execution), 0);
    assert.equal(await redis().hget(kid.instance, 'executionId'), 'kid-0');
    assert.deepEqual(await inboxEvents(redis(), c.k.inbox), [{ e: 'clash', t: 'SubWorkflowFailed' }]);
    assert.deepEqual((await entries(redis(), c.k.workflowTasks)).map((e) => e.fields.i), ['order-1']);
  });

  it('drops the clash answer when the parent has just finished, and does nothing for a child execution id used before', async () => {
    const c = await claimExecution(redis(), scripts());
    const busy = executionKeys({ prefix: c.k.prefix, instanceId: 'kid', executionId: 'kid-0' });
    await seedExecution(redis(), busy);
    const ended = executionKeys({ prefix: c.k.prefix, instanceId: 'other', executionId: 'o-1' });
    await seedExecution(redis(), ended, { state: 'finished' });
    const kid = executionKeys({ prefix: c.k.prefix, instanceId: 'kid', executionId: 'kid-1' });
    await completeClaimed(
      scripts(),
      c,
      { state: 'finished', children: [child(kid), { ...child(ended), instance: 7, execution: 4, inbox: 5, workflowTasks: 6 }] },
      [...extraOf(kid), ...extraOf(ended)],
    );
    assert.equal(await redis().exists(c.k.inbox), 0);
    assert.equal(await redis().hget(ended.execution, 'state'), 'finished');
    assert.equal(await redis().exists(ended.inbox), 0);
  });

  it('appends outbox messages in order, field by field', async () => {
    const c = await claimExecution(redis(), scripts());
    await completeClaimed(scripts(), c, {
      outbox: [
        [['k', 'start'], ['i', 'far']],
        [['k', 'signal'], ['b', Buffer.from([0, 1, 2])]],
      ],
    });
    const outbox = await redis().xrangeBuffer(outboxKey(c.k.prefix, 0), '-', '+');
    assert.deepEqual(outbox.map(([, fields]) => fields.map((f) => f.toString('hex'))), [
      [Buffer.from('k'), Buffer.from('start'), Buffer.from('i'), Buffer.from('far')].map((b) => b.toString('hex')),
      [Buffer.from('k'), Buffer.from('signal'), Buffer.from('b'), Buffer.from([0, 1, 2])].map((b) => b.toString('hex')),
    ]);
  });

  it('delivers events to active executions of the partition, queueing them, and drops those for ended ones', async () => {
    const c = await claimExecution(redis(), scripts());
    const parent = executionKeys({ prefix: c.k.prefix, instanceId: 'parent', executionId: 'p-1' });
    await seedExecution(redis(), parent);
    const gone = executionKeys({ prefix: c.k.prefix, instanceId: 'gone', executionId: 'g-1' });
    await seedExecution(redis(), gone, { state: 'finished' });
    await completeClaimed(
      scripts(),
      c,
      {
        state: 'finished',
        deliveries: [
          { execution: 0, inbox: 1, workflowTasks: 2, instanceId: 'parent', executionId: 'p-1', event: Buffer.from('done'), eventType: 'SubWorkflowCompleted' },
          { execution: 4, inbox: 5, workflowTasks: 6, instanceId: 'gone', executionId: 'g-1', event: Buffer.from('x'), eventType: 'WorkflowExecutionCanceled' },
        ],
      },
      [...extraOf(parent), ...extraOf(gone)],
    );
    assert.deepEqual(await inboxEvents(redis(), parent.inbox), [{ e: 'done', t: 'SubWorkflowCompleted' }]);
    assert.deepEqual((await entries(redis(), parent.workflowTasks)).map((e) => e.fields.i), ['parent']);
    assert.equal(await redis().exists(gone.inbox), 0);
  });

  it('passes a cancellation for an execution that continued as new to the outbox, and drops its other events', async () => {
    const c = await claimExecution(redis(), scripts());
    const old = executionKeys({ prefix: c.k.prefix, instanceId: 'kid', executionId: 'kid-1' });
    await seedExecution(redis(), old, { state: 'continued-as-new' });
    await completeClaimed(
      scripts(),
      c,
      {
        deliveries: [
          { execution: 0, inbox: 1, workflowTasks: 2, instanceId: 'kid', executionId: 'kid-1', event: Buffer.from('cancel'), eventType: 'WorkflowExecutionCanceled' },
          { execution: 0, inbox: 1, workflowTasks: 2, instanceId: 'kid', executionId: 'kid-1', event: Buffer.from('late'), eventType: 'SignalDelivered' },
        ],
      },
      extraOf(old),
    );
    assert.equal(await redis().exists(old.inbox), 0, 'nothing lands in the old execution');
    assert.deepEqual((await entries(redis(), outboxKey(c.k.prefix, 0))).map((e) => e.fields), [
      { k: 'event', i: 'kid', e: 'kid-1', b: 'cancel', t: 'WorkflowExecutionCanceled' },
    ]);
  });
});
