import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ActivityTask, ActivityTaskHandoff, Backend, WorkflowTask, WorkflowTaskHandoff } from '../backend/backend.js';
import { abortableDelay } from '../core/abortable-delay.js';
import { executionKey } from '../core/instance.js';
import { FailureLog } from '../core/failure-log.js';
import { guardInstrumentation } from '../core/guarded-instrumentation.js';
import type { Instrumentation } from '../core/instrumentation.js';
import { redflowVersion } from '../core/redflow-version.js';
import { withTimeout } from '../core/with-timeout.js';
import { BackendUnavailableError, InvalidArgumentError } from '../errors/errors.js';
import { toFailureInfo } from '../errors/failure-info.js';
import type { WorkflowFunction } from '../executor/workflow-function.js';
import type { ActivityFunction } from '../workflow/activity.js';
import { ActivityTaskHandler } from './activity-task-handler.js';
import type { Reservation } from './handoff.js';
import { Registry, type RegistrationOptions } from './registry.js';
import { LeaseKeeper } from './lease-keeper.js';
import { WorkerPresence } from './presence.js';
import { Slots } from './slots.js';
import { resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerOptions } from './worker-options.js';
import { UnknownNames } from './unknown-names.js';
import { WorkflowTaskHandler } from './workflow-task-handler.js';

const POLL_ERROR_BACKOFF_MS = 1000;

/**
 * Takes workflow and activity tasks from a backend and runs them. Scale out by running more worker
 * processes; each one is a single event loop.
 */
export class Worker {
  /** Unique per `Worker` object (a random UUID): its `WorkerInfo.workerId` in `Client.getWorkers`. */
  readonly workerId = randomUUID();
  private readonly backend: Backend;
  private readonly options: ResolvedWorkerOptions;
  private readonly logger: Logger;
  private readonly registry = new Registry();
  private readonly inFlight = new Set<Promise<void>>();
  private pollers: Promise<void>[] = [];
  private stopController: AbortController | undefined;
  private workflowHandler: WorkflowTaskHandler | undefined;
  private activityHandler: ActivityTaskHandler | undefined;
  private readonly workflowSlots: Slots;
  private readonly activitySlots: Slots;
  private started = false;
  private stopped: Promise<void> | undefined;
  private readonly leases = new LeaseKeeper();
  private presence: WorkerPresence | undefined;
  /** The `telemetry` option, its throws logged and ignored: a broken hook must not change what the worker does. */
  private readonly telemetry: Instrumentation;
  private detachTelemetry: (() => void) | undefined;
  private readonly unknownNames: UnknownNames;
  /** The latest poll failed because the store could not be reached. */
  private storeUnreachable = false;

  constructor(backend: Backend, options: WorkerOptions = {}) {
    this.backend = backend;
    this.options = resolveWorkerOptions(options);
    this.logger = this.options.logger;
    this.telemetry = guardInstrumentation(this.options.telemetry, this.logger);
    this.unknownNames = new UnknownNames(this.logger, { record: (name) => this.backend.recordUnknownName(name) });
    this.workflowSlots = new Slots(this.options.maxParallelWorkflowTasks);
    this.activitySlots = new Slots(this.options.maxParallelActivityTasks);
  }

  /** Registers a workflow under its function name, or `options.name`. */
  registerWorkflow(workflow: WorkflowFunction, options?: RegistrationOptions): this {
    this.assertNotStarted();
    this.registry.addWorkflow(workflow, options);
    return this;
  }

  /** Registers an activity function, or every method of an object as an activity. */
  registerActivity(activity: ActivityFunction | object, options?: RegistrationOptions): this {
    this.assertNotStarted();
    this.registry.addActivity(activity, options);
    return this;
  }

  /**
   * Connects the backend (`backend.connect()`: for Redis, reaches the server and checks the prefix's
   * partition count), then starts polling. Rejects with that error (`BackendUnavailableError` when the
   * store cannot be reached, `InvalidArgumentError` when it is set up for other settings); the worker may
   * then be started again. Throws `InvalidArgumentError` at once when already started. A worker with only
   * activities registered takes no workflow tasks, and the reverse.
   */
  start(): Promise<void> {
    this.assertNotStarted();
    this.started = true;
    return this.connectAndPoll();
  }

  private async connectAndPoll(): Promise<void> {
    try {
      await this.backend.connect();
    } catch (err) {
      this.started = false;
      throw err;
    }
    // stop() was called while connecting: nothing to start.
    if (this.stopped !== undefined) return;
    this.stopController = new AbortController();
    const startedAt = new Date();
    const { workflows, activities } = this.registry;
    const activityOnly = workflows.size === 0 && activities.size > 0;
    const workflowOnly = activities.size === 0 && workflows.size > 0;
    if (!activityOnly) this.startWorkflowPollers(this.stopController.signal);
    if (!workflowOnly) this.startActivityPollers(this.stopController.signal);
    const { queues, version, presenceIntervalMs, workflowPollers, activityPollers } = this.options;
    this.presence = new WorkerPresence(
      this.backend,
      {
        workerId: this.workerId,
        queues: [...queues],
        workflows: [...workflows.keys()].sort(),
        activities: [...activities.keys()].sort(),
        pollsWorkflowTasks: !activityOnly && workflowPollers > 0,
        pollsActivityTasks: !workflowOnly && activityPollers > 0,
        pid: process.pid,
        hostname: hostname(),
        ...(version === undefined ? {} : { version }),
        redflowVersion: redflowVersion(),
        startedAt,
      },
      presenceIntervalMs,
      this.logger,
    );
    await this.presence.start(this.stopController.signal);
    if (this.telemetry.enabled) this.detachTelemetry = this.telemetry.attach(this.backend);
    this.logger.info({ workerId: this.workerId, queues, workflows: [...workflows.keys()], activities: [...activities.keys()], version }, 'worker started');
  }

  /**
   * Stops polling, lets in-flight workflow tasks finish, aborts the signal of running activities (an activity
   * that then fails is given back to the queue, not failed) and waits for them, at most `stopTimeoutMs`:
   * tasks still running then are abandoned, and other workers take them when their leases expire.
   */
  stop(): Promise<void> {
    if (!this.started) return Promise.resolve();
    this.stopped ??= this.drain();
    return this.stopped;
  }

  private async drain(): Promise<void> {
    this.stopController?.abort();
    this.detachTelemetry?.();
    const { stopTimeoutMs } = this.options;
    const deadline = Date.now() + stopTimeoutMs;
    const tasks = this.inFlight.size;
    // It polls no more: withdrawn meanwhile, within stopTimeoutMs (failing that, its announcement expires).
    const withdrawn = this.presence?.withdraw() ?? Promise.resolve();
    const finished = await withTimeout(this.finishInFlight(), stopTimeoutMs);
    await withTimeout(withdrawn, Math.max(0, deadline - Date.now()));
    if (finished === undefined) {
      // Given up on: their leases must run out for other workers to take them, even if this process lives on.
      this.leases.abandonAll();
      this.logger.warn(
        { stopTimeoutMs, abandonedTasks: this.inFlight.size },
        'worker stop timed out: tasks still running are abandoned; other workers take them when their leases expire',
      );
    } else if (this.storeUnreachable && tasks > 0) {
      this.logger.warn(
        { tasks },
        'the store is unreachable: tasks in flight could not be completed or given back; other workers take them when their leases expire',
      );
    }
    this.logger.info('worker stopped');
  }

  private async finishInFlight(): Promise<void> {
    await Promise.all(this.pollers);
    this.activityHandler?.abortAll();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private startWorkflowPollers(signal: AbortSignal): void {
    const handler = new WorkflowTaskHandler(
      this.backend,
      (name) => this.registry.workflows.get(name),
      {
        lockTimeoutMs: this.options.workflowLockTimeoutMs,
        cacheSize: this.options.executorCacheSize,
        maxHistorySize: this.options.maxHistorySize,
        heldTaskRetry: this.options.heldTaskRetry,
        onNonDeterminism: this.options.onNonDeterminism,
        unknownNames: this.unknownNames,
        reserveActivities: (wanted) => this.reserveActivities(signal, wanted),
        leases: this.leases,
        telemetry: this.telemetry,
      },
      this.logger,
    );
    this.workflowHandler = handler;
    for (let i = 0; i < this.options.workflowPollers; i++) {
      this.pollers.push(
        this.pollLoop<WorkflowTask>(signal, this.workflowSlots, 'workflow', (max) =>
          this.backend.pollWorkflowTasks({
            queues: this.options.queues,
            max,
            lockTimeoutMs: this.options.workflowLockTimeoutMs,
            signal,
            knownHistoryLength: (instance) => handler.knownHistoryLength(executionKey(instance)),
          }),
          (task) => handler.handle(task),
          (task) => this.backend.releaseWorkflowTask(task),
        ),
      );
    }
  }

  private startActivityPollers(signal: AbortSignal): void {
    const handler = new ActivityTaskHandler(
      this.backend,
      this.registry.activities,
      {
        lockTimeoutMs: this.options.activityLockTimeoutMs,
        heldTaskRetry: this.options.heldTaskRetry,
        reserveWorkflowTask: () => this.reserveWorkflowTask(signal),
        leases: this.leases,
        unknownNames: this.unknownNames,
        telemetry: this.telemetry,
      },
      this.logger,
    );
    this.activityHandler = handler;
    for (let i = 0; i < this.options.activityPollers; i++) {
      this.pollers.push(
        this.pollLoop<ActivityTask>(signal, this.activitySlots, 'activity', (max) =>
          this.backend.pollActivityTasks({ queues: this.options.queues, max, lockTimeoutMs: this.options.activityLockTimeoutMs, signal }),
          (task) => handler.handle(task),
          (task) => this.backend.releaseActivityTask(task),
        ),
      );
    }
  }

  /** Slots for activities a workflow-task completion hands straight back to this worker. */
  private reserveActivities(signal: AbortSignal, wanted: number): Reservation<ActivityTaskHandoff, ActivityTask> | undefined {
    const handler = this.activityHandler;
    if (handler === undefined || signal.aborted) return undefined;
    const max = this.activitySlots.tryTake(wanted);
    if (max === 0) return undefined;
    return {
      request: { queues: this.options.queues, max, lockTimeoutMs: this.options.activityLockTimeoutMs },
      accept: (tasks) => {
        this.activitySlots.release(max - tasks.length);
        for (const task of tasks) this.track(handler.handle(task), this.activitySlots);
      },
    };
  }

  /** A slot for the workflow task an activity completion hands straight back to this worker. */
  private reserveWorkflowTask(signal: AbortSignal): Reservation<WorkflowTaskHandoff, WorkflowTask> | undefined {
    const handler = this.workflowHandler;
    if (handler === undefined || signal.aborted || this.workflowSlots.tryTake(1) === 0) return undefined;
    return {
      request: {
        queues: this.options.queues,
        lockTimeoutMs: this.options.workflowLockTimeoutMs,
        knownHistoryLength: (instance) => handler.knownHistoryLength(executionKey(instance)),
      },
      accept: (tasks) => {
        this.workflowSlots.release(1 - tasks.length);
        for (const task of tasks) this.track(handler.handle(task), this.workflowSlots);
      },
    };
  }

  /** Keeps a running task in sight of `stop()` and frees its slot when it ends. */
  private track(run: Promise<void>, slots: Slots): void {
    const settled = (): void => {
      this.inFlight.delete(tracked);
      slots.release(1);
    };
    // Handlers catch everything, but then log it, and pino throws on an error whose getters or Proxy traps
    // throw: that must be neither an unhandled rejection nor a failed stop(). Its plain failure record logs safely.
    const tracked = run.then(settled, (err: unknown) => {
      settled();
      this.logger.error({ err: toFailureInfo(err) }, 'a task handler failed; the task runs again after its lease');
    });
    this.inFlight.add(tracked);
  }

  private async pollLoop<T>(
    signal: AbortSignal,
    slots: Slots,
    kind: string,
    poll: (max: number) => Promise<T[]>,
    handle: (task: T) => Promise<void>,
    release: (task: T) => Promise<void>,
  ): Promise<void> {
    const failures = FailureLog.forLoop(this.logger, 'polling for tasks', { kind });
    while (!signal.aborted) {
      const free = await slots.takeFree();
      let tasks: T[] = [];
      try {
        if (!signal.aborted) tasks = await poll(free);
        // A poll ended by the stop says nothing about the store.
        if (!signal.aborted) {
          failures.succeeded();
          this.storeUnreachable = false;
        }
      } catch (err) {
        slots.release(free);
        this.storeUnreachable = err instanceof BackendUnavailableError;
        if (signal.aborted) break;
        // An unreachable store is logged by the backend, once per outage.
        failures.failed(err);
        await abortableDelay(POLL_ERROR_BACKOFF_MS, signal);
        continue;
      }
      slots.release(free - tasks.length);
      for (const task of tasks) {
        const run = signal.aborted ? release(task).catch((err: unknown) => this.logger.warn({ err }, 'could not release a task')) : handle(task);
        this.track(run, slots);
      }
    }
  }

  private assertNotStarted(): void {
    if (this.started) throw new InvalidArgumentError('the worker was already started');
  }
}
