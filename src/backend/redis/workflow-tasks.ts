import type { Logger } from 'pino';
import type { ActivityTask, ActivityTaskHandoff, WorkflowPollRequest, WorkflowTask, WorkflowTaskCompletion } from '../backend.js';
import type { WorkflowInstance } from '../../core/instance.js';
import { LeaseLostError } from '../../errors/errors.js';
import { activityTaskHandle, decodeActivityTask } from './activity-task-record.js';
import type { BackgroundLoops } from './background-loops.js';
import { planCompletion } from './completion-plan.js';
import type { ExecutionQueues } from './execution-queues.js';
import { executionKey, historyKey, inboxKey, workflowTaskStreamKey } from './keys.js';
import type { LeaseConsumers } from './lease-consumers.js';
import type { RedisConnection } from './redis-connection.js';
import { partitionIn, type RedisContext } from './redis-context.js';
import { scriptErrorCode } from './script-errors.js';
import type { RedisScripts } from './scripts.js';
import type { StreamEntry } from './stream-replies.js';
import { StreamTaskReader } from './stream-task-reader.js';
import { TaskStreams } from './task-streams.js';
import { MAX_INBOX_EVENTS_PER_TASK, workflowTaskOf } from './workflow-task-claim.js';

/** Options of `WorkflowTasks`. */
export interface WorkflowTasksOptions {
  /** Opened by every operation before it touches Redis. */
  connection: RedisConnection;
  scripts: RedisScripts;
  /** Consumer group of the task streams. */
  group: string;
  /** The backend's consumers: a claim or an extension holds the entry with the one named for its lease. */
  consumers: LeaseConsumers;
  /** Queues of the executions seen: a claim records its execution's, a completion looks up those it writes into. */
  queues: ExecutionQueues;
  /** Started by the first poll; a completion that adds timers wakes its partition's timer loop. */
  loops: BackgroundLoops;
  /** Longest blocking read of a poll (ms). */
  blockTimeoutMs: number;
  /** How long the keys of a finished chain are kept (ms; 0 = until removed). */
  retentionMs: number;
  logger: Logger;
}

/**
 * Workflow tasks on Redis. A poll claims the entries it read with one lock-workflow-task call per stream,
 * and decodes each task on its own, so an undecodable one holds only its instance. Extension, completion
 * (which may hand over the activity tasks it schedules) and release are fenced by the execution's lock
 * token; tasks claimed but not handed out go back to their queue at once.
 */
export class WorkflowTasks {
  readonly #options: WorkflowTasksOptions;
  readonly #context: RedisContext;
  readonly #streams: TaskStreams;
  readonly #reader: StreamTaskReader;

  constructor(options: WorkflowTasksOptions) {
    this.#options = options;
    this.#context = options.connection.context;
    this.#streams = new TaskStreams(this.#context, workflowTaskStreamKey);
    const { scripts, group, consumers, blockTimeoutMs, logger } = options;
    this.#reader = new StreamTaskReader({
      client: this.#context.client,
      scripts,
      group,
      consumers,
      blockTimeoutMs,
      logger,
      kind: 'workflow',
      wakeups: options.loops.wakeups,
      giveBack: (entries, lockTimeoutMs) => this.#giveBack(entries, lockTimeoutMs),
    });
  }

  /** Workflow-task streams this backend created its group on (and may have consumers in). */
  get streams(): ReadonlySet<string> {
    return this.#reader.streams;
  }

  /**
   * `Backend.pollWorkflowTasks`. Joins the partition owners (timer loops, outbox relays) on first use; throws
   * `InvalidArgumentError` for an invalid queue name.
   */
  async poll(request: WorkflowPollRequest): Promise<WorkflowTask[]> {
    const { connection, loops } = this.#options;
    await connection.open();
    loops.start();
    const slots = this.#streams.slots(request.queues);
    const entries = await this.#reader.poll(slots, request.max, request.lockTimeoutMs, request.signal);
    const tasks = await this.#lockEntries(entries, request.lockTimeoutMs, (i) => request.knownHistoryLength(i));
    const surplus = tasks.splice(request.max);
    if (surplus.length > 0) await Promise.all(surplus.map((task) => this.#handBack(task)));
    return tasks;
  }

  /** `Backend.extendWorkflowTask`: `LeaseLostError` unless `task` still holds its execution's lock. */
  async extend(task: WorkflowTask, lockTimeoutMs: number): Promise<void> {
    const { connection, scripts, group, consumers } = this.#options;
    await connection.open();
    try {
      await scripts.extendWorkflowTask(this.#keysOf(task), {
        lockToken: task.lockToken,
        entryId: task.id,
        group,
        consumer: consumers.for(lockTimeoutMs),
        lockTimeoutMs: Math.ceil(lockTimeoutMs),
        executionId: task.instance.executionId,
      });
    } catch (err) {
      throw leaseError(err, task);
    }
  }

  /**
   * `Backend.completeWorkflowTask`: commits `completion` with one complete-workflow-task call and returns the
   * activity tasks of `handoff`'s queues it claimed for the caller. `LeaseLostError` (nothing written) when the
   * lock or the history moved on.
   */
  async complete(task: WorkflowTask, completion: WorkflowTaskCompletion, handoff?: ActivityTaskHandoff): Promise<ActivityTask[]> {
    const { connection, scripts, group, consumers, queues, loops, retentionMs } = this.#options;
    await connection.open();
    const plan = await planCompletion({ context: this.#context, group, retentionMs, queues }, task, completion);
    const served = plan.args.activityQueues.flatMap((queue, i) => (handoff?.queues.includes(queue.name) === true ? [i] : []));
    if (handoff !== undefined && handoff.max > 0 && served.length > 0) {
      plan.args.handoff = { consumer: consumers.for(handoff.lockTimeoutMs), max: handoff.max, queues: served };
    }
    let handed;
    try {
      handed = await scripts.completeWorkflowTask(plan.keys, plan.args);
    } catch (err) {
      throw leaseError(err, task);
    }
    if (plan.timerDues.length > 0) loops.wakeTimers(partitionIn(this.#context, task.instance.instanceId), Math.min(...plan.timerDues));
    // A fresh '>' read is the entry's first delivery.
    return handed.map((entry) => decodeActivityTask(activityTaskHandle(entry.entryId, 1), entry.task, 0));
  }

  /** `Backend.releaseWorkflowTask`: `LeaseLostError` unless `task` still holds its execution's lock. */
  async release(task: WorkflowTask): Promise<void> {
    const { connection, scripts, group } = this.#options;
    await connection.open();
    const { instanceId, executionId } = task.instance;
    try {
      await scripts.releaseWorkflowTask(this.#keysOf(task), { lockToken: task.lockToken, entryId: task.id, group, instanceId, executionId });
    } catch (err) {
      throw leaseError(err, task);
    }
  }

  /** Ends blocked reads at once. */
  close(): void {
    this.#reader.close();
  }

  /** Claims polled workflow-task entries: one script call per stream for the whole batch. */
  async #lockEntries(
    entries: readonly StreamEntry[],
    lockTimeoutMs: number,
    knownHistoryLength: (instance: WorkflowInstance) => number,
  ): Promise<WorkflowTask[]> {
    const { scripts, group, consumers, queues, logger } = this.#options;
    const { prefix } = this.#context;
    const byStream = new Map<string, Array<{ entry: StreamEntry; instance: WorkflowInstance; queue: string; partition: number; known: number }>>();
    for (const entry of entries) {
      const info = this.#streams.infoOf(entry.stream);
      const instanceId = entry.fields.get('i')?.toString();
      const executionId = entry.fields.get('e')?.toString();
      if (info === undefined || instanceId === undefined || executionId === undefined) {
        logger.error({ stream: entry.stream, id: entry.id }, 'dropping malformed workflow-task entry');
        await this.#dropEntry(entry);
        continue;
      }
      const instance = { instanceId, executionId };
      queues.remember(instance, info.queue);
      const batch = byStream.get(entry.stream) ?? [];
      batch.push({ entry, instance, queue: info.queue, partition: info.partition, known: knownHistoryLength(instance) });
      byStream.set(entry.stream, batch);
    }
    const claimed = await Promise.all(
      [...byStream].map(async ([stream, batch]) => {
        // Every entry of a stream belongs to the stream's partition.
        const p = batch[0]?.partition ?? 0;
        const locked = await scripts.lockWorkflowTasks(
          stream,
          {
            group,
            consumer: consumers.for(lockTimeoutMs),
            lockTimeoutMs: Math.ceil(lockTimeoutMs),
            maxInboxEvents: MAX_INBOX_EVENTS_PER_TASK,
          },
          batch.map(({ entry, instance, known }) => ({
            execution: executionKey(prefix, p, instance.instanceId, instance.executionId),
            inbox: inboxKey(prefix, p, instance.instanceId, instance.executionId),
            history: historyKey(prefix, p, instance.instanceId, instance.executionId),
            entryId: entry.id,
            knownHistoryLength: known,
          })),
        );
        return batch.flatMap(({ entry, instance, queue, known }, i) => {
          const execution = locked[i];
          if (execution === undefined) return [];
          return workflowTaskOf({ entryId: entry.id, instance, queue, knownHistoryLength: known, locked: execution });
        });
      }),
    );
    return claimed.flat();
  }

  /** The keys of `task`'s execution that extending and releasing it touch. */
  #keysOf(task: WorkflowTask): { execution: string; inbox: string; workflowTasks: string } {
    const { prefix } = this.#context;
    const { instanceId, executionId } = task.instance;
    const p = partitionIn(this.#context, instanceId);
    return {
      execution: executionKey(prefix, p, instanceId, executionId),
      inbox: inboxKey(prefix, p, instanceId, executionId),
      workflowTasks: workflowTaskStreamKey(prefix, p, task.queue),
    };
  }

  async #dropEntry(entry: StreamEntry): Promise<void> {
    const { client } = this.#context;
    await client.xack(entry.stream, this.#options.group, entry.id);
    await client.xdel(entry.stream, entry.id);
  }

  /** Entries a poll's blocking read delivered after the poll returned: claimed, then released. */
  async #giveBack(entries: StreamEntry[], lockTimeoutMs: number): Promise<void> {
    if (this.#options.connection.closed) return;
    // Locking reports nothing about history the caller holds, so it reads none.
    const locked = await this.#lockEntries(entries, lockTimeoutMs, () => Number.MAX_SAFE_INTEGER);
    await Promise.all(locked.map((task) => this.#handBack(task)));
  }

  /** Releases a task this backend claimed but will not hand out; one taken over meanwhile needs nothing. */
  async #handBack(task: WorkflowTask): Promise<void> {
    try {
      await this.release(task);
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
    }
  }
}

/** A script's LEASE_LOST or HISTORY_CONFLICT as the `LeaseLostError` it means for `task`; any other error as is. */
function leaseError(err: unknown, task: WorkflowTask): unknown {
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
