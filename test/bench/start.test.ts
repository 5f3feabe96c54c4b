import { useRedisServer } from '../helpers/redis-server.js';
import { assertCompleted, smokeRun } from './smoke.js';

describe('bench: start workload (smoke)', function () {
  this.timeout(60_000);
  const server = useRedisServer();

  it('starts workflows on redflow and adds jobs on BullMQ', async () => {
    const results = await smokeRun(server(), { kind: 'start', runs: 20, concurrency: 5 });
    assertCompleted(results.get('redflow'), 20, 0);
    assertCompleted(results.get('bullmq'), 20, 0);
  });
});
