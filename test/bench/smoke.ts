import assert from 'node:assert/strict';
import type { BenchResult } from '../../bench/result.js';
import { runBenchmark } from '../../bench/run-benchmark.js';
import type { WorkloadSpec } from '../../bench/workload.js';
import type { RedisServer } from '../helpers/redis-server.js';

/** Runs `spec` on redflow and BullMQ against `server`, without a progress bar; returns the results by system. */
export async function smokeRun(server: RedisServer, spec: WorkloadSpec, executorCacheSize?: number): Promise<Map<string, BenchResult>> {
  const { results } = await runBenchmark({ spec, redisUrl: server.url, aof: 'off', workers: 1, peer: 'bullmq', progress: false, executorCacheSize });
  return new Map(results.map((result) => [result.system, result]));
}

/** Asserts that `result` counted exactly the expected work. */
export function assertCompleted(result: BenchResult | undefined, workflows: number, activities: number): void {
  assert.ok(result, 'no result');
  assert.equal(result.workflows, workflows, `${result.system} workflows`);
  assert.equal(result.activities, activities, `${result.system} activities`);
}

/** Asserts that a figure is present, finite and not negative. */
export function assertSane(value: number | null | undefined, what: string): void {
  assert.ok(typeof value === 'number' && Number.isFinite(value) && value >= 0, `${what}: ${String(value)}`);
}
