import type { WorkflowTaskCompletion } from '../backend/backend.js';
import type { WorkflowInstance } from '../core/instance.js';
import { newEvent, type NewEvent } from '../history/events.js';
import type { Command } from './command.js';
import { recordCancellationRequest, recordScheduled } from './scheduled-commands.js';

/**
 * Records, at the end of a task, what the code did with its commands since the last commit: a pending
 * command is scheduled (it becomes committed, see `recordScheduled`), a timer cancelled after its commit is
 * cancelled (`TimerCanceled`; the command is dropped), a cancellation the code requested for a committed
 * activity or sub-workflow is recorded (see `recordCancellationRequest`). `instance` is the executing
 * instance, the parent of any sub-workflow it starts.
 */
export function commitCommands(
  commands: Map<number, Command>,
  instance: WorkflowInstance,
  record: (event: NewEvent) => void,
  completion: WorkflowTaskCompletion,
): void {
  for (const command of commands.values()) {
    if (command.state === 'pending') {
      command.state = 'committed';
      recordScheduled(command, { instanceId: instance.instanceId, executionId: instance.executionId }, record, completion);
    } else if (command.state === 'cancelPending') {
      record(newEvent('TimerCanceled', {}, command.id));
      completion.canceledTimers.push(command.id);
      commands.delete(command.id);
    } else if (command.cancelRequest === 'pending') {
      recordCancellationRequest(command, record, completion);
      command.cancelRequest = 'recorded';
    }
  }
}

/**
 * Winds down the commands of a workflow that produced its outcome, before they are committed: it leaves no
 * timer running and schedules no new activity or timer. Sub-workflows and signals it issued are still sent:
 * they are messages to other instances, not work of its own.
 */
export function abandonPendingWork(commands: Map<number, Command>): void {
  for (const command of commands.values()) {
    const message = command.kind === 'subWorkflow' || command.kind === 'signal';
    if (!message) command.unsubscribe?.();
    if (command.state === 'pending' && !message) commands.delete(command.id);
    else if (command.kind === 'timer' && command.state === 'committed') command.state = 'cancelPending';
  }
}
