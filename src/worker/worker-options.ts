import type { Logger } from 'pino';
import { DEFAULT_QUEUE } from '../core/instance.js';
import { isInstrumentation, noInstrumentation, type Instrumentation } from '../core/instrumentation.js';
import { createLogger } from '../core/logger.js';
import { assertDurationMs, assertName, assertQueueName } from '../core/validation.js';
import { InvalidArgumentError } from '../errors/errors.js';
import type { HeldTaskRetryPolicy } from '../backend/backend.js';
import { DEFAULT_MAX_HISTORY_SIZE } from '../executor/executor.js';
import { DefaultHeldTaskRetry, resolveHeldTaskRetry, type HeldTaskRetryOptions } from './held-task-retry.js';

/** Worker option `onNonDeterminism`: hold a task whose replay diverges, or fail its instance. */
export type NonDeterminismPolicy = 'hold' | 'fail';

/** Options of a `Worker`; every field is optional and merged with `DefaultWorkerOptions`. */
export interface WorkerOptions {
  /** Queues whose workflow and activity tasks this worker takes. */
  queues?: string[];
  /** Concurrent workflow-task polls. */
  workflowPollers?: number;
  /** Concurrent activity-task polls. */
  activityPollers?: number;
  /** Workflow tasks executed at once. */
  maxParallelWorkflowTasks?: number;
  /** Activities executed at once. */
  maxParallelActivityTasks?: number;
  /** Live executors kept between tasks; 0 replays the history on every task. */
  executorCacheSize?: number;
  /** Lease of a workflow task: if this worker stops extending it, another worker takes the task after this long. */
  workflowLockTimeoutMs?: number;
  /** Lease of an activity task, extended automatically and by `heartbeat()`. */
  activityLockTimeoutMs?: number;
  /**
   * Longest time (ms) `stop()` takes, whatever the store does: tasks still running then are abandoned (logged
   * once); their leases are no longer given back, so other workers take them when the leases expire. Keep it
   * below the grace period of your process manager (Docker and Kubernetes send SIGKILL 30 s after SIGTERM by
   * default).
   */
  stopTimeoutMs?: number;
  /**
   * Events an execution's history may hold: a task that would grow it past this fails the execution with
   * `HistorySizeExceededError` (continue-as-new keeps long-running workflows below it).
   */
  maxHistorySize?: number;
  /**
   * Backoff of held workflow tasks: a task that fails for a reason outside the workflow code (data it cannot
   * decode, an engine error) or whose workflow code waits on something the engine does not control commits
   * nothing and is retried after `min(firstRetryIntervalMs * backoffCoefficient^(n-1), maxRetryIntervalMs)` ms
   * (n: its attempts so far); after `maxAttempts` it is parked until `Client.retryHeldWorkflowInstance`.
   * Holds that wait for a deploy (a workflow this worker has not registered, a replay that diverged) never
   * park. An activity task whose activity this worker has not registered is given back for the same backoff
   * (n: its redeliveries so far, plus one). Fields left out take `DefaultHeldTaskRetry` (1000 ms, 2, 60 000 ms,
   * 10 attempts).
   */
  heldTaskRetry?: HeldTaskRetryOptions;
  /**
   * What a workflow task whose replay diverges from its history (`NonDeterminismError`) does. `'hold'`: it
   * commits nothing, the instance stays `'active'`, the error (naming both sides) is logged and listed by
   * `Client.listHeldWorkflowInstances` (reason `'nondeterminism'`), and the task is retried with the
   * `heldTaskRetry` backoff without ever parking, so a worker running code that matches the history (a fixed
   * deploy or a rollback) continues the instance. `'fail'`: the instance fails with the error and
   * `Client.getWorkflowResult` rejects with a `NonDeterminismError`. @default 'hold'
   */
  onNonDeterminism?: NonDeterminismPolicy;
  /** The worker's logger, used as given. @default createLogger(): level `REDFLOW_LOG_LEVEL`, else `info` */
  logger?: Logger;
  /**
   * The application's deploy version this worker runs (a git sha, a release tag), shown in its `WorkerInfo`
   * (`Client.getWorkers`): a non-empty string of at most `MAX_VERSION_LENGTH` (200) characters. @default none
   */
  version?: string;
  /**
   * How often (ms) the started worker announces itself in the store (`Client.getWorkers`): a positive integer.
   * An announcement not renewed expires after 3 intervals (a worker killed without stopping disappears then;
   * `stop()` withdraws it at once). Every 6 intervals (a minute by default) the worker also reads the stats
   * and warns about queues with pending tasks and no live worker, and names no live worker registered.
   */
  presenceIntervalMs?: number;
  /**
   * Where the worker reports its workflow tasks, activity attempts, timers and lost leases, for tracing and
   * metrics: `openTelemetry()` or `prometheusMetrics()` of `redflow/telemetry` (docs/telemetry.md). @default none:
   * nothing is reported and nothing is spent on it
   */
  telemetry?: Instrumentation;
}

/** Longest `WorkerOptions.version` accepted (characters). */
export const MAX_VERSION_LENGTH = 200;

/** Defaults of `WorkerOptions`. */
export const DefaultWorkerOptions = Object.freeze({
  queues: [DEFAULT_QUEUE],
  workflowPollers: 1,
  activityPollers: 1,
  maxParallelWorkflowTasks: 20,
  maxParallelActivityTasks: 50,
  executorCacheSize: 128,
  workflowLockTimeoutMs: 30_000,
  activityLockTimeoutMs: 60_000,
  maxHistorySize: DEFAULT_MAX_HISTORY_SIZE,
  stopTimeoutMs: 20_000,
  heldTaskRetry: DefaultHeldTaskRetry,
  presenceIntervalMs: 10_000,
  onNonDeterminism: 'hold',
  telemetry: noInstrumentation,
});

/** Worker options with every field filled in. */
export type ResolvedWorkerOptions = Omit<Required<WorkerOptions>, 'queues' | 'heldTaskRetry' | 'version'> & {
  queues: readonly string[];
  heldTaskRetry: HeldTaskRetryPolicy;
  version?: string;
};

/** Merges `options` with the defaults and validates them. */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as WorkerOptions;
  const resolved = Object.assign({}, DefaultWorkerOptions, { logger: undefined }, defined);
  if (!Array.isArray(resolved.queues) || resolved.queues.length === 0) {
    throw new InvalidArgumentError('queues must be a non-empty array of queue names');
  }
  resolved.queues.forEach((queue) => assertQueueName(queue));
  for (const key of ['workflowPollers', 'activityPollers', 'executorCacheSize'] as const) {
    assertCount(resolved[key], key, 0);
  }
  for (const key of ['maxParallelWorkflowTasks', 'maxParallelActivityTasks', 'maxHistorySize'] as const) {
    assertCount(resolved[key], key, 1);
  }
  assertDurationMs(resolved.stopTimeoutMs, 'stopTimeoutMs');
  assertDurationMs(resolved.workflowLockTimeoutMs, 'workflowLockTimeoutMs');
  assertDurationMs(resolved.activityLockTimeoutMs, 'activityLockTimeoutMs');
  assertPresenceIntervalMs(resolved.presenceIntervalMs);
  if (resolved.version !== undefined) {
    assertName(resolved.version, 'version');
    // It is written with every heartbeat and listed by getWorkers: a label, not a payload.
    if (resolved.version.length > MAX_VERSION_LENGTH) {
      throw new InvalidArgumentError(`version must be at most ${MAX_VERSION_LENGTH} characters, got ${resolved.version.length}`);
    }
  }
  if (resolved.onNonDeterminism !== 'hold' && resolved.onNonDeterminism !== 'fail') {
    throw new InvalidArgumentError(`onNonDeterminism must be 'hold' or 'fail', got ${String(resolved.onNonDeterminism)}`);
  }
  if (!isInstrumentation(resolved.telemetry)) {
    throw new InvalidArgumentError('telemetry must be what openTelemetry() or prometheusMetrics() of redflow/telemetry returns');
  }
  const logger = resolved.logger ?? createLogger();
  const heldTaskRetry = resolveHeldTaskRetry(resolved.heldTaskRetry);
  return Object.assign({}, resolved, { queues: [...new Set(resolved.queues)], heldTaskRetry, logger });
}

function assertCount(value: unknown, name: string, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
  }
}

// An announcement lives 3 intervals, and timers hold at most 2^31 - 1 ms.
const MAX_PRESENCE_INTERVAL_MS = Math.floor(2_147_483_647 / 3);

function assertPresenceIntervalMs(value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PRESENCE_INTERVAL_MS) {
    throw new InvalidArgumentError(`presenceIntervalMs must be an integer from 1 to ${MAX_PRESENCE_INTERVAL_MS} milliseconds`);
  }
}
