import { performance } from 'node:perf_hooks';
import { setTimeout as sleepReal } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { WorkflowTaskCompletion } from '../backend/backend.js';
import { decode, encode } from '../codec/codec.js';
import { executionKey, type WorkflowInstance } from '../core/instance.js';
import { InstanceNotFoundError, instanceFailureInfo } from '../errors/errors.js';
import { toFailureInfo } from '../errors/failure-info.js';
import { Executor } from '../executor/executor.js';
import type { WorkflowFunction } from '../executor/workflow-function.js';
import { isCarriedOver } from '../history/carry-over.js';
import { newEvent, type EventOf, type HistoryEvent, type NewEvent, type NewEventOf } from '../history/events.js';
import type { ActivityFunction } from '../workflow/activity.js';
import { ActivityRunner, settle, type ActivityHost, type Settled } from './activity-runner.js';
import { Agenda } from './agenda.js';
import { pendingWork } from './pending-work.js';
import { describeArgs, MockSet } from './mocks.js';
import { newExecution, roundTrip, storedHistoryEvent, waitsOn, type ExecutionChain, type TestExecution } from './test-execution.js';
import { WorkflowTesterError, type SubWorkflowCall } from './tester-types.js';

/** Event-loop turns real code gets to settle before virtual time starts following the wall clock. */
const GRACE_TURNS = 3;

/** Longest single real wait (the largest delay a Node timer takes). */
const MAX_REAL_WAIT_MS = 2 ** 31 - 1;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Settings of a `TesterEngine`. */
export interface EngineSettings {
  workflows: ReadonlyMap<string, WorkflowFunction>;
  activities: ReadonlyMap<string, ActivityFunction>;
  logger: Logger;
  maxHistorySize: number;
  replayEveryTask: boolean;
  startMs: number;
}

/** Called when a sub-workflow (real or mocked) starts. */
export type SubWorkflowListener = (instance: WorkflowInstance, name: string) => void;

/**
 * The tester's stand-in for a backend and its workers: executions with their histories and inboxes, a run
 * queue of executions with events to apply, and a virtual clock with an agenda of what is due. `run` applies
 * events, runs tasks and moves the clock until the instance under test has finished.
 */
export class TesterEngine implements ActivityHost {
  readonly agenda = new Agenda();
  readonly activityMocks = new MockSet('activity');
  readonly subWorkflowMocks = new MockSet('sub-workflow');
  readonly activities: ReadonlyMap<string, ActivityFunction>;
  readonly logger: Logger;
  readonly runner: ActivityRunner;
  readonly subWorkflowCalls: SubWorkflowCall[] = [];
  readonly instances = new Map<string, ExecutionChain>();
  readonly listeners: SubWorkflowListener[] = [];
  private readonly settings: EngineSettings;
  private readonly runQueue: TestExecution[] = [];
  /** Mocked sub-workflows not answered yet, by instance id. */
  private readonly mockedChildren = new Map<string, { parent: TestExecution; scheduleEventId: number; key: string }>();
  private readonly settledWork: Array<() => void> = [];
  private inFlight = 0;
  private wake: () => void = () => undefined;
  private failure: Error | undefined;
  private clockMs: number;

  constructor(settings: EngineSettings) {
    this.settings = settings;
    this.activities = settings.activities;
    this.logger = settings.logger;
    this.clockMs = settings.startMs;
    this.runner = new ActivityRunner(this);
  }

  nowMs(): number {
    return this.clockMs;
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  track(work: Promise<Settled>, then: (settled: Settled) => void): void {
    this.inFlight += 1;
    void work.then((settled) => {
      this.inFlight -= 1;
      this.settledWork.push(() => then(settled));
      this.wake();
    });
  }

  /** Starts an instance: a new execution chain whose first inbox events are its start and then `early`. */
  startInstance(instance: WorkflowInstance, started: NewEventOf<'WorkflowExecutionStarted'>, early: NewEvent[] = []): TestExecution {
    const execution = newExecution(instance, started.attributes.name);
    this.instances.set(instance.instanceId, execution.chain);
    for (const event of [started, ...early]) execution.inbox.push(roundTrip(event));
    this.enqueue(execution);
    return execution;
  }

  deliver(execution: TestExecution, event: NewEvent): void {
    if (execution.state !== 'active') return;
    execution.inbox.push(roundTrip(event));
    this.enqueue(execution);
  }

  /** Hands `event` (a signal or cancellation request) to the instance's active execution. */
  deliverToInstance(instanceId: string, event: NewEvent): boolean {
    const latest = this.instances.get(instanceId)?.latest;
    if (latest?.state !== 'active') return false;
    this.deliver(latest, event);
    return true;
  }

  /**
   * Runs until `done()` holds. Throws the first failure (`NonDeterminismError` and the other errors a task
   * can throw, a callback's error, a `WorkflowTesterError`), or a `WorkflowTesterError` when nothing can wake
   * the workflow any more (`'blocked'`) or `timeoutMs` of real time have passed (`'timeout'`), also while a
   * scheduled callback is still running.
   */
  async run(done: () => boolean, timeoutMs: number): Promise<void> {
    const realStart = performance.now();
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      if (done()) return;
      const leftMs = timeoutMs - (performance.now() - realStart);
      if (leftMs <= 0) throw this.stuck('timeout', `the workflow did not finish within testTimeoutMs (${timeoutMs} ms of real time)`);
      const execution = this.runQueue.shift();
      if (execution !== undefined) {
        execution.queued = false;
        await this.runTask(execution);
        continue;
      }
      const settled = this.settledWork.shift();
      if (settled !== undefined) {
        settled();
        continue;
      }
      const next = this.agenda.peek();
      if (next === undefined || (this.inFlight > 0 && next.atMs > this.clockMs)) {
        if (this.inFlight === 0) throw this.stuck('blocked', 'the workflow is blocked: nothing left can wake it');
        await this.followWallClock(next?.atMs, leftMs);
        continue;
      }
      this.agenda.shift();
      this.clockMs = Math.max(this.clockMs, next.atMs);
      let inTime: boolean;
      try {
        inTime = await settlesWithin(next.run, leftMs);
      } catch (err) {
        const cause = err instanceof Error ? err.message : String(err);
        this.fail(new WorkflowTesterError('callback-failed', `${next.label} threw: ${cause}`, { cause: err }));
        continue;
      }
      if (!inTime) throw this.stuck('timeout', `${next.label} did not settle within testTimeoutMs (${timeoutMs} ms of real time)`);
    }
  }

  /**
   * While real code runs, virtual time follows the wall clock, up to the next item due. Code that settles
   * within a few event-loop turns (a mock's fake, an activity that does no I/O) takes no virtual time, so
   * tests of such code see exact times.
   */
  private async followWallClock(nextAtMs: number | undefined, leftMs: number): Promise<void> {
    for (let turn = 0; turn < GRACE_TURNS && this.settledWork.length === 0 && this.failure === undefined; turn++) await nextTurn();
    if (this.settledWork.length > 0 || this.failure !== undefined) return;
    const capMs = nextAtMs === undefined ? Infinity : Math.max(0, nextAtMs - this.clockMs);
    const realStart = performance.now();
    const virtualStart = this.clockMs;
    const controller = new AbortController();
    const woken = new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    await Promise.race([woken, sleepReal(Math.min(capMs, leftMs, MAX_REAL_WAIT_MS), undefined, { signal: controller.signal }).catch(() => undefined)]);
    controller.abort();
    this.wake = () => undefined;
    this.clockMs = virtualStart + Math.min(capMs, Math.floor(performance.now() - realStart));
  }

  private stuck(reason: 'timeout' | 'blocked', headline: string): WorkflowTesterError {
    const active = [...this.instances.values()].map((chain) => chain.latest).filter((execution) => execution.state === 'active');
    const lines = active.map((execution) => `- ${waitsOn(execution)}`);
    const due = this.agenda.describe().slice(0, 5);
    if (due.length > 0) lines.push(`- next due in virtual time: ${due.map((item) => `${item.label} at ${new Date(item.atMs).toISOString()}`).join('; ')}`);
    if (this.inFlight > 0) lines.push(`- ${this.inFlight} activity or fake call(s) still running in real time`);
    return new WorkflowTesterError(reason, `${headline} (virtual time ${new Date(this.clockMs).toISOString()}):\n${lines.join('\n')}`);
  }

  private enqueue(execution: TestExecution): void {
    if (execution.queued || execution.state !== 'active') return;
    execution.queued = true;
    this.runQueue.push(execution);
  }

  private async runTask(execution: TestExecution): Promise<void> {
    const { settings } = this;
    const newEvents = execution.inbox.splice(0);
    const reuse = !settings.replayEveryTask && execution.executor !== undefined;
    const executor = reuse ? (execution.executor as Executor) : this.newExecutor(execution.instance);
    const history = execution.history.slice(executor.historyLength);
    let completion: WorkflowTaskCompletion;
    try {
      completion = await executor.executeTask({ historyLength: execution.history.length, history, newEvents });
    } catch (err) {
      executor.abandon();
      throw err;
    }
    // A replaced executor's code still waits on futures: it must never act again.
    if (settings.replayEveryTask || executor.ended) executor.abandon();
    else execution.executor = executor;
    this.apply(execution, completion);
  }

  private apply(execution: TestExecution, completion: WorkflowTaskCompletion): void {
    for (const event of completion.events) execution.history.push(storedHistoryEvent(event, this.clockMs));
    const prefix = executionKey(execution.instance);
    for (const id of completion.canceledTimers) this.agenda.remove(`${prefix}\ntimer:${id}`);
    for (const timer of completion.timers) this.startTimer(execution, timer.scheduleEventId, timer.firesAt);
    for (const request of completion.activities) this.runner.start(execution, request);
    if (completion.continuation !== undefined) {
      const { instance, started, carried } = completion.continuation;
      const next = newExecution(instance, started.attributes.name, execution.chain);
      for (const event of [started, ...carried, ...execution.inbox.filter(isCarriedOver)]) next.inbox.push(roundTrip(event));
      this.enqueue(next);
    }
    if (completion.state !== 'active') {
      execution.state = completion.state;
      execution.inbox.length = 0;
      this.agenda.removePrefix(`${prefix}\n`);
    }
    this.sendMessages(execution, completion);
    if (execution.inbox.length > 0) this.enqueue(execution);
  }

  private sendMessages(execution: TestExecution, completion: WorkflowTaskCompletion): void {
    const at = (): Date => new Date(this.clockMs);
    for (const child of completion.subWorkflows ?? []) this.startChild(execution, child.scheduleEventId, child.instance, child.started);
    for (const request of completion.signals ?? []) this.sendSignal(execution, request.scheduleEventId, request.instanceId, request.signal);
    for (const child of completion.cancellations ?? []) {
      const mocked = this.mockedChildren.get(child.instanceId);
      if (mocked !== undefined) {
        this.answerMockedChild(child.instanceId, {
          failure: { message: `canceled: mocked sub-workflow ${child.instanceId} was canceled`, type: 'CanceledError', permanent: false },
        });
        continue;
      }
      const target = this.instances.get(child.instanceId)?.all.find((candidate) => candidate.instance.executionId === child.executionId);
      if (target !== undefined) this.deliver(target.chain.latest, newEvent('WorkflowExecutionCanceled', {}, undefined, at()));
    }
    const notify = completion.notifyParent;
    if (notify !== undefined) {
      const parent = this.instances.get(notify.parent.instanceId)?.all.find((candidate) => candidate.instance.executionId === notify.parent.executionId);
      if (parent !== undefined) this.deliver(parent, Object.assign({}, notify.event, { timestamp: at() }));
    }
  }

  /**
   * Continues the recorded `history` of `instance` (see `WorkflowTester.resume`): the execution takes it as its
   * history, the clock moves to its last event, and the work it left pending is started again: timers at
   * their recorded time, activities, sub-workflows and signals now. The first task replays it all.
   */
  resumeInstance(instance: WorkflowInstance, history: readonly HistoryEvent[], executor: Executor | undefined): TestExecution {
    const started = history[1] as EventOf<'WorkflowExecutionStarted'>;
    const execution = newExecution(instance, started.attributes.name);
    this.instances.set(instance.instanceId, execution.chain);
    for (const event of history) execution.history.push(storedHistoryEvent(event, event.timestamp.getTime()));
    if (executor !== undefined) execution.executor = executor;
    this.clockMs = (history.at(-1) as HistoryEvent).timestamp.getTime();
    const work = pendingWork(history);
    for (const timer of work.timers) this.startTimer(execution, timer.scheduleEventId, timer.firesAt);
    for (const activity of work.activities) this.runner.start(execution, activity);
    for (const { scheduleEventId, attributes } of work.subWorkflows) {
      const child = { instanceId: attributes.instanceId, executionId: attributes.executionId };
      const parent = Object.assign({}, instance, { scheduleEventId });
      const { name, queue, inputs } = attributes;
      const childStarted = newEvent('WorkflowExecutionStarted', { name, queue, inputs, parent }, undefined, new Date(this.clockMs));
      this.startChild(execution, scheduleEventId, child, childStarted as NewEventOf<'WorkflowExecutionStarted'>);
    }
    for (const { scheduleEventId, attributes } of work.signals) {
      const { instanceId, name, arg } = attributes;
      this.sendSignal(execution, scheduleEventId, instanceId, newEvent('SignalReceived', { name, arg }, undefined, new Date(this.clockMs)));
    }
    return execution;
  }

  /** A new executor for `instance`, on the virtual clock. */
  newExecutor(instance: WorkflowInstance): Executor {
    const { workflows, logger, maxHistorySize } = this.settings;
    return new Executor(instance, (name) => workflows.get(name), logger, maxHistorySize, () => new Date(this.clockMs));
  }

  private startTimer(execution: TestExecution, scheduleEventId: number, firesAt: Date): void {
    const fire = (): void => this.deliver(execution, newEvent('TimerFired', {}, scheduleEventId, new Date(this.clockMs)));
    const label = `timer of ${execution.name} (${execution.instance.instanceId})`;
    this.agenda.add({ atMs: firesAt.getTime(), label, run: fire }, `${executionKey(execution.instance)}\ntimer:${scheduleEventId}`);
  }

  /** Delivers a signal `execution` sent (a mocked sub-workflow takes it too) and answers the sender. */
  private sendSignal(execution: TestExecution, scheduleEventId: number, instanceId: string, signal: NewEvent): void {
    const at = new Date(this.clockMs);
    if (this.mockedChildren.has(instanceId) || this.deliverToInstance(instanceId, signal)) {
      this.deliver(execution, newEvent('SignalDelivered', {}, scheduleEventId, at));
    } else {
      const error = instanceFailureInfo('InstanceNotFoundError', instanceId);
      this.deliver(execution, newEvent('SignalFailed', { error }, scheduleEventId, at));
    }
  }

  private startChild(parent: TestExecution, scheduleEventId: number, instance: WorkflowInstance, started: NewEventOf<'WorkflowExecutionStarted'>): void {
    const { name } = started.attributes;
    const args = decode<unknown[]>(encode(started.attributes.inputs));
    const at = new Date(this.clockMs);
    if (this.instances.get(instance.instanceId)?.latest.state === 'active' || this.mockedChildren.has(instance.instanceId)) {
      const error = instanceFailureInfo('InstanceAlreadyExistsError', instance.instanceId);
      this.deliver(parent, newEvent('SubWorkflowFailed', { error }, scheduleEventId, at));
      return;
    }
    const mock = this.subWorkflowMocks.take(name, args);
    if (mock === undefined && !this.settings.workflows.has(name)) {
      const mocks = this.subWorkflowMocks.has(name) ? ' (its mocks match other arguments or are used up)' : '';
      this.fail(
        new WorkflowTesterError(
          'not-registered',
          `sub-workflow ${name} was started with ${describeArgs(args)} but is neither registered (registerWorkflow) nor mocked (onSubWorkflow)${mocks}`,
        ),
      );
      return;
    }
    this.subWorkflowCalls.push({ name, args, instance: { ...instance }, parent: { ...parent.instance }, at, mocked: mock !== undefined });
    if (mock === undefined) this.startInstance(instance, started);
    else {
      const key = `${executionKey(parent.instance)}\nchild:${scheduleEventId}`;
      this.mockedChildren.set(instance.instanceId, { parent, scheduleEventId, key });
      const answer = (settled: Settled): void => {
        const outcome = 'thrown' in settled ? { failure: toFailureInfo(settled.thrown) } : settled;
        if (mock.delayMs === 0) this.answerMockedChild(instance.instanceId, outcome);
        else {
          const run = (): void => this.answerMockedChild(instance.instanceId, outcome);
          this.agenda.add({ atMs: this.clockMs + mock.delayMs, label: `mocked sub-workflow ${name}`, run }, key);
        }
      };
      const immediate = mock.immediateOutcome();
      if (immediate !== undefined) answer(immediate);
      else this.track(settle(mock.run(args), `result of the mock of sub-workflow ${name}`), answer);
    }
    for (const listener of this.listeners) {
      try {
        listener({ ...instance }, name);
      } catch (err) {
        this.fail(new WorkflowTesterError('callback-failed', `a listenSubWorkflow listener threw: ${String(err)}`, { cause: err }));
      }
    }
  }

  private answerMockedChild(instanceId: string, outcome: { result: unknown } | { failure: ReturnType<typeof toFailureInfo> }): void {
    const child = this.mockedChildren.get(instanceId);
    if (child === undefined) return;
    this.mockedChildren.delete(instanceId);
    this.agenda.remove(child.key);
    const at = new Date(this.clockMs);
    const event =
      'failure' in outcome
        ? newEvent('SubWorkflowFailed', { error: outcome.failure }, child.scheduleEventId, at)
        : newEvent('SubWorkflowCompleted', { result: outcome.result }, child.scheduleEventId, at);
    this.deliver(child.parent, event);
  }

  /** Signals or cancels an instance from the test; `InstanceNotFoundError` when it has no active execution. */
  sendFromTest(instanceId: string, event: NewEvent, ignoreFinished: boolean): void {
    const chain = this.instances.get(instanceId);
    if (chain === undefined) throw new InstanceNotFoundError(instanceId);
    if (!this.deliverToInstance(instanceId, event) && !ignoreFinished) throw new InstanceNotFoundError(instanceId);
  }
}


/**
 * Runs `run` and waits for it at most `timeoutMs` of real time: true once it settled, false when the time ran
 * out first (what it does later is ignored). Rejects with what it throws.
 */
async function settlesWithin(run: () => void | Promise<void>, timeoutMs: number): Promise<boolean> {
  const running = (async () => {
    await run();
    return true;
  })();
  const controller = new AbortController();
  const timedOut = sleepReal(Math.min(timeoutMs, MAX_REAL_WAIT_MS), false, { signal: controller.signal }).catch(() => false);
  try {
    return await Promise.race([running, timedOut]);
  } finally {
    controller.abort();
    running.catch(() => undefined);
  }
}
