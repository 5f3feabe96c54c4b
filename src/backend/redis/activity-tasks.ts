import type { Logger } from 'pino';
import type { ActivityOutcome, ActivityTask, PollRequest, WorkflowTask, WorkflowTaskHandoff } from '../backend.js';
import { encode, undecodable } from '../../codec/codec.js';
import { encodeEvent } from '../../codec/event-codec.js';
import { assertDurationMs } from '../../core/validation.js';
import { LeaseLostError, UndecodableDataError } from '../../errors/errors.js';
import { newEvent } from '../../history/events.js';
import { ActivityDeadlines } from './activity-deadlines.js';
import { deferredActivityMember } from './deferred-activity-member.js';
import { activityTaskHandle, decodeActivityTask, parseActivityTaskHandle, redeliveriesOf } from './activity-task-record.js';
import type { BackgroundLoops } from './background-loops.js';
import { activityTaskStreamKey, executionKey, executionTimersKey, heartbeatsKey, historyKey, inboxKey, timersKey, workflowTaskStreamKey } from './keys.js';
import type { LeaseConsumers } from './lease-consumers.js';
import type { RedisConnection } from './redis-connection.js';
import { partitionIn, type RedisContext } from './redis-context.js';
import { scriptErrorCode } from './script-errors.js';
import type { RedisScripts } from './scripts.js';
import type { StreamEntry } from './stream-replies.js';
import { StreamTaskReader } from './stream-task-reader.js';
import { TaskStreams } from './task-streams.js';
import { MAX_INBOX_EVENTS_PER_TASK, workflowTaskOf } from './workflow-task-claim.js';

/** Options of `ActivityTasks`. */
export interface ActivityTasksOptions {
  /** Opened by every operation before it touches Redis. */
  connection: RedisConnection;
  scripts: RedisScripts;
  /** Consumer group of the task streams. */
  group: string;
  /** The backend's consumers: a claim or an extension holds the entry with the one named for its lease. */
  consumers: LeaseConsumers;
  /** Their outbox relays are started by the first poll, their timer loops by the first give-back for later. */
  loops: BackgroundLoops;
  /** Longest blocking read of a poll (ms). */
  blockTimeoutMs: number;
  logger: Logger;
}

/** The keys of one activity task's scripts (see `#keysOf`), with the partition they are in. */
interface ActivityTaskKeys {
  partition: number;
  activityTasks: string;
  heartbeats: string;
  timers: string;
  execution: string;
  executionTimers: string;
}

/**
 * Activity tasks on Redis. A poll decodes each entry it claimed on its own: an undecodable one is neither
 * run nor dropped, and waits for a worker that can read it. Extension and release are fenced by the entry's
 * delivery count (carried in the task's id); a completion delivers the outcome to the workflow and may hand
 * over the workflow task it wakes. Tasks claimed but not handed out go back to their queue at once.
 */
export class ActivityTasks {
  readonly #options: ActivityTasksOptions;
  readonly #context: RedisContext;
  readonly #streams: TaskStreams;
  readonly #reader: StreamTaskReader;
  readonly #deadlines: ActivityDeadlines;

  constructor(options: ActivityTasksOptions) {
    this.#options = options;
    this.#context = options.connection.context;
    this.#deadlines = new ActivityDeadlines(this.#context, options.group);
    this.#streams = new TaskStreams(this.#context, activityTaskStreamKey);
    const { scripts, group, consumers, blockTimeoutMs, logger } = options;
    this.#reader = new StreamTaskReader({
      client: this.#context.client,
      scripts,
      group,
      consumers,
      blockTimeoutMs,
      logger,
      kind: 'activity',
      wakeups: options.loops.wakeups,
      giveBack: (entries) => this.#giveBack(entries),
    });
  }

  /** Activity-task streams this backend created its group on (and may have consumers in). */
  get streams(): ReadonlySet<string> {
    return this.#reader.streams;
  }

  /**
   * `Backend.pollActivityTasks`. Joins the partition owners (timer loops, outbox relays) on first use; throws `InvalidArgumentError` for an
   * invalid queue name.
   */
  async poll(request: PollRequest): Promise<ActivityTask[]> {
    await this.#options.connection.open();
    this.#options.loops.start();
    const slots = this.#streams.slots(request.queues);
    const entries = await this.#reader.poll(slots, request.max, request.lockTimeoutMs, request.signal);
    const tasks = entries.flatMap((entry) => this.#decodeEntry(entry));
    const surplus = tasks.splice(request.max);
    if (surplus.length > 0) await Promise.all(surplus.map((task) => this.release(task)));
    return this.start(tasks);
  }

  /**
   * Starts the startToClose and heartbeat timeouts of tasks just claimed (by a poll or a hand-over) and returns
   * those to run, each with the time left on them (see `ActivityDeadlines.start`).
   */
  start(tasks: ActivityTask[]): Promise<ActivityTask[]> {
    return this.#deadlines.start(tasks);
  }

  /**
   * `Backend.extendActivityTask`: records `details` as the latest heartbeat; with `heartbeat`
   * (`Backend.heartbeatActivityTask`), also restarts the attempt's heartbeat timeout. `LeaseLostError` unless
   * this worker holds the delivery `task` came from.
   */
  async extend(task: ActivityTask, lockTimeoutMs: number, details?: unknown, heartbeat = false): Promise<void> {
    const { connection, scripts, group, consumers } = this.#options;
    const blob = details === undefined ? undefined : encode(details);
    const member = heartbeat ? this.#deadlines.membersOf(task)[1] : '';
    const timeoutMs = task.timeouts?.heartbeatTimeoutMs;
    await connection.open();
    try {
      await scripts.extendActivityTask(this.#keysOf(task), {
        group,
        consumer: consumers.for(lockTimeoutMs),
        ...parseActivityTaskHandle(task.id),
        ...(blob === undefined ? {} : { details: blob }),
        ...(member === '' || timeoutMs === undefined ? {} : { heartbeatDeadline: { member, timeoutMs } }),
      });
    } catch (err) {
      if (scriptErrorCode(err) === 'LEASE_LOST') {
        throw new LeaseLostError(`activity task ${task.id} (${task.name}) is no longer held by this worker`);
      }
      throw err;
    }
  }

  /**
   * `Backend.completeActivityTask`: one complete-activity-task call. With a `handoff` for the workflow's
   * queue, returns the workflow task the outcome woke, locked for the caller (undefined when there is none,
   * or it cannot be decoded).
   */
  async complete(task: ActivityTask, outcome: ActivityOutcome, handoff?: WorkflowTaskHandoff): Promise<WorkflowTask | undefined> {
    const { connection, scripts, group, consumers, logger } = this.#options;
    const event =
      'result' in outcome
        ? newEvent('ActivityCompleted', { result: outcome.result }, task.scheduleEventId)
        : newEvent('ActivityFailed', { error: outcome.error }, task.scheduleEventId);
    const blob = encodeEvent(event);
    await connection.open();
    const { prefix } = this.#context;
    const instance = { instanceId: task.instance.instanceId, executionId: task.instance.executionId };
    const { instanceId, executionId } = instance;
    const keys = this.#keysOf(task);
    const p = keys.partition;
    const takeOver = handoff?.queues.includes(task.workflowQueue) === true ? handoff : undefined;
    const known = takeOver?.knownHistoryLength(instance) ?? 0;
    const result = await scripts.completeActivityTask(
      {
        inbox: inboxKey(prefix, p, instanceId, executionId),
        workflowTasks: workflowTaskStreamKey(prefix, p, task.workflowQueue),
        history: historyKey(prefix, p, instanceId, executionId),
        ...keys,
      },
      {
        entryId: parseActivityTaskHandle(task.id).entryId,
        group,
        event: blob,
        eventType: 'result' in outcome ? 'ActivityCompleted' : 'ActivityFailed',
        instanceId,
        executionId,
        scheduleEventId: task.scheduleEventId,
        deadlines: this.#deadlines.membersOf(task),
      },
      takeOver === undefined
        ? undefined
        : {
            consumer: consumers.for(takeOver.lockTimeoutMs),
            knownHistoryLength: known,
            lockTimeoutMs: Math.ceil(takeOver.lockTimeoutMs),
            maxInboxEvents: MAX_INBOX_EVENTS_PER_TASK,
          },
    );
    if (result.outcome === 'handed') {
      return workflowTaskOf({ entryId: result.entryId, instance, queue: task.workflowQueue, knownHistoryLength: known, locked: result.locked });
    }
    if (result.outcome !== 'delivered') {
      logger.debug({ instanceId, executionId, activity: task.name, result: result.outcome }, 'activity outcome not delivered');
    }
    return undefined;
  }

  /**
   * `Backend.releaseActivityTask`: moves the task to a fresh entry of its queue, keeping its redeliveries; with
   * `retryAfterMs` > 0, leaves the entry pending under the deferred consumer named for that delay instead (see
   * defer-activity-task.lua), with a timer that queues it again when the delay ends (`DeferredActivities`),
   * which wakes every worker's poll at once: the worker that gave it back has no head start over the others.
   * This backend runs the timer loops from then on, so the task comes back even where no other does.
   */
  async release(task: ActivityTask, retryAfterMs = 0): Promise<void> {
    assertDurationMs(retryAfterMs, 'retryAfterMs');
    const { connection, scripts, group, consumers, loops } = this.#options;
    const { entryId, deliveries } = parseActivityTaskHandle(task.id);
    const [startToClose, heartbeat] = this.#deadlines.membersOf(task);
    if (retryAfterMs > 0) {
      const consumer = consumers.later(retryAfterMs);
      const { instanceId, executionId } = task.instance;
      const member = deferredActivityMember({ instanceId, executionId, scheduleEventId: task.scheduleEventId, queue: task.queue, entryId, deliveries });
      await connection.open();
      const keys = this.#keysOf(task);
      if (await scripts.deferActivityTask(keys, { entryId, group, deliveries, consumer, deadlines: [startToClose, heartbeat], member })) {
        loops.start();
        loops.wakeTimers(keys.partition, Date.now() + retryAfterMs);
      }
      return;
    }
    await connection.open();
    await scripts.releaseActivityTask(
      this.#keysOf(task),
      { entryId, group, deliveries, scheduleEventId: task.scheduleEventId, deadlines: [startToClose, heartbeat] },
    );
  }

  /** Ends blocked reads at once. */
  close(): void {
    this.#reader.close();
  }

  /**
   * The keys the activity-task scripts touch, of `task`'s partition (computed once): the task's stream, the
   * partition's heartbeats and timers, its execution and the execution's set of pending timers and deadlines.
   */
  #keysOf(task: ActivityTask): ActivityTaskKeys {
    const { prefix } = this.#context;
    const { instanceId, executionId } = task.instance;
    const partition = partitionIn(this.#context, instanceId);
    return {
      partition,
      activityTasks: activityTaskStreamKey(prefix, partition, task.queue),
      heartbeats: heartbeatsKey(prefix, partition),
      timers: timersKey(prefix, partition),
      execution: executionKey(prefix, partition, instanceId, executionId),
      executionTimers: executionTimersKey(prefix, partition, instanceId, executionId),
    };
  }

  /**
   * The activity task of a polled entry, or none when it cannot be decoded: the entry is then neither run nor
   * dropped; it stays pending and is retried when its lease expires, so a worker that can read it runs it later.
   */
  #decodeEntry(entry: StreamEntry): ActivityTask[] {
    const blob = entry.fields.get('t');
    try {
      if (blob === undefined) throw undecodable('an activity-task entry', new TypeError('it has no task (field t)'));
      return [decodeActivityTask(activityTaskHandle(entry.id, entry.deliveries), blob, redeliveriesOf(entry))];
    } catch (err) {
      if (!(err instanceof UndecodableDataError)) throw err;
      this.#options.logger.error(
        { err, stream: entry.stream, entryId: entry.id },
        'activity task holds data this worker cannot decode: it is held, retried when its lease expires',
      );
      return [];
    }
  }

  /** Entries a poll's blocking read delivered after the poll returned: released. */
  async #giveBack(entries: StreamEntry[]): Promise<void> {
    if (this.#options.connection.closed) return;
    const tasks = entries.flatMap((entry) => this.#decodeEntry(entry));
    await Promise.all(tasks.map((task) => this.release(task)));
  }
}
