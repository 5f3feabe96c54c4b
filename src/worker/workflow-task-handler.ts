import type { Logger } from 'pino';
import type { ActivityTask, ActivityTaskHandoff, Backend, HeldTaskRetryPolicy, WorkflowTask, WorkflowTaskCompletion } from '../backend/backend.js';
import { executionKey } from '../core/instance.js';
import { epochNowMs, stampTraceContext, type ExecutorSource, type Instrumentation, type WorkflowTaskObserver } from '../core/instrumentation.js';
import { lazy } from '../core/lazy.js';
import { BackendUnavailableError, LeaseLostError, NonDeterminismError, UnknownWorkflowError } from '../errors/errors.js';
import { ExecutorCache } from '../executor/executor-cache.js';
import { Executor, type ExecutorTask, type WorkflowLookup } from '../executor/executor.js';
import type { HistoryEvent, NewEvent, NewEventOf } from '../history/events.js';
import type { Reserve } from './handoff.js';
import type { LeaseKeeper } from './lease-keeper.js';
import { holdTask } from './task-hold.js';
import type { UnknownNames } from './unknown-names.js';
import type { NonDeterminismPolicy } from './worker-options.js';

/** How a worker runs workflow tasks. */
export interface WorkflowTaskSettings {
  lockTimeoutMs: number;
  /** Live executors kept between tasks. */
  cacheSize: number;
  /** Events an execution's history may hold before the execution fails. */
  maxHistorySize: number;
  /** Backoff of held tasks (see `holdTask`). */
  heldTaskRetry: HeldTaskRetryPolicy;
  /** Whether a task whose replay diverges is held or fails its execution. */
  onNonDeterminism: NonDeterminismPolicy;
  /** Where workflow names this worker lacks are reported. */
  unknownNames: UnknownNames;
  /** Slots for activities a completion hands straight back. */
  reserveActivities: Reserve<ActivityTaskHandoff, ActivityTask>;
  /** The worker's lease keeper, which extends each running task's lease. */
  leases: LeaseKeeper;
  /** Where tasks are reported (telemetry), guarded (`guardInstrumentation`): its calls never throw. */
  telemetry: Instrumentation;
}

/** An executor ready for a task, and what it must replay first. */
interface PreparedExecutor {
  executor: Executor;
  history: HistoryEvent[];
  source: ExecutorSource;
}

/** Runs claimed workflow tasks through cached executors and commits their results. */
export class WorkflowTaskHandler {
  private readonly cache: ExecutorCache<Executor>;
  private readonly running = new Set<string>();
  private readonly backend: Backend;
  private readonly lookup: WorkflowLookup;
  private readonly lockTimeoutMs: number;
  private readonly maxHistorySize: number;
  private readonly heldTaskRetry: HeldTaskRetryPolicy;
  private readonly onNonDeterminism: NonDeterminismPolicy;
  private readonly unknownNames: UnknownNames;
  private readonly reserveActivities: Reserve<ActivityTaskHandoff, ActivityTask>;
  private readonly leases: LeaseKeeper;
  private readonly telemetry: Instrumentation;
  private readonly logger: Logger;

  constructor(backend: Backend, lookup: WorkflowLookup, settings: WorkflowTaskSettings, logger: Logger) {
    this.backend = backend;
    this.lookup = lookup;
    this.lockTimeoutMs = settings.lockTimeoutMs;
    this.maxHistorySize = settings.maxHistorySize;
    this.heldTaskRetry = settings.heldTaskRetry;
    this.onNonDeterminism = settings.onNonDeterminism;
    this.unknownNames = settings.unknownNames;
    this.reserveActivities = settings.reserveActivities;
    this.leases = settings.leases;
    this.telemetry = settings.telemetry;
    this.logger = logger;
    this.cache = new ExecutorCache(settings.cacheSize);
  }

  /** History length held for an execution, so a claim returns only what this worker has not seen. */
  knownHistoryLength(key: string): number {
    return this.running.has(key) ? 0 : (this.cache.peek(key)?.historyLength ?? 0);
  }

  /**
   * Executes and commits one task; never throws. A task that fails for a reason outside the workflow code
   * (undecodable data, an engine error, workflow code waiting on something the engine does not control), whose
   * workflow this worker has not registered, or whose replay diverged (unless `onNonDeterminism` is `'fail'`) is
   * held (see `holdTask`), and its executor abandoned; one whose lease was lost is dropped.
   */
  async handle(task: WorkflowTask): Promise<void> {
    const key = executionKey(task.instance);
    // The handler's own lines: nothing in them repeats a bound field, so a plain child will do. Most tasks log
    // nothing.
    const logger = lazy(() => this.logger.child({ instanceId: task.instance.instanceId, executionId: task.instance.executionId }));
    // A second task for an execution still running here means its lease was taken over: never share the executor.
    const shared = this.running.has(key);
    this.running.add(key);
    const stopLease = this.leases.keep(() => this.backend.extendWorkflowTask(task, this.lockTimeoutMs), this.lockTimeoutMs, logger, () =>
      logger().warn('workflow task lease lost; its completion will be rejected'),
    );
    const claimedAtMs = this.telemetry.enabled ? epochNowMs() : 0;
    let executor: Executor | undefined;
    let observer: WorkflowTaskObserver | undefined;
    try {
      if (task.undecodable !== undefined) throw task.undecodable;
      const prepared = await this.prepare(task, key, shared);
      executor = prepared.executor;
      const executorTask: ExecutorTask = { historyLength: task.historyLength, history: prepared.history, newEvents: task.newEvents };
      if (this.telemetry.enabled) {
        observer = this.observe(task, prepared, claimedAtMs);
        executorTask.observer = observer;
      }
      const completion = await this.execute(executor, executorTask);
      // Without a span of its own (no tracing here), the task passes the workflow's context on, so activities and
      // children stay in the starter's trace. A workflow started without one costs nothing here.
      const workflowContext = executor.startedAttributes?.traceContext;
      const carrier = observer?.traceContext ?? workflowContext;
      if (carrier !== undefined) stampTraceContext(completion, carrier, workflowContext);
      const reservation = completion.activities.length > 0 ? this.reserveActivities(completion.activities.length) : undefined;
      let handed: ActivityTask[] = [];
      try {
        handed = await this.backend.completeWorkflowTask(task, completion, reservation?.request);
      } finally {
        reservation?.accept(handed);
      }
      if (executor.ended || shared) this.evict(key, executor);
      else this.cache.set(key, executor);
      observer?.committed(completion);
    } catch (err) {
      observer?.failed(err);
      if (executor !== undefined) {
        // Its code may run on later (a foreign promise settling): it must not act outside a task.
        executor.abandon();
        this.evict(key, executor);
      }
      stopLease();
      if (err instanceof LeaseLostError) {
        if (this.telemetry.enabled) this.telemetry.leaseLost('workflow', task.queue);
        logger().warn({ err }, 'workflow task was taken over by another worker; dropped');
      }
      // The store being unreachable is no fault of the instance: holding it would count an outage towards
      // parking it. The connection reports the outage once; the task runs again when its lease runs out.
      else if (err instanceof BackendUnavailableError) logger().debug({ err }, 'workflow task not committed: the store is unreachable');
      else if (err instanceof UnknownWorkflowError) {
        this.unknownNames.report('workflow', task.queue, err.workflowName);
        await holdTask(this.backend, task, err, this.heldTaskRetry, logger(), true);
      } else await holdTask(this.backend, task, err, this.heldTaskRetry, logger());
    } finally {
      stopLease();
      if (!shared) this.running.delete(key);
    }
  }

  /** Runs the task; a replay that diverged fails the execution when the worker says so, else is thrown. */
  private async execute(executor: Executor, task: ExecutorTask): Promise<WorkflowTaskCompletion> {
    try {
      return await executor.executeTask(task);
    } catch (err) {
      if (err instanceof NonDeterminismError && this.onNonDeterminism === 'fail') return executor.failedCompletion(task, err);
      throw err;
    }
  }

  /** The task's observer: what the executor is and which execution it runs (its started event) go with it. */
  private observe(task: WorkflowTask, prepared: PreparedExecutor, claimedAtMs: number): WorkflowTaskObserver {
    const started = prepared.executor.startedAttributes ?? startedIn(prepared.history) ?? startedIn(task.newEvents);
    return this.telemetry.workflowTaskStarted(task, { started, source: prepared.source, replayedEvents: prepared.history.length }, claimedAtMs);
  }

  private async prepare(task: WorkflowTask, key: string, shared: boolean): Promise<PreparedExecutor> {
    const cached = shared ? undefined : this.cache.get(key);
    if (cached !== undefined && cached.historyLength + task.history.length === task.historyLength && !cached.ended) {
      return { executor: cached, history: task.history, source: 'cache' };
    }
    if (cached !== undefined) this.cache.delete(key);
    const executor = new Executor(task.instance, this.lookup, this.logger, this.maxHistorySize);
    let history = task.history;
    if (history.length !== task.historyLength) {
      history = (await this.backend.getWorkflowInstanceHistory(task.instance)).slice(0, task.historyLength);
    }
    return { executor, history, source: task.historyLength === 0 ? 'new' : 'replay' };
  }

  private evict(key: string, executor: Executor): void {
    if (this.cache.peek(key) === executor) this.cache.delete(key);
  }
}

/** The attributes of the `WorkflowExecutionStarted` that opens `events` (right after the first `WorkflowTaskStarted`). */
function startedIn(events: readonly NewEvent[]): NewEventOf<'WorkflowExecutionStarted'>['attributes'] | undefined {
  for (const event of events.slice(0, 2)) {
    if (event.type === 'WorkflowExecutionStarted') return event.attributes;
  }
  return undefined;
}
