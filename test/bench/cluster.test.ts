import assert from 'node:assert/strict';
import { runIdle } from '../../bench/checks.js';
import { RedisProbe } from '../../bench/redis-probe.js';
import { runSystem } from '../../bench/run-system.js';
import { withRedis } from '../../bench/run-benchmark.js';
import { assertCompleted, assertSane } from './smoke.js';

describe('bench: --cluster (smoke)', function () {
  this.timeout(60_000);

  it('runs redflow and BullMQ on a local 3-master Redis Cluster, measures idle workers per process, and leaves no keys behind', async () => {
    await withRedis({ aof: 'off', cluster: 3 }, async (redis, version) => {
      assert.equal(redis.clusterNodes?.length, 3, 'three masters');
      assert.match(version, /^\d+\.\d+/);
      const chain = await runSystem({ system: 'redflow', spec: { kind: 'chain', steps: 5 }, redis, partitions: 4, workers: 1, progress: false });
      assertCompleted(chain, 1, 5);
      assertSane(chain.redisCpuUsPerActivity, 'Redis CPU per activity, summed over the masters');
      assertCompleted(await runSystem({ system: 'bullmq', spec: { kind: 'chain', steps: 5 }, redis, workers: 1, progress: false }), 1, 5);
      const idle = await runIdle({ system: 'redflow', redis, partitions: 4, workers: 1, seconds: 1, settleMs: 200 });
      // The worker's cluster client holds a connection to every master at least.
      assert.ok(idle.maxConnectionsPerWorker >= 3, `connections: ${idle.maxConnectionsPerWorker}`);
      assert.ok(idle.maxCommandsPerSecPerWorker > 0, `commands/s: ${idle.maxCommandsPerSecPerWorker}`);
      const probe = new RedisProbe(redis);
      try {
        assert.equal(await probe.flushPrefix('bench-*'), 0, 'keys left on some master');
      } finally {
        await probe.close();
      }
    });
  });
});
