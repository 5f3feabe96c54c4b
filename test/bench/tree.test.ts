import type { BenchResult } from '../../bench/result.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { assertCompleted, smokeRun } from './smoke.js';

describe('bench: tree workload (smoke)', function () {
  this.timeout(60_000);
  const server = useRedisServer();
  let results = new Map<string, BenchResult>();

  before(async function () {
    this.timeout(60_000);
    const shape = { depth: 1, fanout: 2, leafFanout: 2, activities: 2, resultSizeBytes: 10 };
    results = await smokeRun(server(), { kind: 'tree', runs: 2, shape, concurrency: 2 });
  });

  // One tree: a root, 2 mids, 4 leaves, 8 activities.
  it('runs go-workflows-shaped trees as flows on BullMQ', () => {
    assertCompleted(results.get('bullmq'), 14, 16);
  });

  it('runs them as sub-workflows on redflow', function () {
    // The harness skips redflow (with a note) while its Redis backend cannot run sub-workflows.
    if (!results.has('redflow')) this.skip();
    assertCompleted(results.get('redflow'), 14, 16);
  });
});
