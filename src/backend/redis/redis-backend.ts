import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import type {
  ActivityOutcome,
  ActivityTask,
  ActivityTaskHandoff,
  Backend,
  BackendStats,
  ExecutionOutcome,
  ListWorkflowInstancesQuery,
  WorkflowInstancePage,
  PollRequest,
  WorkflowPollRequest,
  WorkflowTask,
  WorkflowTaskCompletion,
  WorkflowTaskHandoff,
} from '../backend.js';
import type { WorkflowInstance, WorkflowInstanceState } from '../../core/instance.js';
import { assertExecutionId, assertInstanceId, assertQueueName } from '../../core/validation.js';
import { encode, undecodable } from '../../codec/codec.js';
import { decodeEvent, decodeHistoryEvent, encodeEvent } from '../../codec/event-codec.js';
import {
  BackendClosedError,
  InstanceAlreadyExistsError,
  InstanceNotFoundError,
  InvalidArgumentError,
  LeaseLostError,
  UndecodableDataError,
} from '../../errors/errors.js';
import { newEvent, type HistoryEvent, type NewEventOf } from '../../history/events.js';
import {
  activityTaskHandle,
  decodeActivityTask,
  parseActivityTaskHandle,
  redeliveriesOf,
} from './activity-task-record.js';
import { CompletionWaiter } from './completion-waiter.js';
import { BackgroundLoops } from './background-loops.js';
import { readBackendStats } from './backend-stats.js';
import { planCompletion } from './completion-plan.js';
import { ExecutionQueues } from './execution-queues.js';
import { InstanceListing } from './instance-listing.js';
import { InstanceMessages } from './instance-messages.js';
import { InstanceRemoval } from './instance-removal.js';
import { LeaseConsumers } from './lease-consumers.js';
import {
  activityTaskStreamKey,
  configKey,
  executionKey,
  finishedChannel,
  heartbeatsKey,
  historyKey,
  inboxKey,
  indexKeysOf,
  instanceKey,
  keysOfExecution,
  workflowTaskStreamKey,
} from './keys.js';
import { resolveOptions, type RedisBackendOptions } from './options.js';
import { partitionOf } from './partition.js';
import { indexMember, isExecutionState, type RedisContext } from './redis-context.js';
import { scriptErrorCode } from './script-errors.js';
import { RedisScripts, type LockedExecution, type RedisClient } from './scripts.js';
import type { StreamEntry } from './stream-replies.js';
import { StreamTaskReader } from './stream-task-reader.js';

export type { RedisBackendOptions } from './options.js';

/** Consumer group every worker of a prefix reads task streams with. */
export const CONSUMER_GROUP = 'redflow';

// A signal flood must not make one workflow task unbounded; the rest waits for the next task.
const MAX_INBOX_EVENTS_PER_TASK = 1000;

const CLOSE_TIMEOUT_MS = 1000;


/** `promise`'s value, or undefined once `ms` passed first. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function consumerName(): string {
  return `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

function toState(value: string | null | undefined, instance: WorkflowInstance): WorkflowInstanceState {
  if (value === null || value === undefined) throw new InstanceNotFoundError(instance.instanceId);
  if (!isExecutionState(value)) throw new Error(`redflow: execution ${instance.executionId} has unknown state ${value}`);
  return value;
}

interface StreamInfo {
  partition: number;
  queue: string;
}

/**
 * The Redis (and Redis Cluster) backend: instances are actors whose inboxes are streams, moved between
 * inboxes, task streams and histories by one Lua script per operation, each on a single partition.
 */
export class RedisBackend implements Backend {
  readonly #client: RedisClient;
  readonly #ownsClient: boolean;
  readonly #prefix: string;
  readonly #partitions: number;
  readonly #retentionMs: number;
  readonly #logger: Logger;
  readonly #consumer = consumerName();
  readonly #leaseConsumers = new LeaseConsumers(this.#consumer);
  readonly #scripts: RedisScripts;
  readonly #workflowReader: StreamTaskReader;
  readonly #activityReader: StreamTaskReader;
  readonly #waiter: CompletionWaiter;
  readonly #messages: InstanceMessages;
  readonly #removal: InstanceRemoval;
  readonly #listing: InstanceListing;
  readonly #context: RedisContext;
  readonly #queues: ExecutionQueues;
  readonly #streams = new Map<string, StreamInfo>();
  readonly #loops: BackgroundLoops;
  #ready: Promise<void> | undefined;
  #closed = false;

  constructor(options: RedisBackendOptions = {}) {
    const resolved = resolveOptions(options);
    this.#prefix = resolved.prefix;
    this.#partitions = resolved.partitions;
    this.#retentionMs = resolved.retentionMs;
    this.#logger = resolved.logger ?? pino({ name: 'redflow' });
    if (typeof resolved.redis === 'string') {
      this.#client = new Redis(resolved.redis);
      this.#client.on('error', (err: unknown) => this.#logger.warn({ err }, 'redis connection error'));
      this.#ownsClient = true;
    } else {
      this.#client = resolved.redis;
      this.#ownsClient = false;
    }
    this.#scripts = new RedisScripts(this.#client);
    const reader = {
      client: this.#client,
      scripts: this.#scripts,
      group: CONSUMER_GROUP,
      consumers: this.#leaseConsumers,
      blockTimeoutMs: resolved.blockTimeoutMs,
      logger: this.#logger,
    };
    this.#workflowReader = new StreamTaskReader({
      ...reader,
      kind: 'workflow',
      giveBack: (entries, lockTimeoutMs) => this.#giveBackWorkflowEntries(entries, lockTimeoutMs),
    });
    this.#activityReader = new StreamTaskReader({
      ...reader,
      kind: 'activity',
      giveBack: (entries) => this.#giveBackActivityEntries(entries),
    });
    this.#waiter = new CompletionWaiter(this.#client, this.#logger);
    this.#context = { client: this.#client, prefix: this.#prefix, partitions: this.#partitions };
    this.#messages = new InstanceMessages(this.#context);
    this.#removal = new InstanceRemoval(this.#context);
    this.#listing = new InstanceListing(this.#context);
    this.#queues = new ExecutionQueues(this.#context);
    this.#loops = new BackgroundLoops({
      context: this.#context,
      scripts: this.#scripts,
      group: CONSUMER_GROUP,
      consumer: this.#consumer,
      blockTimeoutMs: resolved.blockTimeoutMs,
      timerBatchSize: resolved.timerBatchSize,
      logger: this.#logger,
    });
  }

  /** Name of this backend's consumers in the consumer groups (task-stream consumers add `~<lease ms>`). */
  get consumerName(): string {
    return this.#consumer;
  }

  async createWorkflowInstance(instance: WorkflowInstance, started: NewEventOf<'WorkflowExecutionStarted'>): Promise<void> {
    const { instanceId, executionId } = instance;
    assertInstanceId(instanceId);
    assertExecutionId(executionId);
    const { name, queue } = started.attributes;
    assertQueueName(queue);
    const blob = encodeEvent(started);
    await this.#open();
    const p = this.#partition(instanceId);
    try {
      await this.#scripts.createWorkflowInstance(
        {
          ...keysOfExecution(this.#prefix, p, instanceId, executionId),
          ...indexKeysOf(this.#prefix, p),
          workflowTasks: workflowTaskStreamKey(this.#prefix, p, queue),
        },
        { instanceId, executionId, name, queue, createdAt: started.timestamp.getTime(), started: blob },
      );
      this.#queues.remember(instance, queue);
    } catch (err) {
      if (scriptErrorCode(err) === 'INSTANCE_EXISTS') throw new InstanceAlreadyExistsError(instanceId);
      throw err;
    }
  }

  async getLatestExecution(instanceId: string): Promise<WorkflowInstance> {
    assertInstanceId(instanceId);
    await this.#open();
    const executionId = await this.#client.hget(instanceKey(this.#prefix, this.#partition(instanceId), instanceId), 'executionId');
    if (executionId === null) throw new InstanceNotFoundError(instanceId);
    return { instanceId, executionId };
  }

  async getWorkflowInstanceState(instance: WorkflowInstance): Promise<WorkflowInstanceState> {
    await this.#open();
    return toState(await this.#client.hget(this.#executionKey(instance), 'state'), instance);
  }

  async getWorkflowInstanceHistory(instance: WorkflowInstance, afterSequenceId = 0): Promise<HistoryEvent[]> {
    await this.#open();
    const p = this.#partition(instance.instanceId);
    const after = Math.max(0, Math.floor(afterSequenceId));
    const [state, blobs] = await Promise.all([
      this.#client.hget(this.#executionKey(instance), 'state'),
      this.#client.lrangeBuffer(historyKey(this.#prefix, p, instance.instanceId, instance.executionId), after, -1),
    ]);
    toState(state, instance);
    return blobs.map((blob, i) => decodeHistoryEvent(blob, after + i + 1, instance));
  }

  async getWorkflowInstanceOutcome(instance: WorkflowInstance): Promise<ExecutionOutcome | undefined> {
    await this.#open();
    const p = this.#partition(instance.instanceId);
    // Both reads go out together: one round trip instead of two on every getWorkflowResult.
    const [[state, length], blob] = await Promise.all([
      this.#client.hmget(this.#executionKey(instance), 'state', 'historyLength'),
      this.#client.lindexBuffer(historyKey(this.#prefix, p, instance.instanceId, instance.executionId), -1),
    ]);
    if (toState(state, instance) === 'active' || blob === null) return undefined;
    const event = decodeHistoryEvent(blob, Number(length), instance);
    const ended = event.type === 'WorkflowExecutionFinished' || event.type === 'WorkflowExecutionContinuedAsNew';
    return ended ? event : undefined;
  }

  async waitForWorkflowInstance(instance: WorkflowInstance, timeoutMs: number): Promise<WorkflowInstanceState> {
    await this.#open();
    const p = this.#partition(instance.instanceId);
    return this.#waiter.wait(
      finishedChannel(this.#prefix, p),
      indexMember(instance.instanceId, instance.executionId),
      timeoutMs,
      () => this.getWorkflowInstanceState(instance),
    );
  }

  async pollWorkflowTasks(request: WorkflowPollRequest): Promise<WorkflowTask[]> {
    await this.#open();
    this.#loops.startTimers();
    this.#loops.startRelays();
    const slots = this.#slots(request.queues, workflowTaskStreamKey);
    const entries = await this.#workflowReader.poll(slots, request.max, request.lockTimeoutMs, request.signal);
    const tasks = await this.#lockEntries(entries, request.lockTimeoutMs, (i) => request.knownHistoryLength(i));
    const surplus = tasks.splice(request.max);
    if (surplus.length > 0) await Promise.all(surplus.map((task) => this.#handBack(task)));
    return tasks;
  }

  async extendWorkflowTask(task: WorkflowTask, lockTimeoutMs: number): Promise<void> {
    await this.#open();
    const p = this.#partition(task.instance.instanceId);
    try {
      await this.#scripts.extendWorkflowTask(
        { execution: this.#executionKey(task.instance), workflowTasks: workflowTaskStreamKey(this.#prefix, p, task.queue) },
        {
          lockToken: task.lockToken,
          entryId: task.id,
          group: CONSUMER_GROUP,
          consumer: this.#leaseConsumers.for(lockTimeoutMs),
          lockTimeoutMs: Math.ceil(lockTimeoutMs),
          executionId: task.instance.executionId,
        },
      );
    } catch (err) {
      throw this.#mapLeaseError(err, task);
    }
  }

  async completeWorkflowTask(task: WorkflowTask, completion: WorkflowTaskCompletion, handoff?: ActivityTaskHandoff): Promise<ActivityTask[]> {
    await this.#open();
    const options = { context: this.#context, group: CONSUMER_GROUP, retentionMs: this.#retentionMs, queues: this.#queues };
    const plan = await planCompletion(options, task, completion);
    const served = plan.args.activityQueues.flatMap((queue, i) => (handoff?.queues.includes(queue.name) === true ? [i] : []));
    if (handoff !== undefined && handoff.max > 0 && served.length > 0) {
      plan.args.handoff = { consumer: this.#leaseConsumers.for(handoff.lockTimeoutMs), max: handoff.max, queues: served };
    }
    let handed;
    try {
      handed = await this.#scripts.completeWorkflowTask(plan.keys, plan.args);
    } catch (err) {
      throw this.#mapLeaseError(err, task);
    }
    if (plan.timerDues.length > 0) this.#loops.wakeTimers(this.#partition(task.instance.instanceId), Math.min(...plan.timerDues));
    // A fresh '>' read is the entry's first delivery.
    return handed.map((entry) => decodeActivityTask(activityTaskHandle(entry.entryId, 1), entry.task, 0));
  }

  async releaseWorkflowTask(task: WorkflowTask): Promise<void> {
    await this.#open();
    const { instanceId, executionId } = task.instance;
    const p = this.#partition(instanceId);
    try {
      await this.#scripts.releaseWorkflowTask(
        {
          execution: executionKey(this.#prefix, p, instanceId, executionId),
          inbox: inboxKey(this.#prefix, p, instanceId, executionId),
          workflowTasks: workflowTaskStreamKey(this.#prefix, p, task.queue),
        },
        { lockToken: task.lockToken, entryId: task.id, group: CONSUMER_GROUP, instanceId, executionId },
      );
    } catch (err) {
      throw this.#mapLeaseError(err, task);
    }
  }

  async pollActivityTasks(request: PollRequest): Promise<ActivityTask[]> {
    await this.#open();
    this.#loops.startRelays();
    const slots = this.#slots(request.queues, activityTaskStreamKey);
    const entries = await this.#activityReader.poll(slots, request.max, request.lockTimeoutMs, request.signal);
    const tasks = entries.flatMap((entry) => this.#decodeActivityEntry(entry));
    const surplus = tasks.splice(request.max);
    if (surplus.length > 0) await Promise.all(surplus.map((task) => this.releaseActivityTask(task)));
    return tasks;
  }

  async extendActivityTask(task: ActivityTask, lockTimeoutMs: number, details?: unknown): Promise<void> {
    const blob = details === undefined ? undefined : encode(details);
    await this.#open();
    try {
      await this.#scripts.extendActivityTask(this.#activityKeys(task), {
        ...parseActivityTaskHandle(task.id),
        group: CONSUMER_GROUP,
        consumer: this.#leaseConsumers.for(lockTimeoutMs),
        ...(blob === undefined ? {} : { details: blob }),
      });
    } catch (err) {
      if (scriptErrorCode(err) === 'LEASE_LOST') {
        throw new LeaseLostError(`activity task ${task.id} (${task.name}) is no longer held by this worker`);
      }
      throw err;
    }
  }

  async completeActivityTask(task: ActivityTask, outcome: ActivityOutcome, handoff?: WorkflowTaskHandoff): Promise<WorkflowTask | undefined> {
    const event =
      'result' in outcome
        ? newEvent('ActivityCompleted', { result: outcome.result }, task.scheduleEventId)
        : newEvent('ActivityFailed', { error: outcome.error }, task.scheduleEventId);
    const blob = encodeEvent(event);
    await this.#open();
    const instance = { instanceId: task.instance.instanceId, executionId: task.instance.executionId };
    const { instanceId, executionId } = instance;
    const p = this.#partition(instanceId);
    const takeOver = handoff?.queues.includes(task.workflowQueue) === true ? handoff : undefined;
    const known = takeOver?.knownHistoryLength(instance) ?? 0;
    const result = await this.#scripts.completeActivityTask(
      {
        ...this.#activityKeys(task),
        execution: executionKey(this.#prefix, p, instanceId, executionId),
        inbox: inboxKey(this.#prefix, p, instanceId, executionId),
        workflowTasks: workflowTaskStreamKey(this.#prefix, p, task.workflowQueue),
        history: historyKey(this.#prefix, p, instanceId, executionId),
      },
      {
        entryId: parseActivityTaskHandle(task.id).entryId,
        group: CONSUMER_GROUP,
        event: blob,
        eventType: 'result' in outcome ? 'ActivityCompleted' : 'ActivityFailed',
        instanceId,
        executionId,
        scheduleEventId: task.scheduleEventId,
      },
      takeOver === undefined
        ? undefined
        : {
            consumer: this.#leaseConsumers.for(takeOver.lockTimeoutMs),
            knownHistoryLength: known,
            lockTimeoutMs: Math.ceil(takeOver.lockTimeoutMs),
            maxInboxEvents: MAX_INBOX_EVENTS_PER_TASK,
          },
    );
    if (result.outcome === 'handed') return this.#workflowTask(result.entryId, instance, task.workflowQueue, known, result.locked);
    if (result.outcome !== 'delivered') {
      this.#logger.debug({ instanceId, executionId, activity: task.name, result: result.outcome }, 'activity outcome not delivered');
    }
    return undefined;
  }

  async releaseActivityTask(task: ActivityTask): Promise<void> {
    await this.#open();
    const { instanceId, executionId } = task.instance;
    const execution = executionKey(this.#prefix, this.#partition(instanceId), instanceId, executionId);
    const { entryId, deliveries } = parseActivityTaskHandle(task.id);
    await this.#scripts.releaseActivityTask(
      { ...this.#activityKeys(task), execution },
      { entryId, group: CONSUMER_GROUP, deliveries, scheduleEventId: task.scheduleEventId },
    );
  }

  async signalWorkflow(instanceId: string, signal: NewEventOf<'SignalReceived'>): Promise<void> {
    assertInstanceId(instanceId);
    await this.#open();
    await this.#messages.signal(instanceId, signal);
  }

  async cancelWorkflowInstance(instance: WorkflowInstance): Promise<void> {
    await this.#open();
    await this.#messages.cancel(instance);
  }

  async removeWorkflowInstance(instance: WorkflowInstance): Promise<void> {
    await this.#open();
    await this.#removal.removeOne(instance);
  }

  async removeWorkflowInstances(finishedBefore: Date): Promise<number> {
    await this.#open();
    return this.#removal.removeFinishedBefore(finishedBefore);
  }

  async listWorkflowInstances(query: ListWorkflowInstancesQuery): Promise<WorkflowInstancePage> {
    await this.#open();
    return this.#listing.list(query);
  }

  async getStats(): Promise<BackendStats> {
    await this.#open();
    return readBackendStats(this.#context);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#workflowReader.close();
    this.#activityReader.close();
    this.#waiter.close();
    // Each step that needs Redis is bounded: when it is down, close() must still end promptly.
    await withTimeout(Promise.all([this.#loops.stop(), this.#removeIdleConsumers()]), CLOSE_TIMEOUT_MS);
    if (this.#ownsClient) {
      const quit =
        this.#client.status === 'ready' &&
        (await withTimeout(this.#client.quit().then(() => true, () => false), CLOSE_TIMEOUT_MS));
      if (quit !== true) this.#client.disconnect();
    }
  }

  async #open(): Promise<void> {
    if (this.#closed) throw new BackendClosedError();
    this.#ready ??= this.#checkConfig().catch((err: unknown) => {
      // A refused configuration stays refused; a connection failure is worth another try.
      if (!(err instanceof InvalidArgumentError)) this.#ready = undefined;
      throw err;
    });
    await this.#ready;
    if (this.#closed) throw new BackendClosedError();
  }

  async #checkConfig(): Promise<void> {
    const key = configKey(this.#prefix);
    await this.#client.hsetnx(key, 'partitions', this.#partitions);
    const stored = await this.#client.hget(key, 'partitions');
    if (Number(stored) !== this.#partitions) {
      throw new InvalidArgumentError(
        `Redis prefix "${this.#prefix}" is set up with ${stored} partitions, but this RedisBackend was ` +
          `given partitions: ${this.#partitions}. Instances cannot move between partitions: configure ` +
          `partitions: ${stored}, or use another prefix.`,
      );
    }
  }

  #partition(instanceId: string): number {
    return partitionOf(instanceId, this.#partitions);
  }

  #executionKey(instance: WorkflowInstance): string {
    const p = this.#partition(instance.instanceId);
    return executionKey(this.#prefix, p, instance.instanceId, instance.executionId);
  }

  #activityKeys(task: ActivityTask): { activityTasks: string; heartbeats: string } {
    const p = this.#partition(task.instance.instanceId);
    return { activityTasks: activityTaskStreamKey(this.#prefix, p, task.queue), heartbeats: heartbeatsKey(this.#prefix, p) };
  }

  /** Task streams of `queues` in every partition, grouped by partition (one Cluster slot each). */
  #slots(queues: readonly string[], key: (prefix: string, partition: number, queue: string) => string): string[][] {
    for (const queue of queues) assertQueueName(queue);
    const slots: string[][] = [];
    for (let partition = 0; partition < this.#partitions; partition++) {
      slots.push(
        queues.map((queue) => {
          const stream = key(this.#prefix, partition, queue);
          this.#streams.set(stream, { partition, queue });
          return stream;
        }),
      );
    }
    return slots;
  }

  /** Claims polled workflow-task entries: one script call per stream for the whole batch. */
  async #lockEntries(
    entries: readonly StreamEntry[],
    lockTimeoutMs: number,
    knownHistoryLength: (instance: WorkflowInstance) => number,
  ): Promise<WorkflowTask[]> {
    const byStream = new Map<string, Array<{ entry: StreamEntry; instance: WorkflowInstance; queue: string; partition: number; known: number }>>();
    for (const entry of entries) {
      const info = this.#streams.get(entry.stream);
      const instanceId = entry.fields.get('i')?.toString();
      const executionId = entry.fields.get('e')?.toString();
      if (info === undefined || instanceId === undefined || executionId === undefined) {
        this.#logger.error({ stream: entry.stream, id: entry.id }, 'dropping malformed workflow-task entry');
        await this.#dropEntry(entry);
        continue;
      }
      const instance = { instanceId, executionId };
      this.#queues.remember(instance, info.queue);
      const batch = byStream.get(entry.stream) ?? [];
      batch.push({ entry, instance, queue: info.queue, partition: info.partition, known: knownHistoryLength(instance) });
      byStream.set(entry.stream, batch);
    }
    const claimed = await Promise.all(
      [...byStream].map(async ([stream, batch]) => {
        // Every entry of a stream belongs to the stream's partition.
        const p = batch[0]?.partition ?? 0;
        const locked = await this.#scripts.lockWorkflowTasks(
          stream,
          {
            group: CONSUMER_GROUP,
            consumer: this.#leaseConsumers.for(lockTimeoutMs),
            lockTimeoutMs: Math.ceil(lockTimeoutMs),
            maxInboxEvents: MAX_INBOX_EVENTS_PER_TASK,
          },
          batch.map(({ entry, instance, known }) => ({
            execution: executionKey(this.#prefix, p, instance.instanceId, instance.executionId),
            inbox: inboxKey(this.#prefix, p, instance.instanceId, instance.executionId),
            history: historyKey(this.#prefix, p, instance.instanceId, instance.executionId),
            entryId: entry.id,
            knownHistoryLength: known,
          })),
        );
        return batch.flatMap(({ entry, instance, queue, known }, i) => {
          const execution = locked[i];
          return execution === undefined ? [] : (this.#workflowTask(entry.id, instance, queue, known, execution) ?? []);
        });
      }),
    );
    return claimed.flat();
  }

  /**
   * The task of a locked execution, or undefined when its events cannot be decoded: then the task stays locked
   * until its lease runs out (its backoff) and only this instance waits; the rest of a batch goes on.
   */
  #workflowTask(entryId: string, instance: WorkflowInstance, queue: string, known: number, locked: LockedExecution): WorkflowTask | undefined {
    const last = locked.inbox[locked.inbox.length - 1];
    try {
      return {
        id: entryId,
        instance,
        queue,
        lockToken: locked.lockToken,
        historyLength: locked.historyLength,
        history: locked.history.map((blob, i) => decodeHistoryEvent(blob, known + i + 1, instance)),
        newEvents: locked.inbox.map((item) => decodeEvent(item.event, instance)),
        inboxCursor: last === undefined ? '' : last.id,
      };
    } catch (err) {
      if (!(err instanceof UndecodableDataError)) throw err;
      this.#logger.error(
        { err, instanceId: instance.instanceId, executionId: instance.executionId, queue },
        'workflow task holds data this worker cannot decode: the instance is held, its task retried when its lease expires',
      );
      return undefined;
    }
  }

  /**
   * The activity task of a polled entry, or none when it cannot be decoded: the entry is then neither run nor
   * dropped; it stays pending and is retried when its lease expires, so a worker that can read it runs it later.
   */
  #decodeActivityEntry(entry: StreamEntry): ActivityTask[] {
    const blob = entry.fields.get('t');
    try {
      if (blob === undefined) throw undecodable('an activity-task entry', new TypeError('it has no task (field t)'));
      return [decodeActivityTask(activityTaskHandle(entry.id, entry.deliveries), blob, redeliveriesOf(entry))];
    } catch (err) {
      if (!(err instanceof UndecodableDataError)) throw err;
      this.#logger.error(
        { err, stream: entry.stream, entryId: entry.id },
        'activity task holds data this worker cannot decode: it is held, retried when its lease expires',
      );
      return [];
    }
  }

  async #dropEntry(entry: StreamEntry): Promise<void> {
    await this.#client.xack(entry.stream, CONSUMER_GROUP, entry.id);
    await this.#client.xdel(entry.stream, entry.id);
  }

  async #giveBackWorkflowEntries(entries: StreamEntry[], lockTimeoutMs: number): Promise<void> {
    if (this.#closed) return;
    // Locking reports nothing about history the caller holds, so it reads none.
    const locked = await this.#lockEntries(entries, lockTimeoutMs, () => Number.MAX_SAFE_INTEGER);
    await Promise.all(locked.map((task) => this.#handBack(task)));
  }

  /** Releases a task this backend claimed but will not hand out; one taken over meanwhile needs nothing. */
  async #handBack(task: WorkflowTask): Promise<void> {
    try {
      await this.releaseWorkflowTask(task);
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
    }
  }

  async #giveBackActivityEntries(entries: StreamEntry[]): Promise<void> {
    if (this.#closed) return;
    const tasks = entries.flatMap((entry) => this.#decodeActivityEntry(entry));
    await Promise.all(tasks.map((task) => this.releaseActivityTask(task)));
  }

  #mapLeaseError(err: unknown, task: WorkflowTask): unknown {
    const code = scriptErrorCode(err);
    const { instanceId, executionId } = task.instance;
    if (code === 'LEASE_LOST') {
      return new LeaseLostError(
        `workflow task of ${instanceId} (execution ${executionId}, token ${task.lockToken}) is no longer held by this worker`,
      );
    }
    if (code === 'HISTORY_CONFLICT') {
      return new LeaseLostError(
        `history of ${instanceId} (execution ${executionId}) changed since its task started at length ${task.historyLength}`,
      );
    }
    return err;
  }

  async #removeIdleConsumers(): Promise<void> {
    const taskStreams = [...this.#workflowReader.streams, ...this.#activityReader.streams];
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
