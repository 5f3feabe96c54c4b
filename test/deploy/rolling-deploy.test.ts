import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { Client } from '../../src/client/client.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { Worker } from '../../src/worker/worker.js';
import { captureLogs } from '../helpers/log-capture.js';
import { redisBackendOn, redisPeerOf } from '../helpers/redis-backends.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { newActivities, orderV1, orderV2, sharedActivities, welcome, type OrderResult } from './deploy-workflows.js';

const INSTANCES = 100;
// Fast backoff, so tasks bounced by the old worker come back within the test's time.
const heldTaskRetry = { firstRetryIntervalMs: 10, maxRetryIntervalMs: 250 };
const leases = { workflowLockTimeoutMs: 5_000, activityLockTimeoutMs: 5_000 };

/** The backends of one deploy: one for each worker (two pods) and one for the client. */
interface DeployBackends {
  old: Backend;
  next: Backend;
  client: Backend;
  close(): Promise<void>;
}

/** Activity objects whose every call counts in `runs`. */
function counted<T extends Record<string, (arg: string) => Promise<string>>>(activities: T, runs: { count: number }): T {
  const out: Record<string, (arg: string) => Promise<string>> = {};
  for (const [name, fn] of Object.entries(activities)) {
    out[name] = (arg: string) => {
      runs.count += 1;
      return fn(arg);
    };
  }
  return out as T;
}

function rollingDeploy(backendName: string, open: () => Promise<DeployBackends>): void {
  describe(`rolling deploy (${backendName})`, () => {
    let backends: DeployBackends | undefined;
    afterEach(async () => {
      await backends?.close();
      backends = undefined;
    });

    it(`finishes ${INSTANCES} instances of a new workflow and ${INSTANCES} of a patched one while an old and a new worker share the queue; none fails`, async function () {
      this.timeout(180_000);
      backends = await open();
      const startedAt = Date.now();
      const oldLog = captureLogs('warn');
      const oldRuns = { count: 0 };
      const oldWorker = new Worker(backends.old, { ...leases, heldTaskRetry, logger: oldLog.logger });
      oldWorker.registerWorkflow(orderV1, { name: 'order' });
      oldWorker.registerActivity(counted(sharedActivities, oldRuns));
      const newWorker = new Worker(backends.next, { ...leases, heldTaskRetry, logger: captureLogs('warn').logger });
      newWorker.registerWorkflow(orderV2, { name: 'order' });
      newWorker.registerWorkflow(welcome);
      newWorker.registerActivity({ ...sharedActivities, ...newActivities });
      await oldWorker.start();
      await newWorker.start();

      const client = new Client(backends.client);
      const orders: Array<WorkflowInstance<OrderResult>> = [];
      const welcomes: Array<WorkflowInstance<string>> = [];
      await Promise.all(
        Array.from({ length: INSTANCES }, async (_, i) => {
          orders.push(await client.createWorkflowInstance<OrderResult>({ instanceId: `order-${i}` }, 'order', `o${i}`));
          welcomes.push(await client.createWorkflowInstance({ instanceId: `welcome-${i}` }, welcome, `c${i}`));
        }),
      );

      // The old worker leaves once it has done its share of the work and met work only the new code can run
      // (unknown names are warned about with their `kind`; a diverging replay is held with its `reason`).
      const bouncedLines = (): number => oldLog.lines.filter((line) => line.kind !== undefined || line.reason === 'nondeterminism').length;
      const deadline = Date.now() + 60_000;
      while ((oldRuns.count < 20 || bouncedLines() === 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await oldWorker.stop();
      const oldStoppedAfterMs = Date.now() - startedAt;

      const results = await Promise.allSettled([
        ...orders.map((instance) => client.getWorkflowResult(instance, 120_000)),
        ...welcomes.map((instance) => client.getWorkflowResult(instance, 120_000)),
      ]);
      const failures = results.filter((result) => result.status === 'rejected');
      assert.deepEqual(failures, [], 'no instance failed');

      let oldBranch = 0;
      let newBranch = 0;
      for (const [i, instance] of orders.entries()) {
        const result = (results[i] as PromiseFulfilledResult<OrderResult>).value;
        const history = await client.getWorkflowInstanceHistory(instance);
        const patched = history.some((event) => event.type === 'PatchRecorded');
        assert.equal(result.fraudChecked, patched, `${instance.instanceId} took the branch its history records`);
        const fraudChecks = history.filter((event) => event.type === 'ActivityScheduled' && event.attributes.name === 'fraudCheck');
        assert.equal(fraudChecks.length, patched ? 1 : 0);
        assert.deepEqual(result, { orderId: `o${i}`, fraudChecked: patched, charged: `charged o${i}`, shipped: `shipped o${i}` });
        if (patched) newBranch += 1;
        else oldBranch += 1;
      }
      for (const [i] of welcomes.entries()) {
        const result = (results[INSTANCES + i] as PromiseFulfilledResult<string>).value;
        assert.equal(result, `notified c${i}; charged welcome-gift-c${i}`);
      }
      // Both kinds of history were made, and the old worker met work only the new code can run.
      assert.ok(oldBranch > 0 && newBranch > 0, `orders of both versions ran (old ${oldBranch}, new ${newBranch})`);
      const bounced = bouncedLines();
      assert.ok(bounced > 0, 'the old worker gave back work it could not run');
      assert.deepEqual((await client.listHeldWorkflowInstances()).instances, []);
      assert.equal((await client.getStats()).heldWorkflowInstances, 0);
      await newWorker.stop();

      console.log(
        `      ${backendName}: ${2 * INSTANCES} instances, ${failures.length} failed; orders old branch ${oldBranch}, ` +
          `new branch ${newBranch}; old worker ran ${oldRuns.count} activities, logged ${bounced} give-backs/holds, ` +
          `stopped after ${oldStoppedAfterMs} ms; all finished after ${Date.now() - startedAt} ms`,
      );
    });
  });
}

rollingDeploy('MemoryBackend', () => {
  const backend = new MemoryBackend();
  return Promise.resolve({ old: backend, next: backend, client: backend, close: () => backend.close() });
});

describe('RedisBackend (private redis-server)', () => {
  const server = useRedisServer();
  rollingDeploy('RedisBackend, 4 partitions, one connection per worker', () => {
    const old = redisBackendOn(server(), { partitions: 4 });
    const next = redisPeerOf(old);
    const client = redisPeerOf(old);
    return Promise.resolve({
      old,
      next,
      client,
      close: async () => {
        await Promise.all([old.close(), next.close(), client.close()]);
      },
    });
  });
});
