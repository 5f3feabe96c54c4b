import assert from 'node:assert/strict';
import type { WorkflowTaskCompletion } from '../../src/backend/backend.js';
import { NonDeterminismError, UnknownWorkflowError } from '../../src/errors/errors.js';
import { Executor } from '../../src/executor/executor.js';
import type { WorkflowFunction } from '../../src/executor/workflow-function.js';
import { newEvent, type HistoryEvent, type NewEvent } from '../../src/history/events.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { testLogger } from '../helpers/engine.js';

const instance = { instanceId: 'executor-test', executionId: 'e1' };

/** Drives executors the way a worker does, over one shared history. */
class Driver {
  history: HistoryEvent[] = [];
  private readonly workflows: Record<string, WorkflowFunction>;
  constructor(workflows: Record<string, WorkflowFunction>) {
    this.workflows = workflows;
  }

  executor(): Executor {
    return new Executor(instance, (name) => this.workflows[name], testLogger);
  }

  async run(executor: Executor, newEvents: NewEvent[]): Promise<WorkflowTaskCompletion> {
    const completion = await executor.executeTask({
      historyLength: this.history.length,
      history: this.history.slice(executor.historyLength),
      newEvents,
    });
    this.history.push(...completion.events);
    return completion;
  }
}

const started = (name: string, ...inputs: unknown[]): NewEvent => newEvent('WorkflowExecutionStarted', { name, queue: 'default', inputs });
const completed = (scheduleEventId: number, result: unknown): NewEvent => newEvent('ActivityCompleted', { result }, scheduleEventId);

describe('Executor', () => {
  it('schedules an activity in the first task and completes on its result (X-01, X-02, X-04)', async () => {
    let entered = 0;
    async function oneActivity(ctx: WorkflowContext): Promise<number> {
      entered += 1;
      return await workflow.executeActivity<number>(ctx, {}, 'double', 21);
    }
    const driver = new Driver({ oneActivity });
    const executor = driver.executor();
    const first = await driver.run(executor, [started('oneActivity')]);
    assert.deepEqual(first.activities, [{ scheduleEventId: 1, name: 'double', queue: 'default', inputs: [21], attempt: 0 }]);
    assert.equal(first.state, 'active');
    const second = await driver.run(executor, [completed(1, 42)]);
    assert.equal(second.state, 'finished');
    assert.deepEqual(second.events.at(-1)?.attributes, { result: 42 });
    assert.equal(entered, 1, 'a live executor never re-runs the workflow body');
  });

  it('catches up by replaying only the history it missed', async () => {
    const replayedSteps: number[] = [];
    async function threeSteps(ctx: WorkflowContext): Promise<number> {
      let total = 0;
      for (let step = 1; step <= 3; step++) {
        total += await workflow.executeActivity<number>(ctx, {}, 'value', step);
        if (workflow.replaying(ctx)) replayedSteps.push(step);
      }
      return total;
    }
    const driver = new Driver({ threeSteps });
    const behind = driver.executor();
    await driver.run(behind, [started('threeSteps')]); // task 1 on the executor that will fall behind
    const lengthAfterTask1 = behind.historyLength;
    const other = driver.executor();
    const task2 = await driver.run(other, [completed(1, 10)]); // another worker did task 2 (full replay there)
    assert.deepEqual(replayedSteps, [], 'the first step completed live on the other executor');
    assert.equal(task2.activities[0]?.scheduleEventId, 2);
    const task3 = await driver.run(behind, [completed(2, 20)]);
    assert.deepEqual(replayedSteps, [1], 'the behind executor replayed only task 2');
    assert.ok(lengthAfterTask1 < behind.historyLength);
    assert.deepEqual(task3.activities.map((a) => [a.scheduleEventId, a.inputs]), [[3, [3]]]);
    const task4 = await driver.run(behind, [completed(3, 30)]);
    assert.deepEqual(task4.events.at(-1)?.attributes, { result: 60 });
  });

  it('names both sides of a replay mismatch and commits nothing of the diverged run', async () => {
    let variant = 'first';
    async function changes(ctx: WorkflowContext): Promise<void> {
      await workflow.executeActivity(ctx, {}, variant === 'first' ? 'chargeCard' : 'sendInvoice');
      await workflow.sleep(ctx, 10);
    }
    const driver = new Driver({ changes });
    await driver.run(driver.executor(), [started('changes')]);
    variant = 'second';
    const replaying = driver.executor();
    const task = { historyLength: driver.history.length, history: driver.history, newEvents: [completed(1, null)] };
    const diverged = await replaying.executeTask(task).then(
      () => assert.fail('the replay should diverge'),
      (err: unknown) => err,
    );
    assert.ok(diverged instanceof NonDeterminismError);
    assert.match(diverged.message, /chargeCard/);
    assert.match(diverged.message, /sendInvoice/);
    assert.ok(!replaying.ended, 'a diverged replay ends nothing by itself');
    // To fail the execution instead, the worker commits this completion.
    const failed = replaying.failedCompletion(task, diverged);
    assert.equal(failed.state, 'finished');
    assert.deepEqual(failed.activities, []);
    assert.deepEqual(failed.timers, []);
    const error = (failed.events.at(-1)?.attributes as { error: { type: string; message: string } }).error;
    assert.equal(error.type, 'NonDeterminismError');
    assert.match(error.message, /chargeCard/);
    assert.ok(replaying.ended);
  });

  it('throws UnknownWorkflowError for a workflow it has no code for, recording nothing', async () => {
    const driver = new Driver({});
    await assert.rejects(driver.run(driver.executor(), [started('missing')]), (err: unknown) => {
      assert.ok(err instanceof UnknownWorkflowError);
      assert.equal(err.workflowName, 'missing');
      assert.equal(err.queue, 'default');
      return true;
    });
    assert.deepEqual(driver.history, []);
  });

  it('detects a command the history does not have', async () => {
    let extra = false;
    async function growsACommand(ctx: WorkflowContext): Promise<void> {
      await workflow.sleep(ctx, 5);
      if (extra) void workflow.executeActivity(ctx, {}, 'sneaky');
      await workflow.sleep(ctx, 5);
    }
    const driver = new Driver({ growsACommand });
    await driver.run(driver.executor(), [started('growsACommand')]);
    await driver.run(driver.executor(), [newEvent('TimerFired', {}, 1)]);
    extra = true;
    await assert.rejects(driver.run(driver.executor(), [newEvent('TimerFired', {}, 2)]), (err: unknown) => {
      assert.ok(err instanceof NonDeterminismError);
      assert.match(err.message, /sneaky/);
      return true;
    });
  });

  it('replays side effects from the history without running them again (E-08)', async () => {
    let runs = 0;
    async function effect(ctx: WorkflowContext): Promise<number> {
      const value = await workflow.sideEffect(ctx, () => ++runs * 100);
      await workflow.sleep(ctx, 1);
      return value;
    }
    const driver = new Driver({ effect });
    await driver.run(driver.executor(), [started('effect')]);
    const done = await driver.run(driver.executor(), [newEvent('TimerFired', {}, 2)]);
    assert.equal(runs, 1);
    assert.deepEqual(done.events.at(-1)?.attributes, { result: 100 });
  });

  it('ignores a TimerFired for a timer it already cancelled (E-30)', async () => {
    async function cancelsTimer(ctx: WorkflowContext): Promise<string> {
      const [timerCtx, cancel] = workflow.withCancel(ctx);
      const timer = workflow.scheduleTimer(timerCtx, 1_000);
      await workflow.sleep(ctx, 1);
      cancel();
      const outcome = await timer.then(() => 'fired', () => 'canceled');
      await workflow.sleep(ctx, 1);
      return outcome;
    }
    const driver = new Driver({ cancelsTimer });
    const executor = driver.executor();
    await driver.run(executor, [started('cancelsTimer')]);
    const second = await driver.run(executor, [newEvent('TimerFired', {}, 2)]);
    assert.deepEqual(second.canceledTimers, [1]);
    const third = await driver.run(executor, [newEvent('TimerFired', {}, 1), newEvent('TimerFired', {}, 3)]);
    assert.deepEqual(third.events.at(-1)?.attributes, { result: 'canceled' });
  });
});
