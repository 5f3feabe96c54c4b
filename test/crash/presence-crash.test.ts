import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from '../../src/client/client.js';
import { PRESENCE_TTL_INTERVALS } from '../../src/worker/presence.js';
import { waitUntil } from '../helpers/engine.js';
import { useCrashFixture } from './crash-fixture.js';
import { kill, startWorker } from './worker-process.js';

const INTERVAL_MS = 200;

describe('crash recovery: a worker killed without stopping', function () {
  this.timeout(60_000);
  const crash = useCrashFixture();

  it('stays listed while it lives and disappears once its announcement expired after a kill -9', async () => {
    const prefix = `presence-crash-${randomUUID()}`;
    const client = new Client(crash.backendOn(prefix));
    const holder = startWorker(crash.server().url, prefix, 1, { presenceIntervalMs: INTERVAL_MS });
    crash.holder = holder;
    await holder.waitFor('ready', 1, 20_000);
    const listed = (await client.getWorkers()).filter((w) => w.pid === holder.child.pid);
    assert.equal(listed.length, 1, 'listed once started');
    // Renewed: still there after several lifetimes of one announcement.
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * PRESENCE_TTL_INTERVALS * 2));
    assert.deepEqual((await client.getWorkers()).map((w) => w.workerId), [listed[0]?.workerId]);
    const lastSeen = (await client.getWorkers())[0]?.lastSeenAt.getTime() ?? 0;
    assert.ok(lastSeen > (listed[0]?.lastSeenAt.getTime() ?? Infinity), 'its heartbeat moved lastSeenAt on');

    const killedAt = Date.now();
    await kill(holder);
    assert.ok(await waitUntil(async () => (await client.getWorkers()).length === 0, 10_000), 'gone after expiry');
    const goneAfterMs = Date.now() - killedAt;
    assert.ok(goneAfterMs <= INTERVAL_MS * PRESENCE_TTL_INTERVALS + 2_000, `gone within about 3 intervals (${goneAfterMs} ms)`);
    assert.equal((await client.getStats()).liveWorkers, 0);
  });
});
