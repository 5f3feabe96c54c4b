import type { WorkflowInstance } from '../core/instance.js';
import { UnsettledWorkflowError } from '../errors/errors.js';

/**
 * What the code of an execution that has not finished could still be woken by, at the end of a task: only
 * the engine settles workflow futures, one event at a time, so with none of these the code can only be
 * waiting on something the engine does not control.
 */
export interface EngineWaits {
  /** Commands not answered yet (activities, timers, sub-workflows, signals sent). */
  pendingCommands: number;
  /** Some code waits on a signal channel (`receive()` or a `select` case): a signal can wake it. */
  signalChannelAwaited: boolean;
  /** Some code awaits the `done` of a scope that a cancellation request can still reach. */
  cancellationAwaited: boolean;
}

/**
 * Throws `UnsettledWorkflowError` when an execution whose code has not finished waits on nothing the engine
 * can settle (see `EngineWaits`). A channel between branches of one workflow is not in the list: a branch
 * blocked on one is woken only by another branch, which itself waits on one of these or on nothing, so every
 * branch blocked on channels that no pending work can fill (a deadlock) is caught too.
 *
 * The check errs on the side of waiting: code that awaited `ctx.done` once (or raced it) counts as waiting for
 * a cancellation from then on, and a pending command counts even if no code awaits it.
 */
export function assertWaitingOnEngine(instance: WorkflowInstance, waits: EngineWaits): void {
  if (waits.pendingCommands > 0 || waits.signalChannelAwaited || waits.cancellationAwaited) return;
  throw new UnsettledWorkflowError(
    `workflow instance ${instance.instanceId} (execution ${instance.executionId}) waits for something the engine does not ` +
      'control: its code has not finished, and no activity, timer, sub-workflow, signal it sent, signal-channel receive ' +
      'or cancellation wait is pending. Likely cause: it awaits a promise not created by the workflow API (setTimeout, ' +
      'I/O such as readFile, fetch, a promise of another library), or every branch waits on a workflow channel nothing ' +
      'left can fill. Use workflow.sleep for time, activities for I/O and signal channels for outside input.',
  );
}
