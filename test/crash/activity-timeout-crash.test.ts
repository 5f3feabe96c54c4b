import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from '../../src/client/client.js';
import { Worker } from '../../src/worker/worker.js';
import { activityOutcomes, testLogger } from '../helpers/engine.js';
import { CRASH_START_TO_CLOSE_MS, hangsPastItsBound, timeoutCrashWorkflow, type DeliveryInfo } from './crash-workflows.js';
import { useCrashFixture } from './crash-fixture.js';
import { kill, startWorker } from './worker-process.js';

// Far longer than the attempt's bound: only the timeout, kept in Redis, can end the attempt in time.
const HOLDER_LEASE_MS = 60_000;
const CLOCK_SLACK_MS = 15;

describe('crash recovery: an activity attempt times out in Redis when its worker dies or freezes in it', function () {
  this.timeout(60_000);
  const crash = useCrashFixture();

  /** A worker in this process that runs the retry; it also runs the timer loop that fires the deadline. */
  async function startSurvivor(prefix: string): Promise<void> {
    const worker = new Worker(crash.backendOn(prefix), { logger: testLogger });
    worker.registerWorkflow(timeoutCrashWorkflow).registerActivity(
      async (): Promise<DeliveryInfo> => hangsPastItsBound(),
      { name: hangsPastItsBound.name },
    );
    await worker.start();
    crash.closeLater(() => worker.stop());
  }

  for (const fault of ['killed (SIGKILL)', 'frozen (SIGSTOP), then thawed'] as const) {
    it(`fails the attempt at its startToClose bound when its worker is ${fault}, and retries it elsewhere; the history stays whole`, async () => {
      const prefix = `timeout-crash-${randomUUID()}`;
      const holder = startWorker(crash.server().url, prefix, 1, { activityLockTimeoutMs: HOLDER_LEASE_MS });
      crash.holder = holder;
      await holder.waitFor('ready', 1, 20_000);
      const client = new Client(crash.backendOn(prefix));
      const instance = await client.createWorkflowInstance({ instanceId: `timeout-crash-${randomUUID()}` }, timeoutCrashWorkflow);
      await holder.waitFor('activity-start', 1, 20_000);
      if (fault === 'killed (SIGKILL)') await kill(holder);
      else holder.child.kill('SIGSTOP');
      await startSurvivor(prefix);

      const result = await client.getWorkflowResult(instance, 30_000);
      assert.deepEqual(result, { attempt: 1, redeliveries: 0 }, 'the retry completed it, not a redelivery of the first attempt');
      if (fault !== 'killed (SIGKILL)') {
        // The frozen worker comes back past its attempt's bound: whatever it then completes is dropped.
        holder.child.kill('SIGCONT');
        await new Promise((resolve) => setTimeout(resolve, 4 * CRASH_START_TO_CLOSE_MS));
      }
      const history = await client.getWorkflowInstanceHistory(instance);
      assert.deepEqual(activityOutcomes(history), [
        { type: 'ActivityFailed', attempt: 0, timeoutType: 'startToClose' },
        { type: 'ActivityCompleted', attempt: 1 },
      ]);
      assert.deepEqual(
        history.map((e) => e.sequenceId),
        history.map((_, i) => i + 1),
      );
      assert.equal(history.filter((e) => e.type === 'WorkflowExecutionFinished').length, 1);
      const scheduled = history.find((e) => e.type === 'ActivityScheduled')?.timestamp.getTime() ?? 0;
      const failed = history.find((e) => e.type === 'ActivityFailed')?.timestamp.getTime() ?? 0;
      assert.ok(failed - scheduled >= CRASH_START_TO_CLOSE_MS - CLOCK_SLACK_MS, 'not before the bound');
      assert.ok(failed - scheduled < HOLDER_LEASE_MS / 2, 'long before the dead holder’s lease would have run out');
    });
  }
});
