import type { RedisTarget } from './redis-target.js';
import { UnsupportedWorkloadError } from './unsupported.js';

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
 * BullMQ connection options for a single Redis (`maxRetriesPerRequest: null` is what its blocking reads need).
 * The harness does not run BullMQ on a cluster: throws `UnsupportedWorkloadError` for one.
 */
export function bullmqConnection(target: RedisTarget): { url: string; maxRetriesPerRequest: null } {
  if (target.clusterNodes !== undefined) throw new UnsupportedWorkloadError('the harness runs BullMQ on a single Redis only, not on --cluster');
  return { url: target.url, maxRetriesPerRequest: null };
}
