import { redisBackendOn, redisPeerOf } from '../helpers/redis-backends.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { featureGroups } from './feature-groups.js';
import { e2eGroup, type SettingsBackendFactory } from './harness.js';

describe('workflow features on RedisBackend (private redis-server)', () => {
  const server = useRedisServer();
  for (const partitions of [1, 4]) {
    const redis: SettingsBackendFactory = (settings) => Promise.resolve(redisBackendOn(server(), { partitions, ...settings }));
    const name = partitions === 1 ? 'RedisBackend' : `RedisBackend with ${partitions} partitions`;
    for (const [title, scenarios] of featureGroups) e2eGroup(title, name, redis, scenarios, redisPeerOf);
  }
});
