import assert from 'node:assert/strict';
import { GROUP, addAndDeliver, executionKeys, serverNow, snapshot, useScripts, type ExecutionKeys } from '../script-fixture.js';

describe('lua/start-activity-attempt', () => {
  const { redis, deadlineScripts } = useScripts();

  function start(k: ExecutionKeys, entry: string, members: { startToClose?: string; heartbeat?: string }, deliveries = 1) {
    return deadlineScripts().startActivityAttempt(
      { activityTasks: k.activityTasks, timers: k.timers, executionTimers: k.executionTimers },
      {
        entryId: entry,
        group: GROUP,
        deliveries,
        startToCloseMember: members.startToClose ?? '',
        startToCloseTimeoutMs: 5_000,
        heartbeatMember: members.heartbeat ?? '',
        heartbeatTimeoutMs: 2_000,
      },
    );
  }

  it('adds each deadline asked for at its timeout from now (Redis time), listed with the execution, and says what is left', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'x' });
    const before = await serverNow(redis());
    const left = await start(k, entry, { startToClose: 'stc', heartbeat: 'hb' });
    const after = await serverNow(redis());

    assert.deepEqual(left, { startToClose: 5_000, heartbeat: 2_000 });
    const stc = Number(await redis().zscore(k.timers, 'stc'));
    const hb = Number(await redis().zscore(k.timers, 'hb'));
    assert.ok(stc >= before + 5_000 && stc <= after + 5_000);
    assert.ok(hb >= before + 2_000 && hb <= after + 2_000);
    assert.deepEqual((await redis().smembers(k.executionTimers)).sort(), ['hb', 'stc']);
  });

  it('keeps deadlines already running (a claim after a lease ran out continues them) and reports the time left', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'x' });
    const now = await serverNow(redis());
    await redis().zadd(k.timers, now + 1_000, 'stc');

    const left = await start(k, entry, { startToClose: 'stc' });
    assert.ok(left?.startToClose !== undefined && left.startToClose <= 1_000 && left.startToClose > 900);
    assert.equal(left.heartbeat, undefined, 'a bound not asked for is absent');
    assert.equal(Number(await redis().zscore(k.timers, 'stc')), now + 1_000);
  });

  it('writes nothing for a caller that no longer holds the entry', async () => {
    const k = executionKeys();
    const entry = await addAndDeliver(redis(), k.activityTasks, { t: 'x' });
    const before = await snapshot(redis(), k.prefix);
    assert.equal(await start(k, entry, { startToClose: 'stc' }, 2), undefined, 'handed out again since');
    await redis().xack(k.activityTasks, GROUP, entry);
    const acked = await snapshot(redis(), k.prefix);
    assert.equal(await start(k, entry, { startToClose: 'stc' }, 1), undefined, 'completed or timed out since');
    assert.deepEqual(await snapshot(redis(), k.prefix), acked);
    assert.equal(before[k.timers], undefined);
    assert.equal(await redis().exists(k.timers, k.executionTimers), 0);
  });
});
