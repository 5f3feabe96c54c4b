import { delay } from './clock.js';
import type { RunHooks } from './driver.js';
import type { WorkerSample } from './ipc.js';
import type { RedisProbe, RedisSnapshot } from './redis-probe.js';
import { round } from './result.js';
import type { SystemName } from './system.js';
import { addTaskCounts } from './task-count.js';
import type { WorkerPool } from './worker-pool.js';
import type { SleepersSpec } from './workload.js';

/** The sleepers workload's own figures (null on every other workload). */
export interface SleepersFigures {
  /** `used_memory` with every instance asleep minus before the first start, divided by the instances. */
  redisBytesPerSleeper: number | null;
  /** The same from `used_memory_dataset`. */
  redisDatasetBytesPerSleeper: number | null;
  /** From the first start until every instance was started (and, on redflow, asleep), seconds. */
  secondsToSleep: number | null;
  /**
   * RSS of the largest worker process before the first start, with every instance asleep, after all woke, MB;
   * each read right after a full GC (the workers run with `--expose-gc`), so garbage does not count as growth.
   */
  workerRssBeforeMb: number | null;
  workerRssAsleepMb: number | null;
  workerRssAwakeMb: number | null;
  /**
   * The V8 heap in use of the same process before the first start, MB, after the same full GC: what the
   * process keeps alive, without the memory V8 and the allocator hold on to after a burst.
   */
  workerHeapBeforeMb: number | null;
  /** The same with every instance asleep. */
  workerHeapAsleepMb: number | null;
  /** The same after all woke. */
  workerHeapAwakeMb: number | null;
}

/** No sleepers figures: what every other workload reports. */
export const NO_SLEEPERS: SleepersFigures = {
  redisBytesPerSleeper: null,
  redisDatasetBytesPerSleeper: null,
  secondsToSleep: null,
  workerRssBeforeMb: null,
  workerRssAsleepMb: null,
  workerRssAwakeMb: null,
  workerHeapBeforeMb: null,
  workerHeapAsleepMb: null,
  workerHeapAwakeMb: null,
};

const POLL_MS = 250;
const MB = 1024 * 1024;

type MemorySample = Pick<WorkerSample, 'rssBytes' | 'heapUsedBytes'>;

/** RSS and heap in use of one worker process, MB; null without a sample. */
interface WorkerMemory {
  rssMb: number | null;
  heapMb: number | null;
}

/** The memory of the worker process with the largest RSS. */
function largestMb(samples: readonly MemorySample[]): WorkerMemory {
  if (samples.length === 0) return { rssMb: null, heapMb: null };
  const largest = samples.reduce((a, b) => (b.rssBytes > a.rssBytes ? b : a));
  return { rssMb: round(largest.rssBytes / MB), heapMb: round(largest.heapUsedBytes / MB) };
}

/**
 * Measures a sleepers run in the middle: once every instance was started, waits until each is asleep (redflow:
 * the workers ran as many workflow tasks as there are instances, each instance's first task being the one that
 * sets its timer; BullMQ: a job added with a delay is stored delayed at once), then reads Redis's memory and the
 * workers' RSS. A snapshot taken after the first timer was due would count woken instances, so then the figures
 * of that moment (memory asleep, time to sleep) are left out (null) with a note.
 */
export class SleepersWatch implements RunHooks {
  readonly #system: SystemName;
  readonly #spec: SleepersSpec;
  readonly #pool: WorkerPool;
  readonly #probe: RedisProbe;
  readonly #before: RedisSnapshot;
  readonly #memoryBefore: WorkerMemory;
  readonly #startedMs = Date.now();
  #asleep: { snapshot: RedisSnapshot; memory: WorkerMemory; atMs: number; inTime: boolean } | undefined;

  private constructor(
    system: SystemName,
    spec: SleepersSpec,
    pool: WorkerPool,
    probe: RedisProbe,
    before: RedisSnapshot,
    memoryBefore: WorkerMemory,
  ) {
    this.#system = system;
    this.#spec = spec;
    this.#pool = pool;
    this.#probe = probe;
    this.#before = before;
    this.#memoryBefore = memoryBefore;
  }

  /** Call right before the first start, with the snapshot taken before it. */
  static async open(system: SystemName, spec: SleepersSpec, pool: WorkerPool, probe: RedisProbe, before: RedisSnapshot): Promise<SleepersWatch> {
    return new SleepersWatch(system, spec, pool, probe, before, largestMb(await pool.sample(true)));
  }

  async allStarted(): Promise<void> {
    // The first instance was started no earlier than the watch opened: its timer is due no earlier than this.
    const firstDueMs = this.#startedMs + this.#spec.sleepMs;
    let samples = await this.#pool.sample();
    if (this.#system === 'redflow') {
      while (addTaskCounts(samples.map((s) => s.tasks)).workflowTasks < this.#spec.runs && Date.now() < firstDueMs) {
        await delay(POLL_MS);
        samples = await this.#pool.sample();
      }
    }
    const snapshot = await this.#probe.snapshot();
    const atMs = Date.now();
    samples = await this.#pool.sample(true);
    const inTime = atMs < firstDueMs;
    if (!inTime) process.stderr.write(`${this.#system} sleepers: not all asleep before the first timer was due; the asleep figures are not measured (a longer --sleep-ms)\n`);
    this.#asleep = { snapshot, memory: largestMb(samples), atMs, inTime };
  }

  /** The figures, given the workers' reports after every instance woke (taken with `collectGarbage`). */
  figures(awakeReports: readonly MemorySample[]): SleepersFigures {
    const before = this.#memoryBefore;
    const awake = largestMb(awakeReports);
    const memory = {
      workerRssBeforeMb: before.rssMb,
      workerRssAwakeMb: awake.rssMb,
      workerHeapBeforeMb: before.heapMb,
      workerHeapAwakeMb: awake.heapMb,
    };
    const asleep = this.#asleep;
    if (asleep === undefined) return { ...NO_SLEEPERS, ...memory };
    // Taken after the first timer was due, the snapshot is not of every instance asleep: none of its figures is.
    if (!asleep.inTime) return { ...NO_SLEEPERS, ...memory };
    const per = (bytes: number): number => round(bytes / this.#spec.runs);
    return {
      redisBytesPerSleeper: per(asleep.snapshot.usedMemoryBytes - this.#before.usedMemoryBytes),
      redisDatasetBytesPerSleeper: per(asleep.snapshot.datasetBytes - this.#before.datasetBytes),
      secondsToSleep: round((asleep.atMs - this.#startedMs) / 1000),
      ...memory,
      workerRssAsleepMb: asleep.memory.rssMb,
      workerHeapAsleepMb: asleep.memory.heapMb,
    };
  }
}
