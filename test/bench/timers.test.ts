import assert from 'node:assert/strict';
import { useRedisServer } from '../helpers/redis-server.js';
import { assertCompleted, smokeRun } from './smoke.js';

describe('bench: timers workload (smoke)', function () {
  this.timeout(60_000);
  const server = useRedisServer();

  it('runs sleeping workflows on redflow and delayed jobs on BullMQ and reports their lateness', async () => {
    const results = await smokeRun(server(), { kind: 'timers', runs: 10, sleepMs: 100, concurrency: 5 });
    for (const system of ['redflow', 'bullmq']) {
      assertCompleted(results.get(system), 10, 0);
      assert.notEqual(results.get(system)?.stepP99Ms, null, `${system} lateness`);
    }
  });
});
