import { redisBackendOnCluster, redisClusterPeerOf } from '../helpers/redis-backends.js';
import { useRedisCluster } from '../helpers/redis-cluster.js';
import { featureGroups } from './feature-groups.js';
import { e2eGroup, type SettingsBackendFactory } from './harness.js';

describe('workflow features on RedisBackend (private 3-master Redis Cluster)', () => {
  const cluster = useRedisCluster();
  const redis: SettingsBackendFactory = (settings) => Promise.resolve(redisBackendOnCluster(cluster(), { partitions: 8, ...settings }));
  for (const [title, scenarios] of featureGroups) e2eGroup(title, 'RedisBackend on a Redis Cluster with 8 partitions', redis, scenarios, redisClusterPeerOf);
});
