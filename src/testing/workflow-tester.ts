import { pino } from 'pino';
import { DEFAULT_QUEUE, type WorkflowInstance } from '../core/instance.js';
import { assertInstanceId, assertQueueName } from '../core/validation.js';
import type { WorkflowArgs, WorkflowResult } from '../client/client.js';
import { assertEncodable } from '../codec/codec.js';
import { InvalidArgumentError } from '../errors/errors.js';
import { fromFailureInfo } from '../errors/failure-info.js';
import { DEFAULT_MAX_HISTORY_SIZE } from '../executor/executor.js';
import type { WorkflowFunction } from '../executor/workflow-function.js';
import { newEvent, type EventOf, type HistoryEvent, type NewEvent, type NewEventOf } from '../history/events.js';
import type { ActivityFunction } from '../workflow/activity.js';
import { Registry, type RegistrationOptions } from '../worker/registry.js';
import { assertRecordedHistory } from './history-check.js';
import type { MockBehavior } from './mocks.js';
import type { RecordedHistory } from './replay-history.js';
import { snapshot } from './test-execution.js';
import { TesterEngine, type SubWorkflowListener } from './tester-engine.js';
import {
  assertKnownOptions,
  WORKFLOW_TESTER_OPTION_KEYS,
  WorkflowTesterError,
  type ActivityCall,
  type SubWorkflowCall,
  type TestedExecution,
  type WorkflowTesterOptions,
  type WorkflowTestOutcome,
} from './tester-types.js';

/** Real time `execute` may take by default, ms. */
export const DEFAULT_TEST_TIMEOUT_MS = 10_000;

/** Instance id of the workflow under test by default. */
export const DEFAULT_TEST_INSTANCE_ID = 'test-instance';

/** Execution id of the workflow under test (of its first execution, and of a resumed history without one). */
export const DEFAULT_TEST_EXECUTION_ID = 'execution-1';


/**
 * Runs one workflow in-process, with no backend, in virtual time: timers fire in due order at once and
 * `workflow.now` follows them (a 30-day sleep takes milliseconds); activities run for real (`registerActivity`)
 * or are mocked (`onActivity`), sub-workflows likewise (`registerWorkflow`, `onSubWorkflow`); signals and
 * cancellation are sent at virtual times (`scheduleCallback`) or before the start; continue-as-new is followed.
 * By default every workflow task replays the whole history in a fresh executor, so code that would not replay
 * after a worker restart fails `execute` with `NonDeterminismError`. While a real activity (or a `callsFake`
 * mock) runs, virtual time follows the wall clock, as time passes for a worker waiting on it.
 *
 * One tester runs one test: `execute` (or `resume`, which continues a recorded history) may be called once.
 */
export class WorkflowTester<F extends WorkflowFunction> {
  private readonly workflowFn: F;
  private readonly registry = new Registry();
  private readonly engine: TesterEngine;
  private readonly options: WorkflowTesterOptions;
  private instanceId: string;
  private readonly early: NewEvent[] = [];
  private readonly earlyCallbacks: Array<{ delayMs: number; callback: () => void | Promise<void> }> = [];
  private executed = false;

  /**
   * @param workflowFn the workflow under test, registered under its function name.
   * @throws InvalidArgumentError when `workflowFn` is not a named function, an option is out of range or an
   *   option key is unknown (a misspelling).
   */
  constructor(workflowFn: F, options: WorkflowTesterOptions = {}) {
    assertKnownOptions(options, WORKFLOW_TESTER_OPTION_KEYS, 'WorkflowTester');
    this.registry.addWorkflow(workflowFn);
    this.workflowFn = workflowFn;
    const { testTimeoutMs = DEFAULT_TEST_TIMEOUT_MS, maxHistorySize = DEFAULT_MAX_HISTORY_SIZE, initialTime } = options;
    if (!Number.isFinite(testTimeoutMs) || testTimeoutMs <= 0) throw new InvalidArgumentError(`testTimeoutMs must be a positive number, got ${testTimeoutMs}`);
    if (!Number.isSafeInteger(maxHistorySize) || maxHistorySize < 1) throw new InvalidArgumentError(`maxHistorySize must be a whole number >= 1`);
    if (initialTime !== undefined && (!(initialTime instanceof Date) || Number.isNaN(initialTime.getTime()))) {
      throw new InvalidArgumentError('initialTime must be a valid Date');
    }
    // The same checks the client applies to what it starts, so a test cannot run under names production refuses.
    if (options.instanceId !== undefined) assertInstanceId(options.instanceId);
    if (options.queue !== undefined) assertQueueName(options.queue);
    if (options.replayEveryTask !== undefined && typeof options.replayEveryTask !== 'boolean') {
      throw new InvalidArgumentError(`replayEveryTask must be true or false, got ${String(options.replayEveryTask)}`);
    }
    this.options = options;
    this.instanceId = options.instanceId ?? DEFAULT_TEST_INSTANCE_ID;
    this.engine = new TesterEngine({
      workflows: this.registry.workflows,
      activities: this.registry.activities,
      logger: options.logger ?? pino({ level: 'silent' }),
      maxHistorySize,
      replayEveryTask: options.replayEveryTask ?? true,
      startMs: (initialTime ?? new Date()).getTime(),
    });
  }

  /** Registers an activity (or every method of an object) that runs for real when no mock matches a call. */
  registerActivity(activity: ActivityFunction | object, options?: RegistrationOptions): this {
    this.registry.addActivity(activity, options);
    return this;
  }

  /** Registers a workflow that sub-workflow starts run for real when no mock matches. */
  registerWorkflow(workflowFn: WorkflowFunction, options?: RegistrationOptions): this {
    this.registry.addWorkflow(workflowFn, options);
    return this;
  }

  /**
   * Mocks the activity `activity` (a function, by its name, or a name) for calls with `args` (deep-equal;
   * `anything()` matches any value), or for every call when `args` is empty. Configure the returned
   * `MockBehavior`; mocks are tried in registration order, and a call no mock matches runs the registered
   * activity. Every call is recorded (`activityCalls`).
   */
  onActivity<A extends ActivityFunction>(activity: A | string, ...args: unknown[]): MockBehavior {
    return this.engine.activityMocks.add(nameOf(activity, 'onActivity'), args.length > 0 ? args : undefined);
  }

  /** Mocks the sub-workflow `workflowFn` (a function or a name) as `onActivity` does activities. */
  onSubWorkflow(workflowFn: WorkflowFunction | string, ...args: unknown[]): MockBehavior {
    return this.engine.subWorkflowMocks.add(nameOf(workflowFn, 'onSubWorkflow'), args.length > 0 ? args : undefined);
  }

  /**
   * Runs `callback` when virtual time reaches now + `delayMs` (before `execute` or `resume`: the time the
   * workflow starts or resumes at + `delayMs`),
   * between workflow tasks. It may signal, cancel, or schedule further callbacks; an error it throws (or a
   * rejection it returns) fails `execute` with a `WorkflowTesterError` of reason `'callback-failed'`.
   */
  scheduleCallback(delayMs: number, callback: () => void | Promise<void>): this {
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new InvalidArgumentError(`scheduleCallback: delayMs must be a finite number >= 0, got ${delayMs}`);
    if (typeof callback !== 'function') throw new InvalidArgumentError('scheduleCallback expects a function');
    if (this.executed) this.engine.agenda.add({ atMs: this.engine.nowMs() + delayMs, label: 'a scheduled callback', run: callback });
    else this.earlyCallbacks.push({ delayMs, callback });
    return this;
  }

  /** Calls `listener` with the instance and name of every sub-workflow started (real or mocked). */
  listenSubWorkflow(listener: SubWorkflowListener): this {
    this.engine.listeners.push(listener);
    return this;
  }

  /**
   * Sends a signal to the workflow under test now (before `execute`: right after its start).
   * @throws InstanceNotFoundError once it has finished; InvalidArgumentError for an unencodable `arg`.
   */
  signalWorkflow(name: string, arg?: unknown): void {
    this.signalWorkflowInstance(this.instanceId, name, arg);
  }

  /**
   * Sends a signal to the active execution of `instanceId` (the workflow under test or a real sub-workflow).
   * @throws InstanceNotFoundError when it has none; InvalidArgumentError for an unencodable `arg`.
   */
  signalWorkflowInstance(instanceId: string, name: string, arg?: unknown): void {
    assertEncodable(arg, `argument of signal ${name}`);
    const signal = newEvent('SignalReceived', { name, arg }, undefined, this.now());
    this.send(instanceId, signal, false);
  }

  /** Requests cancellation of the workflow under test now (before `execute`: right after its start). */
  cancelWorkflow(): void {
    this.cancelWorkflowInstance(this.instanceId);
  }

  /**
   * Requests cancellation of `instanceId`'s active execution; a finished instance is left alone.
   * @throws InstanceNotFoundError for an instance the test never started.
   */
  cancelWorkflowInstance(instanceId: string): void {
    this.send(instanceId, newEvent('WorkflowExecutionCanceled', {}, undefined, this.now()), true);
  }

  /** The virtual time. */
  now(): Date {
    return new Date(this.engine.nowMs());
  }

  /**
   * Starts the workflow with `args` and runs it to its end in virtual time. Resolves with its result or error
   * (a workflow failure does not reject) and its history.
   * @throws NonDeterminismError when a task's replay diverged from the history.
   * @throws UnsettledWorkflowError when the code awaits something the engine does not control (setTimeout, I/O).
   * @throws WorkflowTesterError on a `testTimeoutMs` timeout, a workflow blocked for good, an activity or
   *   sub-workflow neither registered nor mocked, a failed callback, or a second `execute`.
   * @throws InvalidArgumentError when `args` cannot be stored.
   */
  async execute(...args: WorkflowArgs<F>): Promise<WorkflowTestOutcome<WorkflowResult<F>>> {
    this.begin();
    assertEncodable(args, `arguments of workflow ${this.workflowFn.name}`);
    const instance: WorkflowInstance = { instanceId: this.instanceId, executionId: DEFAULT_TEST_EXECUTION_ID };
    const attributes = { name: this.workflowFn.name, queue: this.options.queue ?? DEFAULT_QUEUE, inputs: args };
    const started = newEvent('WorkflowExecutionStarted', attributes, undefined, this.now()) as NewEventOf<'WorkflowExecutionStarted'>;
    this.engine.startInstance(instance, started, this.early.splice(0));
    return await this.runToEnd();
  }

  /**
   * Continues a recorded execution of the workflow under test (a production history from `readHistoryFile` or
   * `getWorkflowInstanceHistory`) with the current code, then runs it to its end like `execute`. The history is
   * replayed first (a divergence rejects with `NonDeterminismError` before anything runs); virtual time starts at
   * its last event; what it left pending goes on: timers fire at their recorded time, activities and
   * sub-workflows it was waiting for run again (mocked or real), signals it was sending are delivered. Signals,
   * cancellation and callbacks given before `resume` apply from that point. The execution keeps the recorded
   * instance (`workflow.random` is seeded with it), else `instanceId` and `'execution-1'`.
   * @throws InvalidArgumentError when `recorded` is not a recorded execution (see `assertRecordedHistory`) or has
   *   ended (check those with `replayHistory`); else as `execute`.
   */
  async resume(recorded: HistoryEvent[] | RecordedHistory): Promise<WorkflowTestOutcome<WorkflowResult<F>>> {
    const { history, instance: recordedInstance } = Array.isArray(recorded) ? { history: recorded, instance: undefined } : recorded;
    assertRecordedHistory(history, 'resume: history');
    const last = history.at(-1) as HistoryEvent;
    if (last.type === 'WorkflowExecutionFinished' || last.type === 'WorkflowExecutionContinuedAsNew') {
      throw new InvalidArgumentError(`resume: the history has ended (${last.type}); check an ended history with replayHistory`);
    }
    this.begin();
    const instance = recordedInstance ?? { instanceId: this.instanceId, executionId: DEFAULT_TEST_EXECUTION_ID };
    this.instanceId = instance.instanceId;
    // The recorded name may be another registration of the same code: the tester runs `workflowFn` under it.
    const { name } = (history[1] as EventOf<'WorkflowExecutionStarted'>).attributes;
    if (!this.registry.workflows.has(name)) this.registry.addWorkflow(this.workflowFn, { name });
    const executor = this.engine.newExecutor(instance);
    try {
      await executor.replayOnly(history);
    } catch (err) {
      executor.abandon();
      throw err;
    }
    const keep = this.options.replayEveryTask === false;
    if (!keep) executor.abandon();
    this.engine.resumeInstance(instance, history, keep ? executor : undefined);
    for (const event of this.early.splice(0)) this.engine.sendFromTest(this.instanceId, Object.assign({}, event, { timestamp: this.now() }), true);
    return await this.runToEnd();
  }

  /** True once the workflow under test has finished (its last execution, after any continue-as-new). */
  get workflowFinished(): boolean {
    return this.engine.instances.get(this.instanceId)?.latest.state === 'finished';
  }

  /**
   * The workflow's result.
   * @throws its error (a `WorkflowError`, as a client sees it) when it failed, or a `WorkflowTesterError`
   *   of reason `'not-finished'` when it has not finished.
   */
  workflowResult(): WorkflowResult<F> {
    const finished = this.finishedEvent();
    if (finished.attributes.error !== undefined) throw fromFailureInfo(finished.attributes.error);
    return finished.attributes.result as WorkflowResult<F>;
  }

  /** The workflow's error, or undefined when it returned a result. Throws like `workflowResult` when it has not finished. */
  workflowError(): Error | undefined {
    const { error } = this.finishedEvent().attributes;
    return error === undefined ? undefined : fromFailureInfo(error);
  }

  /** The history of the latest execution of `instanceId` (the workflow under test by default); empty if none. */
  history(instanceId: string = this.instanceId): HistoryEvent[] {
    const latest = this.engine.instances.get(instanceId)?.latest;
    return latest === undefined ? [] : [...latest.history];
  }

  /** Every execution of `instanceId` (the workflow under test by default), first to last. */
  executions(instanceId: string = this.instanceId): TestedExecution[] {
    return (this.engine.instances.get(instanceId)?.all ?? []).map(snapshot);
  }

  /** The activity calls recorded so far, all or those of `activity` (a function or a name), in call order. */
  activityCalls(activity?: ActivityFunction | string): ActivityCall[] {
    const name = activity === undefined ? undefined : nameOf(activity, 'activityCalls');
    return this.engine.runner.calls.filter((call) => name === undefined || call.name === name);
  }

  /** The sub-workflow starts recorded so far, all or those of `workflowFn` (a function or a name). */
  subWorkflowCalls(workflowFn?: WorkflowFunction | string): SubWorkflowCall[] {
    const name = workflowFn === undefined ? undefined : nameOf(workflowFn, 'subWorkflowCalls');
    return this.engine.subWorkflowCalls.filter((call) => name === undefined || call.name === name);
  }

  /**
   * Checks every mock was used: at least once, or exactly `times(n)` times.
   * @throws Error listing each mock whose expectation is not met.
   */
  assertExpectations(): void {
    const unmet = [...this.engine.activityMocks.unmet(), ...this.engine.subWorkflowMocks.unmet()];
    if (unmet.length > 0) throw new Error(`mock expectations not met:\n- ${unmet.join('\n- ')}`);
  }

  /** Marks the one run of this tester as started; throws when it was already. */
  private begin(): void {
    if (this.executed) throw new WorkflowTesterError('already-executed', 'execute or resume was already called: use one WorkflowTester per test');
    this.executed = true;
  }

  private async runToEnd(): Promise<WorkflowTestOutcome<WorkflowResult<F>>> {
    for (const { delayMs, callback } of this.earlyCallbacks.splice(0)) {
      this.engine.agenda.add({ atMs: this.engine.nowMs() + delayMs, label: 'a scheduled callback', run: callback });
    }
    await this.engine.run(() => this.workflowFinished, this.options.testTimeoutMs ?? DEFAULT_TEST_TIMEOUT_MS);
    const outcome: WorkflowTestOutcome<WorkflowResult<F>> = { history: this.history(), executions: this.executions() };
    const error = this.workflowError();
    if (error === undefined) outcome.result = this.workflowResult();
    else outcome.error = error;
    return outcome;
  }

  private send(instanceId: string, event: NewEvent, ignoreFinished: boolean): void {
    if (!this.executed && instanceId === this.instanceId) this.early.push(event);
    else this.engine.sendFromTest(instanceId, event, ignoreFinished);
  }

  private finishedEvent(): NewEventOf<'WorkflowExecutionFinished'> {
    const last = this.engine.instances.get(this.instanceId)?.latest.history.at(-1);
    if (last?.type !== 'WorkflowExecutionFinished') {
      throw new WorkflowTesterError('not-finished', `workflow ${this.workflowFn.name} has not finished${this.executed ? '' : ': call execute first'}`);
    }
    return last;
  }
}

function nameOf(target: ((...args: never[]) => unknown) | string, what: string): string {
  const name = typeof target === 'function' ? target.name : target;
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError(`${what}: pass a named function or a name`);
  return name;
}
