import { pino, type Logger } from 'pino';
import type { WorkflowInstance } from '../core/instance.js';
import { InvalidArgumentError, NonDeterminismError } from '../errors/errors.js';
import { Executor } from '../executor/executor.js';
import type { WorkflowFunction } from '../executor/workflow-function.js';
import type { HistoryEvent } from '../history/events.js';
import { continueAsNewInputs } from '../workflow/continue-as-new.js';
import type { WorkflowContext } from '../workflow/context.js';
import { assertRecordedHistory } from './history-check.js';

/** A recorded history together with the execution it belongs to, as `historyFromJson` reads it from a file. */
export interface RecordedHistory {
  /** The execution that recorded it; see `ReplayOptions.instance` for why it matters. */
  instance?: WorkflowInstance;
  /** Its events, in order, from sequence id 1. */
  history: HistoryEvent[];
}

/** Options of `replayHistory`. */
export interface ReplayOptions {
  /**
   * The execution the history belongs to. `workflow.random` is seeded with it and default sub-workflow ids
   * derive from it, so code whose commands depend on either needs the right one. Takes precedence over the
   * `instance` of a `RecordedHistory`. @default the recorded history's instance, else `DEFAULT_REPLAY_INSTANCE`
   */
  instance?: WorkflowInstance;
  /** Receives what the workflow code logs outside replay (nothing, as all of it is replay). @default a silent logger */
  logger?: Logger;
}

/** The execution a history is replayed as when neither it nor the options name one. */
export const DEFAULT_REPLAY_INSTANCE: WorkflowInstance = { instanceId: 'replay', executionId: 'replay' };

/**
 * Replays a recorded history against `workflowFn` with no backend, the way a worker that restarted would
 * before its next task: the code runs from the start, each activity, timer, sub-workflow, signal sent and side
 * effect it issues is matched against the history, and recorded results settle its futures. Resolves when the
 * whole history replayed as recorded; code the history has not reached yet (after its last event) may do
 * anything. `workflowFn` is used whatever workflow name the history records. The result or error the code ends
 * with is not compared with a recorded `WorkflowExecutionFinished`.
 * @throws InvalidArgumentError when `workflowFn` is not a function or `history` is not a recorded execution
 *   (see `assertRecordedHistory`: empty, not opening with `WorkflowTaskStarted` and `WorkflowExecutionStarted`,
 *   sequence ids with gaps).
 * @throws NonDeterminismError when the code diverges from the history; its message names both sides, and what
 *   the workflow code threw when it failed before the point of divergence.
 */
export async function replayHistory(
  workflowFn: WorkflowFunction,
  history: HistoryEvent[] | RecordedHistory,
  options: ReplayOptions = {},
): Promise<void> {
  if (typeof workflowFn !== 'function') throw new InvalidArgumentError('replayHistory: workflowFn is not a function');
  // Callers without types may pass anything; what is not a recorded history is refused before any code runs.
  const recorded = (Array.isArray(history) ? { history } : history) as Partial<RecordedHistory> | null | undefined;
  const events: unknown = recorded?.history;
  assertRecordedHistory(events, 'replayHistory: history');
  const instance = options.instance ?? recorded?.instance ?? DEFAULT_REPLAY_INSTANCE;
  const logger = options.logger ?? pino({ level: 'silent' });
  const failure = watchFailure(workflowFn);
  const executor = new Executor(instance, () => failure.workflow, logger, Number.MAX_SAFE_INTEGER);
  try {
    await executor.replayOnly(events);
  } catch (err) {
    // "The code issued nothing" reads as a missing call; when the code threw, that is the reason to show.
    if (err instanceof NonDeterminismError && failure.thrown !== undefined) {
      throw new NonDeterminismError(`${err.message} (the workflow code had thrown ${describeThrown(failure.thrown.value)})`, { cause: err });
    }
    if (err instanceof NonDeterminismError) throw err;
    // The checks before replay cover the history's frame, not every event's attributes: an event whose
    // attributes lack what its type carries breaks the replay itself.
    throw new InvalidArgumentError(`replayHistory: history could not be replayed, an event is malformed: ${String((err as Error).message)}`, {
      cause: err,
    });
  } finally {
    // Code still waiting on futures the history never settled must not reach anything after the check.
    executor.abandon();
  }
}

/** `workflowFn`, and what it threw (synchronously or as a rejection), if it did; continue-as-new is no failure. */
function watchFailure(workflowFn: WorkflowFunction): { workflow: WorkflowFunction; thrown?: { value: unknown } } {
  const watch: { workflow: WorkflowFunction; thrown?: { value: unknown } } = {
    workflow: (ctx: WorkflowContext, ...args: unknown[]) => {
      const seen = (value: unknown): void => {
        if (continueAsNewInputs(value) === undefined) watch.thrown = { value };
      };
      try {
        const running = Promise.resolve<unknown>(Reflect.apply(workflowFn, undefined, [ctx, ...args]));
        running.catch(seen);
        return running;
      } catch (err) {
        seen(err);
        throw err;
      }
    },
  };
  return watch;
}

function describeThrown(value: unknown): string {
  return value instanceof Error ? `${value.name}: ${value.message}` : String(value);
}
