import type { FutureSettler } from '../workflow/future.js';
import type { ActivityAttempt, SubWorkflowAttempt } from '../workflow/runtime.js';
import type { FailureInfo } from '../errors/errors.js';

/** What a command asks the engine for. */
export type CommandKind = 'activity' | 'timer' | 'sideEffect' | 'subWorkflow' | 'signal';

/**
 * pending: issued by the code, not yet in the history (cancelling it retracts it: it is never recorded);
 * committed: its scheduling event is in the history; cancelPending: cancelled after commit, the cancel event
 * is not recorded yet.
 */
export type CommandState = 'pending' | 'committed' | 'cancelPending';

/** A request the workflow code made; its id is the `scheduleEventId` of every event that belongs to it. */
export interface Command {
  readonly id: number;
  readonly kind: CommandKind;
  readonly name: string;
  state: CommandState;
  readonly settle: FutureSettler<unknown>;
  /** Stops listening to the cancellation scope once the command no longer needs it. */
  unsubscribe?: () => void;
  activity?: ActivityAttempt;
  firesAt?: Date;
  subWorkflow?: SubWorkflowAttempt & { executionId: string };
  /** A committed activity or sub-workflow whose scope was cancelled: the request is recorded at the next commit. */
  cancelRequest?: 'pending' | 'recorded';
  signal?: { instanceId: string; name: string; arg: unknown };
  /** The result or error of a side effect, computed when it was issued (live) or read from history (replay). */
  sideEffectOutcome?: { result?: unknown; error?: FailureInfo };
}

const LABELS: Record<CommandKind, string> = {
  activity: 'activity',
  timer: 'timer',
  sideEffect: 'side effect',
  subWorkflow: 'sub-workflow',
  signal: 'signal',
};

/** A short description of a command for error messages. */
export function describeCommand(command: Pick<Command, 'kind' | 'name' | 'id'>): string {
  const label = LABELS[command.kind];
  return command.name.length > 0 ? `${label} '${command.name}' (command ${command.id})` : `${label} (command ${command.id})`;
}
