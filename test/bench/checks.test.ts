import assert from 'node:assert/strict';
import { runIdle, runSoak } from '../../bench/checks.js';
import { useRedisServer } from '../helpers/redis-server.js';

describe('bench: idle and soak checks (smoke)', function () {
  this.timeout(60_000);
  const server = useRedisServer();

  it('measures an idle redflow worker', async () => {
    const result = await runIdle({ system: 'redflow', redis: { url: server().url }, workers: 1, seconds: 1, settleMs: 200 });
    assert.equal(result.workers, 1);
    assert.ok(result.workerCpuSec >= 0);
    // A redflow worker holds at least its command connection and a blocking read, and polls while idle.
    assert.equal(result.perWorker.length, 1);
    assert.ok(result.maxConnectionsPerWorker >= 2, `connections: ${result.maxConnectionsPerWorker}`);
    assert.ok(result.maxCommandsPerSecPerWorker > 0, `commands/s: ${result.maxCommandsPerSecPerWorker}`);
  });

  it('samples worker memory while chains run back to back', async () => {
    const result = await runSoak({ system: 'redflow', redis: { url: server().url }, workers: 1, seconds: 1, steps: 5, sampleMs: 500, progress: false });
    assert.ok(result.workflows >= 1, 'at least one chain finished');
    assert.equal(result.activities, result.workflows * 5);
    assert.ok(result.samples.length >= 2, 'first and last sample');
  });
});
