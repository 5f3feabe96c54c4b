import { redisBackendOn, redisPeerOf } from '../helpers/redis-backends.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { backendConformanceSuite } from './backend-suite.js';

describe('RedisBackend (private redis-server)', () => {
  const server = useRedisServer();
  backendConformanceSuite('RedisBackend', (options) => Promise.resolve(redisBackendOn(server(), options)), redisPeerOf);
  backendConformanceSuite(
    'RedisBackend with 3 partitions',
    (options) => Promise.resolve(redisBackendOn(server(), { partitions: 3, ...options })),
    redisPeerOf,
  );
});
