import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { MAX_PAYLOAD_DEPTH, MAX_RECORD_DEPTH } from '../../src/codec/wire.js';
import { InstanceNotFoundError, InvalidArgumentError, WorkflowError } from '../../src/errors/errors.js';
import { newEvent, type NewEventOf } from '../../src/history/events.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import type { E2E } from './harness.js';
import { nested, outcomeRecorder } from '../helpers/payloads.js';


/** How many levels below its root the innermost object of a `nested` value is; -1 for what is not one. */
function levelsOf(value: unknown): number {
  let levels = -1;
  for (let inner = value; typeof inner === 'object' && inner !== null; inner = (inner as { n?: unknown }).n) levels++;
  return levels;
}

// An argument list is itself the payload: an argument in it can be one level less deep than a result.
const LIMIT = MAX_PAYLOAD_DEPTH;

async function echo(value: unknown): Promise<unknown> {
  return value;
}

async function deepResult(levels: number): Promise<unknown> {
  return nested(levels);
}

async function child(_ctx: WorkflowContext, value: unknown): Promise<number> {
  return levelsOf(value);
}

const refusedAt = (what: string, path: string) => (err: unknown) => {
  assert.ok(err instanceof InvalidArgumentError, `${what}: ${String(err)}`);
  // The path counts from the payload's own root, whatever record the engine stores it in.
  assert.equal(err.message, `${what}: ${path} is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  return true;
};

/** The payload depth limit (API.md "Payloads"): what is accepted is stored, what is not is refused at once. */
export function payloadDepthScenarios(e2e: E2E): void {
  it('round-trips values at the depth limit as arguments, activity results, side effects, signals and results', async () => {
    async function atLimit(ctx: WorkflowContext, argument: unknown): Promise<Record<string, number>> {
      const self = workflow.workflowInstance(ctx).instanceId;
      const activityArgument = await workflow.executeActivity(ctx, {}, echo, nested(LIMIT - 1));
      const activityResult = await workflow.executeActivity(ctx, {}, deepResult, LIMIT);
      const sideEffect = await workflow.sideEffect(ctx, () => nested(LIMIT));
      const subWorkflowArgument = await workflow.createSubWorkflowInstance(ctx, {}, child, nested(LIMIT - 1));
      const signals = workflow.newSignalChannel<unknown>(ctx, 'value');
      const fromClient = await signals.receive();
      await workflow.signalWorkflow(ctx, self, 'value', nested(LIMIT));
      const fromWorkflow = await signals.receive();
      return {
        argument: levelsOf(argument),
        activityArgument: levelsOf(activityArgument),
        activityResult: levelsOf(activityResult),
        sideEffect: levelsOf(sideEffect),
        subWorkflowArgument,
        fromClient: levelsOf(fromClient),
        fromWorkflow: levelsOf(fromWorkflow),
      };
    }
    async function returnsDeepest(_ctx: WorkflowContext): Promise<unknown> {
      return nested(LIMIT);
    }
    const client = await e2e.engine({ workflows: [atLimit, returnsDeepest, child], activities: [echo, deepResult] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('at-limit') }, atLimit, nested(LIMIT - 1));
    await client.signalWorkflow(instance.instanceId, 'value', nested(LIMIT));
    assert.deepEqual(await client.getWorkflowResult(instance, 10_000), {
      argument: LIMIT - 1,
      activityArgument: LIMIT - 1,
      activityResult: LIMIT,
      sideEffect: LIMIT,
      subWorkflowArgument: LIMIT - 1,
      fromClient: LIMIT,
      fromWorkflow: LIMIT,
    });
    const deepest = await client.createWorkflowInstance({ instanceId: e2e.id('deepest-result') }, returnsDeepest);
    assert.deepStrictEqual(await client.getWorkflowResult(deepest, 10_000), nested(LIMIT));
  });

  it('refuses one level more at the call, or fails the activity or workflow with InvalidArgumentError; nothing stays active', async () => {
    async function probes(ctx: WorkflowContext): Promise<string[]> {
      const self = workflow.workflowInstance(ctx).instanceId;
      const { outcomes, probe } = outcomeRecorder();
      await probe(() => workflow.executeActivity(ctx, {}, echo, nested(LIMIT)));
      await probe(() => workflow.createSubWorkflowInstance(ctx, {}, child, nested(LIMIT)));
      await probe(() => workflow.signalWorkflow(ctx, self, 'value', nested(LIMIT + 1)));
      await probe(() => workflow.executeActivity(ctx, { retry: { maxAttempts: 3 } }, deepResult, LIMIT + 1));
      await probe(() => workflow.sideEffect(ctx, () => nested(LIMIT + 1)));
      return outcomes;
    }
    async function returnsTooDeep(_ctx: WorkflowContext): Promise<unknown> {
      return nested(LIMIT + 1);
    }
    async function waits(ctx: WorkflowContext, _seed?: unknown): Promise<unknown> {
      return workflow.newSignalChannel(ctx, 'value').receive();
    }
    const client = await e2e.engine({ workflows: [probes, returnsTooDeep, waits, child], activities: [echo, deepResult] });
    const id = e2e.id('too-deep');
    await assert.rejects(
      client.createWorkflowInstance({ instanceId: id }, waits, nested(LIMIT)),
      refusedAt('arguments of workflow waits', `[0]${'.n'.repeat(LIMIT)}`),
    );
    assert.deepEqual((await client.listWorkflowInstances()).instances, [], 'the refused instance was not written');
    const waiting = await client.createWorkflowInstance({ instanceId: id }, waits);
    await assert.rejects(client.signalWorkflow(id, 'value', nested(LIMIT + 1)), refusedAt('argument of signal value', '.n'.repeat(LIMIT + 1)));

    const probing = await client.createWorkflowInstance({ instanceId: e2e.id('probes') }, probes);
    assert.deepEqual(await client.getWorkflowResult(probing, 10_000), [
      'InvalidArgumentError',
      'InvalidArgumentError',
      'InvalidArgumentError',
      'WorkflowError InvalidArgumentError',
      'WorkflowError InvalidArgumentError',
    ]);
    const failed = (await client.getWorkflowInstanceHistory(probing)).filter((event) => event.type === 'ActivityScheduled');
    assert.equal(failed.length, 1, 'an activity whose result cannot be stored is not retried, and the refused calls scheduled nothing');

    const tooDeep = await client.createWorkflowInstance({ instanceId: e2e.id('too-deep-result') }, returnsTooDeep);
    await assert.rejects(client.getWorkflowResult(tooDeep, 10_000), (err: unknown) => {
      assert.ok(err instanceof WorkflowError);
      assert.equal(err.type, 'InvalidArgumentError');
      assert.match(err.message, /^result of workflow returnsTooDeep: (\.n){65} is nested deeper than 64 levels$/);
      return true;
    });
    assert.equal(await client.getWorkflowInstanceState(tooDeep), 'finished');

    await client.signalWorkflow(id, 'value', nested(LIMIT));
    assert.equal(levelsOf(await client.getWorkflowResult(waiting, 10_000)), LIMIT);
  });

  it('a backend refuses a start it cannot store before writing anything; the id stays free', async () => {
    async function takes(_ctx: WorkflowContext, value: unknown): Promise<number> {
      return levelsOf(value);
    }
    const client = await e2e.engine({ workflows: [takes] });
    const instanceId = e2e.id('unstorable-start');
    const start = (inputs: unknown[]) => newEvent('WorkflowExecutionStarted', { name: 'takes', queue: 'default', inputs }) as NewEventOf<'WorkflowExecutionStarted'>;
    // What no client would pass on: a value the backend must refuse on its own.
    for (const inputs of [[() => 1], [nested(MAX_RECORD_DEPTH)]]) {
      await assert.rejects(e2e.backend().createWorkflowInstance({ instanceId, executionId: randomUUID() }, start(inputs)), InvalidArgumentError);
    }
    assert.deepEqual((await client.listWorkflowInstances()).instances, [], 'nothing was written');
    await assert.rejects(client.getWorkflowInstanceState({ instanceId, executionId: 'any' }), InstanceNotFoundError);
    const instance = await client.createWorkflowInstance({ instanceId }, takes, nested(LIMIT - 1));
    assert.equal(await client.getWorkflowResult(instance, 10_000), LIMIT - 1);
  });
}
