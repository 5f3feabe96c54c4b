import type { SleepersFigures } from './sleepers-watch.js';
import type { SystemName } from './system.js';

/** One system's figures for one workload: what a JSON line holds. */
export interface BenchResult extends SleepersFigures {
  workload: string;
  system: SystemName;
  workflows: number;
  activities: number;
  seconds: number;
  workflowsPerSec: number;
  activitiesPerSec: number | null;
  /** Per-step latency (chain), timer lateness (timers, sleepers) or parent completion time (parents), ms. */
  stepP50Ms: number | null;
  stepP95Ms: number | null;
  stepP99Ms: number | null;
  /** chain: p50 of the first 100 steps and of the last 100 steps, ms, and last / first (1 is flat). */
  firstStepsP50Ms: number | null;
  lastStepsP50Ms: number | null;
  stepFlatness: number | null;
  /** Commands the harness's clients and workers sent (a script call counts once). */
  redisCallsPerActivity: number | null;
  redisCallsPerWorkflow: number;
  /** The worker processes' share of `redisCallsPerActivity` (claiming and completing tasks). */
  workerRedisCallsPerActivity: number | null;
  /** Commands Redis executed by `INFO commandstats`, including those run inside scripts. */
  serverCommandsPerActivity: number | null;
  serverCommandsPerWorkflow: number;
  /**
   * Microseconds Redis spent executing the commands sent (`INFO commandstats`, script time once, see
   * `serverUsecBetween`), per workflow, per activity, and per worker task (redflow) or job (BullMQ).
   */
  redisCpuUsPerWorkflow: number;
  redisCpuUsPerActivity: number | null;
  redisCpuUsPerTask: number | null;
  /** The Redis server process's CPU (`INFO cpu`, user + system), including network I/O, seconds. */
  redisServerCpuSec: number;
  /** Connections the servers accepted during the run (`INFO stats` `total_connections_received`), the harness's included. */
  redisConnectionsOpened: number;
  /** Tasks the workers ran: redflow's workflow tasks plus activity tasks, BullMQ's jobs. */
  workerTasks: number;
  /** redflow's workflow tasks alone (null for BullMQ). */
  workflowTasks: number | null;
  workerCpuSec: number;
  /** `workerCpuSec` in microseconds divided by `workerTasks`. */
  workerCpuUsPerTask: number | null;
  clientCpuSec: number;
  /** Largest peak resident set of any worker process. */
  peakRssMb: number | null;
  redisBytesPerWorkflow: number;
  /** The same from `used_memory_dataset`, which leaves out connection buffers. */
  redisDatasetBytesPerWorkflow: number;
  workers: number;
  /** Commands sent, by name. */
  redisCalls: Record<string, number>;
  /** redflow's figures divided by BullMQ's, on the redflow line of a run with `--peer bullmq`. */
  ratioToBullmq?: Record<string, number | null>;
}

/** Figures that are compared between systems, in table order. */
export const FIGURES = [
  'workflows',
  'activities',
  'seconds',
  'workflowsPerSec',
  'activitiesPerSec',
  'stepP50Ms',
  'stepP95Ms',
  'stepP99Ms',
  'firstStepsP50Ms',
  'lastStepsP50Ms',
  'stepFlatness',
  'redisCallsPerActivity',
  'redisCallsPerWorkflow',
  'workerRedisCallsPerActivity',
  'serverCommandsPerActivity',
  'serverCommandsPerWorkflow',
  'redisCpuUsPerWorkflow',
  'redisCpuUsPerActivity',
  'redisCpuUsPerTask',
  'redisServerCpuSec',
  'redisConnectionsOpened',
  'workerTasks',
  'workflowTasks',
  'workerCpuSec',
  'workerCpuUsPerTask',
  'clientCpuSec',
  'peakRssMb',
  'redisBytesPerWorkflow',
  'redisDatasetBytesPerWorkflow',
  'secondsToSleep',
  'redisBytesPerSleeper',
  'redisDatasetBytesPerSleeper',
  'workerRssBeforeMb',
  'workerRssAsleepMb',
  'workerRssAwakeMb',
  'workerHeapBeforeMb',
  'workerHeapAsleepMb',
  'workerHeapAwakeMb',
] as const satisfies ReadonlyArray<keyof BenchResult>;

/** A figure's name. */
export type Figure = (typeof FIGURES)[number];

/** `a / b` for every figure both have (null where either is missing or b is 0). */
export function ratios(a: BenchResult, b: BenchResult): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const figure of FIGURES) {
    const x = a[figure];
    const y = b[figure];
    out[figure] = x === null || y === null || y === 0 ? null : round(x / y);
  }
  return out;
}

/** Rounds to at most three decimals, keeping three significant digits below 1. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const digits = Math.abs(value) >= 1 || value === 0 ? 3 : Math.min(8, 2 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(digits));
}
