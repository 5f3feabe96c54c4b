import assert from 'node:assert/strict';
import type { WorkflowTaskCompletion } from '../../src/backend/backend.js';
import { canceledActivityEvent } from '../../src/backend/canceled-before-start.js';
import { CanceledError, NonDeterminismError } from '../../src/errors/errors.js';
import { Executor } from '../../src/executor/executor.js';
import type { WorkflowFunction } from '../../src/executor/workflow-function.js';
import { newEvent, type HistoryEvent, type NewEvent } from '../../src/history/events.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { testLogger } from '../helpers/engine.js';

const instance = { instanceId: 'wf-1', executionId: 'e1' };

/** Runs one task on a fresh executor (so it replays `history` first) and appends what it commits. */
async function run(workflows: Record<string, WorkflowFunction>, history: HistoryEvent[], newEvents: NewEvent[]): Promise<WorkflowTaskCompletion> {
  const executor = new Executor(instance, (name) => workflows[name], testLogger);
  const completion = await executor.executeTask({ historyLength: history.length, history, newEvents });
  history.push(...completion.events);
  return completion;
}

const started = (name: string): NewEvent => newEvent('WorkflowExecutionStarted', { name, queue: 'default', inputs: [] });

/** Schedules activity 'act' (command 1) with retries, sleeps (command 2), then cancels the activity's scope. */
async function cancelsActivity(ctx: WorkflowContext): Promise<string> {
  const [scope, cancel] = workflow.withCancel(ctx);
  const activity = workflow.executeActivity<string>(scope, { retry: { maxAttempts: 3, firstRetryIntervalMs: 1 } }, 'act');
  await workflow.sleep(ctx, 1);
  cancel();
  cancel();
  try {
    return await activity;
  } catch (err) {
    return err instanceof CanceledError ? 'canceled' : 'failed';
  }
}

describe('Executor: cancelling a scheduled activity', () => {
  /** The history up to the task that cancels the activity, and that task's completion. */
  async function cancelled(): Promise<{ history: HistoryEvent[]; completion: WorkflowTaskCompletion }> {
    const history: HistoryEvent[] = [];
    const first = await run({ cancelsActivity }, history, [started('cancelsActivity')]);
    assert.deepEqual(first.activities.map((a) => a.scheduleEventId), [1]);
    const completion = await run({ cancelsActivity }, history, [newEvent('TimerFired', {}, 2)]);
    return { history, completion };
  }

  it('asks the backend once, recording ActivityCancellationRequested, and waits for its answer', async () => {
    const { completion } = await cancelled();
    assert.deepEqual(completion.canceledActivities, [{ scheduleEventId: 1, queue: 'default' }]);
    assert.deepEqual(
      completion.events.filter((e) => e.type === 'ActivityCancellationRequested').map((e) => e.scheduleEventId),
      [1],
    );
    assert.equal(completion.state, 'active', 'the future is still pending');
  });

  it('rejects with the CanceledError the backend answers for an unclaimed attempt, and starts no other attempt', async () => {
    const { history } = await cancelled();
    const done = await run({ cancelsActivity }, history, [canceledActivityEvent(1)]);
    assert.deepEqual(done.canceledActivities, [], 'replay does not ask again');
    assert.deepEqual(done.activities, []);
    assert.deepEqual(done.events.at(-1)?.attributes, { result: 'canceled' });
  });

  it('settles with the outcome of an attempt a worker had claimed', async () => {
    const { history } = await cancelled();
    const done = await run({ cancelsActivity }, history, [newEvent('ActivityCompleted', { result: 'ran anyway' }, 1)]);
    assert.deepEqual(done.events.at(-1)?.attributes, { result: 'ran anyway' });
  });

  it('starts no further attempt when the claimed attempt fails, and rejects with CanceledError', async () => {
    const { history } = await cancelled();
    const failure = { error: { message: 'boom', type: 'Error', permanent: false } };
    const done = await run({ cancelsActivity }, history, [newEvent('ActivityFailed', failure, 1)]);
    assert.deepEqual(done.activities, []);
    assert.deepEqual(done.events.at(-1)?.attributes, { result: 'canceled' });
  });

  it('rejects with CanceledError when a claimed attempt without retries fails after the cancellation', async () => {
    async function noRetries(ctx: WorkflowContext): Promise<string> {
      const [scope, cancel] = workflow.withCancel(ctx);
      const activity = workflow.executeActivity(scope, { retry: { maxAttempts: 1 } }, 'act');
      await workflow.sleep(ctx, 1);
      cancel();
      try {
        await activity;
        return 'succeeded';
      } catch (err) {
        return err instanceof CanceledError ? 'canceled' : 'failed';
      }
    }
    const history: HistoryEvent[] = [];
    await run({ noRetries }, history, [started('noRetries')]);
    await run({ noRetries }, history, [newEvent('TimerFired', {}, 2)]);
    const failure = { error: { message: 'boom', type: 'Error', permanent: false } };
    const done = await run({ noRetries }, history, [newEvent('ActivityFailed', failure, 1)]);
    assert.deepEqual(done.events.at(-1)?.attributes, { result: 'canceled' });
  });

  it('fails replay with NonDeterminismError when the history cancelled an activity the code does not cancel', async () => {
    async function neverCancels(ctx: WorkflowContext): Promise<void> {
      const activity = workflow.executeActivity(ctx, {}, 'act');
      await workflow.sleep(ctx, 1);
      await activity;
    }
    const { history } = await cancelled();
    await assert.rejects(run({ cancelsActivity: neverCancels }, history, [canceledActivityEvent(1)]), (err: unknown) => {
      assert.ok(err instanceof NonDeterminismError);
      assert.match(err.message, /ActivityCancellationRequested/);
      return true;
    });
  });
});
