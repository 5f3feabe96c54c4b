import assert from 'node:assert/strict';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { InvalidArgumentError, NonDeterminismError } from '../../src/errors/errors.js';
import type { HistoryEvent } from '../../src/history/events.js';
import { WorkflowTester, WorkflowTesterError, historyFromJson, historyToJson } from '../../src/testing/index.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { startEngine, waitUntil } from '../helpers/engine.js';

const WEEK_MS = 7 * 24 * 3600_000;

async function reserve(orderId: string): Promise<string> {
  return `r-${orderId}`;
}

async function ship(label: string, address: string): Promise<string> {
  return `${label} to ${address}`;
}

/** Reserves, waits a week (or for a 'rush' signal), then ships to the address signalled meanwhile. */
async function fulfil(ctx: WorkflowContext, orderId: string): Promise<string> {
  const label = await workflow.executeActivity(ctx, {}, reserve, orderId);
  const addresses = workflow.newSignalChannel<string>(ctx, 'address');
  await workflow.sleep(ctx, WEEK_MS);
  const address = await addresses.receive();
  return await workflow.executeActivity(ctx, {}, ship, label, address);
}

/** A history recorded by a real worker, stopped while `fulfil` sleeps its week. */
async function recordSleeping(): Promise<{ history: HistoryEvent[]; instance: WorkflowInstance }> {
  const backend = new MemoryBackend();
  const { client, stop } = await startEngine(backend, { workflows: [fulfil], activities: [reserve, ship] });
  try {
    const instance = await client.createWorkflowInstance({ instanceId: 'order-9' }, fulfil, 'o9');
    const sleeping = async (): Promise<boolean> => (await client.getWorkflowInstanceHistory(instance)).some((event) => event.type === 'TimerScheduled');
    assert.ok(await waitUntil(sleeping, 10_000));
    return { history: await client.getWorkflowInstanceHistory(instance), instance };
  } finally {
    await stop();
    await backend.close();
  }
}

describe('WorkflowTester.resume', () => {
  let recorded: { history: HistoryEvent[]; instance: WorkflowInstance };
  before(async () => {
    // Through the history file format, as a production history would come in.
    const fromStore = await recordSleeping();
    recorded = historyFromJson(historyToJson(fromStore.history, fromStore.instance)) as typeof recorded;
  });

  it('continues a recorded production history in virtual time, firing its pending timer at the recorded time', async () => {
    const timer = recorded.history.find((event) => event.type === 'TimerScheduled');
    assert.ok(timer?.type === 'TimerScheduled');
    const tester = new WorkflowTester(fulfil);
    tester.signalWorkflow('address', 'Main St');
    tester.onActivity(ship).callsFake(async (label: string, address: string) => `mock ${label} -> ${address}`);
    const outcome = await tester.resume(recorded);
    assert.equal(outcome.result, 'mock r-o9 -> Main St');
    assert.equal(tester.now().getTime(), timer.attributes.firesAt.getTime());
    assert.deepEqual(outcome.history.slice(0, recorded.history.length), recorded.history);
    assert.equal(outcome.executions[0]?.instance.instanceId, 'order-9');
    assert.equal(tester.activityCalls(reserve).length, 0);
  });

  it('rejects changed code with NonDeterminismError before running anything', async () => {
    async function fulfilChanged(ctx: WorkflowContext, orderId: string): Promise<string> {
      await workflow.sleep(ctx, 1000);
      return await workflow.executeActivity(ctx, {}, reserve, orderId);
    }
    const tester = new WorkflowTester(fulfilChanged).registerActivity(reserve);
    await assert.rejects(tester.resume(recorded), NonDeterminismError);
    assert.equal(tester.activityCalls().length, 0);
  });

  it('reruns activities the history was waiting for, and starts from a history the tester recorded', async () => {
    const first = new WorkflowTester(fulfil).registerActivity(reserve);
    first.onActivity(ship).after(WEEK_MS);
    first.signalWorkflow('address', 'Elm St');
    first.scheduleCallback(WEEK_MS + 1, () => {
      throw new Error('stop here');
    });
    await assert.rejects(first.execute('o1'), (err: unknown) => err instanceof WorkflowTesterError && err.reason === 'callback-failed');
    const partial = first.history();
    assert.equal(partial.filter((event) => event.type === 'ActivityScheduled').length, 2);
    const second = new WorkflowTester(fulfil).registerActivity(ship);
    const outcome = await second.resume(partial);
    assert.equal(outcome.result, 'r-o1 to Elm St');
    assert.deepEqual(second.activityCalls().map((call) => call.name), ['ship']);
  });

  it('refuses an ended history and one that is not a recorded execution', async () => {
    const ended = new WorkflowTester(fulfil).registerActivity(reserve).registerActivity(ship);
    ended.signalWorkflow('address', 'x');
    const { history } = await ended.execute('o2');
    await assert.rejects(new WorkflowTester(fulfil).resume(history), InvalidArgumentError);
    await assert.rejects(new WorkflowTester(fulfil).resume([]), InvalidArgumentError);
  });
});
