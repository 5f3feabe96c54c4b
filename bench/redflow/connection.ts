import type { Cluster, Redis } from 'ioredis';
import { openRedis, type RedisTarget } from '../redis-target.js';

/** What a `RedisBackend` is given for a target, and how to close what was opened for it. */
export interface BackendConnection {
  redis: string | Redis | Cluster;
  close(): Promise<void>;
}

/**
 * A single Redis goes to the backend as its URL (the backend then owns its connections, as an application's
 * would); a cluster as an ioredis `Cluster`, which the caller closes after the backend.
 */
export function backendConnection(target: RedisTarget): BackendConnection {
  if (target.clusterNodes === undefined) return { redis: target.url, close: async () => undefined };
  const cluster = openRedis(target);
  return {
    redis: cluster,
    async close() {
      await cluster.quit();
    },
  };
}
