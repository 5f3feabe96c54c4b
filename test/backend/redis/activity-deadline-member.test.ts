import assert from 'node:assert/strict';
import {
  activityDeadlineMember,
  otherDeadlineMembers,
  parseActivityDeadlineMember,
  type ActivityDeadlineRef,
} from '../../../src/backend/redis/activity-deadline-member.js';
import { timerMember } from '../../../src/backend/redis/timer-member.js';

describe('activity deadline members of the timers zset', () => {
  const ref: ActivityDeadlineRef = {
    instanceId: 'order-1',
    executionId: 'exec-1',
    scheduleEventId: 7,
    workflowQueue: 'default',
    queue: 'payments',
    startToCloseTimeoutMs: 5_000,
    heartbeatTimeoutMs: 0,
    scheduleToCloseTimeoutMs: 60_000,
  };

  it('round-trips, and any member rebuilds the others exactly', () => {
    const member = activityDeadlineMember(ref, 'startToClose');
    assert.deepEqual(parseActivityDeadlineMember(member), { ref, type: 'startToClose' });
    assert.deepEqual(otherDeadlineMembers(ref, 'startToClose'), ['', activityDeadlineMember(ref, 'scheduleToClose')]);
  });

  it('has no member for a bound the attempt lacks', () => {
    assert.equal(activityDeadlineMember(ref, 'heartbeat'), '');
  });

  it('reads no timer member, and nothing malformed, as a deadline', () => {
    const timer = timerMember({ instanceId: 'order-1', executionId: 'exec-1', scheduleEventId: 7, queue: 'default' });
    for (const member of [timer, 'junk', '[]', JSON.stringify(['e', 7, 'q', 'i', 'p', 'soon', 1, 0, 0]), JSON.stringify(['e', 7, 'q', 'i', 'p', 'heartbeat', 1, 0, 0])]) {
      assert.equal(parseActivityDeadlineMember(member), undefined, member);
    }
  });
});
