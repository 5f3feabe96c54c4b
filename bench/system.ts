/** The systems the harness measures. */
export type SystemName = 'redflow' | 'bullmq';

/** What a worker process needs to know to serve one workload. */
export interface WorkerConfig {
  system: SystemName;
  redisUrl: string;
  /** Key prefix of this run and system, unique per run. */
  prefix: string;
  workload: string;
  /** redflow's `executorCacheSize` (`--executor-cache-size`); the worker's default when absent. */
  executorCacheSize?: number;
}

/** BullMQ connection options for a Redis URL (`maxRetriesPerRequest: null` is what its blocking reads need). */
export function bullmqConnection(redisUrl: string): { url: string; maxRetriesPerRequest: null } {
  return { url: redisUrl, maxRetriesPerRequest: null };
}
