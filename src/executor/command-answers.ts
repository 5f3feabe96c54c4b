import type { Logger } from 'pino';
import { fromFailureInfo } from '../errors/failure-info.js';
import type { NewEvent } from '../history/events.js';
import type { Command, CommandKind } from './command.js';

/**
 * Applies an inbox event that answers a committed command — `ActivityCompleted`, `ActivityFailed`,
 * `SubWorkflowCompleted`, `SubWorkflowFailed`, `SignalDelivered`, `SignalFailed`, `TimerFired` — by taking
 * the command out of `commands` and settling its future with the result or the error. The answer to a
 * cancellation request comes this way too: an activity no worker had claimed fails with a `CanceledError`,
 * any other cancelled activity or sub-workflow settles with its own outcome. An answer with no committed
 * command of its kind (a timer cancelled while it was coming due) is logged at debug level and ignored.
 * Returns whether `event` is such an answer; false, changing nothing, for any other event.
 */
export function applyCommandAnswer(commands: Map<number, Command>, event: NewEvent, logger: Logger): boolean {
  switch (event.type) {
    case 'ActivityCompleted':
    case 'SubWorkflowCompleted': {
      const kind = event.type === 'ActivityCompleted' ? 'activity' : 'subWorkflow';
      takeCommitted(commands, event.scheduleEventId, kind, logger)?.settle.resolve(event.attributes.result);
      return true;
    }
    case 'ActivityFailed':
    case 'SubWorkflowFailed': {
      const kind = event.type === 'ActivityFailed' ? 'activity' : 'subWorkflow';
      takeCommitted(commands, event.scheduleEventId, kind, logger)?.settle.reject(fromFailureInfo(event.attributes.error));
      return true;
    }
    case 'SignalDelivered':
      takeCommitted(commands, event.scheduleEventId, 'signal', logger)?.settle.resolve(undefined);
      return true;
    case 'SignalFailed':
      takeCommitted(commands, event.scheduleEventId, 'signal', logger)?.settle.reject(fromFailureInfo(event.attributes.error));
      return true;
    case 'TimerFired':
      // A timer cancelled while it was coming due has no command left: the late fire is ignored.
      takeCommitted(commands, event.scheduleEventId, 'timer', logger)?.settle.resolve(undefined);
      return true;
    default:
      return false;
  }
}

function takeCommitted(commands: Map<number, Command>, id: number | undefined, kind: CommandKind, logger: Logger): Command | undefined {
  const command = id === undefined ? undefined : commands.get(id);
  if (command?.kind !== kind || command.state !== 'committed') {
    logger.debug({ scheduleEventId: id, kind }, 'ignoring a completion without a pending command');
    return undefined;
  }
  command.unsubscribe?.();
  commands.delete(command.id);
  return command;
}

/** Settles a side effect's future with the outcome it has (run live, or read from history). */
export function settleSideEffect(command: Command): void {
  const outcome = command.sideEffectOutcome ?? {};
  if (outcome.error !== undefined) command.settle.reject(fromFailureInfo(outcome.error));
  else command.settle.resolve(outcome.result);
}
