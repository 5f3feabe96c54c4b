import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import type { Client } from '../../src/client/client.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { NonDeterminismError } from '../../src/errors/errors.js';
import type { WorkerOptions } from '../../src/worker/worker-options.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { startEngine, typesOf, waitUntil, type EngineSetup } from '../helpers/engine.js';
import type { E2E } from './harness.js';

// Options of the worker that runs code older than a history: it fails the instance on the divergence, so the
// error reaches the client (by default it holds the task instead: see the deploy-safety scenarios).
const oldCodeOptions: WorkerOptions = { onNonDeterminism: 'fail' };

async function reserve(): Promise<string> {
  return 'reserved';
}
async function fraudCheck(): Promise<string> {
  return 'checked';
}
async function charge(): Promise<string> {
  return 'charged';
}
const activities = [reserve, fraudCheck, charge];

// Three deploys of one workflow (one name): v1 reserves, waits for approval and charges; v2 inserts a fraud
// check before reserving, behind a patch; v3 keeps only the fraud check and deprecates the patch.
const v1 = {
  order: async (ctx: WorkflowContext): Promise<string[]> => {
    const steps = [await workflow.executeActivity(ctx, {}, reserve)];
    await workflow.newSignalChannel(ctx, 'approve').receive();
    steps.push(await workflow.executeActivity(ctx, {}, charge));
    return steps;
  },
}.order;

const v2 = {
  order: async (ctx: WorkflowContext): Promise<string[]> => {
    const steps: string[] = [];
    if (workflow.patched(ctx, 'fraud-check')) steps.push(await workflow.executeActivity(ctx, {}, fraudCheck));
    return [...steps, ...(await v1(ctx))];
  },
}.order;

const v3 = {
  order: async (ctx: WorkflowContext): Promise<string[]> => {
    workflow.deprecatePatch(ctx, 'fraud-check');
    const steps = [await workflow.executeActivity(ctx, {}, fraudCheck)];
    return [...steps, ...(await v1(ctx))];
  },
}.order;

const patchEvents = (history: Array<{ type: string; attributes: unknown }>): unknown[] =>
  history.filter((event) => event.type === 'PatchRecorded').map((event) => event.attributes);

/** What a scenario of successive deploys uses. */
interface Deploys {
  /** Stops the running worker, if any, and starts one with `workflows`; returns a client. */
  deploy: (workflows: EngineSetup['workflows'], options?: WorkerOptions) => Promise<Client>;
  /** Starts an `order` instance and returns once it reserved and waits for approval. */
  startAndPark: (client: Client, label: string) => Promise<WorkflowInstance>;
}

/**
 * Runs `body` with deploys of workflow code on the test's store, one worker at a time, as a deploy replaces
 * them; every other deploy runs on a second client of the store, as a new worker process would. The last
 * worker is stopped when `body` ends.
 */
async function rollout(e2e: E2E, body: (deploys: Deploys) => Promise<void>): Promise<void> {
  let stopCurrent: (() => Promise<void>) | undefined;
  let deployed = 0;
  const deploys: Deploys = {
    deploy: async (workflows, options) => {
      await stopCurrent?.();
      await e2e.client();
      const on: Backend = deployed++ % 2 === 0 ? e2e.backend() : await e2e.peer();
      const started = await startEngine(on, { workflows, activities, options: { executorCacheSize: e2e.executorCacheSize, ...options } });
      stopCurrent = started.stop;
      return started.client;
    },
    startAndPark: async (client, label) => {
      const instance = await client.createWorkflowInstance({ instanceId: e2e.id(label) }, 'order');
      const parked = async (): Promise<boolean> =>
        (await client.getWorkflowInstanceHistory(instance)).some((event) => event.type === 'ActivityCompleted' && event.attributes.result === 'reserved');
      assert.ok(await waitUntil(parked, 10_000), 'the instance reserved and waits for approval');
      return instance;
    },
  };
  try {
    await body(deploys);
  } finally {
    await stopCurrent?.();
  }
}

/** Patching (`workflow.patched`, `workflow.deprecatePatch`) across deploys of changed workflow code. */
export function patchScenarios(e2e: E2E): void {

  it('takes the patched branch in a new execution and records the patch once, though checked twice', async () => {
    async function checksTwice(ctx: WorkflowContext): Promise<boolean[]> {
      const first = workflow.patched(ctx, 'p');
      await workflow.sleep(ctx, 10);
      return [first, workflow.patched(ctx, 'p')];
    }
    const client = await e2e.engine({ workflows: [checksTwice] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('checks-twice') }, checksTwice);
    assert.deepEqual(await client.getWorkflowResult(instance, 10_000), [true, true]);
    const history = await client.getWorkflowInstanceHistory(instance);
    assert.deepEqual(patchEvents(history), [{ patchId: 'p' }]);
    assert.deepEqual(typesOf(history).slice(0, 4), ['WorkflowTaskStarted', 'WorkflowExecutionStarted', 'PatchRecorded', 'TimerScheduled']);
  });

  it('keeps the old branch for an instance started before the patch, and patches a new one', () =>
    rollout(e2e, async ({ deploy, startAndPark }) => {
      const old = await startAndPark(await deploy([v1]), 'before-patch');
      const client = await deploy([v2]);
      const fresh = await startAndPark(client, 'after-patch');
      for (const instance of [old, fresh]) await client.signalWorkflow(instance.instanceId, 'approve');
      assert.deepEqual(await client.getWorkflowResult(old, 10_000), ['reserved', 'charged']);
      assert.deepEqual(await client.getWorkflowResult(fresh, 10_000), ['checked', 'reserved', 'charged']);
      assert.deepEqual(patchEvents(await client.getWorkflowInstanceHistory(old)), []);
      assert.deepEqual(patchEvents(await client.getWorkflowInstanceHistory(fresh)), [{ patchId: 'fraud-check' }]);
    }));

  it('stops older code at a history that recorded the patch, naming the patch', () =>
    rollout(e2e, async ({ deploy, startAndPark }) => {
      const instance = await startAndPark(await deploy([v2]), 'rolled-back');
      const client = await deploy([v1], oldCodeOptions);
      await client.signalWorkflow(instance.instanceId, 'approve');
      await assert.rejects(client.getWorkflowResult(instance, 10_000), (err: Error) => {
        assert.ok(err instanceof NonDeterminismError, `${err.name}: ${err.message}`);
        assert.match(err.message, /history recorded patch fraud-check \(event \d+\), but the workflow code does not check it/);
        return true;
      });
    }));

  it('deprecatePatch: continues histories that recorded the patch, records it as deprecated, and survives a rollback', () =>
    rollout(e2e, async ({ deploy, startAndPark }) => {
      const patchedBefore = await startAndPark(await deploy([v2]), 'patched-before');
      let client = await deploy([v3]);
      const deprecated = await startAndPark(client, 'deprecated');
      await client.signalWorkflow(patchedBefore.instanceId, 'approve');
      assert.deepEqual(await client.getWorkflowResult(patchedBefore, 10_000), ['checked', 'reserved', 'charged']);
      assert.deepEqual(patchEvents(await client.getWorkflowInstanceHistory(deprecated)), [{ patchId: 'fraud-check', deprecated: true }]);
      // Rolled back to the code that still has both branches: the new one, as the history records the patch.
      client = await deploy([v2]);
      await client.signalWorkflow(deprecated.instanceId, 'approve');
      assert.deepEqual(await client.getWorkflowResult(deprecated, 10_000), ['checked', 'reserved', 'charged']);
      assert.equal(patchEvents(await client.getWorkflowInstanceHistory(deprecated)).length, 1);
    }));
}
