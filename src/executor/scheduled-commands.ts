import type { WorkflowTaskCompletion } from '../backend/backend.js';
import type { WorkflowInstance } from '../core/instance.js';
import { newEvent, type NewEvent, type NewEventOf, type ParentLink } from '../history/events.js';
import type { Command } from './command.js';

/**
 * Records the scheduling event of a command committed with this task, and adds the request that goes with
 * it (an activity, a timer, a sub-workflow start, a signal) to the completion. `parent` is the executing
 * instance, the parent of any sub-workflow it starts.
 */
export function recordScheduled(
  command: Command,
  parent: WorkflowInstance,
  record: (event: NewEvent) => void,
  completion: WorkflowTaskCompletion,
): void {
  const id = command.id;
  if (command.activity !== undefined) {
    record(newEvent('ActivityScheduled', { ...command.activity }, id));
    completion.activities.push({ scheduleEventId: id, ...command.activity });
  } else if (command.firesAt !== undefined) {
    const attributes: NewEventOf<'TimerScheduled'>['attributes'] = { firesAt: command.firesAt };
    if (command.name.length > 0) attributes.name = command.name;
    record(newEvent('TimerScheduled', attributes, id));
    completion.timers.push({ scheduleEventId: id, firesAt: command.firesAt });
  } else if (command.subWorkflow !== undefined) {
    const child = command.subWorkflow;
    record(newEvent('SubWorkflowScheduled', { ...child }, id));
    const link: ParentLink = Object.assign({}, parent, { scheduleEventId: id });
    const started = newEvent('WorkflowExecutionStarted', { name: child.name, queue: child.queue, inputs: child.inputs, parent: link });
    completion.subWorkflows?.push({
      scheduleEventId: id,
      instance: { instanceId: child.instanceId, executionId: child.executionId },
      started: started as NewEventOf<'WorkflowExecutionStarted'>,
    });
  } else if (command.signal !== undefined) {
    const { instanceId, name, arg } = command.signal;
    record(newEvent('SignalSent', { instanceId, name, arg }, id));
    const signal = newEvent('SignalReceived', { name, arg }) as NewEventOf<'SignalReceived'>;
    completion.signals?.push({ scheduleEventId: id, instanceId, signal });
  }
}

/**
 * Records the cancellation request of a committed activity or sub-workflow whose scope was cancelled, and
 * adds the request to the completion: the backend answers it (see `ActivityCancellation` and
 * `SubWorkflowCancellation`).
 */
export function recordCancellationRequest(command: Command, record: (event: NewEvent) => void, completion: WorkflowTaskCompletion): void {
  const id = command.id;
  if (command.activity !== undefined) {
    record(newEvent('ActivityCancellationRequested', {}, id));
    completion.canceledActivities?.push({ scheduleEventId: id, queue: command.activity.queue });
  } else if (command.subWorkflow !== undefined) {
    const { instanceId, executionId } = command.subWorkflow;
    record(newEvent('SubWorkflowCancellationRequested', { instanceId, executionId }, id));
    completion.cancellations?.push({ instanceId, executionId, scheduleEventId: id });
  }
}
