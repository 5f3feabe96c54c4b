import { treeSupported } from '../../bench/redflow/tree-loader.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { assertCompleted, smokeRun } from './smoke.js';

describe('bench: tree workload (smoke)', function () {
  this.timeout(60_000);
  const server = useRedisServer();

  it('runs go-workflows-shaped trees as BullMQ flows, and as sub-workflows once redflow has them', async () => {
    const shape = { depth: 1, fanout: 2, leafFanout: 2, activities: 2, resultSizeBytes: 10 };
    const results = await smokeRun(server(), { kind: 'tree', runs: 2, shape, concurrency: 2 });
    // One tree: a root, 2 mids, 4 leaves, 8 activities.
    assertCompleted(results.get('bullmq'), 14, 16);
    if (treeSupported()) assertCompleted(results.get('redflow'), 14, 16);
  });
});
