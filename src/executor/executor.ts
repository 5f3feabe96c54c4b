import type { Logger } from 'pino';
import { assertEncodable } from '../codec/codec.js';
import type { WorkflowTaskCompletion, ActivityRequest, TimerRequest } from '../backend/backend.js';
import type { WorkflowInstance } from '../core/instance.js';
import {
  NonDeterminismError,
  WorkflowError,
  fromFailureInfo,
  toFailureInfo,
  type FailureInfo,
} from '../errors/errors.js';
import { newEvent, type HistoryEvent, type NewEvent, type NewEventOf } from '../history/events.js';
import { CancelScope } from '../workflow/cancel-scope.js';
import { createRootContext } from '../workflow/context.js';
import { Future } from '../workflow/future.js';
import type { ActivityAttempt, WorkflowRuntime } from '../workflow/runtime.js';
import { describeCommand, type Command, type CommandKind } from './command.js';
import { SeededRandom } from './prng.js';
import { replaySilentLogger } from './replay-logger.js';
import type { WorkflowFunction } from './workflow-function.js';

/** Finds the workflow function registered under a name. */
export type WorkflowLookup = (name: string) => WorkflowFunction | undefined;

/** The part of a claimed task the executor needs. */
export interface ExecutorTask {
  historyLength: number;
  /** History the executor has not seen yet (replayed before the new events). */
  history: HistoryEvent[];
  newEvents: NewEvent[];
}

type Outcome = { result: unknown } | { error: FailureInfo };

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
  private queueName = '';
  private readonly lookup: WorkflowLookup;
  private readonly commands = new Map<number, Command>();
  private readonly unrecordedSideEffects: Command[] = [];
  private nextCommandId = 1;
  private replayingNow = false;
  private currentTime = new Date(0);
  private readonly rootScope = new CancelScope();
  private readonly prng: SeededRandom;
  private outcome: Outcome | undefined;
  private endedFlag = false;

  constructor(instance: WorkflowInstance, lookup: WorkflowLookup, logger: Logger) {
    this.instance = instance;
    this.lookup = lookup;
    this.prng = new SeededRandom(`${instance.instanceId}\n${instance.executionId}`);
    this.logger = replaySilentLogger(logger.child({ instanceId: instance.instanceId, executionId: instance.executionId }), () => this.replayingNow);
  }

  /** True once the execution has ended; an ended executor takes no more tasks. */
  get ended(): boolean {
    return this.endedFlag;
  }

  get queue(): string {
    return this.queueName;
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
   * Replays `task.history`, then applies `task.newEvents` and returns what to commit. A replay that diverges
   * from the history ends the execution with `NonDeterminismError`; nothing of the diverged run is committed.
   */
  async executeTask(task: ExecutorTask): Promise<WorkflowTaskCompletion> {
    try {
      await this.replay(task.history);
    } catch (err) {
      if (err instanceof NonDeterminismError) return this.failTask(task, err);
      throw err;
    }
    if (this.historyLength !== task.historyLength) {
      throw new Error(`executor holds ${this.historyLength} events but the task starts after ${task.historyLength}`);
    }
    return this.runTask(task.newEvents);
  }

  // ---- live execution -------------------------------------------------------------------------------------

  private async runTask(newEvents: NewEvent[]): Promise<WorkflowTaskCompletion> {
    const events: HistoryEvent[] = [];
    const record = (event: NewEvent): void => {
      this.historyLength += 1;
      events.push({ ...event, sequenceId: this.historyLength });
    };
    const taskStarted = newEvent('WorkflowTaskStarted', {});
    record(taskStarted);
    this.currentTime = taskStarted.timestamp;
    for (const event of newEvents) {
      if (this.outcome !== undefined) break;
      record(event);
      await this.applyInboxEvent(event);
      while (this.unrecordedSideEffects.length > 0) {
        const command = this.unrecordedSideEffects.shift() as Command;
        record(newEvent('SideEffectResult', command.sideEffectOutcome ?? {}, command.id));
        this.settleSideEffect(command);
        await drain();
      }
    }
    return this.commitCommands(record, events);
  }

  private commitCommands(record: (event: NewEvent) => void, events: HistoryEvent[]): WorkflowTaskCompletion {
    const activities: ActivityRequest[] = [];
    const timers: TimerRequest[] = [];
    const canceledTimers: number[] = [];
    if (this.outcome !== undefined) this.abandonPendingWork();
    for (const command of this.commands.values()) {
      if (command.state === 'pending') {
        command.state = 'committed';
        if (command.kind === 'activity' && command.activity !== undefined) {
          record(newEvent('ActivityScheduled', { ...command.activity }, command.id));
          activities.push({ scheduleEventId: command.id, ...command.activity });
        } else if (command.kind === 'timer' && command.firesAt !== undefined) {
          const attributes: NewEventOf<'TimerScheduled'>['attributes'] = { firesAt: command.firesAt };
          if (command.name.length > 0) attributes.name = command.name;
          record(newEvent('TimerScheduled', attributes, command.id));
          timers.push({ scheduleEventId: command.id, firesAt: command.firesAt });
        }
      } else if (command.state === 'cancelPending') {
        record(newEvent('TimerCanceled', {}, command.id));
        canceledTimers.push(command.id);
        this.commands.delete(command.id);
      }
    }
    if (this.outcome !== undefined) {
      record(newEvent('WorkflowExecutionFinished', this.outcome));
      this.endedFlag = true;
    }
    return { events, activities, timers, canceledTimers, state: this.endedFlag ? 'finished' : 'active' };
  }

  /** A workflow that returned leaves nothing running: pending timers are cancelled, unscheduled work dropped. */
  private abandonPendingWork(): void {
    for (const command of this.commands.values()) {
      command.unsubscribe?.();
      if (command.state === 'pending') this.commands.delete(command.id);
      else if (command.kind === 'timer' && command.state === 'committed') command.state = 'cancelPending';
    }
  }

  private failTask(task: ExecutorTask, err: NonDeterminismError): WorkflowTaskCompletion {
    this.logger.error({ err }, 'workflow replay diverged from its history');
    this.endedFlag = true;
    let sequenceId = task.historyLength;
    const stamp = (event: NewEvent): HistoryEvent => ({ ...event, sequenceId: ++sequenceId });
    const events = [
      stamp(newEvent('WorkflowTaskStarted', {})),
      ...task.newEvents.map(stamp),
      stamp(newEvent('WorkflowExecutionFinished', { error: toFailureInfo(err) })),
    ];
    return { events, activities: [], timers: [], canceledTimers: [], state: 'finished' };
  }

  // ---- replay ---------------------------------------------------------------------------------------------

  private async replay(history: HistoryEvent[]): Promise<void> {
    if (history.length === 0) return;
    this.replayingNow = true;
    try {
      for (const event of history) {
        if (event.sequenceId !== this.historyLength + 1) {
          throw new Error(`history is out of order: expected event ${this.historyLength + 1}, got ${event.sequenceId}`);
        }
        this.historyLength += 1;
        if (event.type !== 'SideEffectResult') this.assertNoUnrecordedSideEffect(event);
        switch (event.type) {
          case 'WorkflowTaskStarted':
            this.assertReplayedTaskComplete();
            this.currentTime = event.timestamp;
            break;
          case 'ActivityScheduled':
            this.matchScheduled(event, 'activity', event.attributes.name);
            break;
          case 'TimerScheduled':
            this.matchScheduled(event, 'timer', event.attributes.name ?? '');
            break;
          case 'TimerCanceled':
            this.matchCanceled(event);
            break;
          case 'SideEffectResult':
            await this.matchSideEffect(event);
            break;
          case 'WorkflowExecutionFinished':
          case 'WorkflowExecutionContinuedAsNew':
            this.endedFlag = true;
            break;
          default:
            await this.applyInboxEvent(event);
        }
      }
      this.assertNoUnrecordedSideEffect(undefined);
      this.assertReplayedTaskComplete();
    } finally {
      this.replayingNow = false;
    }
  }

  private matchScheduled(event: HistoryEvent, kind: CommandKind, name: string): void {
    const id = event.scheduleEventId ?? 0;
    const command = this.commands.get(id);
    if (command === undefined || command.state !== 'pending' || command.kind !== kind || command.name !== name) {
      const recorded = describeCommand({ kind, name, id });
      const issued = command === undefined || command.state !== 'pending' ? 'nothing in its place' : describeCommand(command);
      throw new NonDeterminismError(`history recorded ${event.type} of ${recorded}, but the workflow code issued ${issued}`);
    }
    command.state = 'committed';
  }

  private matchCanceled(event: HistoryEvent): void {
    const id = event.scheduleEventId ?? 0;
    const command = this.commands.get(id);
    if (command?.state !== 'cancelPending') {
      const issued = command === undefined ? `command ${id} is not pending` : `${describeCommand(command)} was not cancelled`;
      throw new NonDeterminismError(`history recorded ${event.type} of command ${id}, but in the workflow code ${issued}`);
    }
    this.commands.delete(id);
  }

  private async matchSideEffect(event: NewEventOf<'SideEffectResult'>): Promise<void> {
    const command = this.unrecordedSideEffects.shift();
    if (command === undefined || command.id !== event.scheduleEventId) {
      const issued = command === undefined ? 'nothing in its place' : describeCommand(command);
      throw new NonDeterminismError(
        `history recorded SideEffectResult of side effect (command ${event.scheduleEventId}), but the workflow code issued ${issued}`,
      );
    }
    command.sideEffectOutcome = event.attributes;
    this.settleSideEffect(command);
    await drain();
  }

  private assertNoUnrecordedSideEffect(next: HistoryEvent | undefined): void {
    const command = this.unrecordedSideEffects[0];
    if (command === undefined) return;
    const recorded = next === undefined ? 'nothing more' : `${next.type} (event ${next.sequenceId})`;
    throw new NonDeterminismError(`the workflow code issued ${describeCommand(command)}, but history recorded ${recorded}`);
  }

  private assertReplayedTaskComplete(): void {
    for (const command of this.commands.values()) {
      if (command.state === 'pending') {
        throw new NonDeterminismError(`the workflow code issued ${describeCommand(command)}, which the history does not have`);
      }
      if (command.state === 'cancelPending') {
        throw new NonDeterminismError(`the workflow code cancelled ${describeCommand(command)}, which the history does not have`);
      }
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
      case 'ActivityCompleted': {
        this.takeCommitted(event.scheduleEventId, 'activity')?.settle.resolve(event.attributes.result);
        break;
      }
      case 'ActivityFailed': {
        this.takeCommitted(event.scheduleEventId, 'activity')?.settle.reject(fromFailureInfo(event.attributes.error));
        break;
      }
      case 'TimerFired': {
        // A timer cancelled while it was coming due has no command left: the late fire is ignored.
        this.takeCommitted(event.scheduleEventId, 'timer')?.settle.resolve(undefined);
        break;
      }
      default:
        return;
    }
    await drain();
  }

  private takeCommitted(id: number | undefined, kind: CommandKind): Command | undefined {
    const command = id === undefined ? undefined : this.commands.get(id);
    if (command?.kind !== kind || command.state !== 'committed') {
      this.logger.debug({ scheduleEventId: id, kind }, 'ignoring a completion without a pending command');
      return undefined;
    }
    command.unsubscribe?.();
    this.commands.delete(command.id);
    return command;
  }

  private start(event: NewEventOf<'WorkflowExecutionStarted'>): void {
    const { name, queue, inputs } = event.attributes;
    this.queueName = queue;
    const fn = this.lookup(name);
    if (fn === undefined) {
      const error = new WorkflowError(`workflow ${name} is not registered on the workers of queue ${queue}`, {
        type: 'UnknownWorkflowError',
        permanent: true,
      });
      this.outcome = { error: toFailureInfo(error) };
      return;
    }
    const ctx = createRootContext(this, this.rootScope);
    let running: Promise<unknown>;
    try {
      running = Promise.resolve(fn(ctx, ...inputs));
    } catch (err) {
      this.outcome = { error: toFailureInfo(err) };
      return;
    }
    running.then(
      (result) => {
        try {
          assertEncodable(result, `result of workflow ${name}`);
          this.outcome = { result };
        } catch (err) {
          this.outcome = { error: toFailureInfo(err) };
        }
      },
      (err: unknown) => {
        this.outcome = { error: toFailureInfo(err) };
      },
    );
  }

  // ---- commands (WorkflowRuntime) -------------------------------------------------------------------------

  private newCommand(kind: CommandKind, name: string): [Command, Future<unknown>] {
    const [future, settle] = Future.create<unknown>();
    return [{ id: this.nextCommandId++, kind, name, state: 'pending', settle }, future];
  }

  /** A command that waits in `commands` until its scheduling event is committed. */
  private issue(kind: CommandKind, name: string): [Command, Future<unknown>] {
    const [command, future] = this.newCommand(kind, name);
    this.commands.set(command.id, command);
    return [command, future];
  }

  scheduleActivity(scope: CancelScope, attempt: ActivityAttempt): Future<unknown> {
    const [command, future] = this.issue('activity', attempt.name);
    command.activity = attempt;
    // Cancellation withdraws an activity that is not committed yet; one already scheduled runs to its end.
    command.unsubscribe = scope.onCancel(() => {
      if (command.state !== 'pending') return;
      this.commands.delete(command.id);
      command.settle.reject(scope.error());
    });
    return future;
  }

  scheduleTimer(scope: CancelScope, delayMs: number, name: string | undefined): Future<void> {
    const [command, future] = this.issue('timer', name ?? '');
    command.firesAt = new Date(this.currentTime.getTime() + delayMs);
    command.unsubscribe = scope.onCancel(() => {
      if (command.state === 'pending') this.commands.delete(command.id);
      else if (command.state === 'committed') command.state = 'cancelPending';
      command.settle.reject(scope.error());
    });
    return future as Future<void>;
  }

  sideEffect<T>(fn: () => T): Future<T> {
    // A side effect is never scheduled: it is recorded right after the code that ran it, in both modes.
    const [command, future] = this.newCommand('sideEffect', '');
    if (!this.replayingNow) command.sideEffectOutcome = runSideEffect(fn);
    this.unrecordedSideEffects.push(command);
    return future as Future<T>;
  }

  private settleSideEffect(command: Command): void {
    const outcome = command.sideEffectOutcome ?? {};
    if (outcome.error !== undefined) command.settle.reject(fromFailureInfo(outcome.error));
    else command.settle.resolve(outcome.result);
  }
}

function runSideEffect(fn: () => unknown): { result?: unknown; error?: FailureInfo } {
  try {
    const result = fn();
    if (typeof (result as { then?: unknown } | null)?.then === 'function') {
      throw new WorkflowError('sideEffect functions must be synchronous; run asynchronous work in an activity', {
        type: 'InvalidArgumentError',
        permanent: true,
      });
    }
    assertEncodable(result, 'result of sideEffect');
    return { result };
  } catch (err) {
    return { error: toFailureInfo(err) };
  }
}
