import { startLocalRedis, type AofMode } from './local-redis.js';
import { RedisProbe } from './redis-probe.js';
import { ratios, type BenchResult } from './result.js';
import { runSystem } from './run-system.js';
import type { SystemName } from './system.js';
import { UnsupportedWorkloadError } from './unsupported.js';
import type { WorkloadSpec } from './workload.js';

/** Where to find Redis: a given URL, or one the harness starts with this AOF setting. */
export interface RedisChoice {
  redisUrl?: string;
  aof: AofMode;
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
}

/** What an invocation measured, and on which Redis. */
export interface BenchRun {
  redisVersion: string;
  results: BenchResult[];
}

/** Calls `body` with a Redis URL and that Redis's version, starting (and afterwards stopping) a Redis if none was given. */
export async function withRedis<T>(choice: RedisChoice, body: (redisUrl: string, redisVersion: string) => Promise<T>): Promise<T> {
  const local = choice.redisUrl === undefined ? await startLocalRedis(choice.aof) : undefined;
  const redisUrl = choice.redisUrl ?? local?.url ?? '';
  try {
    const probe = new RedisProbe(redisUrl);
    const version = await probe.version().finally(() => probe.close());
    return await body(redisUrl, version);
  } finally {
    await local?.stop();
  }
}

/** The systems an invocation measures, redflow first. */
export function systemsOf(peer: 'bullmq' | undefined): SystemName[] {
  return peer === 'bullmq' ? ['redflow', 'bullmq'] : ['redflow'];
}

/** Runs the workload on redflow, then on the peer if asked, against one Redis; adds redflow/peer ratios. */
export function runBenchmark(options: BenchOptions): Promise<BenchRun> {
  return withRedis(options, async (redisUrl, redisVersion) => {
    const common = { spec: options.spec, redisUrl, workers: options.workers, workerNodeArgs: options.workerNodeArgs, progress: options.progress, executorCacheSize: options.executorCacheSize };
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
