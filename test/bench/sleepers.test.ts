import assert from 'node:assert/strict';
import { useRedisServer } from '../helpers/redis-server.js';
import { assertCompleted, assertSane, smokeRun } from './smoke.js';

describe('bench: sleepers workload (smoke)', function () {
  this.timeout(60_000);
  const server = useRedisServer();

  it('measures Redis and worker memory with every instance asleep, and wake lateness, on redflow and BullMQ', async () => {
    // The sleep is long enough for 20 starts to be measured asleep before the first timer is due.
    const results = await smokeRun(server(), { kind: 'sleepers', runs: 20, sleepMs: 3000, concurrency: 5 });
    for (const system of ['redflow', 'bullmq']) {
      const result = results.get(system);
      assertCompleted(result, 20, 0);
      for (const figure of ['redisBytesPerSleeper', 'secondsToSleep', 'workerRssBeforeMb', 'workerRssAsleepMb', 'workerRssAwakeMb', 'workerHeapBeforeMb', 'workerHeapAsleepMb', 'workerHeapAwakeMb', 'stepP50Ms', 'stepP99Ms', 'redisCpuUsPerWorkflow', 'workerCpuUsPerTask'] as const) {
        assertSane(result?.[figure], `${system} ${figure}`);
      }
      assert.ok((result?.redisBytesPerSleeper ?? 0) > 0, `${system}: a sleeper takes Redis memory`);
    }
    // Each redflow instance sets its timer in a workflow task of its own, and ends in a later one.
    assert.ok((results.get('redflow')?.workflowTasks ?? 0) >= 20, 'redflow workflow tasks');
  });
});
