import assert from 'node:assert/strict';
import type { HistoryEvent } from '../../src/history/events.js';
import { checkExecution, type HistoryFindings } from './history-check.js';

// The chaos test is only as good as its history checks: each fault they look for is found in a doctored history.
const at = new Date(0);
function whole(): HistoryEvent[] {
  const events = [
    { type: 'WorkflowTaskStarted', attributes: {} },
    { type: 'WorkflowExecutionStarted', attributes: { name: 'wf', queue: 'default', inputs: [] } },
    { type: 'ActivityScheduled', scheduleEventId: 1, attributes: { name: 'a', queue: 'default', inputs: [], attempt: 0 } },
    { type: 'TimerScheduled', scheduleEventId: 2, attributes: { firesAt: at } },
    { type: 'WorkflowTaskStarted', attributes: {} },
    { type: 'ActivityCompleted', scheduleEventId: 1, attributes: { result: 1 } },
    { type: 'TimerFired', scheduleEventId: 2, attributes: {} },
    { type: 'WorkflowExecutionFinished', attributes: { result: 1 } },
  ];
  return events.map((event, i) => ({ ...event, sequenceId: i + 1, timestamp: at }) as HistoryEvent);
}

function check(history: HistoryEvent[]): HistoryFindings {
  const findings: HistoryFindings = { duplicated: [], broken: [], activityOutcomes: 0, executions: 0 };
  checkExecution('wf', history, findings);
  return findings;
}

const renumbered = (events: HistoryEvent[]): HistoryEvent[] => events.map((e, i) => ({ ...e, sequenceId: i + 1 }));

describe('chaos history checks', () => {
  it('find nothing in a whole history and count its activity outcomes', () => {
    assert.deepEqual(check(whole()), { duplicated: [], broken: [], activityOutcomes: 1, executions: 1 });
  });

  it('find a completion recorded twice', () => {
    const events = whole();
    const findings = check(renumbered([...events.slice(0, 6), events[5]!, ...events.slice(6)]));
    assert.deepEqual(findings.duplicated, ['wf: ActivityScheduled command 1 answered 2 times']);
  });

  it('find a gap in sequence ids, a missing finish, a finish not last and an unanswered command', () => {
    const gap = whole().filter((e) => e.sequenceId !== 5);
    assert.match(check(gap).broken.join('\n'), /are not 1\.\.7/);
    assert.match(check(whole().slice(0, -1)).broken.join('\n'), /0 finish events, last event TimerFired/);
    const events = whole();
    assert.match(check(renumbered([...events.slice(0, 6), events[7]!, events[6]!])).broken.join('\n'), /last event TimerFired/);
    assert.match(check(renumbered(whole().filter((e) => e.type !== 'TimerFired'))).broken.join('\n'), /TimerScheduled command 2 never answered/);
  });

  it('find a completion of a command of another kind', () => {
    const events = whole().map((e) => (e.type === 'TimerFired' ? { ...e, scheduleEventId: 1 } : e));
    assert.match(check(events).broken.join('\n'), /TimerFired #7 answers command 1, scheduled as ActivityScheduled/);
  });
});
