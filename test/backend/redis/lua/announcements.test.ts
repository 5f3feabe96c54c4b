import assert from 'node:assert/strict';
import { activityTaskStreamKey, deadLettersKey, outboxKey } from '../../../../src/backend/redis/keys.js';
import { addAndDeliver, announcements, executionKeys, seedExecution, serverNow, useScripts } from '../script-fixture.js';
import { claimExecution, completeClaimed, holdClaimed } from './completion-fixture.js';

describe('lua announcements: lib/wake-owner for partition owners, lib/announce-task for pollers', () => {
  const { redis, scripts, instanceScripts, relayScripts, heldTaskScripts, deadlineScripts } = useScripts();

  it("complete-workflow-task announces its earliest timer on the timers zset's channel when it is the zset's earliest", async () => {
    const c = await claimExecution(redis(), scripts());
    await redis().zadd(c.k.timers, 5_000, 'other');
    const seen = await announcements(redis(), c.k.timers, () =>
      completeClaimed(scripts(), c, { timers: [{ dueMs: 4_000, member: 't-late' }, { dueMs: 3_000, member: 't-early' }] }),
    );
    assert.deepEqual(seen, ['3000']);
  });

  it('complete-workflow-task announces nothing for timers due after one already waiting', async () => {
    const c = await claimExecution(redis(), scripts());
    await redis().zadd(c.k.timers, 1_000, 'other');
    const seen = await announcements(redis(), c.k.timers, () => completeClaimed(scripts(), c, { timers: [{ dueMs: 4_000, member: 't' }] }));
    assert.deepEqual(seen, []);
    assert.equal(await redis().zcard(c.k.timers), 2, 'the timer was added all the same');
  });

  it("complete-workflow-task announces an outbox message on the outbox's channel, once per call, and nothing without one", async () => {
    const c = await claimExecution(redis(), scripts());
    const outbox = outboxKey(c.k.prefix, 0);
    const seen = await announcements(redis(), outbox, () =>
      completeClaimed(scripts(), c, { outbox: [[['k', 'signal'], ['i', 'a']], [['k', 'signal'], ['i', 'b']]] }),
    );
    assert.deepEqual(seen, ['']);
    assert.equal(await redis().xlen(outbox), 2);

    const quiet = await claimExecution(redis(), scripts());
    assert.deepEqual(await announcements(redis(), outboxKey(quiet.k.prefix, 0), () => completeClaimed(scripts(), quiet)), []);
  });

  it('hold-workflow-task announces its retry timer', async () => {
    const c = await claimExecution(redis(), scripts());
    let retryAtMs = 0;
    const seen = await announcements(redis(), c.k.timers, async () => {
      const held = await holdClaimed(heldTaskScripts(), c, { firstRetryIntervalMs: 1000, backoffCoefficient: 2, maxRetryIntervalMs: 3000, maxAttempts: 4 });
      retryAtMs = held.retryAtMs;
    });
    assert.deepEqual(seen, [String(retryAtMs)]);
  });

  it('defer-activity-task announces the timer that brings the task back', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task' }, 'worker-a~60000');
    const seen = await announcements(redis(), k.timers, () =>
      scripts().deferActivityTask(
        { activityTasks: k.activityTasks, timers: k.timers, executionTimers: k.executionTimers },
        { entryId: entry, group: 'redflow', deliveries: 1, consumer: 'worker-a~later~500', member: 'later' },
      ),
    );
    assert.deepEqual(seen, [String(await redis().zscore(k.timers, 'later'))]);
  });

  it('start-activity-attempt announces a deadline that is the earliest timer, not one behind another', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'task' });
    const now = await serverNow(redis());
    await redis().zadd(k.timers, now + 3_000, 'other');
    const seen = await announcements(redis(), k.timers, () =>
      deadlineScripts().startActivityAttempt(
        { activityTasks: k.activityTasks, timers: k.timers, executionTimers: k.executionTimers },
        { entryId: entry, group: 'redflow', deliveries: 1, startToCloseMember: 'stc', startToCloseTimeoutMs: 5_000, heartbeatMember: 'hb', heartbeatTimeoutMs: 2_000 },
      ),
    );
    assert.deepEqual(seen, [String(await redis().zscore(k.timers, 'hb'))], 'the heartbeat deadline only: startToClose is behind "other"');
  });

  it('retry-dead-letter announces the message it puts back in the outbox', async () => {
    const k = executionKeys();
    const deadLetters = deadLettersKey(k.prefix, 0);
    const outbox = outboxKey(k.prefix, 0);
    const id = (await redis().xadd(deadLetters, '*', 'k', 'signal', 'i', 'target', 'dl:id', '1-0')) as string;
    const seen = await announcements(redis(), outbox, () => relayScripts().retryDeadLetter(deadLetters, outbox, id));
    assert.deepEqual(seen, ['']);
  });

  it('complete-workflow-task announces each activity stream it adds tasks to, once per call, also when it hands them over', async () => {
    const c = await claimExecution(redis(), scripts());
    const fast = activityTaskStreamKey(c.k.prefix, 0, 'fast');
    const slow = activityTaskStreamKey(c.k.prefix, 0, 'slow');
    await redis().xgroup('CREATE', fast, 'redflow', '0', 'MKSTREAM');
    let onFast: string[] = [];
    const onSlow = await announcements(redis(), slow, async () => {
      onFast = await announcements(redis(), fast, () =>
        completeClaimed(
          scripts(),
          c,
          {
            activityQueues: [{ name: 'fast', stream: 0 }, { name: 'slow', stream: 1 }],
            activities: [
              { queue: 0, scheduleEventId: 5, task: Buffer.from('a1') },
              { queue: 0, scheduleEventId: 6, task: Buffer.from('a2') },
              { queue: 1, scheduleEventId: 7, task: Buffer.from('a3') },
            ],
            handoff: { consumer: 'worker-a~60000', max: 5, queues: [0] },
          },
          [fast, slow],
        ),
      );
    });
    assert.deepEqual(onFast, [''], 'fast: once for two tasks, both handed over');
    assert.deepEqual(onSlow, [''], 'slow: once');
  });

  it('queueing a workflow task announces it on the task stream (signal-workflow, through lib/queue-workflow-task)', async () => {
    const k = executionKeys();
    await seedExecution(redis(), k);
    const seen = await announcements(redis(), k.workflowTasks, () =>
      instanceScripts().signalWorkflow(
        { instance: k.instance, execution: k.execution, inbox: k.inbox, workflowTasks: k.workflowTasks },
        k.instanceId,
        k.executionId,
        Buffer.from('sig'),
      ),
    );
    assert.deepEqual(seen, ['']);
  });
});
