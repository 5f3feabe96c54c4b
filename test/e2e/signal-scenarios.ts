import assert from 'node:assert/strict';
import { InstanceNotFoundError, WorkflowError } from '../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import type { E2E } from './harness.js';

/** A promise the test opens when it is ready. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** Signals: client and workflow senders, arrival order, early signals, unknown and finished targets. */
export function signalScenarios(e2e: E2E): void {
  it('delivers a client signal to a waiting workflow (C-05, T-27)', async () => {
    async function waitsForSignal(ctx: WorkflowContext): Promise<string> {
      return `got ${await workflow.newSignalChannel<string>(ctx, 'signal').receive()}`;
    }
    const client = await e2e.engine({ workflows: [waitsForSignal] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('signal') }, waitsForSignal);
    await client.signalWorkflow(instance.instanceId, 'signal', 's42');
    assert.equal(await client.getWorkflowResult(instance, 10_000), 'got s42');
    const history = await client.getWorkflowInstanceHistory(instance);
    const received = history.find((e) => e.type === 'SignalReceived');
    assert.deepEqual(received?.attributes, { name: 'signal', arg: 's42' });
  });

  it('delivers signals in arrival order, also those sent before the channel existed', async () => {
    const ready = gate();
    async function holdUntilSent(): Promise<void> {
      await ready.wait;
    }
    async function collectsLater(ctx: WorkflowContext): Promise<string[]> {
      await workflow.executeActivity(ctx, {}, holdUntilSent);
      const channel = workflow.newSignalChannel<string>(ctx, 'letters');
      const seen: string[] = [];
      for (let i = 0; i < 5; i++) seen.push(await channel.receive());
      return seen;
    }
    const client = await e2e.engine({ workflows: [collectsLater], activities: [holdUntilSent] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('order') }, collectsLater);
    for (const letter of ['a', 'b', 'c']) await client.signalWorkflow(instance.instanceId, 'letters', letter);
    await client.signalWorkflow(instance.instanceId, 'other', 'ignored');
    ready.open();
    for (const letter of ['d', 'e']) await client.signalWorkflow(instance.instanceId, 'letters', letter);
    assert.deepEqual(await client.getWorkflowResult(instance, 10_000), ['a', 'b', 'c', 'd', 'e']);
  });

  it('consumes a signal that arrives in the same task as the start (X-08)', async () => {
    async function startsWithSignal(ctx: WorkflowContext): Promise<number> {
      return workflow.newSignalChannel<number>(ctx, 'n').receive();
    }
    // No worker yet: the start and the signal wait in the inbox together.
    const client = await e2e.client();
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('same-task') }, 'startsWithSignal');
    await client.signalWorkflow(instance.instanceId, 'n', 7);
    await e2e.engine({ workflows: [startsWithSignal] });
    assert.equal(await client.getWorkflowResult(instance, 10_000), 7);
    const history = await client.getWorkflowInstanceHistory(instance);
    assert.equal(history.filter((e) => e.type === 'WorkflowTaskStarted').length, 1);
  });

  it('rejects signals to unknown and finished instances with InstanceNotFoundError (B-14, E-09)', async () => {
    async function quick(): Promise<number> {
      return 1;
    }
    const client = await e2e.engine({ workflows: [quick] });
    await assert.rejects(client.signalWorkflow(e2e.id('does-not-exist'), 'signal', null), InstanceNotFoundError);
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('finished') }, quick);
    await client.getWorkflowResult(instance, 10_000);
    await assert.rejects(client.signalWorkflow(instance.instanceId, 'signal', null), InstanceNotFoundError);
  });

  it('rejects a bad signal with InvalidArgumentError and sends nothing', async () => {
    const client = await e2e.engine({});
    await assert.rejects(client.signalWorkflow('', 'signal', 1), { name: 'InvalidArgumentError' });
    await assert.rejects(client.signalWorkflow('x', '', 1), { name: 'InvalidArgumentError' });
    await assert.rejects(client.signalWorkflow('x', 'signal', () => 1), { name: 'InvalidArgumentError' });
  });

  it('fails workflow.signalWorkflow to an instance that was never created (E-17, T-28)', async () => {
    async function signalsNobody(ctx: WorkflowContext): Promise<string> {
      const target = await workflow.sideEffect(ctx, () => `nobody-${Math.random()}`);
      try {
        await workflow.signalWorkflow(ctx, target, 'test', '');
        return 'delivered';
      } catch (err) {
        assert.ok(err instanceof WorkflowError);
        return `${err.type}: ${err.message.startsWith('workflow instance not found')}`;
      }
    }
    assert.equal(await e2e.run({ workflows: [signalsNobody] }, signalsNobody), 'InstanceNotFoundError: true');
  });

  it('signals a sub-workflow started earlier in the same task (E-15, T-34)', async () => {
    async function doublesOnSignal(ctx: WorkflowContext, i: number): Promise<number> {
      await workflow.newSignalChannel(ctx, 'signal').receive();
      return i * 2;
    }
    async function startsAndSignals(ctx: WorkflowContext): Promise<number> {
      const id = await workflow.sideEffect(ctx, () => `child-${Math.random()}`);
      const child = workflow.createSubWorkflowInstance(ctx, { instanceId: id }, doublesOnSignal, 1);
      await workflow.signalWorkflow(ctx, id, 'signal', 'hello');
      return child;
    }
    assert.equal(await e2e.run({ workflows: [startsAndSignals, doublesOnSignal] }, startsAndSignals), 2);
  });

  it('runs a signalled sub-workflow on another queue (E-16)', async () => {
    async function childOnCustom(ctx: WorkflowContext, i: number): Promise<number> {
      await workflow.newSignalChannel(ctx, 'signal').receive();
      return i * 2;
    }
    async function parentOnDefault(ctx: WorkflowContext): Promise<number> {
      const id = await workflow.sideEffect(ctx, () => `custom-child-${Math.random()}`);
      const child = workflow.createSubWorkflowInstance(ctx, { instanceId: id, queue: 'custom' }, childOnCustom, 1);
      await workflow.signalWorkflow(ctx, id, 'signal', 'hello');
      return child;
    }
    const client = await e2e.engine({ workflows: [parentOnDefault, childOnCustom], options: { queues: ['default', 'custom'] } });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('queues') }, parentOnDefault);
    assert.equal(await client.getWorkflowResult(instance, 10_000), 2);
    const page = await client.listWorkflowInstances({ count: 10 });
    const child = page.instances.find((info) => info.name === 'childOnCustom');
    assert.equal(child?.queue, 'custom');
  });

  it('lets a signal win a race against a slow activity (T-13)', async () => {
    const release = gate();
    async function slow(): Promise<string> {
      await release.wait;
      return 'activity';
    }
    async function raceWithSignal(ctx: WorkflowContext): Promise<string> {
      const activity = workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, slow);
      const signals = workflow.newSignalChannel<string>(ctx, 'signal');
      return workflow.select(
        ctx,
        workflow.onFuture(activity, async (f) => f),
        workflow.onReceive(signals, (value) => `signal ${value}`),
      );
    }
    const client = await e2e.engine({ workflows: [raceWithSignal], activities: [slow] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('race') }, raceWithSignal);
    await client.signalWorkflow(instance.instanceId, 'signal', 'first');
    const result = await client.getWorkflowResult(instance, 10_000);
    release.open();
    assert.equal(result, 'signal first');
  });
}
