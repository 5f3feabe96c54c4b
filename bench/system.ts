import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { openRedis, type RedisTarget } from './redis-target.js';

/** The systems the harness measures. */
export type SystemName = 'redflow' | 'bullmq';

/** What a worker process needs to know to serve one workload. */
export interface WorkerConfig {
  system: SystemName;
  redis: RedisTarget;
  /** Key prefix of this run and system, unique per run. */
  prefix: string;
  workload: string;
  /** redflow's `executorCacheSize` (`--executor-cache-size`); the worker's default when absent. */
  executorCacheSize?: number;
  /** redflow's `partitions` (`--partitions`); the backend's default when absent. */
  partitions?: number;
}

/**
 * A fresh key prefix for one run of `system`. BullMQ's on a cluster is a hash tag (`{bench-bullmq-…}`), which
 * puts all of a queue's keys in one slot, as its scripts need; redflow's must not contain braces.
 */
export function runPrefix(system: SystemName, target: RedisTarget): string {
  const prefix = `bench-${system}-${randomUUID().slice(0, 8)}`;
  return system === 'bullmq' && target.clusterNodes !== undefined ? `{${prefix}}` : prefix;
}

/** What BullMQ's `connection` option gets, and how to close what was opened for it. */
export interface BullmqConnection {
  connection: { url: string; maxRetriesPerRequest: null } | Cluster;
  close: () => Promise<void>;
}

/**
 * BullMQ's connection to `target` (`maxRetriesPerRequest: null` is what its blocking reads need): options for a
 * single Redis, from which BullMQ opens (and closes) its own connections; for a cluster an ioredis `Cluster`,
 * which BullMQ shares and duplicates but leaves open, so `close()` quits it after every BullMQ object closed.
 */
export function bullmqConnection(target: RedisTarget): BullmqConnection {
  if (target.clusterNodes === undefined) return { connection: { url: target.url, maxRetriesPerRequest: null }, close: async () => undefined };
  const cluster = openRedis(target, { maxRetriesPerRequest: null }) as Cluster;
  return {
    connection: cluster,
    close: async () => {
      await cluster.quit();
    },
  };
}
