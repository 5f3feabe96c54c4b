import assert from 'node:assert/strict';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { InvalidArgumentError, NonDeterminismError } from '../../src/errors/errors.js';
import type { WorkflowFunction } from '../../src/executor/workflow-function.js';
import type { HistoryEvent } from '../../src/history/events.js';
import { replayHistory as replayHistoryFromRoot } from '../../src/index.js';
import { historyFromJson, historyToJson, replayHistory } from '../../src/testing/index.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { startEngine, waitUntil } from '../helpers/engine.js';

/** How a variant of the order workflow differs from the recorded one. */
interface OrderVariant {
  /** An activity called before anything else. */
  insertFirst?: string;
  reserveActivity?: string;
  /** The pause after reserving: a timer (as recorded) or an activity of that name. */
  pauseActivity?: string;
  /** The activity called once the 'ship' signal arrived. */
  finalActivity?: string;
  /** A local computation and log line that differ from the recorded code. */
  reworded?: boolean;
}

/** The order workflow as recorded (no variant), or changed as `variant` says; registered under one name. */
function orderWorkflow(variant: OrderVariant = {}): WorkflowFunction {
  return async function order(ctx: WorkflowContext, orderId: string): Promise<string> {
    if (variant.insertFirst !== undefined) await workflow.executeActivity(ctx, {}, variant.insertFirst, orderId);
    const reserved = await workflow.executeActivity<string>(ctx, {}, variant.reserveActivity ?? 'reserve', orderId);
    const label = variant.reworded === true ? `order ${reserved.toUpperCase()}` : reserved;
    workflow.logger(ctx).info({ label }, variant.reworded === true ? 'reserved, now pausing' : 'reserved');
    if (variant.pauseActivity === undefined) await workflow.sleep(ctx, 5);
    else await workflow.executeActivity(ctx, {}, variant.pauseActivity);
    const token = await workflow.sideEffect(ctx, () => `token-${workflow.random(ctx)}`);
    const address = await workflow.newSignalChannel<string>(ctx, 'ship').receive();
    return await workflow.executeActivity<string>(ctx, {}, variant.finalActivity ?? 'ship', label, token, address);
  };
}

const activities = {
  reserve: async (orderId: string): Promise<string> => `r-${orderId}`,
  ship: async (label: string, _token: string, address: string): Promise<string> => `${label} to ${address}`,
};

/** Histories recorded by a real worker: one instance still waiting for its signal, one finished. */
async function recordOrders(): Promise<{ active: HistoryEvent[]; activeInstance: WorkflowInstance; finished: HistoryEvent[] }> {
  const backend = new MemoryBackend();
  const { client, stop } = await startEngine(backend, { workflows: [orderWorkflow()], activities: [activities] });
  try {
    const activeInstance = await client.createWorkflowInstance({ instanceId: 'order-active' }, 'order', 'a1');
    const done = await client.createWorkflowInstance({ instanceId: 'order-done' }, 'order', 'd1');
    const waitingForSignal = async (instance: WorkflowInstance): Promise<boolean> =>
      (await client.getWorkflowInstanceHistory(instance)).some((event) => event.type === 'SideEffectResult');
    assert.ok(await waitUntil(() => waitingForSignal(done), 10_000));
    await client.signalWorkflow(done.instanceId, 'ship', 'Main St');
    assert.equal(await client.getWorkflowResult(done, 10_000), 'r-d1 to Main St');
    assert.ok(await waitUntil(() => waitingForSignal(activeInstance), 10_000));
    return {
      active: await client.getWorkflowInstanceHistory(activeInstance),
      activeInstance,
      finished: await client.getWorkflowInstanceHistory(done),
    };
  } finally {
    await stop();
    await backend.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected a rejection');
}

describe('replayHistory', function () {
  let recorded: Awaited<ReturnType<typeof recordOrders>>;

  before(async function () {
    recorded = await recordOrders();
  });

  it('replays histories recorded by a real run against the same code', async function () {
    await replayHistory(orderWorkflow(), recorded.active);
    await replayHistory(orderWorkflow(), recorded.finished);
    await replayHistory(orderWorkflow(), { instance: recorded.activeInstance, history: recorded.active });
    await replayHistoryFromRoot(orderWorkflow(), recorded.finished);
  });

  it('accepts a change after the last recorded point, and a changed log line or local computation', async function () {
    await replayHistory(orderWorkflow({ finalActivity: 'dispatch' }), recorded.active);
    await replayHistory(orderWorkflow({ reworded: true }), recorded.active);
    await replayHistory(orderWorkflow({ reworded: true }), recorded.finished);
  });

  it('rejects a change the recorded part of the history already passed, naming both sides', async function () {
    const err = await rejection(replayHistory(orderWorkflow({ finalActivity: 'dispatch' }), recorded.finished));
    assert.ok(err instanceof NonDeterminismError, String(err));
    assert.match(err.message, /ActivityScheduled of activity 'ship' \(command 4\).*issued activity 'dispatch' \(command 4\)/);
  });

  it('says what the workflow code threw when it failed where the history goes on', async function () {
    async function order(ctx: WorkflowContext, orderId: string): Promise<string> {
      if (orderId !== '') throw new TypeError('orderId.trim is not a function');
      return await orderWorkflow()(ctx, orderId) as string;
    }
    const err = await rejection(replayHistory(order, recorded.active));
    assert.ok(err instanceof NonDeterminismError, String(err));
    assert.match(err.message, /ActivityScheduled of activity 'reserve' \(command 1\), but the workflow code issued nothing in its place \(the workflow code had thrown TypeError: orderId\.trim is not a function\)$/);
  });

  const incompatible: Array<[string, OrderVariant, RegExp]> = [
    ['an activity inserted', { insertFirst: 'validate' }, /ActivityScheduled of activity 'reserve' \(command 1\).*issued activity 'validate' \(command 1\)/],
    ['an activity renamed', { reserveActivity: 'reserveStock' }, /ActivityScheduled of activity 'reserve' \(command 1\).*issued activity 'reserveStock' \(command 1\)/],
    ['a timer replaced by an activity', { pauseActivity: 'pause' }, /TimerScheduled of timer \(command 2\).*issued activity 'pause' \(command 2\)/],
  ];
  for (const [change, variant, message] of incompatible) {
    it(`rejects ${change} with a NonDeterminismError naming both sides`, async function () {
      for (const history of [recorded.active, recorded.finished]) {
        const err = await rejection(replayHistory(orderWorkflow(variant), history));
        assert.ok(err instanceof NonDeterminismError, String(err));
        assert.match(err.message, message);
      }
    });
  }

  it('seeds workflow.random with the recorded instance, so code deciding by it replays only as that instance', async function () {
    async function coinFlip(ctx: WorkflowContext): Promise<void> {
      const name = workflow.random(ctx) < 0.5 ? 'heads' : 'tails';
      await workflow.executeActivity(ctx, {}, name);
      await workflow.newSignalChannel(ctx, 'never').receive();
    }
    const backend = new MemoryBackend();
    const { client, stop } = await startEngine(backend, {
      workflows: [coinFlip],
      activities: [{ heads: async () => 'h', tails: async () => 't' }],
    });
    try {
      const instances = await Promise.all(
        Array.from({ length: 8 }, (_, i) => client.createWorkflowInstance({ instanceId: `coin-${i}` }, coinFlip)),
      );
      const histories = await Promise.all(
        instances.map(async (instance) => {
          const has = async (): Promise<boolean> => (await client.getWorkflowInstanceHistory(instance)).some((e) => e.type === 'ActivityCompleted');
          assert.ok(await waitUntil(has, 10_000));
          return { instance, history: await client.getWorkflowInstanceHistory(instance) };
        }),
      );
      for (const recordedCoin of histories) await replayHistory(coinFlip, recordedCoin);
      // Replayed as another execution, the flips differ from the recorded ones for some of the eight.
      const asOther = await Promise.allSettled(
        histories.map(({ history }) => replayHistory(coinFlip, history, { instance: { instanceId: 'other', executionId: 'x' } })),
      );
      const diverged = asOther.filter((outcome) => outcome.status === 'rejected');
      assert.ok(diverged.length > 0 && diverged.length < 8, `${diverged.length} of 8 diverged`);
      for (const outcome of diverged) assert.ok((outcome).reason instanceof NonDeterminismError);
    } finally {
      await stop();
      await backend.close();
    }
  });

  describe('refuses what is not a recorded history', function () {
    const refused: Array<[string, () => unknown, RegExp]> = [
      ['an empty history', () => [], /is empty/],
      ['a history not starting with the started event', () => renumber(recorded.active.slice(1)), /does not start like a recorded execution.*starts with WorkflowExecutionStarted, ActivityScheduled/],
      ['a history with a sequence gap', () => [...recorded.active.slice(0, 3), ...recorded.active.slice(4)], /\[3\] has sequenceId 5, expected 4/],
      ['an event without a Date timestamp', () => recorded.active.map((e, i) => (i === 2 ? { ...e, timestamp: 'yesterday' } : e)), /\[2\] \(event 3, ActivityScheduled\) has no valid Date timestamp/],
      ['something other than an array', () => 'history', /is not an array/],
      ['an event whose attributes lack what its type carries', () => recorded.active.map((e, i) => (i === 2 ? { ...e, attributes: {} } : e)), /could not be replayed, an event is malformed/],
    ];
    for (const [what, history, message] of refused) {
      it(`${what}: InvalidArgumentError`, async function () {
        const err = await rejection(replayHistory(orderWorkflow(), history() as HistoryEvent[]));
        assert.ok(err instanceof InvalidArgumentError, String(err));
        assert.match(err.message, message);
      });
    }

    it('a workflow that is not a function: InvalidArgumentError', async function () {
      const err = await rejection(replayHistory('order' as unknown as WorkflowFunction, recorded.active));
      assert.ok(err instanceof InvalidArgumentError);
    });
  });
});

function renumber(events: HistoryEvent[]): HistoryEvent[] {
  return events.map((event, index) => ({ ...event, sequenceId: index + 1 }));
}

describe('history files (historyToJson, historyFromJson)', function () {
  /** Every kind of payload the engine carries, as workflow input, activity result, signal and failure. */
  const payload = (): Record<string, unknown> => {
    const cause = new TypeError('inner');
    const error = Object.assign(new RangeError('outer', { cause }), { code: 42 });
    return {
      date: new Date(Date.UTC(2024, 1, 29, 12)),
      big: 2n ** 100n,
      negativeZero: -0,
      nothing: undefined,
      nil: null,
      map: new Map<unknown, unknown>([[{ k: 1 }, 'object key'], [7n, new Set([1, 'two'])]]),
      set: new Set([new Date(0), [1, 2]]),
      bytes: new Uint8Array([0, 255, 7]),
      floats: new Float64Array([1.5, -0, Number.NaN]),
      buffer: new Uint16Array([1, 65535]).buffer,
      regexp: /a+b/giu,
      error,
      text: 'emoji 🎉 and "quotes"\n',
      sparse: [1, undefined, 3],
    };
  };

  async function payloadWorkflow(ctx: WorkflowContext, input: Record<string, unknown>): Promise<unknown> {
    const echoed = await workflow.executeActivity(ctx, {}, 'echo', input);
    try {
      await workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, 'explode', input);
    } catch {
      // The failure (with its details) is what the history should carry.
    }
    const signal = await workflow.newSignalChannel(ctx, 'more').receive();
    return [echoed, signal];
  }

  let history: HistoryEvent[];
  let instance: WorkflowInstance;

  before(async function () {
    const backend = new MemoryBackend();
    const { client, stop } = await startEngine(backend, {
      workflows: [payloadWorkflow],
      activities: [
        {
          echo: async (input: unknown) => input,
          explode: async (input: Record<string, unknown>) => {
            throw Object.assign(new Error('boom'), { details: input });
          },
        },
      ],
    });
    try {
      instance = await client.createWorkflowInstance({ instanceId: 'payloads' }, payloadWorkflow, payload());
      await waitUntil(async () => (await client.getWorkflowInstanceHistory(instance)).some((e) => e.type === 'ActivityFailed'), 10_000);
      await client.signalWorkflow(instance.instanceId, 'more', payload());
      await client.getWorkflowResult(instance, 10_000);
      history = await client.getWorkflowInstanceHistory(instance);
    } finally {
      await stop();
      await backend.close();
    }
  });

  it('round-trips a history with every kind of payload, and the instance that recorded it', async function () {
    const types = history.map((event) => event.type);
    for (const type of ['ActivityCompleted', 'ActivityFailed', 'SignalReceived', 'WorkflowExecutionFinished']) assert.ok(types.includes(type as never), type);
    const text = historyToJson(history, instance);
    const parsed = JSON.parse(text) as { format: string; version: number; events: Array<{ type: string }> };
    assert.equal(parsed.format, 'redflow-history');
    assert.equal(parsed.events[1]?.type, 'WorkflowExecutionStarted');
    const back = historyFromJson(text);
    assert.deepStrictEqual(back.instance, { instanceId: instance.instanceId, executionId: instance.executionId });
    assert.deepStrictEqual(back.history, history);
    const started = back.history[1] as Extract<HistoryEvent, { type: 'WorkflowExecutionStarted' }>;
    const input = started.attributes.inputs[0] as ReturnType<typeof payload>;
    // deepStrictEqual compares an Error by name and message; its cause and fields must survive too.
    const error = input.error as RangeError & { code: number };
    assert.ok(error instanceof RangeError);
    assert.equal(error.code, 42);
    assert.ok(error.cause instanceof TypeError);
    assert.ok(Object.is(input.negativeZero, -0));
    assert.ok('nothing' in input && input.nothing === undefined);
    await replayHistory(payloadWorkflow, back);
  });

  it('writes no instance when none is given', function () {
    const back = historyFromJson(historyToJson(history));
    assert.equal(back.instance, undefined);
    assert.deepStrictEqual(back.history, history);
  });

  const good = (): Record<string, unknown> => JSON.parse(historyToJson(history, instance)) as Record<string, unknown>;
  const withEvent = (index: number, change: Record<string, unknown>): string => {
    const file = good();
    const events = file.events as Array<Record<string, unknown>>;
    events[index] = { ...events[index], ...change };
    return JSON.stringify(file);
  };
  const bad: Array<[string, () => string, RegExp]> = [
    ['text that is not JSON', () => '{"format": "redflow-history",', /^history file is not JSON \(/],
    ['JSON that is no history file', () => '{"events": []}', /is not a redflow history file/],
    ['another version', () => JSON.stringify({ ...good(), version: 2 }), /has version 2; this redflow reads version 1/],
    ['no events array', () => JSON.stringify({ ...good(), events: {} }), /has no "events" array/],
    ['no events', () => JSON.stringify({ ...good(), events: [] }), /events is empty/],
    ['a bad timestamp', () => withEvent(1, { timestamp: 'soon' }), /events\[1\]\.timestamp is not an ISO 8601 date/],
    ['attributes that are not base64', () => withEvent(2, { attributes: '%%%' }), /events\[2\]\.attributes is not base64/],
    ['attributes that cannot be decoded', () => withEvent(2, { attributes: Buffer.from([0x92, 0x01]).toString('base64') }), /events\[2\]\.attributes cannot be decoded/],
    ['a sequence gap', () => withEvent(3, { sequenceId: 9 }), /events\[3\] has sequenceId 9, expected 4/],
    ['a bad instance', () => JSON.stringify({ ...good(), instance: { instanceId: 1 } }), /instance is not \{ instanceId, executionId \}/],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses ${what} with an InvalidArgumentError naming the problem`, function () {
      assert.throws(() => historyFromJson(text(), 'history file'), (err: unknown) => err instanceof InvalidArgumentError && message.test(err.message));
    });
  }

  it('refuses to write what is not a recorded history', function () {
    assert.throws(() => historyToJson([]), InvalidArgumentError);
    assert.throws(() => historyToJson(renumber(history.slice(1))), InvalidArgumentError);
  });
});
