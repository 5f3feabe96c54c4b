import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A crash-test worker process and what it reported. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Counts of the events the worker reported. */
  seen: Map<string, number>;
  /** Resolves once the worker reported `count` events of `event`. */
  waitFor(event: string, count: number, timeoutMs: number): Promise<void>;
}

/** Options of a crash-test worker process. */
export interface WorkerProcessOptions {
  /** Its `activityLockTimeoutMs`. @default 1000 */
  activityLockTimeoutMs?: number;
  /** Its `presenceIntervalMs`. @default the worker's default */
  presenceIntervalMs?: number;
  /** Startup nodes of a Redis Cluster to connect to instead of `redisUrl` (pass '' as `redisUrl`). */
  cluster?: readonly { host: string; port: number }[];
  /** The backend's `replicaAcks` option. @default none */
  replicaAcks?: { replicas: number; timeoutMs: number };
  /** Called with every line the worker reports on stdout, parsed (`{ event, ... }`). */
  onReport?: (report: { event: string }) => void;
  /** Takes the worker's log lines (stderr) at this level instead of passing its stderr through. */
  logs?: { level: string; onLine: (line: string) => void };
}

/** Starts `test/crash/crash-worker.ts` on `prefix` of the Redis at `redisUrl`. */
export function startWorker(redisUrl: string, prefix: string, partitions = 1, options: WorkerProcessOptions = {}): WorkerProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redisUrl, REDFLOW_PREFIX: prefix, REDFLOW_PARTITIONS: String(partitions) };
  if (options.activityLockTimeoutMs !== undefined) env.REDFLOW_ACTIVITY_LOCK_MS = String(options.activityLockTimeoutMs);
  if (options.presenceIntervalMs !== undefined) env.REDFLOW_PRESENCE_INTERVAL_MS = String(options.presenceIntervalMs);
  if (options.cluster !== undefined) env.REDFLOW_CLUSTER_NODES = options.cluster.map((node) => `${node.host}:${node.port}`).join(',');
  if (options.replicaAcks !== undefined) env.REDFLOW_REPLICA_ACKS = `${options.replicaAcks.replicas}:${options.replicaAcks.timeoutMs}`;
  if (options.logs !== undefined) env.REDFLOW_LOG_LEVEL = options.logs.level;
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/crash/crash-worker.ts'], {
    env,
    stdio: ['ignore', 'pipe', options.logs === undefined ? 'inherit' : 'pipe'],
  });
  const { logs } = options;
  if (logs !== undefined) createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => logs.onLine(line));
  const seen = new Map<string, number>();
  const listeners = new Set<() => void>();
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const report = JSON.parse(line) as { event: string };
    options.onReport?.(report);
    const { event } = report;
    seen.set(event, (seen.get(event) ?? 0) + 1);
    for (const listener of listeners) listener();
  });
  return {
    child,
    seen,
    waitFor(event, count, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker did not report ${count} ${event} within ${timeoutMs} ms`)), timeoutMs);
        const check = (): void => {
          if ((seen.get(event) ?? 0) < count) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Kills the worker with SIGKILL and waits until it is gone. */
export async function kill(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const exited = new Promise((resolve) => worker.child.once('exit', resolve));
  worker.child.kill('SIGKILL');
  await exited;
}
