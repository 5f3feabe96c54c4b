import { redisBackendOnCluster } from '../helpers/redis-backends.js';
import { useRedisCluster } from '../helpers/redis-cluster.js';
import { e2eSuite } from './e2e-suite.js';

describe('RedisBackend (private 3-master Redis Cluster)', () => {
  const cluster = useRedisCluster();
  e2eSuite('RedisBackend on a Redis Cluster with 8 partitions', () => Promise.resolve(redisBackendOnCluster(cluster(), { partitions: 8 })));
});
