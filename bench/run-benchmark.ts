import { startLocalCluster } from './local-cluster.js';
import { startLocalRedis, type AofMode } from './local-redis.js';
import { RedisProbe } from './redis-probe.js';
import { singleRedis, type RedisTarget } from './redis-target.js';
import { ratios, type BenchResult } from './result.js';
import { runSystem } from './run-system.js';
import type { SystemName } from './system.js';
import { UnsupportedWorkloadError } from './unsupported.js';
import type { WorkloadSpec } from './workload.js';

/**
 * Where to find Redis: a given URL, or one the harness starts with this AOF setting; with `cluster`, a Redis
 * Cluster of that many masters the harness starts.
 */
export interface RedisChoice {
  redisUrl?: string;
  aof: AofMode;
  cluster?: number;
}

/** A benchmark invocation: one workload, on redflow and optionally on BullMQ. */
export interface BenchOptions extends RedisChoice {
  spec: WorkloadSpec;
  workers: number;
  peer?: 'bullmq';
  workerNodeArgs?: string[];
  progress?: boolean;
  /** redflow workers' `executorCacheSize`; the worker's default when absent. */
  executorCacheSize?: number;
  /** redflow's `partitions`; the backend's default when absent. */
  partitions?: number;
}

/** What an invocation measured, and on which Redis. */
export interface BenchRun {
  redisVersion: string;
  results: BenchResult[];
}

/**
 * Calls `body` with the Redis to use and its version, starting (and afterwards stopping, also when `body`
 * throws) a Redis or a cluster if no URL was given.
 */
export async function withRedis<T>(choice: RedisChoice, body: (redis: RedisTarget, redisVersion: string) => Promise<T>): Promise<T> {
  const local = await startLocal(choice);
  const redis = local?.target ?? singleRedis(choice.redisUrl ?? '');
  try {
    const probe = new RedisProbe(redis);
    const version = await probe.version().finally(() => probe.close());
    return await body(redis, version);
  } finally {
    await local?.stop();
  }
}

async function startLocal(choice: RedisChoice): Promise<{ target: RedisTarget; stop(): Promise<void> } | undefined> {
  if (choice.cluster !== undefined) {
    if (choice.redisUrl !== undefined) throw new Error('--cluster starts its own cluster: it does not go with --redis');
    return startLocalCluster(choice.cluster, choice.aof);
  }
  if (choice.redisUrl !== undefined) return undefined;
  const local = await startLocalRedis(choice.aof);
  return { target: singleRedis(local.url), stop: () => local.stop() };
}

/** The systems an invocation measures, redflow first. */
export function systemsOf(peer: 'bullmq' | undefined): SystemName[] {
  return peer === 'bullmq' ? ['redflow', 'bullmq'] : ['redflow'];
}

/** Runs the workload on redflow, then on the peer if asked, against one Redis; adds redflow/peer ratios. */
export function runBenchmark(options: BenchOptions): Promise<BenchRun> {
  return withRedis(options, async (redis, redisVersion) => {
    const common = { spec: options.spec, redis, partitions: options.partitions, workers: options.workers, workerNodeArgs: options.workerNodeArgs, progress: options.progress, executorCacheSize: options.executorCacheSize };
    const results: BenchResult[] = [];
    for (const system of systemsOf(options.peer)) {
      try {
        results.push(await runSystem({ ...common, system }));
      } catch (err) {
        if (!(err instanceof UnsupportedWorkloadError)) throw err;
        process.stderr.write(`${system} skipped: ${err.message}\n`);
      }
    }
    const [redflow, bullmq] = results;
    if (redflow?.system === 'redflow' && bullmq !== undefined) results[0] = { ...redflow, ratioToBullmq: ratios(redflow, bullmq) };
    return { redisVersion, results };
  });
}
