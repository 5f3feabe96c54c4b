import assert from 'node:assert/strict';
import type { WorkflowTaskCompletion } from '../../src/backend/backend.js';
import { InvalidArgumentError, NonDeterminismError } from '../../src/errors/errors.js';
import { Executor } from '../../src/executor/executor.js';
import type { WorkflowFunction } from '../../src/executor/workflow-function.js';
import { newEvent, type HistoryEvent, type NewEvent } from '../../src/history/events.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { testLogger, typesOf } from '../helpers/engine.js';

const instance = { instanceId: 'patches-test', executionId: 'e1' };

/**
 * One execution's history, worked on by whichever code version a task runs: each task replays the whole
 * history on a fresh executor (a worker without executor cache, or a freshly deployed one) unless one is given.
 */
class Execution {
  history: HistoryEvent[] = [];

  async run(fn: WorkflowFunction, newEvents: NewEvent[], executor = this.executor(fn)): Promise<WorkflowTaskCompletion> {
    const completion = await executor.executeTask({
      historyLength: this.history.length,
      history: this.history.slice(executor.historyLength),
      newEvents,
    });
    this.history.push(...completion.events);
    return completion;
  }

  executor(fn: WorkflowFunction): Executor {
    return new Executor(instance, () => fn, testLogger);
  }

  patches(): unknown[] {
    return this.history.filter((event) => event.type === 'PatchRecorded').map((event) => event.attributes);
  }
}

const start = (): NewEvent => newEvent('WorkflowExecutionStarted', { name: 'order', queue: 'default', inputs: [] });
const signal = (): NewEvent => newEvent('SignalReceived', { name: 'go', arg: null });

/** The result a finished completion recorded. */
function resultOf(completion: WorkflowTaskCompletion): unknown {
  const last = completion.events.at(-1);
  assert.equal(last?.type, 'WorkflowExecutionFinished', `the execution finished: ${JSON.stringify(completion.events)}`);
  const { result, error } = last.attributes as { result?: unknown; error?: unknown };
  assert.equal(error, undefined, `the execution finished without error: ${JSON.stringify(error)}`);
  return result;
}

/** The NonDeterminismError a task ran into: the executor throws it (the worker holds the task or fails the execution). */
async function divergence(task: Promise<WorkflowTaskCompletion>): Promise<NonDeterminismError> {
  const err = await task.then(
    (completion) => assert.fail(`expected a NonDeterminismError, the task completed: ${JSON.stringify(typesOf(completion.events))}`),
    (thrown: unknown) => thrown,
  );
  assert.ok(err instanceof NonDeterminismError, `expected a NonDeterminismError, got ${String(err)}`);
  return err;
}

// v1 charges and waits for a signal; v2 checks a fraud patch before charging; v3 deprecated the patch. A
// history v1 made has passed the check's place, so v2 replaying it must keep the old branch.
async function v1(ctx: WorkflowContext): Promise<string> {
  await workflow.newSignalChannel(ctx, 'go').receive();
  return 'charged';
}

async function v2(ctx: WorkflowContext): Promise<string> {
  const checked = workflow.patched(ctx, 'fraud-check');
  await workflow.newSignalChannel(ctx, 'go').receive();
  return checked ? 'checked, charged' : 'charged';
}

async function v3(ctx: WorkflowContext): Promise<string> {
  workflow.deprecatePatch(ctx, 'fraud-check');
  await workflow.newSignalChannel(ctx, 'go').receive();
  return 'checked, charged';
}

describe('Executor: patches', () => {
  it('takes the patched branch in a new execution and records the patch once, right after the event that ran the check', async () => {
    let answers: boolean[] = [];
    async function checksTwice(ctx: WorkflowContext): Promise<void> {
      answers.push(workflow.patched(ctx, 'p'), workflow.patched(ctx, 'p'));
      await workflow.sleep(ctx, 5);
      answers.push(workflow.patched(ctx, 'p'));
    }
    const execution = new Execution();
    const first = await execution.run(checksTwice, [start()]);
    assert.deepEqual(typesOf(first.events), ['WorkflowTaskStarted', 'WorkflowExecutionStarted', 'PatchRecorded', 'TimerScheduled']);
    assert.deepEqual(execution.patches(), [{ patchId: 'p' }]);
    assert.deepEqual(answers, [true, true]);
    answers = [];
    await execution.run(checksTwice, [newEvent('TimerFired', {}, 1)]);
    assert.deepEqual(answers, [true, true, true], 'the replay finds the patch, the live check after it too');
    assert.deepEqual(execution.patches(), [{ patchId: 'p' }]);
  });

  it('keeps the old branch for a history made before the patch, and records nothing', async () => {
    const execution = new Execution();
    await execution.run(v1, [start()]);
    assert.equal(resultOf(await execution.run(v2, [signal()])), 'charged');
    assert.deepEqual(execution.patches(), []);
  });

  it('takes the patched branch in a new execution of the patched code, on every replay', async () => {
    const execution = new Execution();
    await execution.run(v2, [start()]);
    assert.deepEqual(execution.patches(), [{ patchId: 'fraud-check' }]);
    assert.equal(resultOf(await execution.run(v2, [signal()])), 'checked, charged');
    assert.equal(execution.patches().length, 1);
  });

  it('answers a patch first checked while replaying an old history the same way when checked again live', async () => {
    const answers: boolean[] = [];
    async function checksEarlyAndLate(ctx: WorkflowContext): Promise<void> {
      answers.push(workflow.patched(ctx, 'p'));
      await workflow.newSignalChannel(ctx, 'go').receive();
      answers.push(workflow.patched(ctx, 'p'));
    }
    const execution = new Execution();
    await execution.run(v1, [start()]);
    await execution.run(checksEarlyAndLate, [signal()]);
    assert.deepEqual(answers, [false, false]);
    assert.deepEqual(execution.patches(), []);
  });

  it('takes the patched branch when replaying a history that recorded the patch in a later task', async () => {
    const answers: boolean[] = [];
    async function recordsInTask2(ctx: WorkflowContext): Promise<void> {
      await workflow.sleep(ctx, 5);
      answers.push(workflow.patched(ctx, 'p'));
      await workflow.sleep(ctx, 5);
    }
    const execution = new Execution();
    await execution.run(recordsInTask2, [start()]);
    await execution.run(recordsInTask2, [newEvent('TimerFired', {}, 1)]);
    await execution.run(recordsInTask2, [newEvent('TimerFired', {}, 3)]);
    assert.deepEqual(answers, [true, true]);
    assert.deepEqual(execution.patches(), [{ patchId: 'p' }]);
  });

  it('diverges, naming the patch, when code without it replays a history that recorded it', async () => {
    const execution = new Execution();
    await execution.run(v2, [start()]);
    const error = await divergence(execution.run(v1, [signal()]));
    assert.match(error.message, /history recorded patch fraud-check \(event 3\), but the workflow code does not check it/);
  });

  it('records a patch checked along with side effects in an order every replay matches', async () => {
    async function effectThenPatch(ctx: WorkflowContext): Promise<number> {
      const value = await workflow.sideEffect(ctx, () => 7);
      const bonus = workflow.patched(ctx, 'bonus') ? 1 : 0;
      void workflow.sideEffect(ctx, () => 0);
      workflow.patched(ctx, 'other');
      await workflow.sleep(ctx, 5);
      return value + bonus;
    }
    const execution = new Execution();
    await execution.run(effectThenPatch, [start()]);
    assert.deepEqual(typesOf(execution.history).slice(2, -1), ['SideEffectResult', 'PatchRecorded', 'PatchRecorded', 'SideEffectResult']);
    assert.equal(resultOf(await execution.run(effectThenPatch, [newEvent('TimerFired', {}, 3)])), 8);
  });

  it('gives a cached executor the answers and records a fresh replay gives', async () => {
    async function checksLater(ctx: WorkflowContext): Promise<string> {
      await workflow.newSignalChannel(ctx, 'go').receive();
      const first = workflow.patched(ctx, 'p');
      await workflow.newSignalChannel(ctx, 'go').receive();
      return `${first} ${workflow.patched(ctx, 'p')}`;
    }
    const cached = new Execution();
    const executor = cached.executor(checksLater);
    await cached.run(checksLater, [start()], executor);
    await cached.run(checksLater, [signal()], executor);
    const fresh = new Execution();
    await fresh.run(checksLater, [start()]);
    await fresh.run(checksLater, [signal()]);
    assert.deepEqual(typesOf(cached.history), typesOf(fresh.history));
    assert.deepEqual(cached.patches(), [{ patchId: 'p' }]);
    assert.equal(resultOf(await cached.run(checksLater, [signal()], executor)), 'true true');
    assert.equal(resultOf(await fresh.run(checksLater, [signal()])), 'true true');
  });

  it('refuses a patch check inside a sideEffect function, which replay does not run, and records the refusal', async () => {
    async function checksInEffect(ctx: WorkflowContext): Promise<string> {
      const refusals = await Promise.all(
        [() => workflow.patched(ctx, 'p'), () => workflow.deprecatePatch(ctx, 'p')].map((check) =>
          workflow.sideEffect(ctx, check).then(
            () => 'ran',
            (err: unknown) => (err instanceof Error ? err.message : String(err)),
          ),
        ),
      );
      await workflow.newSignalChannel(ctx, 'go').receive();
      return refusals.join('\n');
    }
    const execution = new Execution();
    await execution.run(checksInEffect, [start()]);
    assert.deepEqual(execution.patches(), []);
    const result = resultOf(await execution.run(checksInEffect, [signal()]));
    assert.match(String(result), /workflow\.patched cannot run inside a sideEffect function[^\n]*\n.*workflow\.deprecatePatch cannot run/);
  });

  describe('deprecatePatch', () => {
    it('replays a history that recorded the patch, and one made before it, and finishes both', async () => {
      const withPatch = new Execution();
      await withPatch.run(v2, [start()]);
      assert.equal(resultOf(await withPatch.run(v3, [signal()])), 'checked, charged');
      const withoutPatch = new Execution();
      await withoutPatch.run(v1, [start()]);
      await withoutPatch.run(v3, [signal()]);
      assert.deepEqual(withoutPatch.patches(), [], 'replaying, deprecatePatch records nothing');
    });

    it('records the patch as deprecated in a new execution, once, and a rollback to the patched code takes the new branch', async () => {
      async function deprecatesTwice(ctx: WorkflowContext): Promise<string> {
        workflow.deprecatePatch(ctx, 'fraud-check');
        return v3(ctx);
      }
      const execution = new Execution();
      await execution.run(deprecatesTwice, [start()]);
      assert.deepEqual(execution.patches(), [{ patchId: 'fraud-check', deprecated: true }]);
      assert.equal(resultOf(await execution.run(v2, [signal()])), 'checked, charged');
      assert.equal(execution.patches().length, 1);
    });
    it('records nothing after patched answered false in the same execution, so every replay keeps that answer', async () => {
      async function checksThenDeprecates(ctx: WorkflowContext): Promise<string> {
        await workflow.newSignalChannel(ctx, 'go').receive();
        const answer = workflow.patched(ctx, 'fraud-check');
        await workflow.newSignalChannel(ctx, 'go').receive();
        workflow.deprecatePatch(ctx, 'fraud-check');
        await workflow.newSignalChannel(ctx, 'go').receive();
        return String(answer);
      }
      async function before(ctx: WorkflowContext): Promise<string> {
        for (let i = 0; i < 3; i++) await workflow.newSignalChannel(ctx, 'go').receive();
        return 'unpatched';
      }
      const execution = new Execution();
      await execution.run(before, [start()]);
      await execution.run(before, [signal()]);
      // Replaying the first signal, the patched code answers false; live, it then deprecates the patch.
      await execution.run(checksThenDeprecates, [signal()]);
      assert.deepEqual(execution.patches(), []);
      assert.equal(resultOf(await execution.run(checksThenDeprecates, [signal()])), 'false');
    });
  });

  it('rejects a patch id that is not a non-empty well-formed string, recording nothing', async () => {
    const errors: unknown[] = [];
    async function badIds(ctx: WorkflowContext): Promise<void> {
      for (const id of ['', '\uD800', 42, undefined]) {
        for (const call of [workflow.patched, workflow.deprecatePatch]) {
          try {
            call(ctx, id as string);
          } catch (err) {
            errors.push(err);
          }
        }
      }
    }
    const execution = new Execution();
    const completion = await execution.run(badIds, [start()]);
    assert.equal(errors.length, 8);
    assert.ok(errors.every((err) => err instanceof InvalidArgumentError && /patchId/.test(err.message)));
    assert.deepEqual(execution.patches(), []);
    assert.equal(resultOf(completion), undefined);
  });
});
