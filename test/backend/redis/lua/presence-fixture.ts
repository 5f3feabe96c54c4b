import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { unknownNamesKey, workerInfosKey, workersKey } from '../../../../src/backend/redis/keys.js';
import { RedisWorkerPresence } from '../../../../src/backend/redis/worker-presence.js';

/** The presence keys of a fresh prefix and the typed calls of their scripts. */
export function presenceOn(redis: Redis): { presence: RedisWorkerPresence; workers: string; infos: string; unknownNames: string } {
  const prefix = `test-${randomUUID()}`;
  return {
    presence: new RedisWorkerPresence({ client: redis, prefix, partitions: 1 }),
    workers: workersKey(prefix),
    infos: workerInfosKey(prefix),
    unknownNames: unknownNamesKey(prefix),
  };
}
