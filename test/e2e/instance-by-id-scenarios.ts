import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import type { WorkflowInstance, WorkflowInstanceRef } from '../../src/core/instance.js';
import { CanceledError, InstanceNotFinishedError, InstanceNotFoundError, InvalidArgumentError, WaitTimeoutError } from '../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { typesOf, waitUntil } from '../helpers/engine.js';
import type { E2E } from './harness.js';

/** Waits for signal `next` and continues as new; the second run waits for `finish`. */
async function stepper(ctx: WorkflowContext, run: number): Promise<string> {
  if (run === 0) {
    await workflow.newSignalChannel(ctx, 'next').receive();
    workflow.continueAsNew(ctx, 1);
  }
  await workflow.newSignalChannel(ctx, 'finish').receive();
  return `finished in run ${run}`;
}

/** Continues as new once, then sleeps a minute (a cancellation cuts that short). */
async function continuesThenSleeps(ctx: WorkflowContext, run: number): Promise<void> {
  if (run === 0) workflow.continueAsNew(ctx, 1);
  await workflow.sleep(ctx, 60_000);
}

/** Checks that every client call taking an instance rejects `ref` with `expected`; waits take `waitMs`. */
async function assertEveryCallRejects(client: Client, ref: WorkflowInstanceRef, waitMs: number, expected: new (...args: never[]) => Error): Promise<void> {
  const calls: Array<[name: string, call: () => Promise<unknown>]> = [
    ['getWorkflowResult', () => client.getWorkflowResult(ref, waitMs)],
    ['waitForWorkflowInstance', () => client.waitForWorkflowInstance(ref, waitMs)],
    ['cancelWorkflowInstance', () => client.cancelWorkflowInstance(ref)],
    ['getWorkflowInstanceState', () => client.getWorkflowInstanceState(ref)],
    ['getWorkflowInstanceHistory', () => client.getWorkflowInstanceHistory(ref)],
    ['removeWorkflowInstance', () => client.removeWorkflowInstance(ref)],
  ];
  for (const [name, call] of calls) await assert.rejects(call(), expected, `${name}(${JSON.stringify(ref)})`);
}

/**
 * A backend whose next `getLatestExecution` lets the execution it names continue as new (by sending
 * `next`) before handing it out: the race between looking an id up and reading what it names.
 */
function racingBackend(backend: Backend, client: Client): Backend {
  let raced = false;
  const getLatestExecution = async (instanceId: string): Promise<WorkflowInstance> => {
    const latest = await backend.getLatestExecution(instanceId);
    if (!raced) {
      raced = true;
      await client.signalWorkflow(instanceId, 'next', null);
      assert.ok(await waitUntil(async () => (await backend.getWorkflowInstanceState(latest)) === 'continued-as-new', 10_000));
      // The next execution's history starts once a worker ran its first task.
      assert.ok(await waitUntil(async () => (await client.getWorkflowInstanceHistory({ instanceId })).length > 0, 10_000));
    }
    return latest;
  };
  return new Proxy(backend, {
    get(target, property) {
      if (property === 'getLatestExecution') return getLatestExecution;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Every client call that takes an instance also takes `{ instanceId }` alone: the id's latest execution. */
export function instanceByIdScenarios(e2e: E2E): void {
  it('gets the result of an instance known only by its id, following continue-as-new, typed', async () => {
    async function restarts(ctx: WorkflowContext, run: number): Promise<number> {
      if (run < 2) workflow.continueAsNew(ctx, run + 1);
      await workflow.sleep(ctx, 10);
      return run * 10;
    }
    const client = await e2e.engine({ workflows: [restarts] });
    const instanceId = e2e.id('order');
    const handle = await client.createWorkflowInstance({ instanceId }, restarts, 0);
    const byId: number = await client.getWorkflowResult<number>({ instanceId }, 10_000);
    assert.equal(byId, 20);
    const byHandle: number = await client.getWorkflowResult(handle, 10_000);
    assert.equal(byHandle, 20);
    // @ts-expect-error the handle carries the result type: a number is not a string
    const wrong: string = await client.getWorkflowResult(handle, 10_000);
    assert.equal(typeof wrong, 'number');
    await client.waitForWorkflowInstance({ instanceId }, 10_000);
    assert.equal(await client.getWorkflowInstanceState({ instanceId }), 'finished');
  });

  it('waits for, and reads the state and history of, the latest execution by id', async () => {
    const client = await e2e.engine({ workflows: [stepper] });
    const instanceId = e2e.id('order');
    const first = await client.createWorkflowInstance({ instanceId }, stepper, 0);
    await client.signalWorkflow(instanceId, 'next', null);
    assert.ok(await waitUntil(async () => (await client.getWorkflowInstanceState(first)) === 'continued-as-new', 10_000));
    assert.equal(await client.getWorkflowInstanceState({ instanceId }), 'active');
    // The second execution's history starts once a worker ran its first task.
    assert.ok(await waitUntil(async () => (await client.getWorkflowInstanceHistory({ instanceId })).length > 0, 10_000));
    const history = await client.getWorkflowInstanceHistory({ instanceId });
    assert.deepEqual(typesOf(history).slice(0, 2), ['WorkflowTaskStarted', 'WorkflowExecutionStarted']);
    const started = history[1];
    assert.ok(started?.type === 'WorkflowExecutionStarted');
    assert.deepEqual(started.attributes.inputs, [1], 'the history of the second execution');
    await assert.rejects(client.waitForWorkflowInstance({ instanceId }, 200), WaitTimeoutError);
    await client.signalWorkflow(instanceId, 'finish', null);
    await client.waitForWorkflowInstance({ instanceId }, 10_000);
    assert.equal(await client.getWorkflowInstanceState({ instanceId }), 'finished');
    assert.equal((await client.getWorkflowInstanceHistory({ instanceId })).at(-1)?.type, 'WorkflowExecutionFinished');
    assert.equal(await client.getWorkflowResult(first, 10_000), 'finished in run 1');
  });

  it('cancels an instance by id, whichever execution it is in', async () => {
    const client = await e2e.engine({ workflows: [continuesThenSleeps] });
    const instanceId = e2e.id('order');
    const first = await client.createWorkflowInstance({ instanceId }, continuesThenSleeps, 0);
    assert.ok(await waitUntil(async () => (await client.getWorkflowInstanceState(first)) === 'continued-as-new', 10_000));
    await client.cancelWorkflowInstance({ instanceId });
    await assert.rejects(client.getWorkflowResult({ instanceId }, 10_000), CanceledError);
    await client.cancelWorkflowInstance({ instanceId });
  });

  it('removes an instance by id only once finished, as a whole', async () => {
    const client = await e2e.engine({ workflows: [stepper] });
    const instanceId = e2e.id('order');
    const first = await client.createWorkflowInstance({ instanceId }, stepper, 0);
    await client.signalWorkflow(instanceId, 'next', null);
    assert.ok(await waitUntil(async () => (await client.getWorkflowInstanceState(first)) === 'continued-as-new', 10_000));
    await assert.rejects(client.removeWorkflowInstance({ instanceId }), InstanceNotFinishedError);
    await client.signalWorkflow(instanceId, 'finish', null);
    await client.waitForWorkflowInstance({ instanceId }, 10_000);
    await client.removeWorkflowInstance({ instanceId });
    await assert.rejects(client.getWorkflowInstanceState(first), InstanceNotFoundError);
    await assert.rejects(client.getWorkflowInstanceState({ instanceId }), InstanceNotFoundError);
    const page = await client.listWorkflowInstances({});
    assert.deepEqual(page.instances.filter((info) => info.instance.instanceId === instanceId), []);
  });

  it('rejects every by-id call for an id without executions with InstanceNotFoundError', async () => {
    const client = await e2e.client();
    const ref = { instanceId: e2e.id('never-started') };
    await assertEveryCallRejects(client, ref, 1_000, InstanceNotFoundError);
  });

  it('rejects a malformed instance with InvalidArgumentError in every call, changing nothing', async () => {
    const client = await e2e.client();
    const malformed: unknown[] = [null, 'order-42', {}, { instanceId: '' }, { instanceId: 42 }, { instanceId: 'order-42', executionId: 7 }, { instanceId: 'a\nb' }];
    for (const bad of malformed) {
      await assertEveryCallRejects(client, bad as WorkflowInstanceRef, 10, InvalidArgumentError);
    }
  });

  it('follows an instance that continues as new between being looked up and being read', async () => {
    const client = await e2e.engine({ workflows: [stepper] });
    const looksUp = async (read: (racing: Client, instanceId: string) => Promise<unknown>): Promise<unknown> => {
      const instanceId = e2e.id('racing');
      await client.createWorkflowInstance({ instanceId }, stepper, 0);
      return read(new Client(racingBackend(e2e.backend(), client)), instanceId);
    };
    assert.equal(await looksUp((racing, instanceId) => racing.getWorkflowInstanceState({ instanceId })), 'active');
    const history = (await looksUp((racing, instanceId) => racing.getWorkflowInstanceHistory({ instanceId }))) as Array<{ type: string; attributes: unknown }>;
    assert.deepEqual(history[1]?.attributes, { name: 'stepper', queue: 'default', inputs: [1] });
    const result = await looksUp(async (racing, instanceId) => {
      const waiting = racing.getWorkflowResult<string>({ instanceId }, 10_000);
      // Whether it reaches the first execution or the second, `finish` ends the second (signals carry over).
      await client.signalWorkflow(instanceId, 'finish', null);
      return waiting;
    });
    assert.equal(result, 'finished in run 1');
  });
}
