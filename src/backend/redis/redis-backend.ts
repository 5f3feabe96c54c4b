import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type {
  ActivityOutcome,
  ActivityTask,
  ActivityTaskHandoff,
  Backend,
  BackendStats,
  DeadLetterPage,
  ListDeadLetterMessagesQuery,
  ExecutionOutcome,
  HeldWorkflowInstancePage,
  HoldState,
  FilteredWorkflowInstancesQuery,
  ListWorkflowInstancesQuery,
  WorkflowInstanceDetails,
  WorkflowInstancePage,
  PollRequest,
  WorkflowPollRequest,
  WorkflowTask,
  WorkflowTaskCompletion,
  WorkflowTaskHandoff,
  WorkflowTaskHold,
  UnknownName,
  WorkerInfo,
} from '../backend.js';
import type { WorkflowInstance, WorkflowInstanceState } from '../../core/instance.js';
import { createLogger } from '../../core/logger.js';
import { assertInstanceId } from '../../core/validation.js';
import type { HistoryEvent, NewEventOf } from '../../history/events.js';
import { ActivityTasks } from './activity-tasks.js';
import { AnnouncementConnection } from './announcement-connection.js';
import { BackgroundLoops } from './background-loops.js';
import { DataLossWatch } from './data-loss-watch.js';
import { DeadLetters } from './dead-letters.js';
import { readBackendStats } from './backend-stats.js';
import { ExecutionQueues } from './execution-queues.js';
import { HeldTasks } from './held-tasks.js';
import { InstanceCreation } from './instance-creation.js';
import { InstanceDetails } from './instance-details.js';
import { InstanceListing } from './instance-listing.js';
import { InstanceMessages } from './instance-messages.js';
import { InstanceReads } from './instance-reads.js';
import { InstanceRemoval } from './instance-removal.js';
import { LeaseConsumers } from './lease-consumers.js';
import { resolveOptions, type RedisBackendOptions } from './options.js';
import { RedisConnection } from './redis-connection.js';
import { RelayScripts } from './relay-scripts.js';
import { RedisScripts } from './scripts.js';
import { WorkflowTasks } from './workflow-tasks.js';
import { RedisWorkerPresence } from './worker-presence.js';
import { presenceReport } from '../presence-report.js';

export type { RedisBackendOptions } from './options.js';

/** Consumer group every worker of a prefix reads task streams with. */
export const CONSUMER_GROUP = 'redflow';

function consumerName(): string {
  return `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * The Redis (and Redis Cluster) backend: instances are actors whose inboxes are streams, moved between
 * inboxes, task streams and histories by one Lua script per operation, each on a single partition.
 *
 * Each group of operations lives in its own part; this class wires them together and closes them.
 */
export class RedisBackend implements Backend {
  readonly #consumer = consumerName();
  readonly #leaseConsumers = new LeaseConsumers(this.#consumer);
  readonly #logger: Logger;
  readonly #connection: RedisConnection;
  readonly #scripts: RedisScripts;
  readonly #loops: BackgroundLoops;
  readonly #watch: DataLossWatch;
  readonly #creation: InstanceCreation;
  readonly #reads: InstanceReads;
  readonly #announcements: AnnouncementConnection;
  readonly #messages: InstanceMessages;
  readonly #removal: InstanceRemoval;
  readonly #listing: InstanceListing;
  readonly #details: InstanceDetails;
  readonly #deadLetters: DeadLetters;
  readonly #workflowTasks: WorkflowTasks;
  readonly #activityTasks: ActivityTasks;
  readonly #heldTasks: HeldTasks;
  readonly #presence: RedisWorkerPresence;

  constructor(options: RedisBackendOptions = {}) {
    const resolved = resolveOptions(options);
    const { prefix, partitions, blockTimeoutMs } = resolved;
    const logger = resolved.logger ?? createLogger();
    const { connectTimeoutMs, commandTimeoutMs } = resolved;
    const { replicaAcks } = resolved;
    const { createPrefix } = resolved;
    const connection = new RedisConnection({ redis: resolved.redis, prefix, partitions, connectTimeoutMs, commandTimeoutMs, blockTimeoutMs, logger, replicaAcks, createPrefix });
    const { context } = connection;
    const scripts = new RedisScripts(context.client);
    const group = CONSUMER_GROUP;
    const watch = new DataLossWatch(context, logger);
    const announcements = new AnnouncementConnection(context.client);
    const loops = new BackgroundLoops({
      context,
      scripts,
      group,
      consumer: this.#consumer,
      blockTimeoutMs,
      timerBatchSize: resolved.timerBatchSize,
      ownershipLeaseMs: resolved.partitionLeaseMs,
      outboxRetry: resolved.outboxRetry,
      watch,
      announcements,
      logger,
    });
    const queues = new ExecutionQueues(context);
    const consumers = this.#leaseConsumers;
    this.#logger = logger;
    this.#connection = connection;
    this.#scripts = scripts;
    this.#loops = loops;
    this.#watch = watch;
    this.#creation = new InstanceCreation(connection, scripts, queues);
    this.#reads = new InstanceReads(connection, announcements, logger, watch);
    this.#announcements = announcements;
    this.#messages = new InstanceMessages(context);
    this.#removal = new InstanceRemoval(context);
    this.#listing = new InstanceListing(context);
    this.#details = new InstanceDetails(context, (instance) => this.#reads.outcome(instance));
    this.#deadLetters = new DeadLetters(context, new RelayScripts(context.client));
    this.#workflowTasks = new WorkflowTasks({
      connection,
      scripts,
      group,
      consumers,
      queues,
      loops,
      blockTimeoutMs,
      retentionMs: resolved.retentionMs,
      logger,
    });
    this.#heldTasks = new HeldTasks(connection, group, loops);
    this.#presence = new RedisWorkerPresence(context);
    this.#activityTasks = new ActivityTasks({ connection, scripts, group, consumers, loops, blockTimeoutMs, logger });
  }

  /** Name of this backend's consumers in the consumer groups (task-stream consumers add `~<lease ms>`). */
  get consumerName(): string {
    return this.#consumer;
  }

  /**
   * Connects and checks the store: stores the partition count for the prefix, or checks it against the
   * stored one. Rejects with `BackendUnavailableError` when Redis cannot be reached within
   * `connectTimeoutMs` / `commandTimeoutMs`, `InvalidArgumentError` when the prefix is set up with another
   * partition count or a single-node client (or URL) reaches a Redis Cluster node, `BackendClosedError` after
   * `close()`. Every other call checks the partition count
   * itself on first use; this checks again on every call.
   */
  connect(): Promise<void> {
    return this.#connection.connect();
  }

  createWorkflowInstance(instance: WorkflowInstance, started: NewEventOf<'WorkflowExecutionStarted'>): Promise<void> {
    return this.#creation.create(instance, started);
  }

  getLatestExecution(instanceId: string): Promise<WorkflowInstance> {
    return this.#reads.latestExecution(instanceId);
  }

  getWorkflowInstanceState(instance: WorkflowInstance): Promise<WorkflowInstanceState> {
    return this.#reads.state(instance);
  }

  getWorkflowInstanceHistory(instance: WorkflowInstance, afterSequenceId?: number): Promise<HistoryEvent[]> {
    return this.#reads.history(instance, afterSequenceId);
  }

  getWorkflowInstanceOutcome(instance: WorkflowInstance): Promise<ExecutionOutcome | undefined> {
    return this.#reads.outcome(instance);
  }

  waitForWorkflowInstance(instance: WorkflowInstance, timeoutMs: number): Promise<ExecutionOutcome | undefined> {
    return this.#reads.wait(instance, timeoutMs);
  }

  pollWorkflowTasks(request: WorkflowPollRequest): Promise<WorkflowTask[]> {
    return this.#workflowTasks.poll(request);
  }

  extendWorkflowTask(task: WorkflowTask, lockTimeoutMs: number): Promise<void> {
    return this.#workflowTasks.extend(task, lockTimeoutMs);
  }

  async completeWorkflowTask(task: WorkflowTask, completion: WorkflowTaskCompletion, handoff?: ActivityTaskHandoff): Promise<ActivityTask[]> {
    // Handed-over activity tasks start their timeouts as polled ones do.
    return this.#activityTasks.start(await this.#workflowTasks.complete(task, completion, handoff));
  }

  releaseWorkflowTask(task: WorkflowTask): Promise<void> {
    return this.#workflowTasks.release(task);
  }

  holdWorkflowTask(task: WorkflowTask, hold: WorkflowTaskHold): Promise<HoldState> {
    return this.#heldTasks.hold(task, hold);
  }

  listHeldWorkflowInstances(query: ListWorkflowInstancesQuery): Promise<HeldWorkflowInstancePage> {
    return this.#heldTasks.list(query);
  }

  retryHeldWorkflowInstance(instance: WorkflowInstance): Promise<boolean> {
    return this.#heldTasks.retry(instance);
  }

  pollActivityTasks(request: PollRequest): Promise<ActivityTask[]> {
    return this.#activityTasks.poll(request);
  }

  extendActivityTask(task: ActivityTask, lockTimeoutMs: number, details?: unknown): Promise<void> {
    return this.#activityTasks.extend(task, lockTimeoutMs, details);
  }

  heartbeatActivityTask(task: ActivityTask, lockTimeoutMs: number, details?: unknown): Promise<void> {
    return this.#activityTasks.extend(task, lockTimeoutMs, details, true);
  }

  completeActivityTask(task: ActivityTask, outcome: ActivityOutcome, handoff?: WorkflowTaskHandoff): Promise<WorkflowTask | undefined> {
    return this.#activityTasks.complete(task, outcome, handoff);
  }

  releaseActivityTask(task: ActivityTask, retryAfterMs?: number): Promise<void> {
    return this.#activityTasks.release(task, retryAfterMs);
  }

  // The parts above open the connection themselves, after checking their input; those below are opened here.

  async signalWorkflow(instanceId: string, signal: NewEventOf<'SignalReceived'>): Promise<void> {
    assertInstanceId(instanceId);
    await this.#connection.open();
    await this.#messages.signal(instanceId, signal);
  }

  async cancelWorkflowInstance(instance: WorkflowInstance): Promise<void> {
    await this.#connection.open();
    await this.#messages.cancel(instance);
  }

  async removeWorkflowInstance(instance: WorkflowInstance): Promise<void> {
    await this.#connection.open();
    await this.#removal.removeOne(instance);
  }

  async removeWorkflowInstances(finishedBefore: Date): Promise<number> {
    await this.#connection.open();
    return this.#removal.removeFinishedBefore(finishedBefore);
  }

  async listWorkflowInstances(query: FilteredWorkflowInstancesQuery): Promise<WorkflowInstancePage> {
    await this.#connection.open();
    return this.#listing.list(query);
  }

  async getWorkflowInstanceDetails(instance: WorkflowInstance): Promise<WorkflowInstanceDetails> {
    await this.#connection.open();
    return this.#details.read(instance);
  }

  async getStats(): Promise<BackendStats> {
    await this.#connection.open();
    const [stats, deadLetterMessages, presence] = await Promise.all([
      readBackendStats(this.#connection.context),
      this.#deadLetters.count(),
      this.#presence.read(true),
    ]);
    return Object.assign({}, stats, { deadLetterMessages }, presenceReport(Object.assign({}, stats, presence)));
  }

  async announceWorker(info: WorkerInfo, ttlMs: number): Promise<void> {
    await this.#connection.open();
    await this.#presence.announce(info, ttlMs);
  }

  async withdrawWorker(workerId: string): Promise<void> {
    await this.#connection.open();
    await this.#presence.withdraw(workerId);
  }

  async listWorkers(): Promise<WorkerInfo[]> {
    await this.#connection.open();
    return (await this.#presence.read(false)).workers;
  }

  async recordUnknownName(name: UnknownName): Promise<void> {
    await this.#connection.open();
    await this.#presence.recordUnknownName(name);
  }

  async listDeadLetterMessages(query: ListDeadLetterMessagesQuery): Promise<DeadLetterPage> {
    await this.#connection.open();
    return this.#deadLetters.list(query);
  }

  async retryDeadLetterMessage(id: string): Promise<void> {
    await this.#connection.open();
    await this.#deadLetters.retry(id);
  }

  async close(): Promise<void> {
    await this.#connection.close(() => {
      this.#workflowTasks.close();
      this.#activityTasks.close();
      this.#reads.close();
      const loopsStopped = this.#loops.stop().finally(() => this.#announcements.disconnect());
      return Promise.all([loopsStopped, this.#watch.stop(), this.#removeIdleConsumers()]);
    });
  }

  /** Removes the consumers this backend may have created in task streams and outboxes; failures are only logged. */
  async #removeIdleConsumers(): Promise<void> {
    const taskStreams = [...this.#workflowTasks.streams, ...this.#activityTasks.streams];
    const consumers = [
      ...taskStreams.flatMap((stream) => [...this.#leaseConsumers.used].map((consumer) => ({ stream, consumer }))),
      ...[...this.#loops.relayStreams].map((stream) => ({ stream, consumer: this.#consumer })),
    ];
    await Promise.all(
      consumers.map(({ stream, consumer }) =>
        this.#scripts.removeConsumer(stream, CONSUMER_GROUP, consumer).catch((err: unknown) => {
          this.#logger.debug({ err, stream, consumer }, 'could not remove consumer');
        }),
      ),
    );
  }
}
