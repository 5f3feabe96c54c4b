import assert from 'node:assert/strict';
import { useRedisServer } from '../helpers/redis-server.js';
import { assertCompleted, assertSane, smokeRun } from './smoke.js';

describe('bench: chain workload (smoke)', function () {
  this.timeout(60_000);
  const server = useRedisServer();

  it('runs one workflow of sequential steps on redflow and BullMQ and measures every step', async () => {
    const results = await smokeRun(server(), { kind: 'chain', steps: 10 });
    for (const system of ['redflow', 'bullmq']) {
      const result = results.get(system);
      assertCompleted(result, 1, 10);
      assert.notEqual(result?.stepP50Ms, null, `${system} step latency`);
      assertSane(result?.firstStepsP50Ms, `${system} p50 of the first steps`);
      assertSane(result?.lastStepsP50Ms, `${system} p50 of the last steps`);
      assertSane(result?.stepFlatness, `${system} flatness`);
      assertSane(result?.redisCpuUsPerWorkflow, `${system} Redis CPU per workflow`);
      assertSane(result?.redisCpuUsPerActivity, `${system} Redis CPU per activity`);
      assertSane(result?.workerCpuUsPerTask, `${system} worker CPU per task`);
      // redflow: an activity task per step plus the workflow tasks; BullMQ: a job per step.
      if (system === 'redflow') assert.ok((result?.workerTasks ?? 0) > 10, `${system} tasks: ${String(result?.workerTasks)}`);
      else assert.equal(result?.workerTasks, 10, `${system} jobs`);
    }
  });

  it('runs the chain on redflow workers that keep no executor between tasks', async () => {
    const results = await smokeRun(server(), { kind: 'chain', steps: 10 }, 0);
    assertCompleted(results.get('redflow'), 1, 10);
    assertSane(results.get('redflow')?.stepFlatness, 'redflow flatness without an executor cache');
  });
});
