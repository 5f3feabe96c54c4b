import { kill, startWorker, type WorkerProcess } from '../crash/worker-process.js';
import type { ActivityRun } from './chaos-workflows.js';

// A worker process loads the engine through tsx: seconds on a loaded machine.
const READY_TIMEOUT_MS = 60_000;

/** Where the fleet's workers connect. */
export interface FleetOptions {
  redisUrl: string;
  prefix: string;
  partitions: number;
  /** Level of the worker logs the fleet collects. @default 'warn' */
  logLevel?: string;
  /** Startup nodes of a Redis Cluster the workers connect to instead of `redisUrl`. */
  cluster?: readonly { host: string; port: number }[];
  /** The workers' `replicaAcks` backend option. @default none */
  replicaAcks?: { replicas: number; timeoutMs: number };
}

/** A log message of the workers, how often it came, and one whole line of it. */
export interface LogSummary {
  count: number;
  sample: string;
}

/** Counts of the activity runs the workers reported. */
export interface RunCounts {
  runs: number;
  /** Runs of an attempt handed out again after its worker stopped renewing the lease (at-least-once). */
  redelivered: number;
  /** `activityId#attempt` handed out twice as a first delivery: a duplicate beyond at-least-once. */
  duplicateFirstRuns: string[];
}

/** Chaos-test worker processes on one prefix: started, killed with SIGKILL, replaced; their reports collected. */
export class WorkerFleet {
  readonly live: WorkerProcess[] = [];
  readonly runCounts: RunCounts = { runs: 0, redelivered: 0, duplicateFirstRuns: [] };
  readonly logs = new Map<string, LogSummary>();
  /** Workers that exited without being killed by the fleet, or did not start. */
  readonly unexpectedExits: string[] = [];
  kills = 0;
  private readonly firstRuns = new Set<string>();
  private readonly killed = new Set<WorkerProcess>();

  private readonly options: FleetOptions;

  constructor(options: FleetOptions) {
    this.options = options;
  }

  /** Starts one more worker. */
  start(): WorkerProcess {
    const { redisUrl, prefix, partitions, logLevel = 'warn', cluster, replicaAcks } = this.options;
    const worker = startWorker(redisUrl, prefix, partitions, {
      onReport: (report) => {
        if (report.event === 'run') this.countRun(report as ActivityRun);
      },
      logs: { level: logLevel, onLine: (line) => this.collectLog(line) },
      ...(cluster === undefined ? {} : { cluster }),
      ...(replicaAcks === undefined ? {} : { replicaAcks }),
    });
    worker.child.once('exit', (code, signal) => {
      if (!this.killed.has(worker)) this.unexpectedExits.push(`worker ${worker.child.pid} exited (${code ?? signal})`);
    });
    this.live.push(worker);
    return worker;
  }

  /** Waits until every live worker reported that it started. */
  async ready(): Promise<void> {
    await Promise.all(this.live.map((worker) => worker.waitFor('ready', 1, READY_TIMEOUT_MS)));
  }

  /**
   * Kills the live worker `random` picks with SIGKILL and starts a replacement; resolves once the victim is
   * gone, with `ready`, settled when the replacement is ready (so that on a loaded machine kills need not
   * outpace starts).
   */
  async killOne(random: () => number): Promise<{ ready: Promise<unknown> }> {
    const victim = this.live.splice(Math.floor(random() * this.live.length), 1)[0];
    if (victim === undefined) return { ready: Promise.resolve() };
    this.killed.add(victim);
    await kill(victim);
    this.kills++;
    const ready = this.start()
      .waitFor('ready', 1, READY_TIMEOUT_MS)
      .catch((err: unknown) => this.unexpectedExits.push(`a replacement worker did not start: ${String(err)}`));
    return { ready };
  }

  /** Kills every worker. */
  async stopAll(): Promise<void> {
    for (const worker of this.live.splice(0)) {
      this.killed.add(worker);
      await kill(worker);
    }
  }

  private countRun(run: ActivityRun): void {
    this.runCounts.runs++;
    if (run.redeliveries > 0) {
      this.runCounts.redelivered++;
      return;
    }
    const key = `${run.activityId}#${run.attempt}`;
    if (this.firstRuns.has(key)) this.runCounts.duplicateFirstRuns.push(key);
    this.firstRuns.add(key);
  }

  // Log lines are grouped by level, message and error name (their text names instances); one sample is kept.
  private collectLog(line: string): void {
    let key = line.slice(0, 200);
    try {
      const record = JSON.parse(line) as { level?: number; msg?: string; err?: { name?: string; type?: string; message?: string } };
      key = `level ${record.level ?? '?'}: ${record.msg ?? ''}${record.err === undefined ? '' : ` (${record.err.name ?? record.err.type ?? 'error'})`}`;
      if (record.err !== undefined) line = `${record.err.message ?? ''} ${JSON.stringify({ ...record, err: undefined, time: undefined, hostname: undefined })}`;
    } catch {
      // Not a log record (a stack trace of a crash): kept as it is.
    }
    const summary = this.logs.get(key);
    if (summary === undefined) this.logs.set(key, { count: 1, sample: line.slice(0, 400) });
    else summary.count++;
  }
}
