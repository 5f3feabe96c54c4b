import assert from 'node:assert/strict';
import { useRedisServer } from '../helpers/redis-server.js';
import { assertCompleted, smokeRun } from './smoke.js';

describe('bench: chain workload (smoke)', function () {
  this.timeout(60_000);
  const server = useRedisServer();

  it('runs one workflow of sequential steps on redflow and BullMQ and measures every step', async () => {
    const results = await smokeRun(server(), { kind: 'chain', steps: 10 });
    for (const system of ['redflow', 'bullmq']) {
      const result = results.get(system);
      assertCompleted(result, 1, 10);
      assert.notEqual(result?.stepP50Ms, null, `${system} step latency`);
    }
  });
});
