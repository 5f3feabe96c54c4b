import assert from 'node:assert/strict';
import { DeadLetterNotFoundError, InstanceNotFinishedError, InstanceNotFoundError, WorkflowError } from '../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { waitUntil } from '../helpers/engine.js';
import type { E2E } from './harness.js';

async function quick(_ctx: WorkflowContext, msg: string): Promise<string> {
  return `${msg} world`;
}

async function waitsForever(ctx: WorkflowContext): Promise<void> {
  await workflow.newSignalChannel(ctx, 'never').receive();
}

/** Queues, removal, expiry, listing, stats and the history size limit. */
export function managementScenarios(e2e: E2E): void {
  it('only takes workflows from the queues a worker serves; other work waits safely (E-37)', async () => {
    async function onNever(): Promise<string> {
      return 'ran on never';
    }
    const client = await e2e.engine({ workflows: [quick] });
    const waiting = await client.createWorkflowInstance({ instanceId: e2e.id('never'), queue: 'never' }, onNever);
    const done = await client.createWorkflowInstance({ instanceId: e2e.id('default') }, quick, 'hello');
    assert.equal(await client.getWorkflowResult(done, 10_000), 'hello world');
    assert.equal(await client.getWorkflowInstanceState(waiting), 'active');
    await e2e.engine({ workflows: [onNever], options: { queues: ['never'] } });
    assert.equal(await client.getWorkflowResult(waiting, 10_000), 'ran on never');
  });

  it('routes an activity to its queue and back to the workflow queue (B-18, B-19)', async () => {
    async function onCustom(): Promise<string> {
      return 'custom';
    }
    async function usesCustomQueue(ctx: WorkflowContext): Promise<string> {
      return workflow.executeActivity(ctx, { queue: 'custom' }, onCustom);
    }
    const client = await e2e.engine({ workflows: [usesCustomQueue] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('routed') }, usesCustomQueue);
    await assert.rejects(client.getWorkflowResult(instance, 300), { name: 'WaitTimeoutError' });
    await e2e.engine({ activities: [onCustom], options: { queues: ['custom'] } });
    assert.equal(await client.getWorkflowResult(instance, 10_000), 'custom');
  });

  it('removes a finished instance and refuses active and unknown ones (E-19, B-04, B-05)', async () => {
    const client = await e2e.engine({ workflows: [quick, waitsForever] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('remove') }, quick, 'hello');
    await client.getWorkflowResult(instance, 10_000);
    await client.removeWorkflowInstance(instance);
    await assert.rejects(client.getWorkflowResult(instance, 1000), InstanceNotFoundError);
    await assert.rejects(client.getWorkflowInstanceHistory(instance), InstanceNotFoundError);
    await assert.rejects(client.removeWorkflowInstance(instance), InstanceNotFoundError);
    const active = await client.createWorkflowInstance({ instanceId: e2e.id('active') }, waitsForever);
    await assert.rejects(client.removeWorkflowInstance(active), InstanceNotFinishedError);
    assert.equal(await client.getWorkflowInstanceState(active), 'active');
    // The id is free again after removal.
    const again = await client.createWorkflowInstance({ instanceId: instance.instanceId }, quick, 'again');
    assert.equal(await client.getWorkflowResult(again, 10_000), 'again world');
  });

  it('removes every instance finished before a time, never an active one (E-38)', async () => {
    const client = await e2e.engine({ workflows: [quick, waitsForever] });
    const finished = await client.createWorkflowInstance({ instanceId: e2e.id('old') }, quick, 'x');
    await client.getWorkflowResult(finished, 10_000);
    const active = await client.createWorkflowInstance({ instanceId: e2e.id('running') }, waitsForever);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(await client.removeWorkflowInstances({ finishedBefore: new Date() }), 1);
    await assert.rejects(client.getWorkflowInstanceState(finished), InstanceNotFoundError);
    assert.equal(await client.getWorkflowInstanceState(active), 'active');
    await assert.rejects(client.removeWorkflowInstances({ finishedBefore: new Date('nonsense') }), { name: 'InvalidArgumentError' });
  });

  it('expires finished instances after the retention time (E-39, R-11)', async () => {
    await e2e.useBackend({ retentionMs: 200 });
    const client = await e2e.engine({ workflows: [quick, waitsForever] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('expires') }, quick, 'x');
    const active = await client.createWorkflowInstance({ instanceId: e2e.id('stays') }, waitsForever);
    await client.getWorkflowResult(instance, 10_000);
    assert.equal(await client.getWorkflowInstanceState(instance), 'finished');
    const gone = await waitUntil(
      () => client.getWorkflowInstanceState(instance).then(() => false, (err: unknown) => err instanceof InstanceNotFoundError),
      5_000,
    );
    assert.ok(gone, 'the finished instance expired');
    const page = await client.listWorkflowInstances({});
    assert.deepEqual(page.instances.map((info) => info.instance.instanceId), [active.instanceId]);
    assert.equal(await client.getWorkflowInstanceState(active), 'active');
  });

  it('lists instances newest first, a page at a time (E-34, R-14, R-15, R-16)', async () => {
    const client = await e2e.client();
    assert.deepEqual(await client.listWorkflowInstances({}), { instances: [] });
    const created = [];
    for (let i = 0; i < 5; i++) {
      created.push(await client.createWorkflowInstance({ instanceId: e2e.id(`list-${i}`), queue: i === 0 ? 'custom-queue' : 'default' }, 'listed'));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    const pageSizes: number[] = [];
    do {
      const page = await client.listWorkflowInstances(cursor === undefined ? { count: 2 } : { count: 2, cursor });
      pageSizes.push(page.instances.length);
      seen.push(...page.instances.map((info) => info.instance.instanceId));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    assert.deepEqual(pageSizes, [2, 2, 1]);
    assert.deepEqual(seen, created.map((c) => c.instanceId).reverse());
    const last = (await client.listWorkflowInstances({ count: 5 })).instances.at(-1);
    assert.equal(last?.queue, 'custom-queue');
    assert.equal(last?.name, 'listed');
    assert.equal(last?.state, 'active');
    assert.ok(last?.createdAt instanceof Date && last.finishedAt === undefined);
    await assert.rejects(client.listWorkflowInstances({ count: 0 }), { name: 'InvalidArgumentError' });
  });

  it('reports active instances and pending tasks per queue (E-35)', async () => {
    let releaseFirst!: () => void;
    let releaseSecond!: () => void;
    const gates = [new Promise<void>((r) => (releaseFirst = r)), new Promise<void>((r) => (releaseSecond = r))];
    const running: string[] = [];
    async function blockA(): Promise<void> {
      running.push('a');
      await gates[0];
    }
    async function blockB(): Promise<void> {
      running.push('b');
      await gates[1];
    }
    async function staged(ctx: WorkflowContext): Promise<void> {
      await workflow.executeActivity(ctx, {}, blockA);
      await workflow.executeActivity(ctx, { queue: 'custom' }, blockB);
      await workflow.newSignalChannel(ctx, 'test-signal').receive();
    }
    const client = await e2e.client();
    const empty = await client.getStats();
    assert.equal(empty.activeWorkflowInstances, 0);
    assert.equal(empty.pendingWorkflowTasks.default ?? 0, 0);
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('stats') }, staged);
    const created = await client.getStats();
    assert.equal(created.activeWorkflowInstances, 1);
    assert.equal(created.pendingWorkflowTasks.default, 1);
    await e2e.engine({ workflows: [staged], activities: [blockA, blockB], options: { queues: ['default', 'custom'] } });
    assert.ok(await waitUntil(async () => running.length === 1, 5_000));
    const first = await client.getStats();
    assert.equal(first.pendingWorkflowTasks.default ?? 0, 0);
    assert.equal(first.pendingActivityTasks.default, 1, 'a running activity counts as pending');
    releaseFirst();
    assert.ok(await waitUntil(async () => running.length === 2, 5_000));
    const second = await client.getStats();
    assert.equal(second.pendingActivityTasks.default ?? 0, 0);
    assert.equal(second.pendingActivityTasks.custom, 1);
    releaseSecond();
    assert.ok(await waitUntil(async () => ((await client.getStats()).pendingActivityTasks.custom ?? 0) === 0, 5_000));
    await client.signalWorkflow(instance.instanceId, 'test-signal', null);
    await client.getWorkflowResult(instance, 10_000);
    const done = await client.getStats();
    assert.equal(done.activeWorkflowInstances, 0);
    assert.equal(done.pendingActivityTasks.default ?? 0, 0);
  });

  it('has no dead-letter messages while every message is delivered, and refuses to retry an unknown one', async () => {
    async function pinged(ctx: WorkflowContext): Promise<string> {
      return workflow.newSignalChannel<string>(ctx, 'ping').receive();
    }
    async function pinger(ctx: WorkflowContext, target: string): Promise<void> {
      await workflow.signalWorkflow(ctx, target, 'ping', 'pong');
    }
    const client = await e2e.engine({ workflows: [pinged, pinger] });
    const target = await client.createWorkflowInstance({ instanceId: e2e.id('pinged') }, pinged);
    await client.getWorkflowResult(await client.createWorkflowInstance({ instanceId: e2e.id('pinger') }, pinger, target.instanceId), 10_000);
    assert.equal(await client.getWorkflowResult(target, 10_000), 'pong');
    assert.deepEqual(await client.listDeadLetterMessages({ count: 10 }), { messages: [] });
    assert.equal((await client.getStats()).deadLetterMessages, 0);
    await assert.rejects(client.retryDeadLetterMessage('0-1-0'), DeadLetterNotFoundError);
  });

  it('fails an instance whose history would outgrow the size limit (E-21)', async () => {
    async function manySteps(ctx: WorkflowContext): Promise<void> {
      for (let i = 0; i < 10; i++) await workflow.executeActivity(ctx, {}, 'notRegistered');
    }
    const client = await e2e.engine({ workflows: [manySteps], options: { maxHistorySize: 2 } });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('history-limit') }, manySteps);
    await assert.rejects(client.getWorkflowResult(instance, 10_000), (err: unknown) => {
      assert.ok(err instanceof WorkflowError);
      assert.equal(err.message, 'workflow history size exceeded 2 events');
      assert.equal(err.type, 'HistorySizeExceededError');
      return true;
    });
    const stats = await client.getStats();
    assert.equal(stats.pendingActivityTasks.default ?? 0, 0, 'no activity was scheduled');
  });
}
