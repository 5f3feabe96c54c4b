import { useRedisServer } from '../helpers/redis-server.js';
import { assertCompleted, smokeRun } from './smoke.js';

describe('bench: fanout workload (smoke)', function () {
  this.timeout(60_000);
  const server = useRedisServer();

  it('runs one workflow of parallel activities on redflow and BullMQ', async () => {
    const results = await smokeRun(server(), { kind: 'fanout', activities: 20 });
    assertCompleted(results.get('redflow'), 1, 20);
    assertCompleted(results.get('bullmq'), 1, 20);
  });
});
