import { NonDeterminismError } from '../errors/errors.js';
import type { HistoryEvent, NewEventOf } from '../history/events.js';
import { describeCommand, type Command, type CommandKind } from './command.js';

/**
 * Matches a recorded event that moves a command on — its scheduling (`ActivityScheduled`, `TimerScheduled`,
 * `SubWorkflowScheduled`, `SignalSent`), a timer's cancellation (`TimerCanceled`) or a cancellation request
 * (`ActivityCancellationRequested`, `SubWorkflowCancellationRequested`) — against the command the replayed
 * code issued under the event's `scheduleEventId`, and moves that command on as the history says. Returns
 * false, changing nothing, for any other event.
 * @throws NonDeterminismError when the code issued something else in that place, or nothing.
 */
export function matchCommandEvent(commands: Map<number, Command>, event: HistoryEvent): boolean {
  switch (event.type) {
    case 'ActivityScheduled':
      matchScheduled(commands, event, 'activity', event.attributes.name);
      return true;
    case 'TimerScheduled':
      matchScheduled(commands, event, 'timer', event.attributes.name ?? '');
      return true;
    case 'SubWorkflowScheduled': {
      const command = matchScheduled(commands, event, 'subWorkflow', event.attributes.name);
      // The recorded child is the one to cancel and to hear from, whatever id this code would derive.
      if (command.subWorkflow !== undefined) command.subWorkflow.executionId = event.attributes.executionId;
      return true;
    }
    case 'SignalSent':
      matchScheduled(commands, event, 'signal', event.attributes.name);
      return true;
    case 'TimerCanceled':
      matchCanceled(commands, event);
      return true;
    case 'ActivityCancellationRequested':
      matchCancellationRequest(commands, event, 'activity');
      return true;
    case 'SubWorkflowCancellationRequested':
      matchCancellationRequest(commands, event, 'subWorkflow');
      return true;
    default:
      return false;
  }
}

function matchScheduled(commands: Map<number, Command>, event: HistoryEvent, kind: CommandKind, name: string): Command {
  const id = event.scheduleEventId ?? 0;
  const command = commands.get(id);
  if (command === undefined || command.state !== 'pending' || command.kind !== kind || command.name !== name) {
    const recorded = describeCommand({ kind, name, id });
    const issued = command === undefined || command.state !== 'pending' ? 'nothing in its place' : describeCommand(command);
    throw new NonDeterminismError(`history recorded ${event.type} of ${recorded}, but the workflow code issued ${issued}`);
  }
  command.state = 'committed';
  return command;
}

function matchCanceled(commands: Map<number, Command>, event: HistoryEvent): void {
  const id = event.scheduleEventId ?? 0;
  const command = commands.get(id);
  if (command?.state !== 'cancelPending') {
    const issued = command === undefined ? `command ${id} is not pending` : `${describeCommand(command)} was not cancelled`;
    throw new NonDeterminismError(`history recorded ${event.type} of command ${id}, but in the workflow code ${issued}`);
  }
  commands.delete(id);
}

function matchCancellationRequest(commands: Map<number, Command>, event: HistoryEvent, kind: CommandKind): void {
  const id = event.scheduleEventId ?? 0;
  const command = commands.get(id);
  if (command?.cancelRequest !== 'pending' || command.kind !== kind) {
    const issued = command === undefined ? `command ${id} is not pending` : `${describeCommand(command)} was not cancelled`;
    throw new NonDeterminismError(`history recorded ${event.type} of command ${id}, but in the workflow code ${issued}`);
  }
  command.cancelRequest = 'recorded';
}

/**
 * Takes the oldest side effect the replayed code ran and has no result recorded for (the head of
 * `unrecorded`, removed from it) and gives it the outcome `event` recorded. The caller settles its future.
 * @throws NonDeterminismError when the code ran no side effect there, or another one.
 */
export function matchSideEffect(unrecorded: Command[], event: NewEventOf<'SideEffectResult'>): Command {
  const command = unrecorded.shift();
  if (command === undefined || command.id !== event.scheduleEventId) {
    const issued = command === undefined ? 'nothing in its place' : describeCommand(command);
    throw new NonDeterminismError(
      `history recorded SideEffectResult of side effect (command ${event.scheduleEventId}), but the workflow code issued ${issued}`,
    );
  }
  command.sideEffectOutcome = event.attributes;
  return command;
}

/**
 * Checks that the replayed code ran no side effect whose result the history does not record before `next`
 * (`undefined`: the end of the replayed history), since a side effect's result directly follows it.
 * @throws NonDeterminismError naming the side effect and what the history has instead.
 */
export function assertNoUnrecordedSideEffect(unrecorded: readonly Command[], next: HistoryEvent | undefined): void {
  const command = unrecorded[0];
  if (command === undefined) return;
  const recorded = next === undefined ? 'nothing more' : `${next.type} (event ${next.sequenceId})`;
  throw new NonDeterminismError(`the workflow code issued ${describeCommand(command)}, but history recorded ${recorded}`);
}

/**
 * Checks that every command the replayed code issued, and every cancellation it made, up to the end of a
 * replayed task is in the history: a recorded task committed all of them.
 * @throws NonDeterminismError naming the first command the history does not have.
 */
export function assertReplayedTaskComplete(commands: ReadonlyMap<number, Command>): void {
  for (const command of commands.values()) {
    if (command.state === 'pending') {
      throw new NonDeterminismError(`the workflow code issued ${describeCommand(command)}, which the history does not have`);
    }
    if (command.state === 'cancelPending' || command.cancelRequest === 'pending') {
      throw new NonDeterminismError(`the workflow code cancelled ${describeCommand(command)}, which the history does not have`);
    }
  }
}
