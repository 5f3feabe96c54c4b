import assert from 'node:assert/strict';
import { pino } from 'pino';
import { activityContext } from '../../src/activity/activity-context.js';
import { InvalidArgumentError, WorkflowError } from '../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import type { E2E } from './harness.js';
import { outcomeRecorder } from '../helpers/payloads.js';
import { waitUntil } from '../helpers/engine.js';

/** One value of every kind a payload carries (API.md "Payloads"), nested where it matters. */
function everyKind(): Record<string, unknown> {
  return {
    undef: undefined,
    nul: null,
    negativeZero: -0,
    nan: NaN,
    infinity: -Infinity,
    bigint: -(2n ** 100n),
    small: 7n,
    text: 'h\u00e9llo \u{1F955} \uFFFD',
    date: new Date(1_700_000_000_123),
    invalidDate: new Date(NaN),
    regexp: /a+b/giu,
    objectKeys: new Map<unknown, unknown>([
      [{ sku: 'A-1' }, 2],
      ['apples', 3],
      [1, 'one'],
    ]),
    set: new Set<unknown>([1, 'a', { x: [1] }]),
    bytes: new Uint8Array([1, 2, 3]),
    floats: new Float64Array([1.5, -0]),
    bigints: new BigInt64Array([-1n, 2n ** 62n]),
    arrayBuffer: new Uint8Array([9, 8]).buffer,
    view: new DataView(new Uint8Array([4, 5]).buffer),
    error: Object.assign(new TypeError('bad input', { cause: new Error('inner') }), { code: 'E_BAD' }),
    nested: [[{ a: [1, { b: new Map([['c', new Set([[-0]])]]) }] }]],
  };
}

function assertEveryKind(actual: unknown, what: string): void {
  // Checked on their own below: the error's stack names where this copy of it was made, and deepStrictEqual
  // holds no invalid Date equal to another.
  const { error: expectedError, invalidDate: _expectedDate, ...expected } = everyKind();
  const { error: actualError, invalidDate, ...value } = actual as Record<string, unknown>;
  assert.deepStrictEqual(value, expected, what);
  assert.ok(invalidDate instanceof Date && Number.isNaN(invalidDate.getTime()), `${what}: an invalid Date`);
  assert.ok(Object.is(value.negativeZero, -0), `${what}: -0`);
  assert.ok(value.objectKeys instanceof Map, `${what}: a Map stays a Map`);
  const error = actualError as Error & { code: string };
  assert.ok(error instanceof TypeError, `${what}: the error class`);
  assert.equal(error.message, (expectedError as Error).message, `${what}: the message`);
  // The stack it was thrown with, not one of the decoder.
  assert.match(error.stack ?? '', /^TypeError: bad input\n\s+at everyKind /, `${what}: the stack`);
  assert.equal((error.cause as Error).message, 'inner', `${what}: the cause`);
  assert.equal(error.code, 'E_BAD', `${what}: own fields of the error`);
}

async function echo(value: unknown): Promise<unknown> {
  return value;
}

/** Payload fidelity and refusal (API.md "Payloads"), through the client, workflow code and activities. */
export function payloadScenarios(e2e: E2E): void {
  it('round-trips every payload kind through arguments, an activity, a signal and results', async () => {
    async function roundTrip(ctx: WorkflowContext, value: unknown): Promise<unknown[]> {
      const fromActivity = await workflow.executeActivity(ctx, {}, echo, value);
      const signalled = await workflow.newSignalChannel<unknown>(ctx, 'value').receive();
      return [value, fromActivity, signalled];
    }
    const client = await e2e.engine({ workflows: [roundTrip], activities: [echo] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('kinds') }, roundTrip, everyKind());
    await client.signalWorkflow(instance.instanceId, 'value', everyKind());
    const [argument, fromActivity, signalled] = await client.getWorkflowResult(instance, 10_000);
    assertEveryKind(argument, 'workflow argument');
    assertEveryKind(fromActivity, 'activity argument and result');
    assertEveryKind(signalled, 'signal argument');
  });

  it('keeps a Map with object keys as an activity result and as a workflow result', async () => {
    async function stock(): Promise<Map<{ sku: string }, number>> {
      return new Map([[{ sku: 'A-1' }, 2]]);
    }
    async function inventory(ctx: WorkflowContext, prices: Map<string, number>): Promise<unknown[]> {
      const counted = await workflow.executeActivity(ctx, {}, stock);
      // A task after the activity replays its result from the history (without the executor cache).
      await workflow.sleep(ctx, 1);
      return [counted, new Map([[{ sku: 'B-2' }, 5]]), prices];
    }
    const client = await e2e.engine({ workflows: [inventory], activities: [stock] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('map') }, inventory, new Map([['apples', 3]]));
    const [counted, own, prices] = await client.getWorkflowResult(instance, 10_000);
    assert.deepStrictEqual(counted, new Map([[{ sku: 'A-1' }, 2]]));
    assert.deepStrictEqual(own, new Map([[{ sku: 'B-2' }, 5]]));
    assert.ok(prices instanceof Map, 'a Map with string keys is not turned into an object');
    assert.deepStrictEqual(prices, new Map([['apples', 3]]));
    const history = await client.getWorkflowInstanceHistory(instance);
    const completed = history.find((event) => event.type === 'ActivityCompleted');
    assert.deepStrictEqual(completed?.attributes, { result: new Map([[{ sku: 'A-1' }, 2]]) });
  });

  it('refuses strings that are not well-formed UTF-16 at the client, naming them, and writes nothing', async () => {
    async function takes(_ctx: WorkflowContext, value: unknown): Promise<unknown> {
      return value;
    }
    async function waits(ctx: WorkflowContext): Promise<unknown> {
      return workflow.newSignalChannel(ctx, 'go').receive();
    }
    const client = await e2e.engine({ workflows: [takes, waits] });
    const refused = (pattern: RegExp) => (err: unknown) => err instanceof InvalidArgumentError && pattern.test(err.message);
    const id = e2e.id('utf16');
    await assert.rejects(client.createWorkflowInstance({ instanceId: id }, takes, 'receipt \uD83E'), refused(/arguments of workflow takes: \[0\] is a string that is not well-formed UTF-16 \(lone surrogate U\+D83E at index 8\)/));
    await assert.rejects(client.createWorkflowInstance({ instanceId: id }, takes, { lines: ['ok', 'x\uDC00'] }), refused(/\[0\]\.lines\[1\] is a string/));
    await assert.rejects(client.createWorkflowInstance({ instanceId: id }, takes, new Map([['k\uD800', 1]])), refused(/\[0\]\.keys\(\)\[0\] is a string/));
    await assert.rejects(client.createWorkflowInstance({ instanceId: id }, takes, { ['k\uD800']: 1 }), refused(/\[0\]\["k\\ud800"\] is a key/));
    await assert.rejects(client.createWorkflowInstance({ instanceId: id }, takes, new Set([new Error('m\uDFFF')])), refused(/\[0\]\.values\(\)\[0\]\.message is a string/));
    await assert.rejects(client.createWorkflowInstance({ instanceId: `${id}\uD83E` }, takes, 1), refused(/^instanceId .* is not well-formed UTF-16/));
    await assert.rejects(client.createWorkflowInstance({ instanceId: id }, 'takes\uD800', 1), refused(/^workflow name/));
    await assert.rejects(client.getWorkflowInstanceState({ instanceId: `${id}\uD83E`, executionId: 'x' }), refused(/^instanceId/));
    await assert.rejects(client.getWorkflowResult({ instanceId: id, executionId: 'x\uDC00' }, 10), refused(/^executionId/));
    // On Redis, instance `id` with execution `a:b` would name the keys of instance `id:a`, execution `b`.
    await assert.rejects(client.getWorkflowInstanceHistory({ instanceId: id, executionId: 'a:b' }), refused(/^executionId must not contain ":"/));
    // Nothing was written: no instance exists, under the id or under what UTF-8 would have made of it.
    assert.deepEqual((await client.listWorkflowInstances()).instances, []);

    const waiting = await client.createWorkflowInstance({ instanceId: id }, waits);
    await assert.rejects(client.signalWorkflow(id, 'go\uD800', 1), refused(/^signal name/));
    await assert.rejects(client.signalWorkflow(id, 'go', ['x\uD800']), refused(/^argument of signal go: \[0\] is a string/));
    await assert.rejects(client.signalWorkflow(`${id}\uDC00`, 'go', 1), refused(/^instanceId/));
    // The id UTF-8 would have turned the lone surrogate into is a different instance of its own.
    const lookalike = await client.createWorkflowInstance({ instanceId: `${id}\uFFFD` }, takes, 'receipt \uFFFD');
    assert.equal(await client.getWorkflowResult(lookalike, 10_000), 'receipt \uFFFD');
    await client.signalWorkflow(id, 'go', 'receipt \uD83E\uDD55');
    assert.equal(await client.getWorkflowResult(waiting, 10_000), 'receipt \uD83E\uDD55');
    const signals = (await client.getWorkflowInstanceHistory(waiting)).filter((event) => event.type === 'SignalReceived');
    assert.equal(signals.length, 1, 'the refused signals were not delivered');
  });

  it('fails only the call when workflow code passes a string that is not well-formed UTF-16', async () => {
    async function child(_ctx: WorkflowContext, value: unknown): Promise<unknown> {
      return value;
    }
    async function probes(ctx: WorkflowContext): Promise<string[]> {
      const self = workflow.workflowInstance(ctx).instanceId;
      const { outcomes, probe } = outcomeRecorder();
      await probe(() => workflow.executeActivity(ctx, {}, 'echo\uD800'));
      await probe(() => workflow.executeActivity(ctx, {}, echo, { receipt: 'x\uD800' }));
      await probe(() => workflow.createSubWorkflowInstance(ctx, { instanceId: 'child\uD800' }, child, 1));
      await probe(() => workflow.createSubWorkflowInstance(ctx, {}, child, 'x\uDC00'));
      // This instance's id is nearly as long as an id may be: the child id derived from it is too long.
      await probe(() => workflow.createSubWorkflowInstance(ctx, {}, child, 1));
      await probe(() => workflow.signalWorkflow(ctx, 'target\uD800', 'go'));
      await probe(() => workflow.signalWorkflow(ctx, self, 'go\uD800'));
      await probe(() => workflow.signalWorkflow(ctx, self, 'go', 'x\uD800'));
      await probe(() => workflow.scheduleTimer(ctx, 1, { name: 'timer\uD800' }));
      await probe(() => workflow.newSignalChannel(ctx, 'channel\uD800'));
      await probe(() => workflow.sideEffect(ctx, () => 'x\uD800'));
      await probe(() => workflow.executeActivity(ctx, {}, echo, 'fine'));
      return outcomes;
    }
    const client = await e2e.engine({ workflows: [probes, child], activities: [echo] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('probes').padEnd(505, '.') }, probes);
    const refused = Array<string>(10).fill('InvalidArgumentError');
    assert.deepEqual(await client.getWorkflowResult(instance, 10_000), [...refused, 'WorkflowError InvalidArgumentError', 'ok']);
    const scheduled = (await client.getWorkflowInstanceHistory(instance)).filter((event) =>
      ['ActivityScheduled', 'SubWorkflowScheduled', 'SignalSent', 'TimerScheduled'].includes(event.type),
    );
    assert.deepEqual(
      scheduled.map((event) => event.type),
      ['ActivityScheduled'],
      'only the valid call was scheduled',
    );
  });

  it('records a thrown error whose message is not well-formed UTF-16 with U+FFFD in its place', async () => {
    async function throwsOddText(): Promise<never> {
      throw new Error('card \uD83E declined');
    }
    async function failsOddly(ctx: WorkflowContext): Promise<never> {
      try {
        await workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, throwsOddText);
      } catch (err) {
        throw new Error(`${(err as Error).message}, then \uDC00`);
      }
      throw new Error('unreachable');
    }
    const client = await e2e.engine({ workflows: [failsOddly], activities: [throwsOddText] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('odd-error') }, failsOddly);
    await assert.rejects(client.getWorkflowResult(instance, 10_000), (err: unknown) => {
      assert.ok(err instanceof WorkflowError);
      assert.equal(err.message, 'card \uFFFD declined, then \uFFFD');
      return true;
    });
  });

  it('writes nothing of a task whose arguments were changed after the call into what cannot be stored', async () => {
    const lines: Array<{ msg?: string; instanceId?: string; err?: { message?: string } }> = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    async function mutatesArguments(ctx: WorkflowContext): Promise<unknown> {
      const order: Record<string, unknown> = { id: 'o-1' };
      const charged = workflow.executeActivity(ctx, {}, echo, order);
      // The call took `order` as it was; the task commits it as it is when the task ends.
      order.note = 'x\uD800';
      return charged;
    }
    const client = await e2e.engine({ workflows: [mutatesArguments], activities: [echo], options: { logger } });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('mutates') }, mutatesArguments);
    await waitUntil(() => lines.some((line) => line.instanceId === instance.instanceId), 10_000);
    const failed = lines.find((line) => line.instanceId === instance.instanceId);
    assert.match(failed?.err?.message ?? '', /\.note is a string that is not well-formed UTF-16/);
    // The task is held, not half written: no event of it is in the history.
    assert.equal(await client.getWorkflowInstanceState(instance), 'active');
    assert.deepEqual(await client.getWorkflowInstanceHistory(instance), []);
  });

  it('fails the activity or workflow whose result cannot be stored with a WorkflowError of type InvalidArgumentError', async () => {
    async function badResult(): Promise<unknown> {
      return { receipt: 'x\uD800' };
    }
    async function badHeartbeat(): Promise<string> {
      try {
        await activityContext().heartbeat({ progress: () => 1 });
        return 'recorded';
      } catch (err) {
        return (err as Error).name;
      }
    }
    async function callsActivities(ctx: WorkflowContext): Promise<unknown[]> {
      const heartbeat = await workflow.executeActivity(ctx, {}, badHeartbeat);
      try {
        await workflow.executeActivity(ctx, { retry: { maxAttempts: 3, firstRetryIntervalMs: 1 } }, badResult);
        return ['stored'];
      } catch (err) {
        const error = err as WorkflowError;
        return [heartbeat, error.type, error.permanent, error.message];
      }
    }
    async function returnsBad(): Promise<unknown> {
      return [new Map([['fn', () => 1]])];
    }
    async function continuesBad(ctx: WorkflowContext): Promise<never> {
      return workflow.continueAsNew(ctx, { at: new Date(), receipt: 'x\uDC00' });
    }
    async function throwsRefusal(ctx: WorkflowContext): Promise<unknown> {
      return workflow.executeActivity(ctx, {}, echo, Symbol('not data'));
    }
    const client = await e2e.engine({ workflows: [callsActivities, returnsBad, continuesBad, throwsRefusal], activities: [badResult, badHeartbeat, echo] });
    const activities = await client.createWorkflowInstance({ instanceId: e2e.id('results') }, callsActivities);
    const [heartbeat, type, permanent, message] = await client.getWorkflowResult(activities, 10_000);
    assert.deepEqual([heartbeat, type, permanent], ['InvalidArgumentError', 'InvalidArgumentError', true]);
    assert.match(String(message), /result of activity badResult: \.receipt is a string that is not well-formed UTF-16/);
    const attempts = (await client.getWorkflowInstanceHistory(activities)).filter((event) => event.type === 'ActivityScheduled');
    assert.equal(attempts.length, 2, 'the refused result is not retried');

    const cases: Array<[(ctx: WorkflowContext) => Promise<unknown>, RegExp]> = [
      [returnsBad, /result of workflow returnsBad: \[0\]\.get\("fn"\) is a function/],
      [continuesBad, /arguments of continueAsNew: \[0\]\.receipt is a string/],
      [throwsRefusal, /arguments of activity echo: \[0\] is a symbol/],
    ];
    for (const [wf, pattern] of cases) {
      const instance = await client.createWorkflowInstance({ instanceId: e2e.id(wf.name) }, wf.name);
      await assert.rejects(client.getWorkflowResult(instance, 10_000), (err: unknown) => {
        assert.ok(err instanceof WorkflowError, `${wf.name}: ${String(err)}`);
        assert.equal(err.type, 'InvalidArgumentError');
        assert.match(err.message, pattern);
        return true;
      });
    }
  });
}
