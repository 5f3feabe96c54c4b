import assert from 'node:assert/strict';
import type { WorkflowTaskCompletion } from '../../src/backend/backend.js';
import { canceledBeforeStartEvents } from '../../src/backend/canceled-before-start.js';
import { CanceledError, NonDeterminismError, WorkflowError } from '../../src/errors/errors.js';
import { toFailureInfo } from '../../src/errors/failure-info.js';
import { Executor } from '../../src/executor/executor.js';
import type { WorkflowFunction } from '../../src/executor/workflow-function.js';
import { newEvent, type HistoryEvent, type NewEvent } from '../../src/history/events.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { testLogger } from '../helpers/engine.js';

const instance = { instanceId: 'parent', executionId: 'p1' };

async function run(
  workflows: Record<string, WorkflowFunction>,
  history: HistoryEvent[],
  newEvents: NewEvent[],
  executor = new Executor(instance, (name) => workflows[name], testLogger),
): Promise<WorkflowTaskCompletion> {
  const completion = await executor.executeTask({ historyLength: history.length, history: history.slice(executor.historyLength), newEvents });
  history.push(...completion.events);
  return completion;
}

const started = (name: string, ...inputs: unknown[]): NewEvent => newEvent('WorkflowExecutionStarted', { name, queue: 'default', inputs });

describe('Executor messages to other instances', () => {
  it('starts a child with a derived execution id and a parent link, the same on replay', async () => {
    async function parent(ctx: WorkflowContext): Promise<number> {
      return workflow.createSubWorkflowInstance<number>(ctx, {}, 'child', 1);
    }
    const history: HistoryEvent[] = [];
    const first = await run({ parent }, history, [started('parent')]);
    const request = first.subWorkflows?.[0];
    assert.ok(request !== undefined);
    assert.equal(request.scheduleEventId, 1);
    assert.equal(request.instance.instanceId, 'parent/p1-1');
    assert.deepEqual(request.started.attributes.parent, { instanceId: 'parent', executionId: 'p1', scheduleEventId: 1 });
    // A fresh executor replays the start and completes on the child's result.
    const done = await run({ parent }, history, [newEvent('SubWorkflowCompleted', { result: 2 }, 1)]);
    assert.deepEqual(done.subWorkflows, [], 'the child is not started twice');
    assert.deepEqual(done.events.at(-1)?.attributes, { result: 2 });
  });

  it('tells its parent how a child ended', async () => {
    async function child(): Promise<string> {
      throw new TypeError('bad child');
    }
    const link = { instanceId: 'parent', executionId: 'p1', scheduleEventId: 7 };
    const childStart = newEvent('WorkflowExecutionStarted', { name: 'child', queue: 'default', inputs: [], parent: link });
    const executor = new Executor({ instanceId: 'c', executionId: 'c1' }, (name) => (name === 'child' ? child : undefined), testLogger);
    const completion = await run({}, [], [childStart], executor);
    assert.equal(completion.state, 'finished');
    assert.deepEqual(completion.notifyParent?.parent, { instanceId: 'parent', executionId: 'p1' });
    assert.equal(completion.notifyParent?.event.type, 'SubWorkflowFailed');
    assert.equal(completion.notifyParent?.event.scheduleEventId, 7);
  });

  it('detects a replayed sub-workflow or signal the code no longer issues', async () => {
    let variant = 0;
    async function changing(ctx: WorkflowContext): Promise<void> {
      if (variant === 0) await workflow.createSubWorkflowInstance(ctx, {}, 'child');
      else await workflow.signalWorkflow(ctx, 'other', 'ping');
    }
    const history: HistoryEvent[] = [];
    await run({ changing }, history, [started('changing')]);
    variant = 1;
    await assert.rejects(run({ changing }, history, [newEvent('SubWorkflowCompleted', { result: null }, 1)]), (err: unknown) => {
      assert.ok(err instanceof NonDeterminismError);
      assert.match(err.message, /sub-workflow 'child'/);
      assert.match(err.message, /signal 'ping'/);
      return true;
    });
  });

  it('records a cancellation request for a started child once, and replays it', async () => {
    async function cancelsChild(ctx: WorkflowContext): Promise<string> {
      const [scope, cancel] = workflow.withCancel(ctx);
      const child = workflow.createSubWorkflowInstance<string>(scope, {}, 'child');
      await workflow.sleep(ctx, 1);
      cancel();
      cancel();
      return child;
    }
    const history: HistoryEvent[] = [];
    await run({ cancelsChild }, history, [started('cancelsChild')]);
    const second = await run({ cancelsChild }, history, [newEvent('TimerFired', {}, 2)]);
    assert.deepEqual(second.cancellations?.length, 1);
    assert.equal(second.events.filter((e) => e.type === 'SubWorkflowCancellationRequested').length, 1);
    const third = await run({ cancelsChild }, history, [newEvent('SubWorkflowCompleted', { result: 'ended' }, 1)]);
    assert.deepEqual(third.cancellations, [], 'replay does not ask again');
    assert.deepEqual(third.events.at(-1)?.attributes, { result: 'ended' });
  });

  it("rejects with the scope's CanceledError when a child it asked to cancel ends cancelled, and with the child's own error otherwise", async () => {
    async function cancelsChild(ctx: WorkflowContext): Promise<string> {
      const [scope, cancel] = workflow.withCancel(ctx);
      const child = workflow.createSubWorkflowInstance<string>(scope, {}, 'child');
      await workflow.sleep(ctx, 1);
      cancel();
      try {
        return await child;
      } catch (err) {
        return err instanceof CanceledError ? `CanceledError: ${err.message}` : `${(err as WorkflowError).type}: ${(err as WorkflowError).message}`;
      }
    }
    const endings: [NewEvent, string][] = [
      // What the backend answers for a child no worker has started.
      [canceledBeforeStartEvents({ instanceId: 'parent/p1-1', executionId: 'x', scheduleEventId: 1 }).parentFailed, 'CanceledError: canceled: the workflow context was canceled'],
      // A started child that ended cancelled on the request.
      [newEvent('SubWorkflowFailed', { error: toFailureInfo(new CanceledError('child canceled')) }, 1), 'CanceledError: canceled: the workflow context was canceled'],
      // A started child whose cleanup failed: its own outcome.
      [newEvent('SubWorkflowFailed', { error: toFailureInfo(new RangeError('cleanup failed')) }, 1), 'RangeError: cleanup failed'],
    ];
    for (const [ending, expected] of endings) {
      const history: HistoryEvent[] = [];
      await run({ cancelsChild }, history, [started('cancelsChild')]);
      await run({ cancelsChild }, history, [newEvent('TimerFired', {}, 2)]);
      const done = await run({ cancelsChild }, history, [ending]);
      assert.deepEqual(done.events.at(-1)?.attributes, { result: expected });
    }
  });

  it("keeps a child's CanceledError as the child's own failure when the parent did not ask it to cancel", async () => {
    async function awaitsChild(ctx: WorkflowContext): Promise<string> {
      try {
        return await workflow.createSubWorkflowInstance<string>(ctx, {}, 'child');
      } catch (err) {
        return err instanceof WorkflowError ? `WorkflowError ${err.type}` : 'other';
      }
    }
    const history: HistoryEvent[] = [];
    await run({ awaitsChild }, history, [started('awaitsChild')]);
    const done = await run({ awaitsChild }, history, [newEvent('SubWorkflowFailed', { error: toFailureInfo(new CanceledError('child canceled')) }, 1)]);
    assert.deepEqual(done.events.at(-1)?.attributes, { result: 'WorkflowError CanceledError' });
  });

  it('continues as new with the inputs, the parent link and the unconsumed signals in order', async () => {
    async function loops(ctx: WorkflowContext, n: number): Promise<number> {
      const first = await workflow.newSignalChannel<string>(ctx, 'a').receive();
      if (first === 'stop') return n;
      workflow.continueAsNew(ctx, n + 1);
    }
    const link = { instanceId: 'grand', executionId: 'g1', scheduleEventId: 3 };
    const signal = (name: string, arg: string): NewEvent => newEvent('SignalReceived', { name, arg });
    const completion = await run({ loops }, [], [
      newEvent('WorkflowExecutionStarted', { name: 'loops', queue: 'q', inputs: [1], parent: link }),
      signal('b', 'b1'),
      signal('a', 'a1'),
      signal('a', 'a2'),
      signal('b', 'b2'),
    ]);
    assert.equal(completion.state, 'continued-as-new');
    const last = completion.events.at(-1);
    assert.ok(last?.type === 'WorkflowExecutionContinuedAsNew');
    const next = completion.continuation;
    assert.equal(next?.instance.executionId, last.attributes.continuedExecutionId);
    assert.deepEqual(next?.started.attributes, { name: 'loops', queue: 'q', inputs: [2], parent: link });
    assert.deepEqual(next?.carried.map((e) => (e.type === 'SignalReceived' ? `${e.attributes.name}:${String(e.attributes.arg)}` : e.type)), ['b:b1', 'a:a2', 'b:b2']);
    assert.equal(completion.notifyParent, undefined, 'the parent hears only from the last execution');
  });

  it('carries the signals and cancellation requests it did not apply, in arrival order, and nothing else', async () => {
    async function waits(ctx: WorkflowContext, run: number): Promise<number> {
      await workflow.newSignalChannel(ctx, 'go').receive();
      workflow.continueAsNew(ctx, run + 1);
    }
    const signal = (name: string, arg: string): NewEvent => newEvent('SignalReceived', { name, arg });
    const completion = await run({ waits }, [], [
      started('waits', 1),
      signal('other', 'unconsumed'),
      signal('go', 'now'),
      // The code has continued as new: none of these is applied.
      signal('other', 'late-1'),
      newEvent('TimerFired', {}, 9),
      newEvent('WorkflowExecutionCanceled', {}),
      newEvent('ActivityCompleted', { result: 1 }, 4),
      signal('go', 'late-2'),
    ]);
    assert.equal(completion.state, 'continued-as-new');
    assert.deepEqual(
      completion.events.map((e) => e.type),
      ['WorkflowTaskStarted', 'WorkflowExecutionStarted', 'SignalReceived', 'SignalReceived', 'WorkflowExecutionContinuedAsNew'],
    );
    const carried = completion.continuation?.carried.map((e) => (e.type === 'SignalReceived' ? `${e.attributes.name}:${String(e.attributes.arg)}` : e.type));
    assert.deepEqual(carried, ['other:unconsumed', 'other:late-1', 'WorkflowExecutionCanceled', 'go:late-2']);
  });

  it('passes on a cancellation it applied when it continues as new, once', async () => {
    async function waits(ctx: WorkflowContext, run: number): Promise<number> {
      await workflow.newSignalChannel(ctx, 'go').receive();
      workflow.continueAsNew(ctx, run + 1);
    }
    const signal = (name: string): NewEvent => newEvent('SignalReceived', { name, arg: null });
    const carriedTypes = (completion: WorkflowTaskCompletion): string[] | undefined =>
      completion.continuation?.carried.map((e) => (e.type === 'SignalReceived' ? `${e.attributes.name}` : e.type));
    // Cancelled while waiting on the signal: the request is applied, then the code continues as new.
    const history: HistoryEvent[] = [];
    const waiting = await run({ waits }, history, [started('waits', 1)]);
    assert.equal(waiting.state, 'active');
    await run({ waits }, history, [newEvent('WorkflowExecutionCanceled', {})]);
    const continued = await run({ waits }, history, [signal('other'), signal('go'), signal('late')]);
    assert.equal(continued.state, 'continued-as-new');
    assert.deepEqual(carriedTypes(continued), ['other', 'WorkflowExecutionCanceled', 'late']);
    // A cancellation request it never applied goes along as well, and the applied one adds none.
    const again = await run({ waits }, [], [
      started('waits', 1),
      newEvent('WorkflowExecutionCanceled', {}),
      signal('go'),
      newEvent('WorkflowExecutionCanceled', {}),
    ]);
    assert.deepEqual(carriedTypes(again), ['WorkflowExecutionCanceled']);
    // Not cancelled: nothing but the signals.
    const plain = await run({ waits }, [], [started('waits', 1), signal('go')]);
    assert.deepEqual(carriedTypes(plain), []);
  });

  it('cancels the next execution with a carried cancellation right after it starts', async () => {
    async function sleeps(ctx: WorkflowContext): Promise<string> {
      await workflow.sleep(ctx, 60_000);
      return 'slept';
    }
    const executor = new Executor({ instanceId: 'parent', executionId: 'p2' }, (name) => (name === 'sleeps' ? sleeps : undefined), testLogger);
    const completion = await run({}, [], [started('sleeps'), newEvent('WorkflowExecutionCanceled', {})], executor);
    assert.equal(completion.state, 'finished');
    assert.deepEqual(completion.timers, [], 'the timer is withdrawn before it is ever scheduled');
    const last = completion.events.at(-1);
    assert.ok(last?.type === 'WorkflowExecutionFinished');
    assert.equal(last.attributes.error?.type, 'CanceledError');
  });
});
