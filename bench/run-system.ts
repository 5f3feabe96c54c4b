import { performance } from 'node:perf_hooks';
import { BullmqDriver } from './bullmq/driver.js';
import type { SystemDriver } from './driver.js';
import type { RedisTarget } from './redis-target.js';
import { flatness, gaps, percentile } from './percentiles.js';
import { Progress } from './progress.js';
import { addCalls, countRedisCalls, takeRedisCalls, totalCalls } from './redis-call-counter.js';
import { RedisProbe, serverCommandsBetween, serverUsecBetween } from './redis-probe.js';
import { RedflowDriver } from './redflow/driver.js';
import { round, type BenchResult } from './result.js';
import { NO_SLEEPERS, SleepersWatch } from './sleepers-watch.js';
import { runPrefix, type SystemName } from './system.js';
import { addTaskCounts } from './task-count.js';
import { WorkerPool } from './worker-pool.js';
import type { WorkloadSpec } from './workload.js';

/** How one system runs one workload. */
export interface SystemRunOptions {
  system: SystemName;
  spec: WorkloadSpec;
  redis: RedisTarget;
  workers: number;
  /** redflow's `partitions`; the backend's default when absent. */
  partitions?: number;
  /** Extra node arguments for worker processes (e.g. `--cpu-prof`). */
  workerNodeArgs?: string[];
  progress?: boolean;
  /** redflow workers' `executorCacheSize`; the worker's default when absent. */
  executorCacheSize?: number;
}

/** The client side of `system` on `target` under `prefix`. */
export function driverFor(system: SystemName, target: RedisTarget, prefix: string, partitions?: number): SystemDriver {
  return system === 'redflow' ? new RedflowDriver(target, prefix, partitions) : new BullmqDriver(target, prefix);
}

const MB = 1024 * 1024;
// The chain's flatness compares the p50 of this many first steps with that of as many last steps.
const FLATNESS_STEPS = 100;

/**
 * Runs one workload on one system under a prefix of its own: starts worker processes, measures from the first
 * start to the last result, collects the workers' reports and Redis's counters, then deletes the prefix's keys.
 */
export async function runSystem(options: SystemRunOptions): Promise<BenchResult> {
  const { system, spec, redis, partitions } = options;
  countRedisCalls();
  const prefix = runPrefix(system, redis);
  const probe = new RedisProbe(redis);
  const driver = driverFor(system, redis, prefix, partitions);
  // The start workload measures the client alone: nobody runs what it starts.
  const workers = spec.kind === 'start' ? 0 : options.workers;
  let pool: WorkerPool | undefined;
  try {
    // Sleepers read worker memory after a full GC.
    const nodeArgs = [...(options.workerNodeArgs ?? []), ...(spec.kind === 'sleepers' ? ['--expose-gc'] : [])];
    pool = await WorkerPool.start({ system, redis, prefix, workload: spec.kind, executorCacheSize: options.executorCacheSize, partitions }, workers, nodeArgs);
    await driver.prepare(spec);
    const before = await probe.snapshot();
    await pool.reset();
    takeRedisCalls();
    const progress = new Progress(`${system} ${spec.kind}`, progressTotal(spec), options.progress);
    const watch = spec.kind === 'sleepers' ? await SleepersWatch.open(system, spec, pool, probe, before) : undefined;
    const cpuBefore = process.cpuUsage();
    const began = performance.now();
    const outcome = await driver.run(spec, progress, watch);
    const seconds = (performance.now() - began) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    progress.finish();
    const clientCalls = takeRedisCalls();
    const after = await probe.snapshot();
    const reports = await pool.report(spec.kind === 'sleepers');
    const workerCalls = reports.reduce((sum, r) => addCalls(sum, r.redisCalls), {});
    const calls = addCalls({ ...clientCalls }, workerCalls);
    const totalSent = totalCalls(calls);
    const serverCommands = serverCommandsBetween(before, after);
    const redisUs = serverUsecBetween(before, after, calls);
    const tasks = addTaskCounts(reports.map((r) => r.tasks));
    const workerTasks = system === 'redflow' ? tasks.workflowTasks + tasks.activityTasks : tasks.jobs;
    const workerCpuSec = reports.reduce((sum, r) => sum + r.cpuSec, 0);
    const samples = outcome.latenessMs ?? outcome.completionMs ?? gaps(reports.flatMap((r) => r.stepMarks));
    const flat = spec.kind === 'chain' ? flatness(samples, FLATNESS_STEPS) : undefined;
    const { workflows, activities } = outcome;
    const perActivity = (n: number): number | null => (activities > 0 ? round(n / activities) : null);
    const at = (p: number): number | null => {
      const value = percentile(samples, p);
      return value === undefined ? null : round(value);
    };
    return {
      workload: spec.kind,
      system,
      workflows,
      activities,
      seconds: round(seconds),
      workflowsPerSec: round(workflows / seconds),
      activitiesPerSec: activities > 0 ? round(activities / seconds) : null,
      stepP50Ms: at(50),
      stepP95Ms: at(95),
      stepP99Ms: at(99),
      redisCallsPerActivity: perActivity(totalSent),
      redisCallsPerWorkflow: round(totalSent / workflows),
      workerRedisCallsPerActivity: perActivity(totalCalls(workerCalls)),
      serverCommandsPerActivity: perActivity(serverCommands),
      serverCommandsPerWorkflow: round(serverCommands / workflows),
      redisCpuUsPerWorkflow: round(redisUs / workflows),
      redisCpuUsPerActivity: perActivity(redisUs),
      redisCpuUsPerTask: workerTasks > 0 ? round(redisUs / workerTasks) : null,
      redisServerCpuSec: round(after.serverCpuSec - before.serverCpuSec),
      redisConnectionsOpened: after.connectionsReceived - before.connectionsReceived,
      workerTasks,
      workflowTasks: system === 'redflow' ? tasks.workflowTasks : null,
      workerCpuSec: round(workerCpuSec),
      workerCpuUsPerTask: workerTasks > 0 ? round((workerCpuSec * 1e6) / workerTasks) : null,
      clientCpuSec: round((cpu.user + cpu.system) / 1e6),
      firstStepsP50Ms: flat === undefined ? null : round(flat.firstP50Ms),
      lastStepsP50Ms: flat === undefined ? null : round(flat.lastP50Ms),
      stepFlatness: flat === undefined || flat.firstP50Ms === 0 ? null : round(flat.lastP50Ms / flat.firstP50Ms),
      peakRssMb: reports.length > 0 ? round(Math.max(...reports.map((r) => r.peakRssBytes)) / MB) : null,
      redisBytesPerWorkflow: round((after.usedMemoryBytes - before.usedMemoryBytes) / workflows),
      redisDatasetBytesPerWorkflow: round((after.datasetBytes - before.datasetBytes) / workflows),
      ...(watch?.figures(reports) ?? NO_SLEEPERS),
      workers,
      redisCalls: calls,
    };
  } finally {
    await pool?.stop();
    await driver.close();
    await probe.flushPrefix(prefix);
    await probe.close();
  }
}

function progressTotal(spec: WorkloadSpec): number {
  if (spec.kind === 'chain' || spec.kind === 'fanout') return 1;
  // Sleepers: each instance ticks when started and again when it woke.
  return spec.kind === 'sleepers' ? spec.runs * 2 : spec.runs;
}
