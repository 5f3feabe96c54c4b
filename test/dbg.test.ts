import { redisBackendOnCluster } from './helpers/redis-backends.js';
import { useRedisCluster } from './helpers/redis-cluster.js';
import { harness, instance, started, completion, activityScheduled } from './conformance/harness.js';
import type { Backend } from '../src/backend/backend.js';

describe('dbg', () => {
  const cluster = useRedisCluster();
  it('times', async () => {
    let backend: Backend = redisBackendOnCluster(cluster(), { partitions: 8 });
    const h = harness(() => backend);
    for (let round = 0; round < 2; round++) {
    const t0 = Date.now();
    const lap = (s: string) => console.log(s, Date.now() - t0);
    const inst = instance();
    await backend.createWorkflowInstance(inst, started()); lap('create');
    const task = await h.pollOne(); lap('poll');
    await backend.completeWorkflowTask(task, completion(task, { timers: [{ scheduleEventId: 1, firesAt: new Date(Date.now() + 100) }], ...activityScheduled(task, 2) })); lap('complete');
    const [activity] = await h.pollActivities(); lap('pollAct');
    await backend.completeActivityTask(activity!, { result: 'r' }); lap('completeAct');
    const busy = await h.pollOne(); lap('busy');
    console.log(busy.newEvents.map((e) => e.type));
    }
    await backend.close();
  });
});
