import assert from 'node:assert/strict';
import { activityContext } from '../../src/activity/activity-context.js';
import type { ActivityTask } from '../../src/backend/backend.js';
import type { HistoryEvent } from '../../src/history/events.js';
import { ActivityTimeoutError, InvalidArgumentError, WorkflowError, type ActivityTimeoutDetails } from '../../src/errors/errors.js';
import { workflow, type ActivityOptions, type WorkflowContext } from '../../src/workflow/index.js';
import { activityOutcomes, typesOf, waitUntil } from '../helpers/engine.js';
import type { E2E } from './harness.js';

// Timeouts fire on timers of the store or the worker; allow for rounding and a loaded machine.
const CLOCK_SLACK_MS = 15;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a workflow returns about an activity that failed: its error's type, timeout kind and permanence. */
interface FailureSeen {
  type: string;
  timeoutType?: string;
  permanent: boolean;
  causeType?: string;
}

function seen(err: unknown): FailureSeen {
  if (!(err instanceof WorkflowError)) throw err;
  const details = err.details as Partial<ActivityTimeoutDetails> | undefined;
  const cause = err.cause instanceof WorkflowError ? { causeType: err.cause.type } : {};
  return { type: err.type, permanent: err.permanent, ...(details?.timeoutType === undefined ? {} : { timeoutType: details.timeoutType }), ...cause };
}

/** Sequence ids from 1 without gaps, and no activity attempt completed twice. */
function assertWhole(history: HistoryEvent[]): void {
  assert.deepEqual(
    history.map((e) => e.sequenceId),
    history.map((_, i) => i + 1),
  );
  const done = history.filter((e) => e.type === 'ActivityCompleted' || e.type === 'ActivityFailed').map((e) => e.scheduleEventId);
  assert.equal(new Set(done).size, done.length, 'each attempt has one outcome');
}

/**
 * Activity timeouts (API.md `ActivityOptions`): an attempt past startToCloseTimeoutMs or heartbeatTimeoutMs fails
 * with `ActivityTimeoutError` and is retried like any failure; the activity past scheduleToCloseTimeoutMs fails
 * for good, queued, running or in a backoff wait; the bounds hold when the attempt's code never settles and when
 * its worker is gone, and a late result is dropped.
 */
export function activityTimeoutScenarios(e2e: E2E): void {
  it('fails a hung attempt at startToCloseTimeoutMs, aborts its signal, frees its slot and retries it', async () => {
    const aborted: unknown[] = [];
    let overlapping = 0;
    let maxOverlap = 0;
    async function hangsFirst(hang: boolean): Promise<string> {
      const { attempt, signal } = activityContext();
      if (hang && attempt === 0) {
        signal.addEventListener('abort', () => aborted.push(signal.reason));
        // Never settles and ignores its signal.
        return new Promise<string>(() => undefined);
      }
      overlapping += 1;
      maxOverlap = Math.max(maxOverlap, overlapping);
      await sleep(20);
      overlapping -= 1;
      return `attempt ${attempt}`;
    }
    async function hungOnce(ctx: WorkflowContext): Promise<string[]> {
      const options: ActivityOptions = { startToCloseTimeoutMs: 300, retry: { maxAttempts: 2, firstRetryIntervalMs: 10 } };
      const first = await workflow.executeActivity(ctx, options, hangsFirst, true);
      // The worker has one activity slot: these run only if the hung attempt gave its slot back.
      const more = await Promise.all([workflow.executeActivity(ctx, {}, hangsFirst, false), workflow.executeActivity(ctx, {}, hangsFirst, false)]);
      return [first, ...more];
    }
    const client = await e2e.engine({ workflows: [hungOnce], activities: [hangsFirst], options: { maxParallelActivityTasks: 1 } });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('hung') }, hungOnce);
    const started = Date.now();
    assert.deepEqual(await client.getWorkflowResult(instance, 10_000), ['attempt 1', 'attempt 0', 'attempt 0']);
    assert.ok(Date.now() - started >= 300 - CLOCK_SLACK_MS);
    assert.equal(aborted.length, 1, 'the hung attempt was told');
    assert.ok(aborted[0] instanceof ActivityTimeoutError && aborted[0].timeoutType === 'startToClose');
    const history = await client.getWorkflowInstanceHistory(instance);
    assertWhole(history);
    assert.deepEqual(activityOutcomes(history).slice(0, 2), [
      { type: 'ActivityFailed', attempt: 0, timeoutType: 'startToClose' },
      { type: 'ActivityCompleted', attempt: 1 },
    ]);
    assert.ok(maxOverlap <= 1);
  });

  it('lets the worker run other attempts after a timeout, within maxParallelActivityTasks', async () => {
    let running = 0;
    let maxRunning = 0;
    async function hangsOrWorks(hang: boolean): Promise<string> {
      if (hang) return new Promise<string>(() => undefined);
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await sleep(30);
      running -= 1;
      return 'worked';
    }
    async function afterTimeouts(ctx: WorkflowContext): Promise<Array<string | FailureSeen>> {
      const once = { startToCloseTimeoutMs: 200, retry: { maxAttempts: 1 } };
      const hung = await Promise.all(
        [1, 2].map((): Promise<string | FailureSeen> => Promise.resolve(workflow.executeActivity(ctx, once, hangsOrWorks, true)).catch(seen)),
      );
      const worked = await Promise.all([1, 2, 3, 4].map(() => workflow.executeActivity(ctx, once, hangsOrWorks, false)));
      return [...hung, ...worked];
    }
    const client = await e2e.engine({ workflows: [afterTimeouts], activities: [hangsOrWorks], options: { maxParallelActivityTasks: 2 } });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('slots') }, afterTimeouts);
    const timedOut: FailureSeen = { type: 'ActivityTimeoutError', permanent: false, timeoutType: 'startToClose' };
    assert.deepEqual(await client.getWorkflowResult(instance, 10_000), [timedOut, timedOut, 'worked', 'worked', 'worked', 'worked']);
    assert.ok(maxRunning <= 2, `at most 2 at once, saw ${maxRunning}`);
    assertWhole(await client.getWorkflowInstanceHistory(instance));
  });

  it('fails an attempt that stops heartbeating at heartbeatTimeoutMs after its last heartbeat', async () => {
    let lastBeatAt = 0;
    let startedAt = 0;
    async function beatsThenHangs(): Promise<string> {
      startedAt = Date.now();
      const context = activityContext();
      // Heartbeats for three times the timeout: each one restarts it.
      for (let i = 0; i < 9; i++) {
        await sleep(100);
        lastBeatAt = Date.now();
        void context.heartbeat({ beat: i });
      }
      return new Promise<string>(() => undefined);
    }
    async function heartbeats(ctx: WorkflowContext): Promise<FailureSeen | string> {
      try {
        return await workflow.executeActivity(ctx, { heartbeatTimeoutMs: 300, retry: { maxAttempts: 1 } }, beatsThenHangs);
      } catch (err) {
        return seen(err);
      }
    }
    const client = await e2e.engine({ workflows: [heartbeats], activities: [beatsThenHangs] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('heartbeat') }, heartbeats);
    assert.deepEqual(await client.getWorkflowResult(instance, 10_000), { type: 'ActivityTimeoutError', permanent: false, timeoutType: 'heartbeat' });
    const failedAt = (await client.getWorkflowInstanceHistory(instance)).find((e) => e.type === 'ActivityFailed')?.timestamp.getTime() ?? 0;
    assert.ok(lastBeatAt - startedAt >= 800, 'it heartbeat for longer than the timeout');
    assert.ok(failedAt >= lastBeatAt + 300 - CLOCK_SLACK_MS, 'not before the timeout after the last heartbeat');
  });

  it('fails an activity whose queue nobody serves at scheduleToCloseTimeoutMs, for good', async () => {
    let runs = 0;
    async function neverServed(): Promise<string> {
      runs += 1;
      return 'ran';
    }
    async function unserved(ctx: WorkflowContext): Promise<FailureSeen | string> {
      try {
        return await workflow.executeActivity(ctx, { queue: 'nobody-serves', scheduleToCloseTimeoutMs: 400 }, neverServed);
      } catch (err) {
        return seen(err);
      }
    }
    const client = await e2e.engine({ workflows: [unserved] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('unserved') }, unserved);
    assert.deepEqual(await client.getWorkflowResult(instance, 10_000), {
      type: 'ActivityTimeoutError',
      permanent: true,
      timeoutType: 'scheduleToClose',
    });
    const history = await client.getWorkflowInstanceHistory(instance);
    assertWhole(history);
    assert.deepEqual(activityOutcomes(history), [{ type: 'ActivityFailed', attempt: 0, timeoutType: 'scheduleToClose' }]);
    const scheduledAt = history.find((e) => e.type === 'ActivityScheduled')?.timestamp.getTime() ?? 0;
    const failedAt = history.find((e) => e.type === 'ActivityFailed')?.timestamp.getTime() ?? 0;
    assert.ok(failedAt - scheduledAt >= 400 - CLOCK_SLACK_MS, 'not before the deadline');
    // A worker that comes for the queue later finds nothing: the task went with the timeout.
    await e2e.engine({ activities: [neverServed], options: { queues: ['nobody-serves'] } }, await e2e.peer());
    await sleep(300);
    assert.equal(runs, 0);
  });

  it('fails an activity whose scheduleToClose deadline falls in a backoff wait at the deadline, with the last error as cause', async () => {
    let runs = 0;
    async function alwaysFails(): Promise<string> {
      runs += 1;
      throw new TypeError('broken');
    }
    async function backsOff(ctx: WorkflowContext): Promise<FailureSeen | string> {
      try {
        const retry = { maxAttempts: 5, firstRetryIntervalMs: 60_000 };
        return await workflow.executeActivity(ctx, { scheduleToCloseTimeoutMs: 500, retry }, alwaysFails);
      } catch (err) {
        return seen(err);
      }
    }
    const client = await e2e.engine({ workflows: [backsOff], activities: [alwaysFails] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('backoff') }, backsOff);
    assert.deepEqual(await client.getWorkflowResult(instance, 10_000), {
      type: 'ActivityTimeoutError',
      permanent: true,
      timeoutType: 'scheduleToClose',
      causeType: 'TypeError',
    });
    assert.equal(runs, 1, 'no attempt after the deadline');
    const history = await client.getWorkflowInstanceHistory(instance);
    assertWhole(history);
    const scheduled = history.find((e) => e.type === 'ActivityScheduled');
    const timer = history.find((e) => e.type === 'TimerScheduled');
    assert.ok(scheduled !== undefined && timer?.type === 'TimerScheduled');
    assert.equal(
      timer.attributes.firesAt.getTime(),
      (scheduled.attributes.timeouts?.scheduleToCloseDeadline as Date).getTime(),
      'the backoff wait ends at the deadline',
    );
  });

  it('ends a running attempt at scheduleToCloseTimeoutMs without retrying it', async () => {
    let runs = 0;
    async function hangs(): Promise<string> {
      runs += 1;
      return new Promise<string>(() => undefined);
    }
    async function runsOut(ctx: WorkflowContext): Promise<FailureSeen | string> {
      try {
        return await workflow.executeActivity(ctx, { scheduleToCloseTimeoutMs: 400, retry: { maxAttempts: 3, firstRetryIntervalMs: 1 } }, hangs);
      } catch (err) {
        return seen(err);
      }
    }
    const client = await e2e.engine({ workflows: [runsOut], activities: [hangs] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('runs-out') }, runsOut);
    assert.deepEqual(await client.getWorkflowResult(instance, 10_000), { type: 'ActivityTimeoutError', permanent: true, timeoutType: 'scheduleToClose' });
    assert.equal(runs, 1);
    assert.deepEqual(activityOutcomes(await client.getWorkflowInstanceHistory(instance)), [
      { type: 'ActivityFailed', attempt: 0, timeoutType: 'scheduleToClose' },
    ]);
  });

  it('times out an attempt whose worker is gone, in the store, and drops that worker’s late completion', async () => {
    async function heldElsewhere(): Promise<string> {
      return 'unused';
    }
    async function abandoned(ctx: WorkflowContext): Promise<Array<FailureSeen | string>> {
      const results: Array<FailureSeen | string> = [];
      for (const options of [{ startToCloseTimeoutMs: 400 }, { heartbeatTimeoutMs: 400 }] as ActivityOptions[]) {
        try {
          results.push(await workflow.executeActivity(ctx, { ...options, queue: 'gone-worker', retry: { maxAttempts: 1 } }, heldElsewhere));
        } catch (err) {
          results.push(seen(err));
        }
      }
      return results;
    }
    const client = await e2e.engine({ workflows: [abandoned] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('abandoned') }, abandoned);
    const backend = e2e.backend();
    const claims: ActivityTask[] = [];
    for (let i = 0; i < 2; i++) {
      // A worker that claims the attempt with a long lease, then dies: only the timeout can end the attempt.
      const controller = new AbortController();
      const [task] = await backend.pollActivityTasks({ queues: ['gone-worker'], max: 1, lockTimeoutMs: 60_000, signal: controller.signal });
      assert.ok(task !== undefined);
      assert.ok(task.timeLeftMs !== undefined && Object.values(task.timeLeftMs).every((ms) => ms > 0 && ms <= 400));
      claims.push(task);
      if (i === 1) {
        // Heartbeats keep the second one alive past its timeout, until they stop.
        for (let beat = 0; beat < 4; beat++) {
          await sleep(150);
          await backend.heartbeatActivityTask(task, 60_000, { beat });
        }
      }
      const claimedAt = Date.now();
      await waitUntil(async () => (await client.getWorkflowInstanceHistory(instance)).filter((e) => e.type === 'ActivityFailed').length > i, 10_000);
      assert.ok(Date.now() - claimedAt >= 400 - CLOCK_SLACK_MS - 150);
    }
    const timedOut = (timeoutType: string): FailureSeen => ({ type: 'ActivityTimeoutError', permanent: false, timeoutType });
    assert.deepEqual(await client.getWorkflowResult(instance, 10_000), [timedOut('startToClose'), timedOut('heartbeat')]);
    // The dead worker comes back and completes both: nothing changes.
    const before = await client.getWorkflowInstanceHistory(instance);
    for (const task of claims) await backend.completeActivityTask(task, { result: 'late' });
    await assert.rejects(backend.heartbeatActivityTask(claims[0] as ActivityTask, 1_000));
    assert.deepEqual(await client.getWorkflowInstanceHistory(instance), before);
    assertWhole(before);
    const stats = await backend.getStats();
    assert.equal(stats.pendingActivityTasks['gone-worker'] ?? 0, 0, 'no task left behind');
  });

  it('refuses a timeout that is not a positive whole number of milliseconds, scheduling nothing', async () => {
    async function neverCalled(): Promise<string> {
      return 'ran';
    }
    async function badTimeouts(ctx: WorkflowContext): Promise<string[]> {
      const bad: ActivityOptions[] = [
        { startToCloseTimeoutMs: 0 },
        { scheduleToCloseTimeoutMs: -5 },
        { heartbeatTimeoutMs: 1.5 },
        { startToCloseTimeoutMs: Infinity },
        { scheduleToCloseTimeoutMs: Number.NaN },
        { heartbeatTimeoutMs: '100' as unknown as number },
      ];
      const refused: string[] = [];
      for (const options of bad) {
        try {
          await workflow.executeActivity(ctx, options, neverCalled);
        } catch (err) {
          refused.push(err instanceof InvalidArgumentError ? err.message.split(' ')[0] ?? '' : `unexpected ${String(err)}`);
        }
      }
      return refused;
    }
    const client = await e2e.engine({ workflows: [badTimeouts], activities: [neverCalled] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('bad-timeouts') }, badTimeouts);
    assert.deepEqual(await client.getWorkflowResult(instance, 10_000), [
      'startToCloseTimeoutMs',
      'scheduleToCloseTimeoutMs',
      'heartbeatTimeoutMs',
      'startToCloseTimeoutMs',
      'scheduleToCloseTimeoutMs',
      'heartbeatTimeoutMs',
    ]);
    assert.ok(!typesOf(await client.getWorkflowInstanceHistory(instance)).includes('ActivityScheduled'));
  });
}
