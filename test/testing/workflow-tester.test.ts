import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { activityContext } from '../../src/activity/activity-context.js';
import { InstanceNotFoundError, InvalidArgumentError, NonDeterminismError, RedflowError, UnsettledWorkflowError, WorkflowError, isCanceled } from '../../src/errors/errors.js';
import { WorkflowTester, WorkflowTesterError, anything, type WorkflowTesterOptions } from '../../src/testing/index.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';

const DAY_MS = 24 * 3600_000;
const START = new Date('2026-01-01T00:00:00.000Z');

async function charge(amount: number): Promise<string> {
  return `charged ${amount}`;
}

async function notify(message: string): Promise<void> {
  void message;
}

async function subscription(ctx: WorkflowContext, amount: number): Promise<{ receipt: string; finishedAt: Date }> {
  await workflow.sleep(ctx, 30 * DAY_MS);
  const receipt = await workflow.executeActivity(ctx, {}, charge, amount);
  return { receipt, finishedAt: workflow.now(ctx) };
}

describe('WorkflowTester', () => {
  it('runs a 30-day sleep in virtual time, well under a second of real time', async () => {
    const tester = new WorkflowTester(subscription, { initialTime: START }).registerActivity(charge);
    const realStart = performance.now();
    const outcome = await tester.execute(42);
    const elapsedMs = performance.now() - realStart;
    assert.ok(elapsedMs < 1000, `took ${elapsedMs} ms of real time`);
    assert.equal(outcome.result?.receipt, 'charged 42');
    assert.equal(outcome.result?.finishedAt.getTime(), START.getTime() + 30 * DAY_MS);
    assert.equal(tester.now().getTime(), START.getTime() + 30 * DAY_MS);
    assert.equal(tester.workflowFinished, true);
    const types = outcome.history.map((event) => event.type);
    assert.deepEqual(types.slice(0, 4), ['WorkflowTaskStarted', 'WorkflowExecutionStarted', 'TimerScheduled', 'WorkflowTaskStarted']);
    assert.equal(types.at(-1), 'WorkflowExecutionFinished');
    const fired = outcome.history.find((event) => event.type === 'TimerFired');
    assert.equal(fired?.timestamp.getTime(), START.getTime() + 30 * DAY_MS);
  });

  it('fires timers in due order, whatever order they were started in', async () => {
    async function race(ctx: WorkflowContext): Promise<string[]> {
      const order: string[] = [];
      const slow = workflow.scheduleTimer(ctx, 3 * DAY_MS).then(() => order.push(`slow@${workflow.now(ctx).getTime() - START.getTime()}`));
      const fast = workflow.scheduleTimer(ctx, DAY_MS).then(() => order.push(`fast@${workflow.now(ctx).getTime() - START.getTime()}`));
      await Promise.all([slow, fast]);
      return order;
    }
    const outcome = await new WorkflowTester(race, { initialTime: START }).execute();
    assert.deepEqual(outcome.result, [`fast@${DAY_MS}`, `slow@${3 * DAY_MS}`]);
  });

  it('fails a non-deterministic workflow with NonDeterminismError on the replay of its next task', async () => {
    let runs = 0;
    async function flaky(ctx: WorkflowContext): Promise<string> {
      // Reads state outside the workflow (like Math.random or Date.now): differs on replay.
      runs += 1;
      const activity = runs === 1 ? 'charge' : 'notify';
      await workflow.executeActivity(ctx, {}, activity, 1);
      return 'done';
    }
    const tester = new WorkflowTester(flaky).registerActivity(charge).registerActivity(notify);
    await assert.rejects(tester.execute(), (err: unknown) => {
      assert.ok(err instanceof NonDeterminismError, String(err));
      assert.match(err.message, /charge/);
      assert.match(err.message, /notify/);
      return true;
    });
  });

  it('fails Math.random branching with NonDeterminismError', async () => {
    async function lottery(ctx: WorkflowContext): Promise<number> {
      let total = 0;
      for (let i = 0; i < 20; i++) total += await workflow.executeActivity<number>(ctx, {}, Math.random() < 0.5 ? 'heads' : 'tails');
      return total;
    }
    const tester = new WorkflowTester(lottery);
    tester.onActivity('heads').returns(1);
    tester.onActivity('tails').returns(0);
    await assert.rejects(tester.execute(), NonDeterminismError);
  });

  it('keeps one executor per execution with replayEveryTask: false, so the same code passes', async () => {
    let runs = 0;
    async function flaky(ctx: WorkflowContext): Promise<string> {
      runs += 1;
      await workflow.executeActivity(ctx, {}, runs === 1 ? 'charge' : 'notify', 1);
      return 'done';
    }
    const tester = new WorkflowTester(flaky, { replayEveryTask: false }).registerActivity(charge);
    assert.equal((await tester.execute()).result, 'done');
    assert.equal(runs, 1);
  });

  it('records mocked activity calls with their arguments, and mocks by function or by name', async () => {
    async function checkout(ctx: WorkflowContext, amount: number): Promise<string> {
      const receipt = await workflow.executeActivity(ctx, {}, charge, amount);
      await workflow.executeActivity(ctx, {}, 'notify', receipt);
      return receipt;
    }
    const tester = new WorkflowTester(checkout);
    tester.onActivity(charge, 35).returns('mocked 35');
    tester.onActivity('notify', anything()).returns(undefined);
    const outcome = await tester.execute(35);
    assert.equal(outcome.result, 'mocked 35');
    assert.deepEqual(
      tester.activityCalls().map((call) => [call.name, call.args, call.mocked]),
      [
        ['charge', [35], true],
        ['notify', ['mocked 35'], true],
      ],
    );
    tester.assertExpectations();
  });

  it('reports unmet mock expectations', async () => {
    async function once(ctx: WorkflowContext): Promise<string> {
      return await workflow.executeActivity(ctx, {}, charge, 1);
    }
    const tester = new WorkflowTester(once);
    tester.onActivity(charge, 1).returns('one');
    tester.onActivity(charge, 2).returns('two');
    await tester.execute();
    assert.throws(() => tester.assertExpectations(), /activity charge with arguments \(2\): never called/);
  });

  it('delays mocked outcomes in virtual time and times them out', async () => {
    async function slow(ctx: WorkflowContext): Promise<string> {
      const first = await workflow.executeActivity(ctx, {}, charge, 1);
      const at = workflow.now(ctx).getTime() - START.getTime();
      try {
        await workflow.executeActivity(ctx, { startToCloseTimeoutMs: 60_000, retry: { maxAttempts: 1 } }, charge, 2);
      } catch (err) {
        return `${first}@${at}; ${(err as WorkflowError).type}@${workflow.now(ctx).getTime() - START.getTime()}`;
      }
      return 'no timeout';
    }
    const tester = new WorkflowTester(slow, { initialTime: START });
    tester.onActivity(charge, 1).returns('ok').after(3600_000);
    tester.onActivity(charge, 2).returns('late').after(DAY_MS);
    assert.equal((await tester.execute()).result, `ok@3600000; ActivityTimeoutError@${3600_000 + 60_000}`);
  });

  it('retries a failing activity with backoff timers in virtual time', async () => {
    async function resilient(ctx: WorkflowContext): Promise<string> {
      const retry = { maxAttempts: 4, firstRetryIntervalMs: 60_000, backoffCoefficient: 2, maxRetryIntervalMs: 3600_000 };
      return await workflow.executeActivity(ctx, { retry }, charge, 5);
    }
    const tester = new WorkflowTester(resilient, { initialTime: START });
    tester.onActivity(charge).throws(new Error('card declined')).times(2);
    tester.onActivity(charge).callsFake(async (amount: number) => `attempt ${activityContext().attempt} charged ${amount}`);
    const outcome = await tester.execute();
    assert.equal(outcome.result, 'attempt 2 charged 5');
    const calls = tester.activityCalls(charge);
    assert.deepEqual(calls.map((call) => call.attempt), [0, 1, 2]);
    const gaps = calls.slice(1).map((call, i) => call.at.getTime() - (calls[i]?.at.getTime() ?? 0));
    assert.ok((gaps[0] ?? 0) >= 60_000 && (gaps[1] ?? 0) > (gaps[0] ?? 0), `backoff gaps ${gaps.join(', ')}`);
    assert.equal(outcome.history.filter((event) => event.type === 'TimerScheduled').length, 2);
    tester.assertExpectations();
  });

  it('runs real activities in an activity context and records their heartbeats', async () => {
    async function beating(label: string): Promise<string> {
      const context = activityContext();
      await context.heartbeat({ progress: 1 });
      return `${label}:${context.attempt}:${context.instance.instanceId}`;
    }
    async function job(ctx: WorkflowContext): Promise<string> {
      return await workflow.executeActivity(ctx, {}, beating, 'x');
    }
    const tester = new WorkflowTester(job, { instanceId: 'job-1' }).registerActivity(beating);
    assert.equal((await tester.execute()).result, 'x:0:job-1');
    assert.deepEqual(tester.activityCalls(beating)[0]?.heartbeats, [{ progress: 1 }]);
    assert.equal(tester.activityCalls(beating)[0]?.mocked, false);
  });

  it('delivers signals at given virtual times and supports select with a timeout', async () => {
    async function approval(ctx: WorkflowContext): Promise<string[]> {
      const approvals = workflow.newSignalChannel<string>(ctx, 'approve');
      const seen: string[] = [];
      for (let round = 0; round < 2; round++) {
        const timeout = workflow.scheduleTimer(ctx, DAY_MS);
        seen.push(
          await workflow.select(
            ctx,
            workflow.onReceive(approvals, (value) => `${value ?? ''}@${workflow.now(ctx).getTime() - START.getTime()}`),
            workflow.onFuture(timeout, () => `timeout@${workflow.now(ctx).getTime() - START.getTime()}`),
          ),
        );
      }
      return seen;
    }
    const tester = new WorkflowTester(approval, { initialTime: START });
    tester.scheduleCallback(3600_000, () => tester.signalWorkflow('approve', 'alice'));
    const outcome = await tester.execute();
    assert.deepEqual(outcome.result, ['alice@3600000', `timeout@${3600_000 + DAY_MS}`]);
  });

  it('cancels the workflow at a virtual time; cleanup runs on a disconnected context', async () => {
    async function cancellable(ctx: WorkflowContext): Promise<string> {
      try {
        await workflow.sleep(ctx, 7 * DAY_MS);
        return 'slept';
      } catch (err) {
        if (!isCanceled(err)) throw err;
        await workflow.executeActivity(workflow.newDisconnectedContext(ctx), {}, notify, 'canceled');
        return `canceled@${workflow.now(ctx).getTime() - START.getTime()}`;
      }
    }
    const tester = new WorkflowTester(cancellable, { initialTime: START });
    tester.onActivity(notify).returns(undefined);
    tester.scheduleCallback(2 * DAY_MS, () => tester.cancelWorkflow());
    const outcome = await tester.execute();
    assert.equal(outcome.result, `canceled@${2 * DAY_MS}`);
    assert.ok(outcome.history.some((event) => event.type === 'WorkflowExecutionCanceled'));
    assert.deepEqual(tester.activityCalls(notify)[0]?.args, ['canceled']);
  });

  it('returns the workflow error without rejecting', async () => {
    async function failing(ctx: WorkflowContext): Promise<string> {
      await workflow.sleep(ctx, 1000);
      throw new Error('out of stock');
    }
    const tester = new WorkflowTester(failing);
    const outcome = await tester.execute();
    assert.ok(outcome.error instanceof WorkflowError);
    assert.equal(outcome.error.message, 'out of stock');
    assert.throws(() => tester.workflowResult(), /out of stock/);
  });

  it('runs real sub-workflows, signals them, and reports their starts', async () => {
    async function child(ctx: WorkflowContext, n: number): Promise<number> {
      const bonus = await workflow.newSignalChannel<number>(ctx, 'bonus').receive();
      await workflow.sleep(ctx, DAY_MS);
      return n * 2 + bonus;
    }
    async function parent(ctx: WorkflowContext): Promise<number> {
      return await workflow.createSubWorkflowInstance(ctx, { instanceId: 'child-1' }, child, 20);
    }
    const tester = new WorkflowTester(parent, { initialTime: START }).registerWorkflow(child);
    const started: string[] = [];
    tester.listenSubWorkflow((instance, name) => {
      started.push(`${name}:${instance.instanceId}`);
      tester.scheduleCallback(1000, () => tester.signalWorkflowInstance(instance.instanceId, 'bonus', 2));
    });
    const outcome = await tester.execute();
    assert.equal(outcome.result, 42);
    assert.deepEqual(started, ['child:child-1']);
    assert.equal(tester.subWorkflowCalls(child)[0]?.mocked, false);
    assert.equal(tester.history('child-1').at(-1)?.type, 'WorkflowExecutionFinished');
    assert.equal(tester.now().getTime(), START.getTime() + 1000 + DAY_MS);
  });

  it('mocks sub-workflows, including failures and delays', async () => {
    async function child(ctx: WorkflowContext, n: number): Promise<number> {
      void ctx;
      return n;
    }
    async function parent(ctx: WorkflowContext): Promise<string> {
      const a = await workflow.createSubWorkflowInstance(ctx, {}, child, 1);
      try {
        await workflow.createSubWorkflowInstance(ctx, {}, child, 2);
      } catch (err) {
        return `${a} then ${(err as Error).message} @${workflow.now(ctx).getTime() - START.getTime()}`;
      }
      return 'no failure';
    }
    const tester = new WorkflowTester(parent, { initialTime: START });
    tester.onSubWorkflow(child, 1).returns(100);
    tester.onSubWorkflow(child, anything()).throws(new Error('child broke')).after(5000);
    const outcome = await tester.execute();
    assert.equal(outcome.result, '100 then child broke @5000');
    assert.deepEqual(tester.subWorkflowCalls().map((call) => [call.args, call.mocked]), [[[1], true], [[2], true]]);
    tester.assertExpectations();
  });

  it('follows continue-as-new to the last execution, carrying unconsumed signals', async () => {
    async function counter(ctx: WorkflowContext, run: number): Promise<string> {
      await workflow.sleep(ctx, DAY_MS);
      if (run < 3) workflow.continueAsNew(ctx, run + 1);
      const note = await workflow.newSignalChannel<string>(ctx, 'note').receive();
      return `${run}: ${note}`;
    }
    const tester = new WorkflowTester(counter, { initialTime: START });
    // Sent while the first execution sleeps: it never receives it, so it must reach the last one.
    tester.scheduleCallback(DAY_MS / 2, () => tester.signalWorkflow('note', 'hello'));
    const outcome = await tester.execute(1);
    assert.equal(outcome.result, '3: hello');
    assert.ok(outcome.executions[0]?.history.some((event) => event.type === 'SignalReceived'));
    assert.ok(outcome.history.some((event) => event.type === 'SignalReceived'));
    assert.equal(outcome.executions.length, 3);
    assert.deepEqual(outcome.executions.map((execution) => execution.state), ['continued-as-new', 'continued-as-new', 'finished']);
    assert.equal(tester.now().getTime(), START.getTime() + 3 * DAY_MS);
  });

  it('fails with a clear error when the workflow waits on a signal nothing sends', async () => {
    async function waiting(ctx: WorkflowContext): Promise<string> {
      return await workflow.newSignalChannel<string>(ctx, 'never').receive();
    }
    await assert.rejects(new WorkflowTester(waiting).execute(), (err: unknown) => {
      assert.ok(err instanceof WorkflowTesterError);
      assert.equal(err.reason, 'blocked');
      assert.match(err.message, /waiting \(instance test-instance.*waits on a signal or a cancellation/s);
      return true;
    });
  });

  it('fails with testTimeoutMs when a real activity never ends, naming what the workflow waits on', async () => {
    async function hang(): Promise<void> {
      await new Promise(() => undefined);
    }
    async function stuck(ctx: WorkflowContext): Promise<void> {
      await workflow.executeActivity(ctx, {}, hang);
    }
    const tester = new WorkflowTester(stuck, { testTimeoutMs: 200 }).registerActivity(hang);
    const realStart = performance.now();
    await assert.rejects(tester.execute(), (err: unknown) => {
      assert.ok(err instanceof WorkflowTesterError);
      assert.equal(err.reason, 'timeout');
      assert.match(err.message, /waits on activity hang \(attempt 0\)/);
      return true;
    });
    assert.ok(performance.now() - realStart < 2000);
  });

  it('advances virtual time with the wall clock while a real activity runs', async () => {
    async function pause(): Promise<string> {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return 'done';
    }
    async function racing(ctx: WorkflowContext): Promise<string> {
      return await workflow.select(
        ctx,
        workflow.onFuture(workflow.executeActivity(ctx, {}, pause), () => 'activity'),
        workflow.onFuture(workflow.scheduleTimer(ctx, 10), () => 'timer'),
      );
    }
    const tester = new WorkflowTester(racing, { initialTime: START }).registerActivity(pause);
    assert.equal((await tester.execute()).result, 'timer');
    assert.ok(tester.now().getTime() - START.getTime() >= 10);
  });

  it('fails an activity that is neither registered nor mocked, naming it', async () => {
    async function calls(ctx: WorkflowContext): Promise<void> {
      await workflow.executeActivity(ctx, {}, 'missing', 7);
    }
    await assert.rejects(new WorkflowTester(calls).execute(), /activity missing was called with \(7\) but is neither registered/);
  });

  it('fails code that awaits a foreign promise with UnsettledWorkflowError', async () => {
    async function foreign(ctx: WorkflowContext): Promise<void> {
      void ctx;
      // Long enough that it cannot settle before the engine looks, however loaded the machine (1 ms could).
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await assert.rejects(new WorkflowTester(foreign).execute(), UnsettledWorkflowError);
  });

  it('accepts one execute per tester and refuses bad options', async () => {
    async function quick(ctx: WorkflowContext): Promise<number> {
      void ctx;
      return 1;
    }
    const tester = new WorkflowTester(quick);
    assert.throws(() => tester.workflowResult(), (err: unknown) => err instanceof WorkflowTesterError && err.reason === 'not-finished');
    assert.equal(tester.workflowFinished, false);
    assert.equal((await tester.execute()).result, 1);
    assert.equal(tester.workflowResult(), 1);
    await assert.rejects(tester.execute(), (err: unknown) => err instanceof WorkflowTesterError && err.reason === 'already-executed');
    assert.throws(() => new WorkflowTester(quick, { testTimeoutMs: 0 }), /testTimeoutMs/);
    assert.throws(() => tester.scheduleCallback(-1, () => undefined), /delayMs/);
  });
  it('delivers signals sent before execute right after the start', async () => {
    async function greet(ctx: WorkflowContext): Promise<string> {
      const names = workflow.newSignalChannel<string>(ctx, 'name');
      return `${await names.receive()} and ${await names.receive()}`;
    }
    const tester = new WorkflowTester(greet);
    tester.signalWorkflow('name', 'ann');
    tester.signalWorkflow('name', 'bob');
    assert.equal((await tester.execute()).result, 'ann and bob');
    assert.throws(() => tester.signalWorkflow('name', 'late'), InstanceNotFoundError);
    assert.throws(() => tester.signalWorkflowInstance('nobody', 'name', 'x'), InstanceNotFoundError);
  });

  it('cancels a real sub-workflow through its parent context', async () => {
    async function worker(ctx: WorkflowContext): Promise<string> {
      try {
        await workflow.sleep(ctx, 10 * DAY_MS);
        return 'slept';
      } catch (err) {
        if (isCanceled(err)) return 'child canceled';
        throw err;
      }
    }
    async function boss(ctx: WorkflowContext): Promise<string> {
      const [childCtx, cancel] = workflow.withCancel(ctx);
      const child = workflow.createSubWorkflowInstance(childCtx, { instanceId: 'w-1' }, worker);
      await workflow.sleep(ctx, DAY_MS);
      cancel();
      return await child;
    }
    const tester = new WorkflowTester(boss, { initialTime: START }).registerWorkflow(worker);
    const outcome = await tester.execute();
    assert.equal(outcome.result, 'child canceled');
    assert.ok(tester.history('w-1').some((event) => event.type === 'WorkflowExecutionCanceled'));
    assert.ok(outcome.history.some((event) => event.type === 'SubWorkflowCancellationRequested'));
  });

  it('fails a sub-workflow start on an instance id already active', async () => {
    async function child(ctx: WorkflowContext): Promise<void> {
      await workflow.sleep(ctx, DAY_MS);
    }
    async function twice(ctx: WorkflowContext): Promise<string> {
      const first = workflow.createSubWorkflowInstance(ctx, { instanceId: 'dup' }, child);
      await workflow.sleep(ctx, 1000);
      try {
        await workflow.createSubWorkflowInstance(ctx, { instanceId: 'dup' }, child);
        return 'started twice';
      } catch (err) {
        await first;
        return (err as WorkflowError).type;
      }
    }
    const outcome = await new WorkflowTester(twice).registerWorkflow(child).execute();
    assert.equal(outcome.result, 'InstanceAlreadyExistsError');
  });

  it('catches non-determinism in a real sub-workflow', async () => {
    let calls = 0;
    async function child(ctx: WorkflowContext): Promise<void> {
      calls += 1;
      if (calls === 1) await workflow.sleep(ctx, 1000);
      else await workflow.executeActivity(ctx, {}, notify, 'replayed differently');
    }
    async function parent(ctx: WorkflowContext): Promise<void> {
      await workflow.createSubWorkflowInstance(ctx, {}, child);
    }
    await assert.rejects(new WorkflowTester(parent).registerWorkflow(child).registerActivity(notify).execute(), NonDeterminismError);
  });

  it('fails an activity that stops heartbeating with a heartbeat timeout, aborting its signal', async () => {
    let abortReason: unknown;
    async function silent(): Promise<string> {
      const { signal } = activityContext();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      abortReason = signal.reason;
      return 'never delivered';
    }
    async function watched(ctx: WorkflowContext): Promise<string> {
      try {
        return await workflow.executeActivity(ctx, { heartbeatTimeoutMs: 20, retry: { maxAttempts: 1 } }, silent);
      } catch (err) {
        return `${(err as WorkflowError).type}: ${JSON.stringify((err as WorkflowError).details)}`;
      }
    }
    const tester = new WorkflowTester(watched).registerActivity(silent);
    assert.equal((await tester.execute()).result, 'ActivityTimeoutError: {"timeoutType":"heartbeat","timeoutMs":20}');
    assert.equal((abortReason as Error).name, 'ActivityTimeoutError');
  });

  it('fails a callback error as the test failure', async () => {
    async function idle(ctx: WorkflowContext): Promise<void> {
      await workflow.sleep(ctx, DAY_MS);
    }
    const tester = new WorkflowTester(idle);
    tester.scheduleCallback(1000, () => {
      throw new Error('assertion in callback');
    });
    await assert.rejects(tester.execute(), (err: unknown) => err instanceof WorkflowTesterError && err.reason === 'callback-failed' && /assertion in callback/.test(err.message));
  });

  it('settles many parallel delayed mocks: one finishing leaves the others (activity 2 vs 20..) pending', async () => {
    async function work(n: number): Promise<number> {
      return n;
    }
    async function fanOut(ctx: WorkflowContext): Promise<number[]> {
      const options = { startToCloseTimeoutMs: 3600_000 };
      return await Promise.all(Array.from({ length: 30 }, (_, n) => workflow.executeActivity(ctx, options, work, n)));
    }
    const tester = new WorkflowTester(fanOut, { initialTime: START });
    for (let n = 0; n < 30; n++) tester.onActivity(work, n).returns(n * 10).after((n + 1) * 1000);
    const outcome = await tester.execute();
    assert.deepEqual(outcome.result, Array.from({ length: 30 }, (_, n) => n * 10));
    assert.equal(tester.now().getTime(), START.getTime() + 30_000);
    tester.assertExpectations();
  });

  it('enforces testTimeoutMs while a scheduled callback runs', async () => {
    async function sleeper(ctx: WorkflowContext): Promise<void> {
      await workflow.sleep(ctx, DAY_MS);
    }
    const tester = new WorkflowTester(sleeper, { testTimeoutMs: 300 });
    tester.scheduleCallback(10, () => new Promise<void>(() => undefined));
    const realStart = performance.now();
    await assert.rejects(tester.execute(), (err: unknown) => {
      assert.ok(err instanceof WorkflowTesterError);
      assert.ok(err instanceof RedflowError);
      assert.equal(err.code, 'WORKFLOW_TESTER');
      assert.equal(err.reason, 'timeout');
      assert.match(err.message, /a scheduled callback did not settle within testTimeoutMs \(300 ms/);
      return true;
    });
    assert.ok(performance.now() - realStart < 2000);
  });

  it('refuses a mock result that cannot be stored at once, naming the mock', () => {
    async function child(ctx: WorkflowContext): Promise<number> {
      void ctx;
      return 1;
    }
    const tester = new WorkflowTester(subscription);
    assert.throws(() => tester.onActivity(charge).returns(() => 'receipt'), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.match(err.message, /mock of activity charge/);
      return true;
    });
    assert.throws(() => tester.onSubWorkflow(child).returns(Symbol('x')), /mock of sub-workflow child/);
  });

  it('fails a mocked sub-workflow whose fake returns what cannot be stored', async () => {
    async function child(ctx: WorkflowContext): Promise<number> {
      void ctx;
      return 1;
    }
    async function parent(ctx: WorkflowContext): Promise<string> {
      try {
        await workflow.createSubWorkflowInstance(ctx, {}, child);
        return 'no failure';
      } catch (err) {
        return (err as Error).message;
      }
    }
    const tester = new WorkflowTester(parent);
    tester.onSubWorkflow(child).callsFake(() => () => 1);
    const outcome = await tester.execute();
    assert.match(String(outcome.result), /result of the mock of sub-workflow child/);
  });

  it('rejects an unknown option key, naming it', () => {
    assert.throws(() => new WorkflowTester(subscription, { replayEveryTsk: false } as never), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.match(err.message, /unknown option "replayEveryTsk"/);
      return true;
    });
  });

  it('refuses an instance id, a queue or a replayEveryTask the client or the type would refuse', () => {
    const refused: Array<[WorkflowTesterOptions, RegExp]> = [
      [{ queue: '' }, /queue/],
      [{ instanceId: '' }, /instanceId must be a non-empty string/],
      [{ instanceId: 'a\nb' }, /control characters/],
      [{ replayEveryTask: 'yes' as unknown as boolean }, /replayEveryTask must be true or false, got yes/],
    ];
    for (const [options, message] of refused) {
      assert.throws(() => new WorkflowTester(subscription, options), (err: unknown) => err instanceof InvalidArgumentError && message.test(err.message), JSON.stringify(options));
    }
  });
});
