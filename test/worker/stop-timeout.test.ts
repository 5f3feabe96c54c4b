import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { activityContext } from '../../src/activity/activity-context.js';
import type { Backend } from '../../src/backend/backend.js';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { Client } from '../../src/client/client.js';
import { Worker } from '../../src/worker/worker.js';
import { DefaultWorkerOptions } from '../../src/worker/worker-options.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { testLogger, waitUntil } from '../helpers/engine.js';
import { captureLogs } from '../helpers/log-capture.js';
import { useRedisServer } from '../helpers/redis-server.js';

// What a loaded CI machine may add to a bound.
const SLACK_MS = 3_000;

let running = 0;
let releaseHung: (() => void) | undefined;

/** Ignores the worker's stop: runs until the test lets it go. */
async function hang(): Promise<string> {
  running += 1;
  await new Promise<void>((resolve) => {
    releaseHung = resolve;
  });
  return 'released';
}

/** Stops when the worker stops (its task is then given back). */
async function untilAborted(): Promise<string> {
  running += 1;
  const { signal } = activityContext();
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  throw new Error('interrupted');
}

async function runs(ctx: WorkflowContext, name: string): Promise<string> {
  return workflow.executeActivity<string>(ctx, { retry: { maxAttempts: 1 } }, name);
}

/** A started worker running one `activity` task; resolves once the activity runs. */
async function workerRunning(backend: Backend, activity: string, stopTimeoutMs: number): Promise<{ worker: Worker; logs: ReturnType<typeof captureLogs> }> {
  running = 0;
  const logs = captureLogs();
  const worker = new Worker(backend, { logger: logs.logger, stopTimeoutMs, activityLockTimeoutMs: 60_000 });
  worker.registerWorkflow(runs).registerActivity({ hang, untilAborted });
  await worker.start();
  await new Client(backend).createWorkflowInstance({ instanceId: `stop-${randomUUID()}` }, runs, activity);
  assert.ok(await waitUntil(() => running > 0, 10_000), 'the activity started');
  return { worker, logs };
}

async function timedStop(worker: Worker): Promise<number> {
  const started = Date.now();
  await worker.stop();
  return Date.now() - started;
}

describe('worker stopTimeoutMs', function () {
  this.timeout(60_000);

  afterEach(() => {
    releaseHung?.();
    releaseHung = undefined;
  });

  it('stops extending the leases of the tasks it abandoned, so another worker takes them while this process lives on', async () => {
    const backend = new MemoryBackend();
    running = 0;
    const first = new Worker(backend, { logger: testLogger, stopTimeoutMs: 300, activityLockTimeoutMs: 600 });
    first.registerWorkflow(runs).registerActivity({ hang });
    await first.start();
    const client = new Client(backend);
    const instance = await client.createWorkflowInstance({ instanceId: `abandoned-${randomUUID()}` }, runs, 'hang');
    assert.ok(await waitUntil(() => running === 1, 10_000), 'the first worker runs the activity');
    await first.stop();
    // The abandoned attempt still runs here; its lease must run out all the same.
    const second = new Worker(backend, { logger: testLogger, activityLockTimeoutMs: 600 });
    second.registerWorkflow(runs).registerActivity({ hang: async () => 'taken over' });
    await second.start();
    try {
      assert.equal(await client.getWorkflowResult(instance, 10_000), 'taken over');
    } finally {
      await second.stop();
      await backend.close();
    }
  });

  it('defaults to less than the 30 s a process manager usually grants', () => {
    assert.ok(DefaultWorkerOptions.stopTimeoutMs < 25_000);
    assert.throws(() => new Worker(new MemoryBackend(), { stopTimeoutMs: -1 }), /stopTimeoutMs/);
  });

  it('abandons a task that does not finish in time, and says so once', async () => {
    const backend = new MemoryBackend();
    const { worker, logs } = await workerRunning(backend, 'hang', 500);
    const elapsed = await timedStop(worker);
    assert.ok(elapsed < 500 + SLACK_MS, `stop took ${elapsed} ms`);
    assert.equal(logs.count('worker stop timed out'), 1);
    assert.equal(logs.lines.find((line) => line.msg.includes('worker stop timed out'))?.abandonedTasks, 1);
    await backend.close();
  });

  describe('on Redis', () => {
    const server = useRedisServer();

    it('stops fast when Redis is gone, saying in one line that the leases could not be given back', async () => {
      const backend = new RedisBackend({ redis: server().url, prefix: `test-${randomUUID()}`, blockTimeoutMs: 200, connectTimeoutMs: 500, commandTimeoutMs: 500, logger: testLogger });
      const { worker, logs } = await workerRunning(backend, 'untilAborted', 15_000);
      await server().halt();
      try {
        // The pollers notice first, as a worker would while Redis is down.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const elapsed = await timedStop(worker);
        assert.ok(elapsed < 1_000 + SLACK_MS, `stop took ${elapsed} ms`);
        const warnings = logs.lines.filter((line) => line.level >= 40).map((line) => line.msg);
        assert.deepEqual(warnings, [
          'the store is unreachable: tasks in flight could not be completed or given back; other workers take them when their leases expire',
        ]);
        assert.equal(logs.count('worker stop timed out'), 0);
      } finally {
        await backend.close();
        await server().start();
      }
    });

    it('finishes within stopTimeoutMs while Redis hangs, however long its commands may wait', async () => {
      const backend = new RedisBackend({ redis: server().url, prefix: `test-${randomUUID()}`, blockTimeoutMs: 200, commandTimeoutMs: 60_000, logger: testLogger });
      const { worker, logs } = await workerRunning(backend, 'untilAborted', 1_000);
      server().pause();
      try {
        const elapsed = await timedStop(worker);
        assert.ok(elapsed < 1_000 + SLACK_MS, `stop took ${elapsed} ms`);
        assert.equal(logs.count('worker stop timed out'), 1);
      } finally {
        server().resume();
        await backend.close();
      }
    });
  });
});
