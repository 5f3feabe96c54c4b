import type { ActivityRequest } from '../backend/backend.js';
import type { EventOf, HistoryEvent } from './events.js';

/** Work a recorded history had scheduled and not seen answered at its last event. */
export interface PendingWork {
  activities: ActivityRequest[];
  timers: Array<{ scheduleEventId: number; firesAt: Date }>;
  subWorkflows: Array<{ scheduleEventId: number; attributes: EventOf<'SubWorkflowScheduled'>['attributes'] }>;
  signals: Array<{ scheduleEventId: number; attributes: EventOf<'SignalSent'>['attributes'] }>;
}

const ANSWERS: ReadonlySet<HistoryEvent['type']> = new Set<HistoryEvent['type']>([
  'ActivityCompleted',
  'ActivityFailed',
  'TimerFired',
  'TimerCanceled',
  'SubWorkflowCompleted',
  'SubWorkflowFailed',
  'SignalDelivered',
  'SignalFailed',
]);

/**
 * The activities, timers, sub-workflows and signals `history` scheduled whose answer it does not hold, in
 * schedule order. A cancellation request leaves its command pending: only an answer ends it.
 */
export function pendingWork(history: readonly HistoryEvent[]): PendingWork {
  const scheduled = new Map<number, HistoryEvent>();
  for (const event of history) {
    const id = event.scheduleEventId;
    if (id === undefined) continue;
    if (ANSWERS.has(event.type)) scheduled.delete(id);
    else if (event.type === 'ActivityScheduled' || event.type === 'TimerScheduled' || event.type === 'SubWorkflowScheduled' || event.type === 'SignalSent') {
      scheduled.set(id, event);
    }
  }
  const work: PendingWork = { activities: [], timers: [], subWorkflows: [], signals: [] };
  for (const [scheduleEventId, event] of scheduled) {
    if (event.type === 'ActivityScheduled') work.activities.push({ scheduleEventId, ...event.attributes });
    else if (event.type === 'TimerScheduled') work.timers.push({ scheduleEventId, firesAt: event.attributes.firesAt });
    else if (event.type === 'SubWorkflowScheduled') work.subWorkflows.push({ scheduleEventId, attributes: event.attributes });
    else if (event.type === 'SignalSent') work.signals.push({ scheduleEventId, attributes: event.attributes });
  }
  return work;
}
