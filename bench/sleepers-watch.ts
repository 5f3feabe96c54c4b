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
}

/** No sleepers figures: what every other workload reports. */
export const NO_SLEEPERS: SleepersFigures = {
  redisBytesPerSleeper: null,
  redisDatasetBytesPerSleeper: null,
  secondsToSleep: null,
  workerRssBeforeMb: null,
  workerRssAsleepMb: null,
  workerRssAwakeMb: null,
};

const POLL_MS = 250;
const MB = 1024 * 1024;

function largestRssMb(samples: readonly Pick<WorkerSample, 'rssBytes'>[]): number | null {
  return samples.length === 0 ? null : round(Math.max(...samples.map((s) => s.rssBytes)) / MB);
}

/**
 * Measures a sleepers run in the middle: once every instance was started, waits until each is asleep (redflow:
 * the workers ran as many workflow tasks as there are instances, each instance's first task being the one that
 * sets its timer; BullMQ: a job added with a delay is stored delayed at once), then reads Redis's memory and the
 * workers' RSS. A snapshot taken after the first timer was due would count woken instances, so then the memory
 * figures are left out (null) with a note.
 */
export class SleepersWatch implements RunHooks {
  readonly #system: SystemName;
  readonly #spec: SleepersSpec;
  readonly #pool: WorkerPool;
  readonly #probe: RedisProbe;
  readonly #before: RedisSnapshot;
  readonly #rssBeforeMb: number | null;
  readonly #startedMs = Date.now();
  #asleep: { snapshot: RedisSnapshot; rssMb: number | null; atMs: number; inTime: boolean } | undefined;

  private constructor(system: SystemName, spec: SleepersSpec, pool: WorkerPool, probe: RedisProbe, before: RedisSnapshot, rssBeforeMb: number | null) {
    this.#system = system;
    this.#spec = spec;
    this.#pool = pool;
    this.#probe = probe;
    this.#before = before;
    this.#rssBeforeMb = rssBeforeMb;
  }

  /** Call right before the first start, with the snapshot taken before it. */
  static async open(system: SystemName, spec: SleepersSpec, pool: WorkerPool, probe: RedisProbe, before: RedisSnapshot): Promise<SleepersWatch> {
    return new SleepersWatch(system, spec, pool, probe, before, largestRssMb(await pool.sample(true)));
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
    if (!inTime) process.stderr.write(`${this.#system} sleepers: not all asleep before the first timer was due; memory per sleeper not measured\n`);
    this.#asleep = { snapshot, rssMb: largestRssMb(samples), atMs, inTime };
  }

  /** The figures, given the workers' reports after every instance woke (taken with `collectGarbage`). */
  figures(awake: readonly Pick<WorkerSample, 'rssBytes'>[]): SleepersFigures {
    const asleep = this.#asleep;
    if (asleep === undefined) return { ...NO_SLEEPERS, workerRssBeforeMb: this.#rssBeforeMb, workerRssAwakeMb: largestRssMb(awake) };
    const per = (bytes: number): number | null => (asleep.inTime ? round(bytes / this.#spec.runs) : null);
    return {
      redisBytesPerSleeper: per(asleep.snapshot.usedMemoryBytes - this.#before.usedMemoryBytes),
      redisDatasetBytesPerSleeper: per(asleep.snapshot.datasetBytes - this.#before.datasetBytes),
      secondsToSleep: round((asleep.atMs - this.#startedMs) / 1000),
      workerRssBeforeMb: this.#rssBeforeMb,
      workerRssAsleepMb: asleep.rssMb,
      workerRssAwakeMb: largestRssMb(awake),
    };
  }
}
