import { completionCall, type CompleteWorkflowTaskArgs, type CompleteWorkflowTaskKeys } from './completion-script.js';
import { packScriptArgs } from './packed-args.js';
import { ScriptRunner, type RedisClient, type ScriptArg } from './script-runner.js';
import type { NewExecution } from './new-execution.js';
import { parseReclaimReply, type ReclaimedEntries } from './stream-replies.js';

export type { RedisClient } from './script-runner.js';
export type { CompleteWorkflowTaskArgs, CompleteWorkflowTaskKeys } from './completion-script.js';

/** Keys of `createWorkflowInstance`. */
export interface CreateWorkflowInstanceKeys {
  instance: string;
  execution: string;
  inbox: string;
  workflowTasks: string;
  instances: string;
  active: string;
  workflowQueues: string;
}

/** Arguments of `createWorkflowInstance`. */
export type CreateWorkflowInstanceArgs = NewExecution;

/** Keys of `lockWorkflowTask`. */
export interface LockWorkflowTaskKeys {
  execution: string;
  inbox: string;
  history: string;
  workflowTasks: string;
}

/** Arguments of `lockWorkflowTask`. */
export interface LockWorkflowTaskArgs {
  entryId: string;
  group: string;
  knownHistoryLength: number;
  lockTimeoutMs: number;
  /** Most inbox events to take (0 = all). */
  maxInboxEvents: number;
  /** Consumer the entry was delivered to. */
  consumer: string;
}

/** What a successful `lockWorkflowTask` returns. */
export interface LockedExecution {
  lockToken: number;
  historyLength: number;
  /** The encoded events at the front of the inbox, oldest first. */
  inbox: Buffer[];
  /** Encoded history events after the caller's known length. */
  history: Buffer[];
}

/** Keys of `extendWorkflowTask`. */
export interface ExtendWorkflowTaskKeys {
  execution: string;
  workflowTasks: string;
}

/** Arguments of `extendWorkflowTask`. */
export interface ExtendWorkflowTaskArgs {
  lockToken: number;
  entryId: string;
  group: string;
  consumer: string;
  lockTimeoutMs: number;
  executionId: string;
}

/** Keys of `releaseWorkflowTask`. */
export interface ReleaseWorkflowTaskKeys {
  execution: string;
  inbox: string;
  workflowTasks: string;
}

/** Arguments of `releaseWorkflowTask`. */
export interface ReleaseWorkflowTaskArgs {
  lockToken: number;
  entryId: string;
  group: string;
  instanceId: string;
  executionId: string;
}

/** An activity-task entry claimed for the caller by complete-workflow-task. */
export interface HandedActivityEntry {
  /** Index into the completion's `activityQueues`. */
  queue: number;
  entryId: string;
  task: Buffer;
}

/** Keys of `completeActivityTask`. */
export interface CompleteActivityTaskKeys {
  activityTasks: string;
  execution: string;
  inbox: string;
  workflowTasks: string;
  heartbeats: string;
  history: string;
  /** Where the attempt's deadlines live (see `ActivityDeadlines`). */
  timers: string;
  executionTimers: string;
}

/** Who takes over the workflow task an activity outcome wakes, and on what terms. */
export interface WorkflowTaskHandoffArgs {
  consumer: string;
  knownHistoryLength: number;
  lockTimeoutMs: number;
  maxInboxEvents: number;
}

/** Arguments of `completeActivityTask`. */
export interface CompleteActivityTaskArgs {
  entryId: string;
  group: string;
  /** Encoded `ActivityCompleted` or `ActivityFailed` event. */
  event: Buffer;
  /** Its type, stored next to it in the inbox. */
  eventType: 'ActivityCompleted' | 'ActivityFailed';
  instanceId: string;
  executionId: string;
  scheduleEventId: number;
  /** The attempt's deadline members to remove ('' for none; see `ActivityDeadlines.membersOf`). */
  deadlines?: readonly string[];
}

/** What became of an activity outcome: `handed` carries the woken workflow task, locked for the caller. */
export type ActivityCompletionResult =
  | { outcome: 'delivered' | 'duplicate' | 'dropped' }
  | { outcome: 'handed'; entryId: string; locked: LockedExecution };

/** Keys of `extendActivityTask` and `releaseActivityTask`. */
export interface ActivityTaskKeys {
  activityTasks: string;
  heartbeats: string;
  /** The partition's timers zset, where the attempt's deadlines live. */
  timers: string;
}

/** Arguments of `extendActivityTask`. */
export interface ExtendActivityTaskArgs {
  entryId: string;
  group: string;
  /** Consumer named for the lease to grant (`LeaseConsumers.for`). */
  consumer: string;
  /** Delivery count of the entry when the caller claimed it: the task's fencing token. */
  deliveries: number;
  details?: Buffer;
  /** For a heartbeat of an attempt with a heartbeat timeout: its deadline member, pushed to `timeoutMs` from now. */
  heartbeatDeadline?: { member: string; timeoutMs: number };
}

/** Keys of `releaseActivityTask`. */
export interface ReleaseActivityTaskKeys extends ActivityTaskKeys {
  /** The execution that scheduled the attempt: it records where the task's entry is. */
  execution: string;
  /** The execution's set of pending timers, where the attempt's deadlines are listed. */
  executionTimers: string;
}

/** Arguments of `releaseActivityTask`. */
export interface ReleaseActivityTaskArgs {
  entryId: string;
  group: string;
  /** Delivery count of the entry when the caller claimed it: the task's fencing token. */
  deliveries: number;
  scheduleEventId: number;
  /** The attempt's startToClose and heartbeat deadline members to remove ('' for none). */
  deadlines?: readonly string[];
}

/** Keys of `deferActivityTask`. */
export interface DeferActivityTaskKeys {
  activityTasks: string;
  /** The partition's timers zset: the attempt's deadlines, and the member that brings the task back. */
  timers: string;
  /** The execution's set of pending timers, where the attempt's deadlines are listed. */
  executionTimers: string;
}

/** Arguments of `deferActivityTask`. */
export interface DeferActivityTaskArgs {
  entryId: string;
  group: string;
  /** Delivery count of the entry when the caller claimed it: the task's fencing token. */
  deliveries: number;
  /** Deferred consumer named for the delay (`LeaseConsumers.later(delayMs)`). */
  consumer: string;
  /** The attempt's startToClose and heartbeat deadline members to remove ('' for none). */
  deadlines?: readonly string[];
  /** Timers member that brings the task back when the delay ends (`deferredActivityMember`). */
  member: string;
}

/** One deferred activity task handed to `requeueDeferredActivities`, for its due timers `member`. */
export interface DueDeferredActivity {
  member: string;
  entryId: string;
  /** Delivery count the entry was deferred with. */
  deliveries: number;
  scheduleEventId: number;
  activityTasks: string;
  heartbeats: string;
  /** The execution that scheduled the attempt, and its set of pending timers. */
  execution: string;
  executionTimers: string;
}

/** Arguments of `reclaimTasks`. */
export interface ReclaimTasksArgs {
  group: string;
  /** Consumer to claim for, named for the caller's lease (`LeaseConsumers.for`). */
  consumer: string;
  /** Where the scan of the pending list goes on ('0-0' = from the start). */
  cursor: string;
  /** Most entries to claim. */
  max: number;
  /** Most pending entries to look at. */
  scan: number;
  /** Lease (ms) of an entry held by a consumer whose name carries none. */
  fallbackLeaseMs: number;
}

/** One due timer handed to `fireTimers`. */
export interface DueTimer {
  member: string;
  /** Encoded `TimerFired` event; empty for a held task's retry. */
  event: Buffer;
  instanceId: string;
  executionId: string;
  execution: string;
  inbox: string;
  workflowTasks: string;
  /** The execution's set of pending timers. */
  executionTimers: string;
}

/** Typed calls of the Lua scripts that create executions and move their tasks, one method per script. */
export class RedisScripts {
  readonly #runner: ScriptRunner;

  constructor(client: RedisClient) {
    this.#runner = new ScriptRunner(client);
  }

  /** Runs create-workflow-instance.lua. Rejects with an `INSTANCE_EXISTS` reply error. */
  async createWorkflowInstance(keys: CreateWorkflowInstanceKeys, args: CreateWorkflowInstanceArgs): Promise<void> {
    const k = [keys.instance, keys.execution, keys.inbox, keys.workflowTasks, keys.instances, keys.active, keys.workflowQueues];
    const a = [args.instanceId, args.executionId, args.name, args.queue, args.createdAt, args.started];
    await this.#runner.run('create-workflow-instance', k, a);
  }

  /** Runs lock-workflow-task.lua; undefined when there is nothing to run. */
  async lockWorkflowTask(keys: LockWorkflowTaskKeys, args: LockWorkflowTaskArgs): Promise<LockedExecution | undefined> {
    const [locked] = await this.lockWorkflowTasks(keys.workflowTasks, args, [Object.assign({}, keys, args)]);
    return locked;
  }

  /**
   * Runs lock-workflow-task.lua for a batch of entries of one stream, claimed on the same terms; one reply
   * per entry, undefined when there is nothing to run.
   */
  async lockWorkflowTasks(
    workflowTasks: string,
    terms: Pick<LockWorkflowTaskArgs, 'group' | 'consumer' | 'lockTimeoutMs' | 'maxInboxEvents'>,
    entries: ReadonlyArray<Omit<LockWorkflowTaskKeys, 'workflowTasks'> & Pick<LockWorkflowTaskArgs, 'entryId' | 'knownHistoryLength'>>,
  ): Promise<Array<LockedExecution | undefined>> {
    if (entries.length === 0) return [];
    const k = [workflowTasks, ...entries.flatMap((e) => [e.execution, e.inbox, e.history])];
    const a = [terms.group, terms.consumer, terms.lockTimeoutMs, terms.maxInboxEvents, ...entries.flatMap((e) => [e.entryId, e.knownHistoryLength])];
    const replies = (await this.#runner.run('lock-workflow-task', k, a, true)) as Array<0 | [number, number, Buffer[], Buffer[]]>;
    return replies.map((reply) => (reply === 0 ? undefined : lockedExecution(reply)));
  }

  /**
   * Runs complete-workflow-task.lua; returns the activity tasks handed over (`queue` indexes
   * `args.activityQueues`). Rejects with a `LEASE_LOST` or `HISTORY_CONFLICT` reply error.
   */
  async completeWorkflowTask(keys: CompleteWorkflowTaskKeys, args: CompleteWorkflowTaskArgs): Promise<HandedActivityEntry[]> {
    const call = completionCall(keys, args);
    const reply = (await this.#runner.run('complete-workflow-task', call.keys, [packScriptArgs(call.argv)], true)) as Array<number | Buffer>;
    const handed: HandedActivityEntry[] = [];
    for (let i = 0; i + 2 < reply.length; i += 3) {
      handed.push({ queue: Number(reply[i]) - 1, entryId: (reply[i + 1] as Buffer).toString(), task: reply[i + 2] as Buffer });
    }
    return handed;
  }

  /** Runs extend-workflow-task.lua; returns the new lease expiry (Redis time, ms). Rejects with `LEASE_LOST`. */
  async extendWorkflowTask(keys: ExtendWorkflowTaskKeys, args: ExtendWorkflowTaskArgs): Promise<number> {
    const k = [keys.execution, keys.workflowTasks];
    const a = [args.lockToken, args.entryId, args.group, args.consumer, args.lockTimeoutMs, args.executionId];
    return (await this.#runner.run('extend-workflow-task', k, a)) as number;
  }

  /** Runs release-workflow-task.lua. Rejects with `LEASE_LOST`. */
  async releaseWorkflowTask(keys: ReleaseWorkflowTaskKeys, args: ReleaseWorkflowTaskArgs): Promise<void> {
    const k = [keys.execution, keys.inbox, keys.workflowTasks];
    const a = [args.lockToken, args.entryId, args.group, args.instanceId, args.executionId];
    await this.#runner.run('release-workflow-task', k, a);
  }

  /** Runs complete-activity-task.lua. */
  async completeActivityTask(
    keys: CompleteActivityTaskKeys,
    args: CompleteActivityTaskArgs,
    handoff?: WorkflowTaskHandoffArgs,
  ): Promise<ActivityCompletionResult> {
    const k = [keys.activityTasks, keys.execution, keys.inbox, keys.workflowTasks, keys.heartbeats, keys.history, keys.timers, keys.executionTimers];
    const a = [args.entryId, args.group, args.event, args.instanceId, args.executionId, args.eventType];
    const h = handoff === undefined ? ['', 0, 0, 0] : [handoff.consumer, handoff.knownHistoryLength, handoff.lockTimeoutMs, handoff.maxInboxEvents];
    const reply = await this.#runner.run('complete-activity-task', k, [...a, ...h, args.scheduleEventId, ...padded(args.deadlines, 3)], true);
    if (Array.isArray(reply)) {
      const [entryId, ...locked] = reply as [Buffer, number, number, Buffer[], Buffer[]];
      return { outcome: 'handed', entryId: entryId.toString(), locked: lockedExecution(locked) };
    }
    return { outcome: reply === 1 ? 'delivered' : reply === 0 ? 'duplicate' : 'dropped' };
  }

  /** Runs extend-activity-task.lua. Rejects with `LEASE_LOST`. */
  async extendActivityTask(keys: ActivityTaskKeys, args: ExtendActivityTaskArgs): Promise<void> {
    const details: ScriptArg[] = args.details === undefined ? ['0', ''] : ['1', args.details];
    const heartbeat = args.heartbeatDeadline;
    await this.#runner.run('extend-activity-task', [keys.activityTasks, keys.heartbeats, keys.timers], [
      args.entryId,
      args.group,
      args.consumer,
      args.deliveries,
      ...details,
      ...(heartbeat === undefined ? ['', 0] : [heartbeat.member, heartbeat.timeoutMs]),
    ]);
  }

  /** Runs release-activity-task.lua; returns the new entry id, or undefined if the entry was not held. */
  async releaseActivityTask(keys: ReleaseActivityTaskKeys, args: ReleaseActivityTaskArgs): Promise<string | undefined> {
    const k = [keys.activityTasks, keys.heartbeats, keys.execution, keys.timers, keys.executionTimers];
    const a = [args.entryId, args.group, args.deliveries, args.scheduleEventId, ...padded(args.deadlines, 2)];
    const reply = await this.#runner.run('release-activity-task', k, a);
    return reply === null ? undefined : (reply as string);
  }

  /**
   * Runs defer-activity-task.lua (the task comes back at the delay's end through `requeueDeferredActivities`);
   * returns false when the caller no longer held the entry (nothing changed).
   */
  async deferActivityTask(keys: DeferActivityTaskKeys, args: DeferActivityTaskArgs): Promise<boolean> {
    const k = [keys.activityTasks, keys.timers, keys.executionTimers];
    const a = [args.entryId, args.group, args.deliveries, args.consumer, ...padded(args.deadlines, 2), args.member];
    return (await this.#runner.run('defer-activity-task', k, a)) === 1;
  }

  /** Runs requeue-deferred-activities.lua; returns how many tasks moved to a fresh entry. */
  async requeueDeferredActivities(timers: string, group: string, due: readonly DueDeferredActivity[]): Promise<number> {
    const k = [timers, ...due.flatMap((d) => [d.activityTasks, d.heartbeats, d.execution, d.executionTimers])];
    const a = [group, due.length, ...due.flatMap((d) => [d.member, d.entryId, d.deliveries, d.scheduleEventId])];
    return (await this.#runner.run('requeue-deferred-activities', k, a)) as number;
  }

  /**
   * Runs reclaim-tasks.lua: claims the entries of a task stream whose holder's own lease ran out. Rejects
   * with a NOGROUP reply error when the group does not exist.
   */
  async reclaimTasks(stream: string, args: ReclaimTasksArgs): Promise<ReclaimedEntries> {
    const a = [args.group, args.consumer, args.cursor, args.max, args.scan, args.fallbackLeaseMs];
    return parseReclaimReply(stream, await this.#runner.run('reclaim-tasks', [stream], a, true));
  }

  /** Runs fire-timers.lua; returns how many TimerFired events were delivered. */
  async fireTimers(timers: string, due: readonly DueTimer[]): Promise<number> {
    const k = [timers, ...due.flatMap((t) => [t.execution, t.inbox, t.workflowTasks, t.executionTimers])];
    const a = [due.length, ...due.flatMap((t) => [t.member, t.event, t.instanceId, t.executionId])];
    return (await this.#runner.run('fire-timers', k, a)) as number;
  }

  /** Runs remove-consumer.lua; true when the consumer was deleted (it had nothing pending). */
  async removeConsumer(stream: string, group: string, consumer: string): Promise<boolean> {
    return (await this.#runner.run('remove-consumer', [stream], [group, consumer])) === 1;
  }
}

/** `members` with '' for each missing one up to `count`: scripts take a fixed number of members. */
function padded(members: readonly string[] = [], count: number): string[] {
  return Array.from({ length: count }, (_, i) => members[i] ?? '');
}

/** Reads the `{ lockToken, historyLength, inbox entries, history }` reply of lib/lock-execution.lua. */
function lockedExecution([lockToken, historyLength, inbox, history]: [number, number, Buffer[], Buffer[]]): LockedExecution {
  return { lockToken, historyLength, inbox: inbox.map(inboxEntryEvent), history };
}

const NEWLINE = 0x0a;

/** The encoded event of an inbox entry `<event type>\n<encoded event>` (lua/lib/inbox.lua), without a copy. */
function inboxEntryEvent(entry: Buffer): Buffer {
  return entry.subarray(entry.indexOf(NEWLINE) + 1);
}
