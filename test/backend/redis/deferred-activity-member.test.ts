import assert from 'node:assert/strict';
import { activityDeadlineMember } from '../../../src/backend/redis/activity-deadline-member.js';
import { deferredActivityMember, parseDeferredActivityMember, type DeferredActivityRef } from '../../../src/backend/redis/deferred-activity-member.js';
import { parseTimerMember, timerMember } from '../../../src/backend/redis/timer-member.js';
import { parseActivityDeadlineMember } from '../../../src/backend/redis/activity-deadline-member.js';

describe('deferred activity members of the timers zset', () => {
  const ref: DeferredActivityRef = { instanceId: 'order-1', executionId: 'exec-1', scheduleEventId: 7, queue: 'payments', entryId: '1700000000000-0', deliveries: 3 };

  it('round-trips, and is read as neither a timer nor an activity deadline', () => {
    const member = deferredActivityMember(ref);
    assert.deepEqual(parseDeferredActivityMember(member), ref);
    assert.equal(parseTimerMember(member), undefined);
    assert.equal(parseActivityDeadlineMember(member), undefined);
  });

  it('reads no timer or deadline member, and nothing malformed, as a deferred task', () => {
    const timer = timerMember({ instanceId: 'order-1', executionId: 'exec-1', scheduleEventId: 7, queue: 'default' });
    const deadline = activityDeadlineMember(
      { instanceId: 'order-1', executionId: 'exec-1', scheduleEventId: 7, workflowQueue: 'default', queue: 'payments', startToCloseTimeoutMs: 1, heartbeatTimeoutMs: 0, scheduleToCloseTimeoutMs: 0 },
      'startToClose',
    );
    for (const member of [timer, deadline, 'junk', '[]', JSON.stringify(['e', 7, 'i', 'q', '1-0', '3']), JSON.stringify(['e', 7.5, 'i', 'q', '1-0', 3])]) {
      assert.equal(parseDeferredActivityMember(member), undefined, member);
    }
  });
});
