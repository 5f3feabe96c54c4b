import assert from 'node:assert/strict';
import { WorkflowError } from '../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { typesOf } from '../helpers/engine.js';
import type { E2E } from './harness.js';

async function double(_ctx: WorkflowContext, i: number): Promise<number> {
  return i * 2;
}

async function doubleOnSignal(ctx: WorkflowContext, i: number): Promise<number> {
  await workflow.newSignalChannel(ctx, 'signal').receive();
  return i * 2;
}

/** Sub-workflows: results, errors, ids, retries, continue-as-new children. */
export function subWorkflowScenarios(e2e: E2E): void {
  it('returns the result of a sub-workflow (E-10, T-29)', async () => {
    async function parent(ctx: WorkflowContext): Promise<number> {
      return workflow.createSubWorkflowInstance(ctx, {}, double, 1);
    }
    assert.equal(await e2e.run({ workflows: [parent, double] }, parent), 2);
  });

  it('records the child start in the parent and the parent link in the child (X-10)', async () => {
    async function recordsChild(ctx: WorkflowContext): Promise<number> {
      return workflow.createSubWorkflowInstance(ctx, {}, double, 21);
    }
    const client = await e2e.engine({ workflows: [recordsChild, double] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('links') }, recordsChild);
    assert.equal(await client.getWorkflowResult(instance, 10_000), 42);
    const history = await client.getWorkflowInstanceHistory(instance);
    assert.deepEqual(typesOf(history).slice(0, 3), ['WorkflowTaskStarted', 'WorkflowExecutionStarted', 'SubWorkflowScheduled']);
    const scheduled = history[2];
    assert.ok(scheduled?.type === 'SubWorkflowScheduled');
    assert.equal(scheduled.attributes.name, 'double');
    assert.ok(scheduled.attributes.instanceId.startsWith(`${instance.instanceId}/`), 'the default id derives from the parent');
    const completed = history.find((e) => e.type === 'SubWorkflowCompleted');
    assert.equal(completed?.scheduleEventId, scheduled.scheduleEventId);
    const child = { instanceId: scheduled.attributes.instanceId, executionId: scheduled.attributes.executionId };
    const childHistory = await client.getWorkflowInstanceHistory(child);
    const started = childHistory.find((e) => e.type === 'WorkflowExecutionStarted');
    assert.ok(started?.type === 'WorkflowExecutionStarted');
    assert.deepEqual(started.attributes.parent, { ...instance, scheduleEventId: scheduled.scheduleEventId });
  });

  it("rejects the parent's future with the child's error, type and message kept", async () => {
    class ChildBroke extends Error {
      override name = 'ChildBroke';
    }
    async function failingChild(): Promise<never> {
      throw new ChildBroke('the child broke');
    }
    async function catchesChild(ctx: WorkflowContext): Promise<string> {
      try {
        await workflow.createSubWorkflowInstance(ctx, {}, failingChild);
        return 'no error';
      } catch (err) {
        assert.ok(err instanceof WorkflowError);
        return `${err.type}: ${err.message}`;
      }
    }
    assert.equal(await e2e.run({ workflows: [catchesChild, failingChild] }, catchesChild), 'ChildBroke: the child broke');
  });

  it('rejects a second active child with the same id with InstanceAlreadyExistsError (E-11)', async () => {
    async function duplicateChild(ctx: WorkflowContext, childId: string): Promise<number> {
      const first = workflow.createSubWorkflowInstance(ctx, { instanceId: childId }, doubleOnSignal, 1);
      try {
        return await workflow.createSubWorkflowInstance(ctx, { instanceId: childId }, doubleOnSignal, 2);
      } finally {
        // Cleanup still works from a disconnected context: release the first child and wait for it.
        const cleanup = workflow.newDisconnectedContext(ctx);
        await workflow.signalWorkflow(cleanup, childId, 'signal', 'done');
        await first;
      }
    }
    const client = await e2e.engine({ workflows: [duplicateChild, doubleOnSignal] });
    const childId = e2e.id('dup-child');
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('dup') }, duplicateChild, childId);
    await assert.rejects(client.getWorkflowResult(instance, 10_000), (err: unknown) => {
      assert.ok(err instanceof WorkflowError);
      assert.equal(err.type, 'InstanceAlreadyExistsError');
      assert.match(err.message, /already exists/);
      return true;
    });
  });

  it('reuses the id of a finished child (E-12)', async () => {
    async function reusesId(ctx: WorkflowContext, childId: string): Promise<number> {
      await workflow.createSubWorkflowInstance(ctx, { instanceId: childId }, double, 1);
      return workflow.createSubWorkflowInstance(ctx, { instanceId: childId }, double, 2);
    }
    assert.equal(await e2e.run({ workflows: [reusesId, double] }, reusesId, e2e.id('reused')), 4);
  });

  it('retries a failed child with a new execution when a retry policy asks for it', async () => {
    let calls = 0;
    async function flaky(): Promise<string> {
      calls += 1;
      if (calls === 1) throw new Error('first call fails');
      return 'ok';
    }
    async function childRunsFlaky(ctx: WorkflowContext): Promise<string> {
      return workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, flaky);
    }
    async function retriesChild(ctx: WorkflowContext): Promise<string> {
      const retry = { maxAttempts: 2, firstRetryIntervalMs: 10 };
      return workflow.createSubWorkflowInstance(ctx, { retry }, childRunsFlaky);
    }
    const client = await e2e.engine({ workflows: [retriesChild, childRunsFlaky], activities: [flaky] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('retry-child') }, retriesChild);
    assert.equal(await client.getWorkflowResult(instance, 10_000), 'ok');
    const history = await client.getWorkflowInstanceHistory(instance);
    const attempts = history.filter((e) => e.type === 'SubWorkflowScheduled');
    assert.equal(attempts.length, 2);
    const [a, b] = attempts.map((e) => (e.type === 'SubWorkflowScheduled' ? e.attributes : undefined));
    assert.equal(a?.instanceId, b?.instanceId, 'the same child id');
    assert.notEqual(a?.executionId, b?.executionId, 'a new execution per attempt');
    assert.deepEqual([a?.attempt, b?.attempt], [0, 1]);
  });

  it('does not retry a failed child by default', async () => {
    let runs = 0;
    async function countsRuns(): Promise<void> {
      runs += 1;
      throw new Error('always fails');
    }
    async function childFails(ctx: WorkflowContext): Promise<void> {
      await workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, countsRuns);
    }
    async function noRetry(ctx: WorkflowContext): Promise<void> {
      await workflow.createSubWorkflowInstance(ctx, {}, childFails);
    }
    await assert.rejects(e2e.run({ workflows: [noRetry, childFails], activities: [countsRuns] }, noRetry), /always fails/);
    assert.equal(runs, 1);
  });

  it('follows a child that continues as new to its final result (E-42, T-37)', async () => {
    async function countsUp(ctx: WorkflowContext, run: number): Promise<number> {
      if (run < 3) workflow.continueAsNew(ctx, run + 1);
      return run;
    }
    async function parentOfCounter(ctx: WorkflowContext): Promise<number> {
      return workflow.createSubWorkflowInstance(ctx, {}, countsUp, 0);
    }
    assert.equal(await e2e.run({ workflows: [parentOfCounter, countsUp] }, parentOfCounter), 3);
  });

  it('starts children in a loop with distinct default ids, the same on replay', async () => {
    async function fanOut(ctx: WorkflowContext): Promise<number[]> {
      const children = [1, 2, 3, 4, 5].map((i) => workflow.createSubWorkflowInstance(ctx, {}, double, i));
      await workflow.sleep(ctx, 1);
      return Promise.all(children);
    }
    assert.deepEqual(await e2e.run({ workflows: [fanOut, double] }, fanOut), [2, 4, 6, 8, 10]);
  });

  it('rejects bad sub-workflow options in the workflow, before anything is sent', async () => {
    async function badOptions(ctx: WorkflowContext): Promise<string[]> {
      const errors: string[] = [];
      for (const options of [{ instanceId: '' }, { queue: 'bad queue' }, { retry: { maxAttempts: 0 } }]) {
        try {
          await workflow.createSubWorkflowInstance(ctx, options, double, 1);
        } catch (err) {
          errors.push((err as Error).name);
        }
      }
      return errors;
    }
    const client = await e2e.engine({ workflows: [badOptions, double] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('bad-child') }, badOptions);
    assert.deepEqual(await client.getWorkflowResult(instance, 10_000), ['InvalidArgumentError', 'InvalidArgumentError', 'InvalidArgumentError']);
    const history = await client.getWorkflowInstanceHistory(instance);
    assert.ok(!typesOf(history).includes('SubWorkflowScheduled'));
  });
}
