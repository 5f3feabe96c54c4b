import type { Logger } from 'pino';
import { runInActivityContext, type ActivityContext } from '../activity/activity-context.js';
import type { ActivityOutcome, ActivityTask, Backend, HeldTaskRetryPolicy, WorkflowTask, WorkflowTaskHandoff } from '../backend/backend.js';
import { assertEncodable } from '../codec/codec.js';
import { backoffDelayMs } from '../core/backoff.js';
import { contextLogger } from '../core/context-logger.js';
import { lazy } from '../core/lazy.js';
import { epochNowMs, type ActivityAttemptObserver, type Instrumentation } from '../core/instrumentation.js';
import { safeToLeaveUnawaited } from '../core/unawaited.js';
import { BackendUnavailableError, LeaseLostError, activityTimeoutFailure, type ActivityTimeoutError } from '../errors/errors.js';
import { toFailureInfo } from '../errors/failure-info.js';
import { isInstance } from '../errors/thrown-value.js';
import type { ActivityFunction } from '../workflow/activity.js';
import { AttemptTimeouts } from './attempt-timeouts.js';
import type { Reserve } from './handoff.js';
import type { LeaseKeeper } from './lease-keeper.js';
import type { UnknownNames } from './unknown-names.js';

const STOPPING = 'worker is stopping';

/** How a worker runs activity tasks. */
export interface ActivityTaskSettings {
  lockTimeoutMs: number;
  /** Backoff of tasks given back because this worker has not registered their activity (see `waitForWorker`). */
  heldTaskRetry: HeldTaskRetryPolicy;
  /** Slots for workflow tasks an outcome hands straight back. */
  reserveWorkflowTask: Reserve<WorkflowTaskHandoff, WorkflowTask>;
  /** The worker's lease keeper, which extends each running task's lease. */
  leases: LeaseKeeper;
  /** Where activity names this worker lacks are reported. */
  unknownNames: UnknownNames;
  /** Where attempts are reported (telemetry), guarded (`guardInstrumentation`): its calls never throw. */
  telemetry: Instrumentation;
}

/** Runs claimed activity tasks and delivers their outcomes. */
export class ActivityTaskHandler {
  private readonly running = new Set<AbortController>();
  private readonly backend: Backend;
  private readonly activities: ReadonlyMap<string, ActivityFunction>;
  private readonly lockTimeoutMs: number;
  private readonly heldTaskRetry: HeldTaskRetryPolicy;
  private readonly reserveWorkflowTask: Reserve<WorkflowTaskHandoff, WorkflowTask>;
  private readonly leases: LeaseKeeper;
  private readonly unknownNames: UnknownNames;
  private readonly telemetry: Instrumentation;
  private readonly logger: Logger;

  constructor(backend: Backend, activities: ReadonlyMap<string, ActivityFunction>, settings: ActivityTaskSettings, logger: Logger) {
    this.backend = backend;
    this.activities = activities;
    this.lockTimeoutMs = settings.lockTimeoutMs;
    this.heldTaskRetry = settings.heldTaskRetry;
    this.reserveWorkflowTask = settings.reserveWorkflowTask;
    this.leases = settings.leases;
    this.unknownNames = settings.unknownNames;
    this.telemetry = settings.telemetry;
    this.logger = logger;
  }

  /** Aborts the signal of every running activity: they may finish, or their tasks are given back. */
  abortAll(): void {
    for (const controller of this.running) controller.abort(new Error(STOPPING));
  }

  /**
   * Runs one activity and delivers its outcome; never throws. A task whose activity this worker has not
   * registered is not run: it goes back for another worker (see `waitForWorker`).
   */
  async handle(task: ActivityTask): Promise<void> {
    const fn = this.activities.get(task.name);
    if (fn === undefined) {
      await this.waitForWorker(task);
      return;
    }
    const activityId = `${task.instance.executionId}:${task.scheduleEventId}`;
    // Most attempts log nothing.
    const logger = lazy(() =>
      contextLogger(this.logger, {
        instanceId: task.instance.instanceId,
        activity: task.name,
        activityId,
        attempt: task.attempt,
        redeliveries: task.redeliveries,
      }),
    );
    const observer = this.telemetry.enabled ? this.telemetry.activityAttemptStarted(task, epochNowMs()) : undefined;
    const controller = new AbortController();
    this.running.add(controller);
    const stopLease = this.leases.keep(() => this.backend.extendActivityTask(task, this.lockTimeoutMs), this.lockTimeoutMs, logger, (err) => {
      if (this.telemetry.enabled) this.telemetry.leaseLost('activity', task.queue);
      controller.abort(err);
    });
    let outcome: ActivityOutcome | undefined;
    try {
      outcome = await this.run(task, fn, activityId, controller, logger, observer);
      if (outcome === undefined) {
        await this.backend.releaseActivityTask(task);
        logger().info('activity interrupted by worker stop; task released');
      } else {
        // The workflow task this outcome wakes may come straight back, to run here without a poll.
        const reservation = this.reserveWorkflowTask(1);
        let handed: WorkflowTask | undefined;
        try {
          handed = await this.backend.completeActivityTask(task, outcome, reservation?.request);
        } finally {
          reservation?.accept(handed === undefined ? [] : [handed]);
        }
      }
      observer?.ended(outcome);
    } catch (err) {
      observer?.ended(outcome, err);
      // A worker stopping while the store is unreachable says so once for all its tasks.
      const quiet = err instanceof BackendUnavailableError && isStopReason(controller.signal.reason);
      logger()[quiet ? 'debug' : 'error']({ err }, 'could not deliver the activity outcome; it will run again when its lease expires');
    } finally {
      stopLease();
      this.running.delete(controller);
    }
  }

  /** The outcome to deliver, or undefined when the worker's stop interrupted the attempt. */
  private async run(
    task: ActivityTask,
    fn: ActivityFunction,
    activityId: string,
    controller: AbortController,
    logger: () => Logger,
    observer: ActivityAttemptObserver | undefined,
  ): Promise<ActivityOutcome | undefined> {
    const signal = controller.signal;
    const timeouts = AttemptTimeouts.start(task);
    const context: ActivityContext = {
      activityId,
      attempt: task.attempt,
      redeliveries: task.redeliveries,
      instance: { ...task.instance },
      queue: task.queue,
      get logger() {
        return logger();
      },
      signal,
      // Activities often call heartbeat() without awaiting it: its failure must not become an unhandled rejection.
      heartbeat: (details?: unknown) => {
        timeouts?.heartbeat();
        return safeToLeaveUnawaited(this.heartbeat(task, controller, details));
      },
    };
    const call = (): unknown => runInActivityContext(context, () => fn(...task.inputs));
    const running = settle(observer === undefined ? call : () => observer.runInContext(call));
    let settled: Settled | { timedOut: ActivityTimeoutError };
    if (timeouts === undefined) {
      settled = await running;
    } else {
      try {
        // An attempt past its bound is given up on, settled or not: its code may never settle (and may ignore
        // its aborted signal), yet its slot must come free. What it settles with later is ignored.
        settled = await Promise.race([running, timeouts.expired]);
      } finally {
        timeouts.stop();
      }
    }
    if ('timedOut' in settled) {
      controller.abort(settled.timedOut);
      logger().warn({ timeoutType: settled.timedOut.timeoutType }, 'activity attempt timed out; its result, if any comes, is ignored');
      return { error: activityTimeoutFailure(settled.timedOut.timeoutType, settled.timedOut.timeoutMs) };
    }
    if ('thrown' in settled) {
      if (signal.aborted && isStopReason(signal.reason)) return undefined;
      return { error: toFailureInfo(settled.thrown) };
    }
    const result = settled.result;
    try {
      assertEncodable(result, `result of activity ${task.name}`);
    } catch (err) {
      // Running the activity again would produce the same unencodable value. What was thrown may be anything
      // (a getter of the result threw it), so it is marked permanent in its record, not on itself.
      return { error: Object.assign(toFailureInfo(err), { permanent: true }) };
    }
    return { result };
  }

  /**
   * Gives `task`, whose activity this worker lacks, back for a worker that has it: no worker can claim it for
   * the `heldTaskRetry` backoff of its redeliveries so far (each give-back counts as one), so it never spins;
   * the name is reported (a rate-limited warning). Nothing reaches the workflow.
   */
  private async waitForWorker(task: ActivityTask): Promise<void> {
    this.unknownNames.report('activity', task.queue, task.name);
    try {
      await this.backend.releaseActivityTask(task, backoffDelayMs(this.heldTaskRetry, task.redeliveries + 1));
    } catch (err) {
      const fields = { err, instanceId: task.instance.instanceId, activity: task.name, queue: task.queue };
      const quiet = err instanceof BackendUnavailableError;
      this.logger[quiet ? 'debug' : 'warn'](fields, 'could not give back an activity task this worker cannot run; it is retried when its lease expires');
    }
  }

  private async heartbeat(task: ActivityTask, controller: AbortController, details: unknown): Promise<void> {
    try {
      if (details !== undefined) assertEncodable(details, 'heartbeat details');
      await this.backend.heartbeatActivityTask(task, this.lockTimeoutMs, details);
    } catch (err) {
      if (isInstance(err, LeaseLostError)) controller.abort(err);
      throw err;
    }
  }
}

/** How an activity's code ended. */
type Settled = { result: unknown } | { thrown: unknown };

/** Runs `run` and reports how it ended; never rejects, whatever it throws (synchronously or not). */
async function settle(run: () => unknown): Promise<Settled> {
  try {
    return { result: await run() };
  } catch (thrown) {
    return { thrown };
  }
}

function isStopReason(reason: unknown): boolean {
  return reason instanceof Error && reason.message === STOPPING;
}
