import { Cluster, Redis, type RedisOptions } from 'ioredis';

/**
 * The Redis a run uses: one server at `url`, or, with `clusterNodes`, a Redis Cluster whose masters are at
 * those URLs (`url` is then one of them). Plain data, so it travels to worker processes as JSON.
 */
export interface RedisTarget {
  url: string;
  /** URLs of every master of the cluster; absent for a single Redis. */
  clusterNodes?: string[];
}

/** A single Redis at `url`. */
export function singleRedis(url: string): RedisTarget {
  return { url };
}

/** The URL of every server that holds keys: the masters of a cluster, or the one Redis. */
export function serverUrls(target: RedisTarget): string[] {
  return target.clusterNodes ?? [target.url];
}

function hostPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379) };
}

/** A client for `target`: an ioredis `Cluster` seeded with every master, or a `Redis`; `options` apply to each connection. */
export function openRedis(target: RedisTarget, options: RedisOptions = {}): Redis | Cluster {
  if (target.clusterNodes === undefined) return new Redis(target.url, options);
  return new Cluster(target.clusterNodes.map(hostPort), { redisOptions: options });
}
