import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from '../../src/client/client.js';
import { Worker } from '../../src/worker/worker.js';
import { testLogger } from '../helpers/engine.js';
import { leaseCrashWorkflow, outlivesItsWorker, type DeliveryInfo } from './crash-workflows.js';
import { useCrashFixture } from './crash-fixture.js';
import { kill, startWorker } from './worker-process.js';

const HOLDER_LEASE_MS = 1_500;

describe('crash recovery: an activity leaves its holder only when the holder dies', function () {
  this.timeout(60_000);
  const crash = useCrashFixture();

  it('is not taken by a worker with a shorter lease while its holder renews it, and is redelivered after a kill -9', async () => {
    const prefix = `lease-crash-${randomUUID()}`;
    const client = new Client(crash.backendOn(prefix));
    const holder = startWorker(crash.server().url, prefix, 1, { activityLockTimeoutMs: HOLDER_LEASE_MS });
    crash.holder = holder;
    await holder.waitFor('ready', 1, 20_000);
    const instance = await client.createWorkflowInstance({ instanceId: `lease-crash-${randomUUID()}` }, leaseCrashWorkflow);
    await holder.waitFor('activity-start', 1, 20_000);

    // A second worker joins with a lease a fifth of the holder's; the activity runs here only when redelivered.
    const runsHere: number[] = [];
    const joined = new Worker(crash.backendOn(prefix), { logger: testLogger, activityLockTimeoutMs: HOLDER_LEASE_MS / 5 });
    joined.registerWorkflow(leaseCrashWorkflow).registerActivity(
      async (): Promise<DeliveryInfo> => {
        runsHere.push(Date.now());
        return outlivesItsWorker();
      },
      { name: outlivesItsWorker.name },
    );
    await joined.start();
    crash.closeLater(() => joined.stop());

    // Several of the joined worker's leases pass while the holder renews its own.
    await new Promise((resolve) => setTimeout(resolve, HOLDER_LEASE_MS));
    assert.deepEqual(runsHere, [], 'not taken while its holder lives');
    const killedAt = Date.now();
    await kill(holder);

    const result = await client.getWorkflowResult(instance, 30_000);
    assert.deepEqual(result, { attempt: 0, redeliveries: 1 }, 'the same attempt, told it is a redelivery');
    assert.equal(runsHere.length, 1);
    assert.ok((runsHere[0] ?? 0) >= killedAt, 'taken after its holder died');
    assert.equal(holder.seen.get('activity-start'), 1, 'the holder ran it once');
  });
});
