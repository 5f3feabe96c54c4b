import { redisBackendOn } from '../helpers/redis-backends.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { e2eSuite } from './e2e-suite.js';

describe('RedisBackend (private redis-server)', () => {
  const server = useRedisServer();
  e2eSuite('RedisBackend', () => Promise.resolve(redisBackendOn(server())));
  e2eSuite('RedisBackend with 4 partitions', () => Promise.resolve(redisBackendOn(server(), { partitions: 4 })));
});
