import assert from 'node:assert/strict';
import { Client } from '../../src/client/client.js';
import { activityContext } from '../../src/activity/activity-context.js';
import {
  CanceledError,
  InstanceAlreadyExistsError,
  InstanceNotFoundError,
  InvalidArgumentError,
  NonDeterminismError,
  WaitTimeoutError,
  WorkflowError,
  permanentError,
} from '../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import type { HeldWorkflowInstanceInfo } from '../../src/backend/backend.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { withOverrides } from '../helpers/backend-overrides.js';
import { typesOf, waitUntil } from '../helpers/engine.js';
import { captureLogs } from '../helpers/log-capture.js';
import { e2eGroup, type SettingsBackendFactory } from './harness.js';

// Quick held-task backoff (20 ms doubling to 200 ms), with a maxAttempts that holds waiting for a deploy ignore.
const quickHold = { firstRetryIntervalMs: 20, maxRetryIntervalMs: 200, maxAttempts: 2 };

/** Waits until `instance` is listed as held with at least `attempts` attempts, and returns its listing. */
async function heldAtLeast(client: Client, instance: WorkflowInstance, attempts: number): Promise<HeldWorkflowInstanceInfo> {
  let found: HeldWorkflowInstanceInfo | undefined;
  const held = await waitUntil(async () => {
    found = (await client.listHeldWorkflowInstances()).instances.find((info) => info.instance.executionId === instance.executionId);
    return found !== undefined && found.attempts >= attempts;
  }, 10_000);
  assert.ok(held && found !== undefined, `instance held at least ${attempts} times`);
  return found;
}

/**
 * The end-to-end scenarios of the core engine (basics, activities, retries, timers, side effects, errors,
 * executor cache), run once with the executor cache and once without it (full replay on every task).
 */
export function e2eSuite(backendName: string, createBackend: SettingsBackendFactory): void {
  e2eGroup('end to end', backendName, createBackend, (e2e) => {
    const { engine, run, id: nextId, executorCacheSize } = e2e;

    // ---- basics --------------------------------------------------------------------------------------

    it('runs a simple workflow and returns its result (E-01)', async () => {
      async function simple(_ctx: WorkflowContext, msg: string): Promise<string> {
        return `${msg} world`;
      }
      assert.equal(await run({ workflows: [simple] }, simple, 'hello'), 'hello world');
    });

    it('records the expected history of a one-task workflow (E-03)', async () => {
      async function simpleHistory(_ctx: WorkflowContext, msg: string): Promise<string> {
        return `${msg} world`;
      }
      const client = await engine({ workflows: [simpleHistory] });
      const instance = await client.createWorkflowInstance({ instanceId: nextId('history') }, simpleHistory, 'hello');
      await client.waitForWorkflowInstance(instance, 10_000);
      const history = await client.getWorkflowInstanceHistory(instance);
      assert.deepEqual(typesOf(history), ['WorkflowTaskStarted', 'WorkflowExecutionStarted', 'WorkflowExecutionFinished']);
      assert.deepEqual(history.map((e) => e.sequenceId), [1, 2, 3]);
      assert.ok(history.every((e) => e.timestamp instanceof Date));
      assert.deepEqual(history[2]?.attributes, { result: 'hello world' });
      assert.equal(await client.getWorkflowInstanceState(instance), 'finished');
    });

    it('holds an instance whose workflow no worker registered until a worker that registers it runs it (E-04)', async () => {
      async function registeredOne(): Promise<void> {}
      async function registeredLater(_ctx: WorkflowContext, who: string): Promise<string> {
        return `hello ${who}`;
      }
      const logs = captureLogs();
      const client = await engine({ workflows: [registeredOne], options: { heldTaskRetry: quickHold, logger: logs.logger } });
      const instance = await client.createWorkflowInstance({ instanceId: nextId('unknown') }, 'registeredLater', 'Ada');
      // Past maxAttempts: a task waiting for a deploy never parks.
      const held = await heldAtLeast(client, instance, quickHold.maxAttempts + 1);
      assert.equal(held.reason, 'unknown-workflow');
      assert.equal(held.error.type, 'UnknownWorkflowError');
      assert.match(held.error.message, /registeredLater/);
      assert.equal(held.parked, false);
      assert.equal(await client.getWorkflowInstanceState(instance), 'active');
      assert.deepEqual(await client.getWorkflowInstanceHistory(instance), [], 'nothing recorded');
      assert.equal(logs.count(/workflow registeredLater is not registered on this worker/), 1, 'one warning, however often it comes back');
      assert.equal(logs.lines.filter((line) => line.level >= 50).length, 0, 'no error logged');

      await engine({ workflows: [registeredLater], options: { heldTaskRetry: quickHold } });
      assert.equal(await client.getWorkflowResult(instance, 10_000), 'hello Ada');
      assert.deepEqual((await client.listHeldWorkflowInstances()).instances, []);
    });

    it('rejects a duplicate active instance id and allows reuse once finished', async () => {
      async function waitsForTimer(ctx: WorkflowContext): Promise<string> {
        await workflow.sleep(ctx, 300);
        return 'done';
      }
      const client = await engine({ workflows: [waitsForTimer] });
      const instanceId = nextId('dup');
      const first = await client.createWorkflowInstance({ instanceId }, waitsForTimer);
      await assert.rejects(client.createWorkflowInstance({ instanceId }, waitsForTimer), InstanceAlreadyExistsError);
      assert.equal(await client.getWorkflowResult(first, 10_000), 'done');
      const second = await client.createWorkflowInstance({ instanceId }, waitsForTimer);
      assert.notEqual(second.executionId, first.executionId);
      assert.equal(await client.getWorkflowResult(second, 10_000), 'done');
    });

    it('rejects bad input with a clear error and writes nothing', async () => {
      async function takesArg(_ctx: WorkflowContext, _arg: unknown): Promise<void> {}
      const client = await engine({ workflows: [takesArg] });
      const instanceId = nextId('bad');
      await assert.rejects(client.createWorkflowInstance({ instanceId }, takesArg, () => 1), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.match(err.message, /function/);
        return true;
      });
      await assert.rejects(client.createWorkflowInstance({ instanceId }, takesArg, { s: Symbol('x') }), /symbol/);
      await assert.rejects(client.getWorkflowInstanceState({ instanceId, executionId: 'none' }), InstanceNotFoundError);
      await assert.rejects(client.createWorkflowInstance({ instanceId: '' }, takesArg, 1), InvalidArgumentError);
      await assert.rejects(client.createWorkflowInstance({ instanceId: 'a\nb' }, takesArg, 1), InvalidArgumentError);
      await assert.rejects(client.createWorkflowInstance({ instanceId, queue: 'no spaces' }, takesArg, 1), InvalidArgumentError);
      await assert.rejects(client.createWorkflowInstance({ instanceId, queue: '' }, takesArg, 1), InvalidArgumentError);
      for (const maxPayloadBytes of [0, -1, 1.5, Number.NaN, Infinity]) {
        assert.throws(() => new Client(e2e.backend(), { maxPayloadBytes }), (err: unknown) => err instanceof InvalidArgumentError && /maxPayloadBytes/.test(err.message));
      }
      const small = new Client(e2e.backend(), { maxPayloadBytes: 1024 });
      await assert.rejects(small.createWorkflowInstance({ instanceId }, takesArg, 'x'.repeat(2048)), /more than the limit of 1024 bytes/);
      // Nothing was written under that id: it can be created now.
      const ok = await client.createWorkflowInstance({ instanceId }, takesArg, 1);
      await client.getWorkflowResult(ok, 10_000);
    });

    it('rejects unknown executions with InstanceNotFoundError', async () => {
      const client = await engine({});
      const ghost = { instanceId: nextId('ghost'), executionId: 'nope' };
      await assert.rejects(client.getWorkflowInstanceState(ghost), InstanceNotFoundError);
      await assert.rejects(client.getWorkflowInstanceHistory(ghost), InstanceNotFoundError);
      await assert.rejects(client.getWorkflowResult(ghost, 100), InstanceNotFoundError);
    });

    it('times out a wait with WaitTimeoutError while the workflow keeps running', async () => {
      async function slowTimer(ctx: WorkflowContext): Promise<number> {
        await workflow.sleep(ctx, 600);
        return 1;
      }
      const client = await engine({ workflows: [slowTimer] });
      const instance = await client.createWorkflowInstance({ instanceId: nextId('timeout') }, slowTimer);
      await assert.rejects(client.getWorkflowResult(instance, 50), WaitTimeoutError);
      await assert.rejects(client.waitForWorkflowInstance(instance, 50), WaitTimeoutError);
      assert.equal(await client.getWorkflowResult(instance, 10_000), 1);
    });

    // ---- activities ----------------------------------------------------------------------------------

    it('passes arguments and results of activities through the history', async () => {
      async function add(a: number, b: number): Promise<number> {
        return a + b;
      }
      async function shapes(): Promise<{ when: Date; nested: { list: number[] }; nothing: undefined; big: string }> {
        return { when: new Date(86_400_000), nested: { list: [1, 2, 3] }, nothing: undefined, big: 'x'.repeat(10_000) };
      }
      async function usesActivities(ctx: WorkflowContext): Promise<[number, boolean, number, number]> {
        const sum = await workflow.executeActivity(ctx, {}, add, 35, 12);
        const obj = await workflow.executeActivity(ctx, {}, shapes);
        return [sum, obj.when instanceof Date, obj.nested.list.length, obj.big.length];
      }
      assert.deepEqual(await run({ workflows: [usesActivities], activities: [add, shapes] }, usesActivities), [47, true, 3, 10_000]);
    });

    it('runs 100 activities concurrently and consumes them one by one with Promise.race (E-02)', async () => {
      async function answer(i: number): Promise<number> {
        return i;
      }
      async function lotsOfActivities(ctx: WorkflowContext): Promise<number> {
        const pending = new Map<number, PromiseLike<number>>();
        for (let i = 0; i < 100; i++) {
          pending.set(i, workflow.executeActivity(ctx, {}, answer, i).then((v) => (pending.delete(v), v)));
        }
        let sum = 0;
        while (pending.size > 0) sum += await Promise.race(pending.values());
        return sum;
      }
      assert.equal(await run({ workflows: [lotsOfActivities], activities: [answer] }, lotsOfActivities), 4950);
    });

    it('keeps the type and message of an activity error (E-22, E-23)', async () => {
      class CustomError extends Error {
        override name = 'CustomError';
      }
      async function throwsCustom(): Promise<void> {
        throw new CustomError('custom error');
      }
      async function throwsTypeError(): Promise<void> {
        return void (null as unknown as { x: number }).x;
      }
      async function inspectsErrors(ctx: WorkflowContext): Promise<string[]> {
        const seen: string[] = [];
        for (const activity of [throwsCustom, throwsTypeError]) {
          try {
            await workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, activity);
          } catch (err) {
            assert.ok(err instanceof WorkflowError);
            seen.push(`${err.type}:${err.permanent}:${err.message.slice(0, 12)}`);
          }
        }
        return seen;
      }
      assert.deepEqual(await run({ workflows: [inspectsErrors], activities: [throwsCustom, throwsTypeError] }, inspectsErrors), [
        'CustomError:false:custom error',
        'TypeError:false:Cannot read ',
      ]);
    });

    it('gives activities a 0-based attempt and retries until success (E-24, T-07)', async () => {
      let maxAttempt = -1;
      async function flaky(): Promise<string> {
        const { attempt } = activityContext();
        maxAttempt = Math.max(maxAttempt, attempt);
        if (attempt < 2) throw new Error(`attempt ${attempt} failed`);
        return 'ok';
      }
      async function retries(ctx: WorkflowContext): Promise<string> {
        return workflow.executeActivity(ctx, { retry: { maxAttempts: 4, firstRetryIntervalMs: 10 } }, flaky);
      }
      const client = await engine({ workflows: [retries], activities: [flaky] });
      const instance = await client.createWorkflowInstance({ instanceId: nextId('attempts') }, retries);
      assert.equal(await client.getWorkflowResult(instance, 10_000), 'ok');
      assert.equal(maxAttempt, 2);
      const history = await client.getWorkflowInstanceHistory(instance);
      const scheduled = history.filter((e) => e.type === 'ActivityScheduled').map((e) => (e.attributes as { attempt: number }).attempt);
      assert.deepEqual(scheduled, [0, 1, 2]);
      const backoffs = history.filter((e) => e.type === 'TimerScheduled');
      assert.equal(backoffs.length, 2, 'each backoff wait is a durable timer in the history');
    });

    it('rejects with the last error once retries are exhausted (T-06)', async () => {
      let calls = 0;
      async function alwaysFails(): Promise<void> {
        calls += 1;
        throw new Error(`failure ${calls}`);
      }
      async function exhausts(ctx: WorkflowContext): Promise<void> {
        await workflow.executeActivity(ctx, { retry: { maxAttempts: 2, firstRetryIntervalMs: 5 } }, alwaysFails);
      }
      await assert.rejects(run({ workflows: [exhausts], activities: [alwaysFails] }, exhausts), /failure 2/);
      assert.equal(calls, 2);
    });

    it('waits the documented backoff between attempts', async () => {
      async function failsTwice(): Promise<number> {
        if (activityContext().attempt < 2) throw new Error('again');
        return 1;
      }
      async function backoff(ctx: WorkflowContext): Promise<number[]> {
        await workflow.executeActivity(ctx, { retry: { maxAttempts: 3, firstRetryIntervalMs: 100, backoffCoefficient: 3 } }, failsTwice);
        return [];
      }
      const client = await engine({ workflows: [backoff], activities: [failsTwice] });
      const instance = await client.createWorkflowInstance({ instanceId: nextId('backoff') }, backoff);
      await client.getWorkflowResult(instance, 10_000);
      const history = await client.getWorkflowInstanceHistory(instance);
      const delays = history.flatMap((e, i) => {
        if (e.type !== 'TimerScheduled') return [];
        const started = history.slice(0, i).findLast((x) => x.type === 'WorkflowTaskStarted');
        return [e.attributes.firesAt.getTime() - (started?.timestamp.getTime() ?? 0)];
      });
      assert.deepEqual(delays, [100, 300]);
    });

    it('stops retrying at a permanent error (T-14)', async () => {
      let calls = 0;
      async function permanentOnSecond(): Promise<void> {
        calls += 1;
        if (activityContext().attempt === 0) throw new Error('transient');
        throw permanentError('permanent error');
      }
      async function stopsEarly(ctx: WorkflowContext): Promise<void> {
        await workflow.executeActivity(ctx, { retry: { maxAttempts: 5, firstRetryIntervalMs: 5 } }, permanentOnSecond);
      }
      await assert.rejects(run({ workflows: [stopsEarly], activities: [permanentOnSecond] }, stopsEarly), (err: unknown) => {
        assert.ok(err instanceof WorkflowError);
        assert.equal(err.message, 'permanent error');
        assert.equal(err.permanent, true);
        return true;
      });
      assert.equal(calls, 2);
    });

    it('gives an activity no worker registered back until a worker that registers it runs it (E-06)', async () => {
      let runs = 0;
      async function registeredLaterActivity(x: number): Promise<number> {
        runs += 1;
        return x * 2;
      }
      async function callsLater(ctx: WorkflowContext): Promise<number> {
        return workflow.executeActivity<number>(ctx, {}, 'registeredLaterActivity', 21);
      }
      async function someActivity(): Promise<void> {}
      await e2e.client();
      const store = e2e.backend();
      let givenBack = 0;
      const counting = withOverrides(store, {
        releaseActivityTask: (task, retryAfterMs) => {
          if (retryAfterMs !== undefined) givenBack += 1;
          return store.releaseActivityTask(task, retryAfterMs);
        },
      });
      const logs = captureLogs();
      const quick = { heldTaskRetry: quickHold };
      const options = { ...quick, logger: logs.logger };
      const client = await engine({ workflows: [callsLater], activities: [someActivity], options }, counting);
      const instance = await client.createWorkflowInstance({ instanceId: nextId('missing') }, callsLater);
      assert.ok(await waitUntil(() => givenBack >= 3, 10_000), 'the task keeps coming back');
      assert.equal(logs.count(/activity registeredLaterActivity is not registered on this worker/), 1, 'one warning for all of them');
      assert.equal(await client.getWorkflowInstanceState(instance), 'active');
      const waiting = typesOf(await client.getWorkflowInstanceHistory(instance));
      assert.ok(!waiting.includes('ActivityFailed') && !waiting.includes('ActivityCompleted'), 'nothing reached the workflow');

      await engine({ activities: [registeredLaterActivity], options: quick });
      assert.equal(await client.getWorkflowResult(instance, 10_000), 42);
      assert.equal(runs, 1);
      const history = await client.getWorkflowInstanceHistory(instance);
      assert.equal(history.filter((e) => e.type === 'ActivityScheduled').length, 1, 'the same attempt, never failed');
    });

    it('extends the lease of a long activity through heartbeats (E-25)', async () => {
      async function longRunning(): Promise<string> {
        const ctx = activityContext();
        // Runs well past its lock timeout: only the extensions keep it from being handed to another poller.
        for (let i = 0; i < 6; i++) {
          await new Promise((resolve) => setTimeout(resolve, 150));
          await ctx.heartbeat({ progress: i });
        }
        return ctx.signal.aborted ? 'aborted' : 'finished';
      }
      async function heartbeats(ctx: WorkflowContext): Promise<string> {
        return workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, longRunning);
      }
      const result = await run({ workflows: [heartbeats], activities: [longRunning], options: { activityLockTimeoutMs: 500 } }, heartbeats);
      assert.equal(result, 'finished');
    });

    it('rejects activity arguments the codec cannot encode inside the workflow', async () => {
      async function anyArg(_x: unknown): Promise<void> {}
      async function badArgs(ctx: WorkflowContext): Promise<string> {
        try {
          await workflow.executeActivity(ctx, {}, anyArg, () => 1);
          return 'scheduled';
        } catch (err) {
          return (err as Error).name;
        }
      }
      assert.equal(await run({ workflows: [badArgs], activities: [anyArg] }, badArgs), 'InvalidArgumentError');
    });

    // ---- timers --------------------------------------------------------------------------------------

    it('advances workflow time across durable timers (T-19)', async () => {
      async function timeTravel(ctx: WorkflowContext): Promise<[number, number]> {
        const t1 = workflow.now(ctx).getTime();
        await workflow.sleep(ctx, 200);
        const t2 = workflow.now(ctx).getTime();
        return [t1, t2];
      }
      const [t1, t2] = await run({ workflows: [timeTravel] }, timeTravel);
      assert.ok(t2 - t1 >= 200, `time advanced by ${t2 - t1} ms`);
    });

    it('drops a timer cancelled before its task committed: no TimerScheduled (E-27)', async () => {
      async function quick(): Promise<void> {}
      async function cancelBeforeCommit(ctx: WorkflowContext): Promise<string> {
        const [timerCtx, cancel] = workflow.withCancel(ctx);
        const timer = workflow.scheduleTimer(timerCtx, 10_000);
        cancel();
        await workflow.executeActivity(ctx, {}, quick);
        try {
          await timer;
          return 'fired';
        } catch (err) {
          return workflow.isCanceled(err) ? 'canceled' : 'other';
        }
      }
      const client = await engine({ workflows: [cancelBeforeCommit], activities: [quick] });
      const instance = await client.createWorkflowInstance({ instanceId: nextId('cancel-early') }, cancelBeforeCommit);
      assert.equal(await client.getWorkflowResult(instance, 10_000), 'canceled');
      const types = typesOf(await client.getWorkflowInstanceHistory(instance));
      assert.ok(!types.includes('TimerScheduled'));
      assert.ok(!types.includes('TimerCanceled'));
    });

    it('records TimerCanceled once for a timer cancelled twice (E-28, E-29)', async () => {
      async function quick(): Promise<void> {}
      async function cancelTwice(ctx: WorkflowContext): Promise<string> {
        const [timerCtx, cancel] = workflow.withCancel(ctx);
        const timer = workflow.scheduleTimer(timerCtx, 1_500);
        await workflow.executeActivity(ctx, {}, quick);
        cancel();
        await workflow.executeActivity(ctx, {}, quick);
        cancel();
        await workflow.executeActivity(ctx, {}, quick);
        await workflow.sleep(ctx, 1_700);
        return timer.then(() => 'fired', (err: unknown) => (workflow.isCanceled(err) ? 'canceled' : 'other'));
      }
      const client = await engine({ workflows: [cancelTwice], activities: [quick] });
      const instance = await client.createWorkflowInstance({ instanceId: nextId('cancel-twice') }, cancelTwice);
      assert.equal(await client.getWorkflowResult(instance, 10_000), 'canceled');
      const types = typesOf(await client.getWorkflowInstanceHistory(instance));
      assert.equal(types.filter((t) => t === 'TimerScheduled').length, 2);
      assert.equal(types.filter((t) => t === 'TimerCanceled').length, 1);
      assert.equal(types.filter((t) => t === 'TimerFired').length, 1, 'only the sleep fired; the cancelled timer never did');
    });

    it('ignores a timer that comes due while the task cancelling it runs (E-30)', async () => {
      async function scheduleCancelRace(ctx: WorkflowContext): Promise<string> {
        const [timerCtx, cancel] = workflow.withCancel(ctx);
        const timer = workflow.scheduleTimer(timerCtx, 200);
        await workflow.sleep(ctx, 1);
        cancel();
        const outcome = await timer.then(() => 'fired', () => 'canceled');
        if (!workflow.replaying(ctx)) {
          const until = Date.now() + 300;
          while (Date.now() < until) {
            // Blocks the task past the timer's due time, so it fires while the cancel is not committed.
          }
        }
        await workflow.sleep(ctx, 50);
        return outcome;
      }
      assert.equal(await run({ workflows: [scheduleCancelRace] }, scheduleCancelRace), 'canceled');
    });

    it('settles a cancelled timer at once, in the same workflow time (T-21)', async () => {
      async function cancelledTimerTime(ctx: WorkflowContext): Promise<number> {
        const start = workflow.now(ctx).getTime();
        const [timerCtx, cancel] = workflow.withCancel(ctx);
        const timer = workflow.scheduleTimer(timerCtx, 30_000);
        cancel();
        await timer.then(undefined, () => undefined);
        return workflow.now(ctx).getTime() - start;
      }
      assert.equal(await run({ workflows: [cancelledTimerTime] }, cancelledTimerTime), 0);
    });

    it('handles ten timers cancelled while activities run (T-26)', async () => {
      async function quick(): Promise<void> {}
      async function manyTimers(ctx: WorkflowContext): Promise<number> {
        const timers: Array<PromiseLike<void>> = [];
        for (let i = 0; i < 10; i++) {
          const [timerCtx, cancel] = workflow.withCancel(ctx);
          timers.push(workflow.scheduleTimer(timerCtx, 10_000));
          await workflow.executeActivity(ctx, {}, quick);
          cancel();
        }
        const settled = await Promise.allSettled(timers);
        return settled.filter((s) => s.status === 'rejected' && workflow.isCanceled(s.reason)).length;
      }
      const client = await engine({ workflows: [manyTimers], activities: [quick] });
      const instance = await client.createWorkflowInstance({ instanceId: nextId('many-timers') }, manyTimers);
      assert.equal(await client.getWorkflowResult(instance, 10_000), 10);
      const types = typesOf(await client.getWorkflowInstanceHistory(instance));
      assert.equal(types.filter((t) => t === 'TimerCanceled').length, 10);
      assert.equal(types.filter((t) => t === 'TimerFired').length, 0);
    });

    it('cancels pending timers when the workflow returns (T-24)', async () => {
      async function quick(): Promise<string> {
        return 'activity';
      }
      async function returnsWithPendingTimer(ctx: WorkflowContext): Promise<string> {
        void workflow.scheduleTimer(ctx, 60_000);
        return workflow.executeActivity(ctx, {}, quick);
      }
      const client = await engine({ workflows: [returnsWithPendingTimer], activities: [quick] });
      const instance = await client.createWorkflowInstance({ instanceId: nextId('pending-timer') }, returnsWithPendingTimer);
      assert.equal(await client.getWorkflowResult(instance, 10_000), 'activity');
      const types = typesOf(await client.getWorkflowInstanceHistory(instance));
      assert.deepEqual(types.slice(-2), ['TimerCanceled', 'WorkflowExecutionFinished']);
    });

    it('rejects a backoff timer at once when the scope is cancelled during retries (T-16, T-18)', async () => {
      let calls = 0;
      async function failing(): Promise<void> {
        calls += 1;
        throw new Error('operation failed');
      }
      async function cancelDuringBackoff(ctx: WorkflowContext): Promise<string> {
        const [retryCtx, cancel] = workflow.withCancel(ctx);
        const result = workflow.executeActivity(retryCtx, { retry: { maxAttempts: 5, firstRetryIntervalMs: 10_000 } }, failing);
        await workflow.sleep(ctx, 300);
        cancel();
        return result.then(() => 'ok', (err: unknown) => (err instanceof CanceledError ? 'canceled' : String(err)));
      }
      const client = await engine({ workflows: [cancelDuringBackoff], activities: [failing] });
      const instance = await client.createWorkflowInstance({ instanceId: nextId('cancel-backoff') }, cancelDuringBackoff);
      assert.equal(await client.getWorkflowResult(instance, 5_000), 'canceled');
      assert.equal(calls, 1);
      assert.ok(typesOf(await client.getWorkflowInstanceHistory(instance)).includes('TimerCanceled'));
    });

    it('never runs work created in an already-cancelled scope (T-15)', async () => {
      let calls = 0;
      async function mustNotRun(): Promise<void> {
        calls += 1;
      }
      async function cancelledFirst(ctx: WorkflowContext): Promise<string[]> {
        const [scoped, cancel] = workflow.withCancel(ctx);
        cancel();
        const outcomes = await Promise.allSettled([
          workflow.executeActivity(scoped, {}, mustNotRun),
          workflow.executeActivity(scoped, { retry: { maxAttempts: 1 } }, mustNotRun),
          workflow.scheduleTimer(scoped, 10),
        ]);
        return outcomes.map((o) => (o.status === 'rejected' && workflow.isCanceled(o.reason) ? 'canceled' : o.status));
      }
      const client = await engine({ workflows: [cancelledFirst], activities: [mustNotRun] });
      const instance = await client.createWorkflowInstance({ instanceId: nextId('precancel') }, cancelledFirst);
      assert.deepEqual(await client.getWorkflowResult(instance, 10_000), ['canceled', 'canceled', 'canceled']);
      assert.equal(calls, 0);
      const types = typesOf(await client.getWorkflowInstanceHistory(instance));
      assert.ok(!types.includes('ActivityScheduled') && !types.includes('TimerScheduled'));
    });

    it('lets a started activity finish when its scope is cancelled, without retrying a failure (T-17)', async () => {
      let calls = 0;
      // The activities must have started when the scope is cancelled: the workflow waits 400 ms for that (a
      // loaded machine may take a while to start them), and they run 1.2 s, so that they are still running then.
      async function slowThenFail(): Promise<void> {
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        throw new Error('operation failed');
      }
      async function slowThenSucceed(): Promise<string> {
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        return 'finished anyway';
      }
      async function cancelWhileRunning(ctx: WorkflowContext): Promise<string[]> {
        const [scoped, cancel] = workflow.withCancel(ctx);
        const failing = workflow.executeActivity(scoped, { retry: { maxAttempts: 3, firstRetryIntervalMs: 10 } }, slowThenFail);
        const succeeding = workflow.executeActivity(scoped, {}, slowThenSucceed);
        await workflow.sleep(ctx, 400);
        cancel();
        const settled = await Promise.allSettled([failing, succeeding]);
        return settled.map((s) => (s.status === 'fulfilled' ? String(s.value) : workflow.isCanceled(s.reason) ? 'canceled' : 'failed'));
      }
      const client = await engine({ workflows: [cancelWhileRunning], activities: [slowThenFail, slowThenSucceed] });
      const instance = await client.createWorkflowInstance({ instanceId: nextId('running-cancel') }, cancelWhileRunning);
      assert.deepEqual(await client.getWorkflowResult(instance, 10_000), ['canceled', 'finished anyway']);
      assert.equal(calls, 1);
    });

    it('rejects the workflow with CanceledError when it lets cancellation escape', async () => {
      async function letsCancelEscape(ctx: WorkflowContext): Promise<void> {
        const [scoped, cancel] = workflow.withCancel(ctx);
        cancel();
        await workflow.sleep(scoped, 10);
      }
      await assert.rejects(run({ workflows: [letsCancelEscape] }, letsCancelEscape), CanceledError);
    });

    // ---- side effects and determinism ----------------------------------------------------------------

    it('runs side effects once and replays their recorded values (E-08)', async () => {
      let i = 2;
      async function sideEffects(ctx: WorkflowContext): Promise<number> {
        const r1 = await workflow.sideEffect(ctx, () => ++i);
        await workflow.sleep(ctx, 1);
        const r2 = await workflow.sideEffect(ctx, () => ++i);
        return r1 + r2;
      }
      assert.equal(await run({ workflows: [sideEffects] }, sideEffects), 7);
      assert.equal(i, 4);
    });

    it('replays random, uuid and now identically', async () => {
      async function deterministic(ctx: WorkflowContext): Promise<boolean> {
        const before = [workflow.random(ctx), workflow.uuid(ctx), workflow.now(ctx).getTime()];
        await workflow.sleep(ctx, 20);
        const record = await workflow.sideEffect(ctx, () => before);
        return JSON.stringify(record) === JSON.stringify(before) && /^[0-9a-f-]{36}$/.test(String(before[1]));
      }
      assert.equal(await run({ workflows: [deterministic] }, deterministic), true);
    });

    it("fails the instance with NonDeterminismError when replay diverges and onNonDeterminism is 'fail' (E-18, made real)", async () => {
      let variant: 'a' | 'b' = 'a';
      async function branchA(): Promise<void> {
        variant = 'b';
      }
      async function branchB(): Promise<void> {}
      async function changesBetweenTasks(ctx: WorkflowContext): Promise<string> {
        if (variant === 'a') await workflow.executeActivity(ctx, {}, branchA);
        else await workflow.executeActivity(ctx, {}, branchB);
        await workflow.sleep(ctx, 1);
        return 'finished';
      }
      const options = { onNonDeterminism: 'fail' as const };
      const client = await engine({ workflows: [changesBetweenTasks], activities: [branchA, branchB], options });
      const instance = await client.createWorkflowInstance({ instanceId: nextId('nondeterminism') }, changesBetweenTasks);
      if (executorCacheSize > 0) {
        assert.equal(await client.getWorkflowResult(instance, 10_000), 'finished', 'a cached executor does not replay');
        return;
      }
      await assert.rejects(client.getWorkflowResult(instance, 10_000), (err: unknown) => {
        assert.ok(err instanceof NonDeterminismError);
        assert.match(err.message, /branchA/);
        assert.match(err.message, /branchB/);
        return true;
      });
      const history = await client.getWorkflowInstanceHistory(instance);
      assert.ok(!history.some((e) => e.type === 'ActivityScheduled' && e.attributes.name === 'branchB'), 'nothing of the diverged run was executed');
    });

    it('fails the workflow with its own error type and message', async () => {
      class OrderRejected extends Error {
        override name = 'OrderRejected';
      }
      async function throwsOwn(): Promise<void> {
        throw new OrderRejected('out of stock');
      }
      await assert.rejects(run({ workflows: [throwsOwn] }, throwsOwn), (err: unknown) => {
        assert.ok(err instanceof WorkflowError);
        assert.equal(err.type, 'OrderRejected');
        assert.equal(err.message, 'out of stock');
        return true;
      });
    });

    it('records late activity results after the workflow returned without failing it', async () => {
      async function slow(): Promise<string> {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return 'late';
      }
      async function fast(): Promise<string> {
        return 'fast';
      }
      async function returnsEarly(ctx: WorkflowContext): Promise<string> {
        const late = workflow.executeActivity(ctx, {}, slow);
        const first = await Promise.race([late, workflow.executeActivity(ctx, {}, fast)]);
        return first;
      }
      const client = await engine({ workflows: [returnsEarly], activities: [slow, fast] });
      const instance = await client.createWorkflowInstance({ instanceId: nextId('late') }, returnsEarly);
      assert.equal(await client.getWorkflowResult(instance, 10_000), 'fast');
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(await client.getWorkflowInstanceState(instance), 'finished');
      assert.equal(typesOf(await client.getWorkflowInstanceHistory(instance)).at(-1), 'WorkflowExecutionFinished');
    });

    it('runs parallel branches written with async functions and Promise.all deterministically', async () => {
      async function double(x: number): Promise<number> {
        await new Promise((resolve) => setTimeout(resolve, (x * 37) % 50));
        return x * 2;
      }
      async function branches(ctx: WorkflowContext): Promise<string[]> {
        const order: string[] = [];
        const branch = async (name: string, x: number): Promise<number> => {
          const a = await workflow.executeActivity(ctx, {}, double, x);
          order.push(`${name}1`);
          await workflow.sleep(ctx, x);
          const b = await workflow.executeActivity(ctx, {}, double, a);
          order.push(`${name}2`);
          return b;
        };
        const results = await Promise.all([branch('a', 5), branch('b', 9), branch('c', 1)]);
        const recorded = await workflow.sideEffect(ctx, () => order.join(','));
        // The sleep makes the next task replay the side effect: the interleaving must match the recorded one.
        await workflow.sleep(ctx, 1);
        assert.equal(recorded, order.join(','), 'replay saw the same interleaving as the first run');
        return results.map(String);
      }
      assert.deepEqual(await run({ workflows: [branches], activities: [double] }, branches), ['20', '36', '4']);
    });
  });
}
