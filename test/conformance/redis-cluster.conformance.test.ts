import { redisBackendOnCluster, redisClusterPeerOf } from '../helpers/redis-backends.js';
import { useRedisCluster } from '../helpers/redis-cluster.js';
import { backendConformanceSuite } from './backend-suite.js';

describe('RedisBackend (private 3-master Redis Cluster)', () => {
  const cluster = useRedisCluster();
  backendConformanceSuite(
    'RedisBackend on a Redis Cluster with 8 partitions',
    (options) => Promise.resolve(redisBackendOnCluster(cluster(), { partitions: 8, ...options })),
    redisClusterPeerOf,
  );
});
