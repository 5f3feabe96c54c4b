import type { Logger } from 'pino';
import type { WorkflowTaskCompletion } from '../backend/backend.js';
import { assertEncodable } from '../codec/codec.js';
import { contextLogger } from '../core/context-logger.js';
import type { WorkflowInstance } from '../core/instance.js';
import type { LiveEventObserver } from '../core/instrumentation.js';
import { NonDeterminismError, UnknownWorkflowError, WorkflowError } from '../errors/errors.js';
import { toFailureInfo } from '../errors/failure-info.js';
import { newEvent, type HistoryEvent, type NewEvent, type NewEventOf } from '../history/events.js';
import { CancelScope } from '../workflow/cancel-scope.js';
import type { Channel } from '../workflow/channel.js';
import { createRootContext } from '../workflow/context.js';
import { continueAsNewInputs } from '../workflow/continue-as-new.js';
import type { Future } from '../workflow/future.js';
import type { ActivityAttempt, SubWorkflowAttempt, WorkflowRuntime } from '../workflow/runtime.js';
import { CommandTable } from './command-table.js';
import { applyCommandAnswer, settleSideEffect } from './command-answers.js';
import { abandonPendingWork, commitCommands } from './commit-commands.js';
import { commitOutcome, failedTaskCompletion, type WorkflowOutcome } from './commit-outcome.js';
import { CompletionBuilder } from './completion-builder.js';
import { assertNoUnrecordedSideEffect, assertReplayedTaskComplete, matchCommandEvent, matchSideEffect } from './replay-matching.js';
import { Patches } from './patches.js';
import { SeededRandom } from './prng.js';
import { replaySilentLogger } from './replay-logger.js';
import { SignalInbox } from './signal-inbox.js';
import { assertWaitingOnEngine } from './unsettled-check.js';
import type { WorkflowFunction } from './workflow-function.js';

/** Finds the workflow function registered under a name. */
export type WorkflowLookup = (name: string) => WorkflowFunction | undefined;

/** The part of a claimed task the executor needs. */
export interface ExecutorTask {
  historyLength: number;
  /** History the executor has not seen yet (replayed before the new events). */
  history: HistoryEvent[];
  newEvents: NewEvent[];
  /** Told about the task's live events as they are applied (telemetry); absent when nobody listens. */
  observer?: LiveEventObserver;
}

/** The history size an execution may not outgrow unless the worker allows another. */
export const DEFAULT_MAX_HISTORY_SIZE = 10_000;

// Crossing a macrotask boundary runs every continuation the last settled future unblocked, so workflow
// code has done all it can before the engine applies the next event.
const drain = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs one workflow execution: replays its history through the workflow code, applies new events one at a
 * time, and turns what the code asks for into history events and backend requests.
 */
export class Executor implements WorkflowRuntime {
  readonly instance: WorkflowInstance;
  readonly logger: Logger;
  /** Events applied so far (replayed or committed). */
  historyLength = 0;
  private started: NewEventOf<'WorkflowExecutionStarted'>['attributes'] | undefined;
  private readonly lookup: WorkflowLookup;
  private readonly maxHistorySize: number;
  private readonly table: CommandTable;
  private readonly signals = new SignalInbox();
  private readonly patches = new Patches();
  private replayingNow = false;
  private currentTime = new Date(0);
  private readonly rootScope = new CancelScope();
  private readonly prng: SeededRandom;
  private outcome: WorkflowOutcome | undefined;
  private endedFlag = false;
  private abandonedFlag = false;
  private readonly clock: () => Date;

  /**
   * `clock` gives the workflow time of each live task (its `WorkflowTaskStarted` timestamp, `workflow.now`):
   * the wall clock by default; `WorkflowTester` passes its virtual clock.
   */
  constructor(
    instance: WorkflowInstance,
    lookup: WorkflowLookup,
    logger: Logger,
    maxHistorySize = DEFAULT_MAX_HISTORY_SIZE,
    clock: () => Date = () => new Date(),
  ) {
    this.instance = instance;
    this.lookup = lookup;
    this.maxHistorySize = maxHistorySize;
    this.clock = clock;
    this.prng = new SeededRandom(`${instance.instanceId}\n${instance.executionId}`);
    this.table = new CommandTable({
      instance,
      now: () => this.currentTime,
      replaying: () => this.replayingNow,
      patches: this.patches,
    });
    this.logger = replaySilentLogger(
      contextLogger(logger, { instanceId: instance.instanceId, executionId: instance.executionId }),
      () => this.replayingNow || this.abandonedFlag,
    );
  }

  /** True once the execution has ended; an ended executor takes no more tasks. */
  get ended(): boolean {
    return this.endedFlag;
  }

  /** True once `abandon` was called. */
  get abandoned(): boolean {
    return this.abandonedFlag;
  }

  /**
   * Cuts the workflow code off from the engine for good, for an executor whose task did not commit: code that
   * still runs in it later (a foreign promise settling after the task) can neither record work nor log.
   */
  abandon(): void {
    this.abandonedFlag = true;
  }

  get queue(): string {
    return this.started?.queue ?? '';
  }

  /** The attributes of the execution's `WorkflowExecutionStarted`, once applied (replayed or live). */
  get startedAttributes(): NewEventOf<'WorkflowExecutionStarted'>['attributes'] | undefined {
    return this.started;
  }

  now(): Date {
    return this.currentTime;
  }

  random(): number {
    return this.prng.next();
  }

  isReplaying(): boolean {
    return this.replayingNow;
  }

  /**
   * Replays `task.history`, then applies `task.newEvents` and returns what to commit. A history that would
   * outgrow the size limit ends the execution with an error; nothing else of that task is committed. Throws
   * `NonDeterminismError` when the replay diverges from the history (see `failedCompletion`),
   * `UnknownWorkflowError` when the execution's workflow is not registered, and `UnsettledWorkflowError` when
   * the code has not finished and waits on nothing the engine can settle (see `assertWaitingOnEngine`).
   */
  async executeTask(task: ExecutorTask): Promise<WorkflowTaskCompletion> {
    await this.replay(task.history);
    if (this.historyLength !== task.historyLength) {
      throw new Error(`executor holds ${this.historyLength} events but the task starts after ${task.historyLength}`);
    }
    const completion = await this.runTask(task.newEvents, task.observer);
    // A pending command is the usual case at the end of a task and settles the check without walking the
    // channels and scopes.
    if (this.outcome === undefined && this.table.commands.size === 0) {
      assertWaitingOnEngine(this.instance, {
        pendingCommands: this.table.commands.size,
        signalChannelAwaited: this.signals.awaited(),
        cancellationAwaited: this.rootScope.awaitsCancellation(),
      });
    }
    if (completion.state === 'active' && task.historyLength + completion.events.length > this.maxHistorySize) {
      const error = new WorkflowError(`workflow history size exceeded ${this.maxHistorySize} events`, {
        type: 'HistorySizeExceededError',
        permanent: true,
      });
      return this.failedCompletion(task, error);
    }
    return completion;
  }

  /**
   * Replays `history` through the workflow code and nothing more: no live task runs and nothing is committed
   * (`replayHistory` checks code against recorded histories with it). `history` must be the execution's events
   * from sequence id 1, without gaps.
   * @throws NonDeterminismError naming both sides when the code does not issue what the history recorded.
   */
  async replayOnly(history: HistoryEvent[]): Promise<void> {
    await this.replay(history);
  }

  // ---- live execution -------------------------------------------------------------------------------------

  private async runTask(newEvents: NewEvent[], observer: LiveEventObserver | undefined): Promise<WorkflowTaskCompletion> {
    const builder = new CompletionBuilder(this.historyLength);
    const record = (event: NewEvent): void => {
      builder.record(event);
      this.historyLength = builder.historyLength;
    };
    const taskStarted = newEvent('WorkflowTaskStarted', {}, undefined, this.clock());
    record(taskStarted);
    this.currentTime = taskStarted.timestamp;
    // Events after the code produced its outcome stay out of this history: on continue-as-new the signals and
    // cancellation requests among them go to the next execution, the rest end with this one (see CarriedEvent).
    const unapplied: NewEvent[] = [];
    for (const event of newEvents) {
      if (this.outcome !== undefined) {
        unapplied.push(event);
        continue;
      }
      record(event);
      if (observer !== undefined && event.type === 'TimerFired') this.observeTimerFired(observer, event.scheduleEventId);
      await this.applyInboxEvent(event);
      // A recorded patch settles nothing, so patches go before the side effect result whose code runs on.
      for (;;) {
        this.patches.recordPending(record);
        const command = this.table.unrecordedSideEffects.shift();
        if (command === undefined) break;
        record(newEvent('SideEffectResult', command.sideEffectOutcome ?? {}, command.id));
        settleSideEffect(command);
        await drain();
      }
    }
    const { completion } = builder;
    const outcome = this.outcome;
    if (outcome !== undefined) abandonPendingWork(this.table.commands);
    commitCommands(this.table.commands, this.instance, record, completion);
    if (outcome !== undefined) {
      this.endedFlag = true;
      const { instanceId } = this.instance;
      const execution = { instanceId, started: this.started, signals: this.signals, canceled: this.rootScope.canceled };
      commitOutcome(outcome, execution, unapplied, record, completion);
    }
    return completion;
  }

  private observeTimerFired(observer: LiveEventObserver, scheduleEventId: number | undefined): void {
    const firesAt = scheduleEventId === undefined ? undefined : this.table.commands.get(scheduleEventId)?.firesAt;
    if (scheduleEventId !== undefined && firesAt !== undefined) observer.timerFired(scheduleEventId, firesAt);
  }

  /**
   * What to commit for `task` when the execution fails with `err` instead (a `NonDeterminismError` that
   * `executeTask` threw, or an outgrown history): the task's new events and `WorkflowExecutionFinished` with the
   * error. Ends the executor.
   */
  failedCompletion(task: ExecutorTask, err: Error): WorkflowTaskCompletion {
    this.logger.error({ err }, err instanceof NonDeterminismError ? 'workflow replay diverged from its history' : 'workflow failed');
    this.endedFlag = true;
    return failedTaskCompletion(task, err, this.started?.parent);
  }

  // ---- replay ---------------------------------------------------------------------------------------------

  private async replay(history: HistoryEvent[]): Promise<void> {
    if (history.length === 0) return;
    this.replayingNow = true;
    this.patches.scan(history);
    try {
      for (const event of history) {
        if (event.sequenceId !== this.historyLength + 1) {
          throw new Error(`history is out of order: expected event ${this.historyLength + 1}, got ${event.sequenceId}`);
        }
        this.historyLength += 1;
        if (event.type !== 'SideEffectResult' && event.type !== 'PatchRecorded') assertNoUnrecordedSideEffect(this.table.unrecordedSideEffects, event);
        await this.replayEvent(event);
      }
      assertNoUnrecordedSideEffect(this.table.unrecordedSideEffects, undefined);
      assertReplayedTaskComplete(this.table.commands);
    } finally {
      this.replayingNow = false;
    }
  }

  private async replayEvent(event: HistoryEvent): Promise<void> {
    switch (event.type) {
      case 'WorkflowTaskStarted':
        assertReplayedTaskComplete(this.table.commands);
        this.currentTime = event.timestamp;
        break;
      case 'SideEffectResult':
        settleSideEffect(matchSideEffect(this.table.unrecordedSideEffects, event));
        await drain();
        break;
      case 'PatchRecorded':
        this.patches.replayRecorded(event);
        break;
      case 'WorkflowExecutionFinished':
      case 'WorkflowExecutionContinuedAsNew':
        this.endedFlag = true;
        break;
      default:
        if (!matchCommandEvent(this.table.commands, event)) await this.applyInboxEvent(event);
    }
  }

  // ---- events ---------------------------------------------------------------------------------------------

  private async applyInboxEvent(event: NewEvent): Promise<void> {
    switch (event.type) {
      case 'WorkflowExecutionStarted':
        this.start(event);
        break;
      case 'WorkflowExecutionCanceled':
        this.rootScope.cancel();
        break;
      case 'SignalReceived':
        this.signals.receive(event.attributes.name, event.attributes.arg);
        break;
      default:
        if (!applyCommandAnswer(this.table.commands, event, this.logger)) return;
    }
    await drain();
  }

  private start(event: NewEventOf<'WorkflowExecutionStarted'>): void {
    this.started = event.attributes;
    const { name, queue, inputs } = event.attributes;
    const fn = this.lookup(name);
    if (fn === undefined) throw new UnknownWorkflowError(name, queue);
    const ctx = createRootContext(this, this.rootScope);
    // Whatever the workflow threw, neither handler can throw: a throw there would be an unhandled rejection
    // (ending a default Node process) and would leave the instance active for good.
    const fail = (err: unknown): void => {
      const continueAs = continueAsNewInputs(err);
      this.outcome = continueAs !== undefined ? { continueAs } : { error: toFailureInfo(err) };
    };
    let running: Promise<unknown>;
    try {
      running = Promise.resolve(fn(ctx, ...inputs));
    } catch (err) {
      fail(err);
      return;
    }
    running.then((result) => {
      try {
        assertEncodable(result, `result of workflow ${name}`);
        this.outcome = { result };
      } catch (err) {
        fail(err);
      }
    }, fail);
  }

  // ---- commands (WorkflowRuntime) -------------------------------------------------------------------------

  scheduleActivity(scope: CancelScope, attempt: ActivityAttempt): Future<unknown> {
    return this.table.scheduleActivity(scope, attempt);
  }

  scheduleTimer(scope: CancelScope, delayMs: number, name: string | undefined): Future<void> {
    return this.table.scheduleTimer(scope, delayMs, name);
  }

  scheduleSubWorkflow(scope: CancelScope, attempt: SubWorkflowAttempt): Future<unknown> {
    return this.table.scheduleSubWorkflow(scope, attempt);
  }

  nextSubWorkflowInstanceId(): string {
    return this.table.nextSubWorkflowInstanceId();
  }

  signalWorkflow(scope: CancelScope, instanceId: string, name: string, arg: unknown): Future<void> {
    return this.table.signalWorkflow(scope, instanceId, name, arg);
  }

  sideEffect<T>(fn: () => T): Future<T> {
    return this.table.sideEffect(fn);
  }

  signalChannel(name: string): Channel<unknown> {
    return this.signals.channel(name);
  }

  patched(patchId: string): boolean {
    return this.patches.patched(patchId, this.replayingNow);
  }

  deprecatePatch(patchId: string): void {
    this.patches.deprecate(patchId, this.replayingNow);
  }
}
