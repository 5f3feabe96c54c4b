import type { Logger } from 'pino';
import type {
  Backend,
  BackendStats,
  DeadLetterPage,
  ExecutionOutcome,
  HeldWorkflowInstancePage,
  WorkerInfo,
  WorkflowInstancePage,
} from '../backend/backend.js';
import { DEFAULT_MAX_PAYLOAD_BYTES, assertPayloadSize } from '../codec/codec.js';
import { newExecutionId } from '../core/execution-id.js';
import { guardInstrumentation } from '../core/guarded-instrumentation.js';
import { isInstrumentation, noInstrumentation, type Instrumentation } from '../core/instrumentation.js';
import { DEFAULT_QUEUE, type WorkflowInstance, type WorkflowInstanceRef, type WorkflowInstanceState } from '../core/instance.js';
import { UnservedLog } from '../core/unserved-log.js';
import { assertInstanceId, assertName, assertQueueName } from '../core/validation.js';
import { CanceledError, InvalidArgumentError, WaitTimeoutError } from '../errors/errors.js';
import { fromFailureInfo, nonDeterminismErrorOf } from '../errors/failure-info.js';
import type { WorkflowFunction } from '../executor/workflow-function.js';
import { newEvent, type HistoryEvent, type NewEventOf } from '../history/events.js';
import { describeExecution, type WorkflowInstanceDescription } from './instance-description.js';
import {
  instanceFilter,
  pageQuery,
  type ListDeadLetterMessagesOptions,
  type ListFilteredWorkflowInstancesOptions,
  type ListWorkflowInstancesOptions,
} from './list-options.js';
import { assertInstanceRef, continuedExecution, executionOf, historyOf, stateOf } from './instance-ref.js';

export type { ListDeadLetterMessagesOptions, ListFilteredWorkflowInstancesOptions, ListWorkflowInstancesOptions } from './list-options.js';

/** Where and under which id to start a workflow. */
export interface WorkflowInstanceOptions {
  instanceId: string;
  /** The queue its workflow tasks go to; `'default'` if omitted. */
  queue?: string;
}

/** The parameters of a workflow function after its context. */
export type WorkflowArgs<F extends WorkflowFunction> = F extends (ctx: never, ...args: infer A) => unknown ? A : never;

/** The result type of a workflow function. */
export type WorkflowResult<F extends WorkflowFunction> = Awaited<ReturnType<F>>;

/** Options of a `Client`. */
export interface ClientOptions {
  /**
   * Largest encoded arguments `createWorkflowInstance` and `signalWorkflow` accept, in bytes: a positive
   * integer. @default 4 MiB
   */
  maxPayloadBytes?: number;
  /**
   * Where `getStats` warns about the queues and names it finds waiting for a worker (`unservedQueues`,
   * `unservedNames`): one line naming each, at most once a minute for the same one. @default none: the client
   * logs nothing
   */
  logger?: Logger;
  /**
   * Where the client reports the workflows it starts: `openTelemetry()` of `redflow/telemetry` records a span for
   * each start and the start's trace context in the workflow's history, so the workflow's spans join the caller's
   * trace (docs/telemetry.md). @default none: nothing is reported
   */
  telemetry?: Instrumentation;
}

/**
 * Starts workflows, waits for them and inspects them, through any backend. Every call that takes an
 * instance takes a `WorkflowInstance` (one execution) or `{ instanceId }` alone (the id's latest execution,
 * `InstanceNotFoundError` when it has none); anything else rejects with `InvalidArgumentError`. Every call
 * that needs the store rejects with `BackendUnavailableError` when the backend cannot reach it within its
 * `connectTimeoutMs` / `commandTimeoutMs`, and with `BackendClosedError` after `backend.close()`.
 */
export class Client {
  private readonly backend: Backend;
  private readonly maxPayloadBytes: number;
  private readonly unserved: UnservedLog | undefined;
  private readonly telemetry: Instrumentation;

  /**
   * Throws `InvalidArgumentError` for a missing backend, a `maxPayloadBytes` that is not a positive integer, a
   * `logger` without a `warn` method or a `telemetry` that is not an instrumentation.
   */
  constructor(backend: Backend, options: ClientOptions = {}) {
    if (typeof backend !== 'object' || backend === null) throw new InvalidArgumentError('a Client needs a backend');
    const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    if (!Number.isSafeInteger(maxPayloadBytes) || maxPayloadBytes < 1) {
      throw new InvalidArgumentError(`Client option maxPayloadBytes must be a positive integer, got ${String(maxPayloadBytes)}`);
    }
    const { logger } = options;
    if (logger !== undefined && typeof (logger as Partial<Logger> | null)?.warn !== 'function') {
      throw new InvalidArgumentError('Client option logger must be a pino logger');
    }
    const telemetry = options.telemetry ?? noInstrumentation;
    if (!isInstrumentation(telemetry)) {
      throw new InvalidArgumentError('Client option telemetry must be what openTelemetry() or prometheusMetrics() of redflow/telemetry returns');
    }
    this.backend = backend;
    this.maxPayloadBytes = maxPayloadBytes;
    this.unserved = logger === undefined ? undefined : new UnservedLog(logger);
    // Whatever its hooks throw is logged and ignored: a broken hook must not fail or change a start.
    this.telemetry = guardInstrumentation(telemetry, logger);
  }

  /**
   * Starts a workflow. Rejects with `InstanceAlreadyExistsError` while an execution with this id is active,
   * and with `InvalidArgumentError` (writing nothing) for a bad id or queue, or arguments that cannot be
   * encoded or exceed `maxPayloadBytes`.
   */
  createWorkflowInstance<F extends WorkflowFunction>(
    options: WorkflowInstanceOptions,
    workflow: F,
    ...args: WorkflowArgs<F>
  ): Promise<WorkflowInstance<WorkflowResult<F>>>;
  createWorkflowInstance<R = unknown>(options: WorkflowInstanceOptions, workflow: string, ...args: unknown[]): Promise<WorkflowInstance<R>>;
  async createWorkflowInstance(
    options: WorkflowInstanceOptions,
    workflow: WorkflowFunction | string,
    ...args: unknown[]
  ): Promise<WorkflowInstance> {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options must be an object');
    assertInstanceId(options.instanceId);
    const queue = options.queue ?? DEFAULT_QUEUE;
    assertQueueName(queue);
    const name = typeof workflow === 'function' ? workflow.name : workflow;
    assertName(name, 'workflow name (pass a named function or a string)');
    assertPayloadSize(args, `arguments of workflow ${name}`, this.maxPayloadBytes);
    const instance: WorkflowInstance = { instanceId: options.instanceId, executionId: newExecutionId() };
    const started = newEvent('WorkflowExecutionStarted', { name, queue, inputs: args }) as NewEventOf<'WorkflowExecutionStarted'>;
    if (!this.telemetry.enabled) {
      await this.backend.createWorkflowInstance(instance, started);
      return instance;
    }
    const observer = this.telemetry.workflowStarting(instance, name, queue);
    if (observer.traceContext !== undefined) started.attributes.traceContext = observer.traceContext;
    try {
      await this.backend.createWorkflowInstance(instance, started);
    } catch (err) {
      observer.end(err);
      throw err;
    }
    observer.end();
    return instance;
  }

  /**
   * Waits for the workflow to finish, following continue-as-new, and returns its result. Rejects with the
   * workflow's `WorkflowError`, with `CanceledError` if it ended cancelled, `NonDeterminismError` if it failed
   * because its replay diverged (worker option `onNonDeterminism: 'fail'`), `WaitTimeoutError`, or
   * `InstanceNotFoundError`; with `UndecodableDataError` when the stored outcome cannot be decoded, and
   * `InvalidArgumentError` for a malformed instance.
   */
  async getWorkflowResult<R>(instance: WorkflowInstanceRef<R>, timeoutMs?: number): Promise<R> {
    assertInstanceRef(instance);
    const deadline = deadlineOf(timeoutMs);
    let current = await executionOf(this.backend, instance);
    for (;;) {
      const outcome = await this.waitForExecution(current, deadline, timeoutMs);
      if (outcome.type === 'WorkflowExecutionContinuedAsNew') {
        current = { instanceId: current.instanceId, executionId: outcome.attributes.continuedExecutionId };
        continue;
      }
      const { error, result } = outcome.attributes;
      if (error === undefined) return result as R;
      if (error.type === 'CanceledError') throw new CanceledError(error.message);
      if (error.type === 'NonDeterminismError') throw nonDeterminismErrorOf(error);
      throw fromFailureInfo(error);
    }
  }

  /**
   * Resolves once the workflow (following continue-as-new) has finished, whether it succeeded or failed;
   * rejects with `WaitTimeoutError`, or `InstanceNotFoundError` for an unknown instance.
   */
  async waitForWorkflowInstance(instance: WorkflowInstanceRef, timeoutMs?: number): Promise<void> {
    assertInstanceRef(instance);
    const deadline = deadlineOf(timeoutMs);
    let current = await executionOf(this.backend, instance);
    for (;;) {
      const next = continuedExecution(current, await this.waitForExecution(current, deadline, timeoutMs));
      if (next === undefined) return;
      current = next;
    }
  }

  /**
   * Sends a signal to the instance's active execution. Rejects with `InstanceNotFoundError` if it has none,
   * and with `InvalidArgumentError` (sending nothing) for a bad id or name or an argument that cannot be
   * encoded or exceeds `maxPayloadBytes`.
   */
  async signalWorkflow(instanceId: string, name: string, arg?: unknown): Promise<void> {
    assertInstanceId(instanceId);
    assertName(name, 'signal name');
    assertPayloadSize(arg, `argument of signal ${name}`, this.maxPayloadBytes);
    await this.backend.signalWorkflow(instanceId, newEvent('SignalReceived', { name, arg }) as NewEventOf<'SignalReceived'>);
  }

  /**
   * Asks the workflow to cancel (the active execution of its continue-as-new chain): it sees its context
   * cancelled, may clean up, then ends. Rejects with `InstanceNotFoundError` for an unknown instance; a
   * finished one is left alone.
   */
  async cancelWorkflowInstance(instance: WorkflowInstanceRef): Promise<void> {
    assertInstanceRef(instance);
    await this.backend.cancelWorkflowInstance(await executionOf(this.backend, instance));
  }

  /**
   * Deletes a finished instance: the execution with every other execution of its continue-as-new chain,
   * and their histories. Rejects with `InstanceNotFinishedError` (deleting nothing) while the chain's latest
   * execution is active, or `InstanceNotFoundError`.
   */
  async removeWorkflowInstance(instance: WorkflowInstanceRef): Promise<void> {
    assertInstanceRef(instance);
    await this.backend.removeWorkflowInstance(await executionOf(this.backend, instance));
  }

  /**
   * Deletes every continue-as-new chain whose latest execution finished before `finishedBefore`, all its
   * executions together; never an execution of a chain still active. Returns how many executions went.
   */
  removeWorkflowInstances(options: { finishedBefore: Date }): Promise<number> {
    const finishedBefore = (options as { finishedBefore?: unknown } | undefined)?.finishedBefore;
    if (!(finishedBefore instanceof Date) || Number.isNaN(finishedBefore.getTime())) {
      return Promise.reject(new InvalidArgumentError('finishedBefore must be a valid Date'));
    }
    return this.backend.removeWorkflowInstances(finishedBefore);
  }

  /**
   * Executions, newest first (by creation), a page at a time: pass `nextCursor` back as `cursor`, with the same
   * filter; only the last page has none. With a filter (`state`, `name`, `queue`, `createdAfter` inclusive,
   * `createdBefore` exclusive; all given must match) a page may hold fewer than `count` executions, even none,
   * and still have a `nextCursor`: RedisBackend reads at most about 1000 index entries per call when filtering
   * by state, name or queue, so one call never scans the whole store. Rejects with `InvalidArgumentError` for
   * a bad count, cursor, state, name, queue or date.
   */
  async listWorkflowInstances(options: ListFilteredWorkflowInstancesOptions = {}): Promise<WorkflowInstancePage> {
    const page = pageQuery(options);
    return this.backend.listWorkflowInstances(Object.assign(instanceFilter(options), page));
  }

  /**
   * Executions whose workflow task is held, newest hold first (by `since`), a page at a time (as
   * `listWorkflowInstances`): each with its `reason` (`'undecodable'`, `'engine-error'`, `'unsettled'`, ...),
   * the latest `error`, `since`, `attempts`, `retryAt` (absent once parked) and `parked`. See README "Held
   * workflow instances".
   */
  async listHeldWorkflowInstances(options: ListWorkflowInstancesOptions = {}): Promise<HeldWorkflowInstancePage> {
    return this.backend.listHeldWorkflowInstances(pageQuery(options));
  }

  /**
   * Runs a held instance's workflow task again now, parked or not, and clears its hold (its attempts start
   * again from 0; if it fails again it is held anew). Resolves true when it was held, false (changing nothing)
   * when it was not. Rejects with `InstanceNotFoundError` for an unknown instance.
   */
  async retryHeldWorkflowInstance(instance: WorkflowInstanceRef): Promise<boolean> {
    assertInstanceRef(instance);
    return this.backend.retryHeldWorkflowInstance(await executionOf(this.backend, instance));
  }

  /**
   * Messages between workflows (sub-workflow starts, signals, cancellation requests, children's outcomes)
   * that could not be delivered and were parked after their last attempt (see the RedisBackend option
   * `outboxRetry`), by partition and then oldest first, a page at a time: pass `nextCursor` back as
   * `cursor`; the last page has none. Always empty on MemoryBackend, which delivers in the sending step.
   */
  async listDeadLetterMessages(options: ListDeadLetterMessagesOptions = {}): Promise<DeadLetterPage> {
    return this.backend.listDeadLetterMessages(pageQuery(options));
  }

  /**
   * Puts a dead-letter message (its `id` from `listDeadLetterMessages`) back for delivery, with fresh
   * attempts; fix what made it fail first. Rejects with `DeadLetterNotFoundError` when no dead letter has
   * that id (already retried, or never parked).
   */
  async retryDeadLetterMessage(id: string): Promise<void> {
    if (typeof id !== 'string' || id.length === 0) throw new InvalidArgumentError('id must be the id of a dead-letter message');
    await this.backend.retryDeadLetterMessage(id);
  }

  /**
   * Active and held executions, dead-letter messages, pending workflow and activity tasks per queue, and the
   * workers: `liveWorkers`; `unservedQueues`, the queues whose pending tasks of a kind no live worker polls
   * (`{ queue, kind, pendingTasks }`); `unservedNames`, the workflow and activity names workers lacked in the last
   * `UNKNOWN_NAME_RETENTION_MS` that no live worker serving the queue registered (`{ kind, queue, name,
   * lastSeenAt }`). With the `logger` option, warns about each of those (at most once a minute for the same one).
   */
  async getStats(): Promise<BackendStats> {
    const stats = await this.backend.getStats();
    this.unserved?.report(stats);
    return stats;
  }

  /**
   * The live workers: those started and not stopped whose latest announcement (every
   * `WorkerOptions.presenceIntervalMs`) has not expired, by `startedAt` then `workerId`. Each tells its queues,
   * the workflows and activities it registered, which kinds of tasks it polls, its process, host, deploy
   * `version` and redflow version, and when it started and was last seen (see `WorkerInfo`).
   */
  getWorkers(): Promise<WorkerInfo[]> {
    return this.backend.listWorkers();
  }

  /**
   * `'active'`, `'continued-as-new'` or `'finished'` (by id alone: the latest execution's, `'active'` or
   * `'finished'`). Rejects with `InstanceNotFoundError` for unknown instances.
   */
  async getWorkflowInstanceState(instance: WorkflowInstanceRef): Promise<WorkflowInstanceState> {
    assertInstanceRef(instance);
    return stateOf(this.backend, instance);
  }

  /**
   * One execution (by id alone: the latest one) as an operator needs to see it, in one object: its name, queue,
   * state, `createdAt` and `finishedAt`, its `inputs`, how it ended (`outcome`: `'completed'` with its `result`,
   * `'failed'` or `'canceled'` with its `error`, `'continued-as-new'`), its `parent` (for a sub-workflow), the
   * `children` its history started (with their state in the store, for the first `MAX_CHILD_STATES`), its
   * `pending` work (activities, timers, sub-workflows and signals sent without an answer in its history), its
   * `hold` (while its workflow task is held: reason, error, since, attempts, `retryAt` or parked), and its
   * continue-as-new links (`continuedFrom`, `continuedTo`). See `WorkflowInstanceDescription`. Rejects with
   * `InstanceNotFoundError` for unknown instances, `UndecodableDataError` for a history that cannot be decoded.
   */
  async describeWorkflowInstance(instance: WorkflowInstanceRef): Promise<WorkflowInstanceDescription> {
    assertInstanceRef(instance);
    return describeExecution(this.backend, instance);
  }

  /**
   * The recorded events of the execution (by id alone: the latest one), in order. Rejects with
   * `InstanceNotFoundError` for unknown instances, and with `UndecodableDataError` when a stored event cannot
   * be decoded.
   */
  async getWorkflowInstanceHistory(instance: WorkflowInstanceRef): Promise<HistoryEvent[]> {
    assertInstanceRef(instance);
    return historyOf(this.backend, instance);
  }

  /** The execution's outcome once it has ended; `WaitTimeoutError` when `deadline` (ms since epoch) comes first. */
  private async waitForExecution(instance: WorkflowInstance, deadline: number, timeoutMs: number | undefined): Promise<ExecutionOutcome> {
    const outcome = await this.backend.waitForWorkflowInstance(instance, Math.max(0, deadline - Date.now()));
    if (outcome === undefined) throw new WaitTimeoutError(instance.instanceId, timeoutMs ?? Infinity);
    return outcome;
  }
}

function deadlineOf(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined) return Infinity;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new InvalidArgumentError('timeoutMs must be a non-negative number of milliseconds');
  }
  return Date.now() + timeoutMs;
}
