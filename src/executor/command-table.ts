import type { WorkflowInstance } from '../core/instance.js';
import type { CancelScope } from '../workflow/cancel-scope.js';
import { Future } from '../workflow/future.js';
import type { ActivityAttempt, SubWorkflowAttempt } from '../workflow/runtime.js';
import { childExecutionId, defaultChildInstanceId } from './child-ids.js';
import type { Command, CommandKind } from './command.js';
import type { Patches } from './patches.js';
import { runSideEffect } from './side-effect-run.js';

/** What issuing commands needs to know of its execution. */
export interface CommandTableContext {
  readonly instance: WorkflowInstance;
  /** The workflow time now: a timer fires this long after it. */
  now(): Date;
  /** True while the history is replayed: a side effect's outcome then comes from the history, not its code. */
  replaying(): boolean;
  /** The execution's patches; a side effect's code runs in their side-effect mode. */
  readonly patches: Patches;
}

/**
 * The commands an execution's workflow code has issued (activities, timers, sub-workflows, signals to other
 * instances, side effects), by id: the `scheduleEventId` of every event that belongs to a command, assigned in
 * the order the code issues them, so a replay issues the same ids. Replay matching, answers and commits work
 * on `commands` and `unrecordedSideEffects` (see `Executor`).
 */
export class CommandTable {
  /** Commands waiting for their scheduling event to be committed, or for their answer, by id. */
  readonly commands = new Map<number, Command>();
  /** Side effects issued and not yet recorded, in the order the code ran them. */
  readonly unrecordedSideEffects: Command[] = [];
  readonly #context: CommandTableContext;
  #nextCommandId = 1;
  #subWorkflowsWithoutId = 0;

  constructor(context: CommandTableContext) {
    this.#context = context;
  }

  /** `WorkflowRuntime.scheduleActivity`. */
  scheduleActivity(scope: CancelScope, attempt: ActivityAttempt): Future<unknown> {
    const [command, future] = this.#issue('activity', attempt.name);
    command.activity = attempt;
    // Only the backend knows whether a worker has claimed the attempt: it answers a CanceledError if none has
    // (the attempt never runs), else the attempt runs to its end and the future settles with its outcome.
    this.#withdrawOnCancel(scope, command, () => this.#requestCancellation(command));
    return future;
  }

  /** `WorkflowRuntime.scheduleTimer`. */
  scheduleTimer(scope: CancelScope, delayMs: number, name: string | undefined): Future<void> {
    const [command, future] = this.#issue('timer', name ?? '');
    command.firesAt = new Date(this.#context.now().getTime() + delayMs);
    this.#withdrawOnCancel(scope, command, () => {
      if (command.state === 'committed') command.state = 'cancelPending';
      command.settle.reject(scope.error());
    });
    return future as Future<void>;
  }

  /** `WorkflowRuntime.scheduleSubWorkflow`. */
  scheduleSubWorkflow(scope: CancelScope, attempt: SubWorkflowAttempt): Future<unknown> {
    const [command, future] = this.#issue('subWorkflow', attempt.name);
    command.subWorkflow = Object.assign({}, attempt, { executionId: childExecutionId(this.#context.instance.executionId, command.id) });
    // A started child is asked to cancel; the future then settles with the child's own outcome (a child no
    // worker has started ends at once, cancelled).
    this.#withdrawOnCancel(scope, command, () => this.#requestCancellation(command));
    return future;
  }

  /** `WorkflowRuntime.nextSubWorkflowInstanceId`. */
  nextSubWorkflowInstanceId(): string {
    const { instanceId, executionId } = this.#context.instance;
    return defaultChildInstanceId(instanceId, executionId, ++this.#subWorkflowsWithoutId);
  }

  /** `WorkflowRuntime.signalWorkflow`. */
  signalWorkflow(scope: CancelScope, instanceId: string, name: string, arg: unknown): Future<void> {
    const [command, future] = this.#issue('signal', name);
    command.signal = { instanceId, name, arg };
    this.#withdrawOnCancel(scope, command, () => undefined);
    return future as Future<void>;
  }

  /** `WorkflowRuntime.sideEffect`. */
  sideEffect<T>(fn: () => T): Future<T> {
    // A side effect is never scheduled: it is recorded right after the code that ran it, in both modes.
    const [command, future] = this.#create('sideEffect', '');
    if (!this.#context.replaying()) command.sideEffectOutcome = this.#context.patches.whileSideEffectRuns(() => runSideEffect(fn));
    this.unrecordedSideEffects.push(command);
    return future as Future<T>;
  }

  #create(kind: CommandKind, name: string): [Command, Future<unknown>] {
    const [future, settle] = Future.create<unknown>();
    return [{ id: this.#nextCommandId++, kind, name, state: 'pending', settle }, future];
  }

  /** A command that waits in `commands` until its scheduling event is committed. */
  #issue(kind: CommandKind, name: string): [Command, Future<unknown>] {
    const [command, future] = this.#create(kind, name);
    this.commands.set(command.id, command);
    return [command, future];
  }

  /** Cancellation withdraws a command that is not committed yet; `committed` says what happens after that. */
  #withdrawOnCancel(scope: CancelScope, command: Command, committed: () => void): void {
    command.unsubscribe = scope.onCancel(() => {
      if (command.state === 'pending') {
        this.commands.delete(command.id);
        command.settle.reject(scope.error());
      } else {
        committed();
      }
    });
  }

  /** Asks, at the next commit, for a committed command to be cancelled; its future settles with the answer. */
  #requestCancellation(command: Command): void {
    if (command.state === 'committed' && command.cancelRequest === undefined) command.cancelRequest = 'pending';
  }
}
