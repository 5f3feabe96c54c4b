import assert from 'node:assert/strict';
import { ChannelClosedError } from '../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import type { E2E } from './harness.js';

/** select, channels and races, deterministic on replay. */
export function selectScenarios(e2e: E2E): void {
  it('selects a timer over a slower activity (T-12, T-22)', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    async function slowWork(): Promise<string> {
      await released;
      return 'activity';
    }
    async function timerWins(ctx: WorkflowContext): Promise<string> {
      const [scope, cancel] = workflow.withCancel(ctx);
      const timer = workflow.scheduleTimer(scope, 50);
      const activity = workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, slowWork);
      return workflow.select(
        ctx,
        workflow.onFuture(timer, () => 'timer'),
        workflow.onFuture(activity, async (f) => {
          cancel();
          return f;
        }),
      );
    }
    const result = e2e.run({ workflows: [timerWins], activities: [slowWork] }, timerWins);
    assert.equal(await result, 'timer');
    release();
  });

  it('breaks ties by argument order and takes onDefault when nothing is ready', async () => {
    async function ties(ctx: WorkflowContext): Promise<string[]> {
      const a = workflow.sideEffect(ctx, () => 'a');
      const b = workflow.sideEffect(ctx, () => 'b');
      const seen: string[] = [];
      seen.push(await workflow.select(ctx, workflow.onDefault(() => 'default'), workflow.onFuture(workflow.scheduleTimer(ctx, 1), () => 'timer')));
      await Promise.all([a, b]);
      seen.push(await workflow.select(ctx, workflow.onFuture(b, () => 'b'), workflow.onFuture(a, () => 'a')));
      seen.push(await workflow.select(ctx, workflow.onFuture(a, () => 'a'), workflow.onFuture(b, () => 'b')));
      return seen;
    }
    assert.deepEqual(await e2e.run({ workflows: [ties] }, ties), ['default', 'b', 'a']);
  });

  it('passes values between concurrent branches over channels, and reports closing', async () => {
    async function produce(i: number): Promise<number> {
      return i * 10;
    }
    async function pipeline(ctx: WorkflowContext): Promise<{ values: number[]; closedOk: boolean; closedError: string; buffered: number[] }> {
      const channel = workflow.newChannel<number>(ctx);
      const producer = (async () => {
        for (let i = 1; i <= 3; i++) await channel.send(await workflow.executeActivity(ctx, {}, produce, i));
        channel.close();
      })();
      const values: number[] = [];
      let closedOk = true;
      while (closedOk) {
        closedOk = await workflow.select(
          ctx,
          workflow.onReceive(channel, (value, ok) => {
            if (ok) values.push(value as number);
            return ok;
          }),
        );
      }
      await producer;
      const closedError = await channel.receive().then(
        () => 'value',
        (err: unknown) => (err instanceof ChannelClosedError ? 'ChannelClosedError' : 'other'),
      );
      const buffer = workflow.newBufferedChannel<number>(ctx, 2);
      await buffer.send(1);
      await buffer.send(2);
      const buffered = [buffer.tryReceive(), buffer.tryReceive(), buffer.tryReceive()].map((r) => (r.ok ? r.value : -1));
      return { values, closedOk, closedError, buffered };
    }
    assert.deepEqual(await e2e.run({ workflows: [pipeline], activities: [produce] }, pipeline), {
      values: [10, 20, 30],
      closedOk: false,
      closedError: 'ChannelClosedError',
      buffered: [1, 2, -1],
    });
  });

  it('races futures, timers and signal receives with Promise.race', async () => {
    async function raced(ctx: WorkflowContext): Promise<string> {
      const signal = workflow.newSignalChannel<string>(ctx, 'go').receive();
      const timer = workflow.sleep(ctx, 30_000).then(() => 'timer');
      return Promise.race([signal.then((v) => `signal ${v}`), timer]);
    }
    const client = await e2e.engine({ workflows: [raced] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('race') }, raced);
    await client.signalWorkflow(instance.instanceId, 'go', 'now');
    assert.equal(await client.getWorkflowResult(instance, 10_000), 'signal now');
  });
}
