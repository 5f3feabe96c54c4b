import assert from 'node:assert/strict';
import { activityContext } from '../../src/activity/activity-context.js';
import { LeaseLostError } from '../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { withOverrides } from '../helpers/backend-overrides.js';
import type { E2E } from './harness.js';

// Leases are counted by the store's clock and observed here by the test's: allow for rounding.
const CLOCK_SLACK_MS = 5;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise and the function that resolves it. */
function signalled<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Workers of one queue with different lock timeouts: a task stays with the worker running it for that
 * worker's own lease, renewed as it runs, and moves to another worker only once its holder stopped
 * renewing it for that long; an activity run again that way is told so by `redeliveries`.
 */
export function leaseScenarios(e2e: E2E): void {
  it('runs a long activity once when a worker with a shorter activity lease joins its queue', async () => {
    const runs: Array<{ attempt: number; redeliveries: number }> = [];
    const running = signalled();
    async function outlivesShortLease(): Promise<string> {
      const { attempt, redeliveries } = activityContext();
      runs.push({ attempt, redeliveries });
      running.resolve();
      // Longer than both leases: the holder renews its own 600 ms lease while it runs.
      await sleep(900);
      return 'done';
    }
    async function longActivity(ctx: WorkflowContext): Promise<string> {
      return workflow.executeActivity(ctx, {}, outlivesShortLease);
    }
    const setup = { workflows: [longActivity], activities: [outlivesShortLease] };
    const client = await e2e.engine({ ...setup, options: { activityLockTimeoutMs: 600 } });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('long-activity') }, longActivity);
    await running.promise;
    await e2e.engine({ ...setup, options: { activityLockTimeoutMs: 100 } }, await e2e.peer());

    assert.equal(await client.getWorkflowResult(instance, 10_000), 'done');
    assert.deepEqual(runs, [{ attempt: 0, redeliveries: 0 }], 'one run, the first delivery of the first attempt');
  });

  it('runs a long workflow task once when a worker with a shorter workflow lease joins its queue', async () => {
    let firstRuns = 0;
    const running = signalled();
    async function slowToCommit(ctx: WorkflowContext): Promise<string> {
      if (!workflow.replaying(ctx)) {
        firstRuns += 1;
        running.resolve();
      }
      return 'done';
    }
    await e2e.client();
    const backend = e2e.backend();
    // The holder takes longer to commit than the other worker's lease, renewing its own 600 ms lease.
    const slow = withOverrides(backend, {
      completeWorkflowTask: async (task, completion, handoff) => {
        await sleep(900);
        return backend.completeWorkflowTask(task, completion, handoff);
      },
    });
    const client = await e2e.engine({ workflows: [slowToCommit], options: { workflowLockTimeoutMs: 600 } }, slow);
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('long-task') }, slowToCommit);
    await running.promise;
    await e2e.engine({ workflows: [slowToCommit], options: { workflowLockTimeoutMs: 100 } }, await e2e.peer());

    assert.equal(await client.getWorkflowResult(instance, 10_000), 'done');
    assert.equal(firstRuns, 1, 'the task ran once');
  });

  it("gives an activity whose worker stopped renewing its lease to another worker after that worker's lease, as a redelivery", async () => {
    const runs: Array<{ attempt: number; redeliveries: number; at: number }> = [];
    const running = signalled();
    const unblock = signalled();
    async function stallsOnce(): Promise<string> {
      const { attempt, redeliveries } = activityContext();
      runs.push({ attempt, redeliveries, at: Date.now() });
      if (redeliveries > 0) return 'redelivered';
      running.resolve();
      await unblock.promise;
      return 'stale';
    }
    async function stalledActivity(ctx: WorkflowContext): Promise<string> {
      return workflow.executeActivity(ctx, {}, stallsOnce);
    }
    await e2e.client();
    const backend = e2e.backend();
    // A worker cut off from the store: its renewals never arrive, its activity runs on, and with its only
    // activity slot taken it claims nothing else.
    const cutOff = withOverrides(backend, { extendActivityTask: () => Promise.resolve() });
    const setup = { workflows: [stalledActivity], activities: [stallsOnce] };
    const client = await e2e.engine({ ...setup, options: { activityLockTimeoutMs: 500, maxParallelActivityTasks: 1 } }, cutOff);
    try {
      const instance = await client.createWorkflowInstance({ instanceId: e2e.id('stalled-activity') }, stalledActivity);
      await running.promise;
      // Its own 60 s lease plays no part: the holder's 500 ms lease decides.
      await e2e.engine({ ...setup, options: { activityLockTimeoutMs: 60_000 } }, await e2e.peer());

      assert.equal(await client.getWorkflowResult(instance, 10_000), 'redelivered');
      assert.deepEqual(runs.map(({ attempt, redeliveries }) => ({ attempt, redeliveries })), [
        { attempt: 0, redeliveries: 0 },
        { attempt: 0, redeliveries: 1 },
      ]);
      const [first, second] = runs;
      assert.ok(second !== undefined && first !== undefined && second.at - first.at >= 500 - CLOCK_SLACK_MS, "not before the holder's lease ran out");
    } finally {
      unblock.resolve();
    }
  });

  it("gives a workflow task whose worker stopped renewing its lease to another worker after that worker's lease", async () => {
    const runs: number[] = [];
    const running = signalled();
    async function stallsOnCommit(ctx: WorkflowContext): Promise<string> {
      if (!workflow.replaying(ctx)) {
        runs.push(Date.now());
        running.resolve();
      }
      return 'done';
    }
    await e2e.client();
    const backend = e2e.backend();
    const unblock = signalled();
    const staleCommit = signalled<unknown>();
    // A worker cut off from the store: its renewals never arrive, its commit arrives late, and with its only
    // workflow-task slot taken it claims nothing else.
    const cutOff = withOverrides(backend, {
      extendWorkflowTask: () => Promise.resolve(),
      completeWorkflowTask: async (task, completion, handoff) => {
        await unblock.promise;
        try {
          return await backend.completeWorkflowTask(task, completion, handoff);
        } catch (err) {
          staleCommit.resolve(err);
          throw err;
        }
      },
    });
    const client = await e2e.engine({ workflows: [stallsOnCommit], options: { workflowLockTimeoutMs: 500, maxParallelWorkflowTasks: 1 } }, cutOff);
    // The lease starts at the claim, after the start: measured from the start, a first run that begins late
    // (a loaded machine) cannot make the bound below fail.
    const startedAt = Date.now();
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('stalled-task') }, stallsOnCommit);
    await running.promise;
    await e2e.engine({ workflows: [stallsOnCommit], options: { workflowLockTimeoutMs: 60_000 } }, await e2e.peer());

    try {
      assert.equal(await client.getWorkflowResult(instance, 10_000), 'done');
      assert.equal(runs.length, 2, 'the task ran again on the other worker');
      assert.ok((runs[1] ?? 0) - startedAt >= 500 - CLOCK_SLACK_MS, "not before the holder's lease ran out");
    } finally {
      unblock.resolve();
    }
    assert.ok((await staleCommit.promise) instanceof LeaseLostError, "the old holder's late commit is rejected");
    const history = await client.getWorkflowInstanceHistory(instance);
    assert.equal(history.filter((e) => e.type === 'WorkflowExecutionFinished').length, 1);
  });
}
