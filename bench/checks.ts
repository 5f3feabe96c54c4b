import { delay } from './clock.js';
import { processConnections } from './process-sockets.js';
import { Progress } from './progress.js';
import { totalCalls } from './redis-call-counter.js';
import { RedisProbe, serverCommandsBetween } from './redis-probe.js';
import type { RedisTarget } from './redis-target.js';
import { round } from './result.js';
import { driverFor } from './run-system.js';
import { runPrefix, type SystemName } from './system.js';
import { WorkerPool } from './worker-pool.js';

/** How the idle and soak checks run on one system. */
export interface CheckOptions {
  system: SystemName;
  redis: RedisTarget;
  workers: number;
  seconds: number;
  /** redflow's `partitions`; the backend's default when absent. */
  partitions?: number;
  workerNodeArgs?: string[];
  /** Wait after the workers are up before measuring idle. @default 2000 */
  settleMs?: number;
}

/** An idle worker's cost: CPU share and Redis traffic while nothing is queued. */
export interface IdleResult {
  workload: 'idle';
  system: SystemName;
  seconds: number;
  workers: number;
  workerCpuSec: number;
  /** CPU share of one core, per worker process. */
  cpuPercentPerWorker: number;
  /** Commands all servers executed per second (a cluster's masters summed), scripts' inner commands included. */
  serverCommandsPerSec: number;
  peakRssMb: number;
  /** redflow's `partitions`, or null for the backend's default (and for BullMQ). */
  partitions: number | null;
  /** Each worker process: Redis connections it held at the end, and commands it sent per second. */
  perWorker: IdleWorkerFigures[];
  /** Largest `perWorker` connection count. */
  maxConnectionsPerWorker: number;
  /** Largest `perWorker` commands per second. */
  maxCommandsPerSecPerWorker: number;
}

/**
 * One idle worker process's Redis cost. `connections` counts the server's clients (`CLIENT LIST` of every
 * server) whose address is a socket of this process (`/proc/<pid>`); `commandsPerSec` counts what the process
 * sent (a script call once, a blocking read once when sent).
 */
export interface IdleWorkerFigures {
  connections: number;
  commandsPerSec: number;
}

/** Worker memory sampled while chains run back to back. */
export interface SoakResult {
  workload: 'soak';
  system: SystemName;
  seconds: number;
  workflows: number;
  activities: number;
  /** Seconds since the start; RSS and heap (after a full GC) of the largest worker, MB. */
  samples: Array<{ atSec: number; rssMb: number; heapUsedMb: number }>;
}

// Startup (module loading, connections, script loading) is not idling.
const SETTLE_MS = 2000;
const MB = 1024 * 1024;

async function withPool<T>(
  options: CheckOptions,
  body: (pool: WorkerPool, prefix: string, probe: RedisProbe) => Promise<T>,
  extraNodeArgs: string[] = [],
): Promise<T> {
  const prefix = runPrefix(options.system, options.redis);
  const probe = new RedisProbe(options.redis);
  let pool: WorkerPool | undefined;
  try {
    // Chain workers: BullMQ workers need a queue to watch; redflow's register every bench workflow anyway.
    const nodeArgs = [...(options.workerNodeArgs ?? []), ...extraNodeArgs];
    pool = await WorkerPool.start({ system: options.system, redis: options.redis, prefix, workload: 'chain', partitions: options.partitions }, options.workers, nodeArgs);
    return await body(pool, prefix, probe);
  } finally {
    await pool?.stop();
    await probe.flushPrefix(prefix);
    await probe.close();
  }
}

/** Measures idle worker processes for `seconds`. */
export function runIdle(options: CheckOptions): Promise<IdleResult> {
  return withPool(options, async (pool, _prefix, probe) => {
    await delay(options.settleMs ?? SETTLE_MS);
    const before = await probe.snapshot();
    await pool.reset();
    await delay(options.seconds * 1000);
    const reports = await pool.report();
    const after = await probe.snapshot();
    const clients = await probe.clientConnections();
    const perWorker = reports.map((report, i) => {
      const held = [...processConnections(pool.pids[i] ?? 0)].filter((connection) => clients.has(connection));
      return { connections: held.length, commandsPerSec: round(totalCalls(report.redisCalls) / options.seconds) };
    });
    const cpuSec = reports.reduce((sum, r) => sum + r.cpuSec, 0);
    return {
      workload: 'idle',
      system: options.system,
      seconds: options.seconds,
      workers: pool.size,
      workerCpuSec: round(cpuSec),
      cpuPercentPerWorker: round((cpuSec / options.seconds / Math.max(1, pool.size)) * 100),
      serverCommandsPerSec: round(serverCommandsBetween(before, after) / options.seconds),
      peakRssMb: round(Math.max(...reports.map((r) => r.peakRssBytes)) / MB),
      partitions: options.system === 'redflow' ? (options.partitions ?? null) : null,
      perWorker,
      maxConnectionsPerWorker: Math.max(...perWorker.map((w) => w.connections)),
      maxCommandsPerSecPerWorker: Math.max(...perWorker.map((w) => w.commandsPerSec)),
    };
  });
}

/** Runs chains of `steps` back to back for `seconds`, sampling worker memory every `sampleMs`. */
export function runSoak(options: CheckOptions & { steps: number; sampleMs: number; progress?: boolean }): Promise<SoakResult> {
  return withPool(options, async (pool, prefix) => {
    const driver = driverFor(options.system, options.redis, prefix, options.partitions);
    const spec = { kind: 'chain', steps: options.steps } as const;
    const samples: SoakResult['samples'] = [];
    const startedMs = Date.now();
    const endMs = startedMs + options.seconds * 1000;
    const sample = async (): Promise<void> => {
      const reports = await pool.report(true);
      const largest = reports.reduce((a, b) => (b.rssBytes > a.rssBytes ? b : a));
      samples.push({ atSec: round((Date.now() - startedMs) / 1000), rssMb: round(largest.rssBytes / MB), heapUsedMb: round(largest.heapUsedBytes / MB) });
    };
    let runs = 0;
    try {
      await driver.prepare(spec);
      await sample();
      let nextSampleMs = startedMs + options.sampleMs;
      const progress = new Progress(`${options.system} soak`, options.seconds, options.progress);
      while (Date.now() < endMs) {
        await driver.run(spec, new Progress('', 1, false));
        runs++;
        if (Date.now() >= nextSampleMs) {
          await sample();
          progress.tick(Math.round(options.sampleMs / 1000));
          nextSampleMs += options.sampleMs;
        }
      }
      await sample();
      progress.finish();
    } finally {
      await driver.close();
    }
    return {
      workload: 'soak',
      system: options.system,
      seconds: round((Date.now() - startedMs) / 1000),
      workflows: runs,
      activities: runs * options.steps,
      samples,
    };
  }, ['--expose-gc']);
}
