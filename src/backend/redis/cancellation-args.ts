import type { ActivityCancellation, SubWorkflowCancellation } from '../backend.js';
import { canceledActivityEvent, canceledBeforeStartEvents } from '../canceled-before-start.js';
import { encodeEvent } from '../../codec/event-codec.js';
import type { WorkflowInstance } from '../../core/instance.js';
import { assertQueueName } from '../../core/validation.js';
import type { ActivityCancellationArgs, ChildCancellationArgs } from './completion-script.js';
import { activityTaskStreamKey, executionKey, executionTimersKey, heartbeatsKey, historyKey, inboxKey, instanceKey } from './keys.js';

/** Adds a key to a completion's extra keys and returns its index there. */
export type AddKey = (key: string) => number;

/**
 * The complete-workflow-task arguments that remove the cancelled activity attempts of partition `p` no
 * worker has claimed; undefined when there are none.
 */
export function activityCancellationArgs(
  prefix: string,
  p: number,
  add: AddKey,
  canceled: readonly ActivityCancellation[],
): ActivityCancellationArgs | undefined {
  if (canceled.length === 0) return undefined;
  return {
    heartbeats: add(heartbeatsKey(prefix, p)),
    attempts: canceled.map(({ scheduleEventId, queue }) => {
      assertQueueName(queue, 'activity queue');
      return { stream: add(activityTaskStreamKey(prefix, p, queue)), scheduleEventId, failed: encodeEvent(canceledActivityEvent(scheduleEventId)) };
    }),
  };
}

/** `canceledBeforeStartEvents`, encoded. */
export interface EncodedBeforeStart {
  canceled: Buffer;
  finished: Buffer;
  parentFailed: Buffer;
}

/** The encoded events that end `child` if it has not started, and tell its parent. */
export function encodedBeforeStart(child: SubWorkflowCancellation): EncodedBeforeStart {
  const events = canceledBeforeStartEvents(child);
  return { canceled: encodeEvent(events.canceled), finished: encodeEvent(events.finished), parentFailed: encodeEvent(events.parentFailed) };
}

/** The complete-workflow-task arguments that end `child`, of partition `p`, if it has not started. */
export function childCancellationArgs(prefix: string, p: number, add: AddKey, child: WorkflowInstance, events: EncodedBeforeStart): ChildCancellationArgs {
  const { instanceId, executionId } = child;
  return {
    instance: add(instanceKey(prefix, p, instanceId)),
    execution: add(executionKey(prefix, p, instanceId, executionId)),
    inbox: add(inboxKey(prefix, p, instanceId, executionId)),
    history: add(historyKey(prefix, p, instanceId, executionId)),
    executionTimers: add(executionTimersKey(prefix, p, instanceId, executionId)),
    instanceId,
    executionId,
    ...events,
  };
}
