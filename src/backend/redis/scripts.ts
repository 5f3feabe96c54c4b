import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { findLuaDir, loadLuaScripts } from './lua-loader.js';

/** A connection the backend can run commands on: a single Redis or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

type Arg = string | Buffer | number;
type ScriptCommand = (...args: Arg[]) => Promise<unknown>;

const SCRIPT_NAMES = [
  'create-workflow-instance',
  'lock-workflow-task',
  'complete-workflow-task',
  'extend-workflow-task',
  'release-workflow-task',
  'complete-activity-task',
  'extend-activity-task',
  'release-activity-task',
  'fire-timers',
  'remove-consumer',
] as const;

type ScriptName = (typeof SCRIPT_NAMES)[number];

const sources = loadLuaScripts(findLuaDir());

// The command name carries a hash of the script so two redflow versions can share one ioredis client.
const commands = new Map<ScriptName, { command: string; lua: string }>(
  SCRIPT_NAMES.map((name) => {
    const lua = sources.get(name);
    if (lua === undefined) throw new Error(`redflow: lua/${name}.lua is missing`);
    const hash = createHash('sha1').update(lua).digest('hex').slice(0, 8);
    return [name, { command: `redflow:${name}:${hash}`, lua }];
  }),
);

/** Keys of `createWorkflowInstance`. */
export interface CreateWorkflowInstanceKeys {
  instance: string;
  execution: string;
  inbox: string;
  workflowTasks: string;
  instances: string;
}

/** Arguments of `createWorkflowInstance`. */
export interface CreateWorkflowInstanceArgs {
  instanceId: string;
  executionId: string;
  name: string;
  queue: string;
  createdAt: number;
  /** Encoded `WorkflowExecutionStarted` event. */
  started: Buffer;
  /** Member of the instances index. */
  indexMember: string;
}

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
  /** Inbox entries in order: stream id and encoded event. */
  inbox: Array<{ id: string; event: Buffer }>;
  /** Encoded history events after the caller's known length. */
  history: Buffer[];
}

/** Keys of `completeWorkflowTask`. */
export interface CompleteWorkflowTaskKeys {
  execution: string;
  inbox: string;
  history: string;
  workflowTasks: string;
  timers: string;
  instance: string;
  /** One activity-task stream per distinct queue; activities point into this list. */
  activityTasks: string[];
}

/** Arguments of `completeWorkflowTask`. */
export interface CompleteWorkflowTaskArgs {
  lockToken: number;
  entryId: string;
  group: string;
  /** Last inbox id consumed, or '' for none. */
  inboxCursor: string;
  /** History length the task started from. */
  historyLength: number;
  state: string;
  instanceId: string;
  executionId: string;
  finishedChannel: string;
  finishedMessage: string;
  events: Buffer[];
  timers: Array<{ dueMs: number; member: string }>;
  canceledTimers: string[];
  /** `stream` indexes `CompleteWorkflowTaskKeys.activityTasks`. */
  activities: Array<{ stream: number; task: Buffer }>;
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

/** Keys of `completeActivityTask`. */
export interface CompleteActivityTaskKeys {
  activityTasks: string;
  execution: string;
  inbox: string;
  workflowTasks: string;
  heartbeats: string;
}

/** Arguments of `completeActivityTask`. */
export interface CompleteActivityTaskArgs {
  entryId: string;
  group: string;
  /** Encoded `ActivityCompleted` or `ActivityFailed` event. */
  event: Buffer;
  instanceId: string;
  executionId: string;
}

/** What became of an activity outcome. */
export type ActivityCompletionResult = 'delivered' | 'duplicate' | 'dropped';

/** Keys of `extendActivityTask` and `releaseActivityTask`. */
export interface ActivityTaskKeys {
  activityTasks: string;
  heartbeats: string;
}

/** Arguments of `extendActivityTask`. */
export interface ExtendActivityTaskArgs {
  entryId: string;
  group: string;
  consumer: string;
  /** Delivery count of the entry when the caller claimed it: the task's fencing token. */
  deliveries: number;
  details?: Buffer;
}

/** Arguments of `releaseActivityTask`. */
export interface ReleaseActivityTaskArgs {
  entryId: string;
  group: string;
  consumer: string;
  /** Delivery count of the entry when the caller claimed it: the task's fencing token. */
  deliveries: number;
}

/** One due timer handed to `fireTimers`. */
export interface DueTimer {
  member: string;
  /** Encoded `TimerFired` event. */
  event: Buffer;
  instanceId: string;
  executionId: string;
  execution: string;
  inbox: string;
  workflowTasks: string;
}

/**
 * Typed calls of the Lua scripts in `lua/`, one method per script. The only code that touches the
 * untyped commands `defineCommand` installs; ioredis sends EVALSHA and falls back to EVAL on NOSCRIPT,
 * so a Redis restart that empties the script cache costs one extra round trip, nothing more.
 */
export class RedisScripts {
  readonly #client: RedisClient;

  constructor(client: RedisClient) {
    this.#client = client;
    for (const { command, lua } of commands.values()) {
      if (!(command in client)) client.defineCommand(command, { lua });
    }
  }

  /** Runs create-workflow-instance.lua. Rejects with an `INSTANCE_EXISTS` reply error. */
  async createWorkflowInstance(keys: CreateWorkflowInstanceKeys, args: CreateWorkflowInstanceArgs): Promise<void> {
    const k = [keys.instance, keys.execution, keys.inbox, keys.workflowTasks, keys.instances];
    const a = [args.instanceId, args.executionId, args.name, args.queue, args.createdAt, args.started, args.indexMember];
    await this.#run('create-workflow-instance', k, a);
  }

  /** Runs lock-workflow-task.lua; undefined when there is nothing to run. */
  async lockWorkflowTask(keys: LockWorkflowTaskKeys, args: LockWorkflowTaskArgs): Promise<LockedExecution | undefined> {
    const k = [keys.execution, keys.inbox, keys.history, keys.workflowTasks];
    const a = [args.entryId, args.group, args.knownHistoryLength, args.lockTimeoutMs, args.maxInboxEvents, args.consumer];
    const reply = await this.#run('lock-workflow-task', k, a, true);
    if (reply === null) return undefined;
    const [lockToken, historyLength, inbox, history] = reply as [number, number, Buffer[], Buffer[]];
    const events: LockedExecution['inbox'] = [];
    for (let i = 0; i + 1 < inbox.length; i += 2) {
      events.push({ id: (inbox[i] as Buffer).toString(), event: inbox[i + 1] as Buffer });
    }
    return { lockToken, historyLength, inbox: events, history };
  }

  /** Runs complete-workflow-task.lua. Rejects with a `LEASE_LOST` or `HISTORY_CONFLICT` reply error. */
  async completeWorkflowTask(keys: CompleteWorkflowTaskKeys, args: CompleteWorkflowTaskArgs): Promise<void> {
    const fixedKeys = [keys.execution, keys.inbox, keys.history, keys.workflowTasks, keys.timers, keys.instance];
    const a: Arg[] = [
      args.lockToken,
      args.entryId,
      args.group,
      args.inboxCursor,
      args.historyLength,
      args.state,
      args.instanceId,
      args.executionId,
      args.finishedChannel,
      args.finishedMessage,
      args.events.length,
      ...args.events,
      args.timers.length,
      ...args.timers.flatMap((t) => [t.dueMs, t.member]),
      args.canceledTimers.length,
      ...args.canceledTimers,
      args.activities.length,
      // KEYS indexes are 1-based and the activity streams follow the fixed keys.
      ...args.activities.flatMap((t) => [fixedKeys.length + 1 + t.stream, t.task]),
    ];
    await this.#run('complete-workflow-task', [...fixedKeys, ...keys.activityTasks], a);
  }

  /** Runs extend-workflow-task.lua; returns the new lease expiry (Redis time, ms). Rejects with `LEASE_LOST`. */
  async extendWorkflowTask(keys: ExtendWorkflowTaskKeys, args: ExtendWorkflowTaskArgs): Promise<number> {
    const k = [keys.execution, keys.workflowTasks];
    const a = [args.lockToken, args.entryId, args.group, args.consumer, args.lockTimeoutMs, args.executionId];
    return (await this.#run('extend-workflow-task', k, a)) as number;
  }

  /** Runs release-workflow-task.lua. Rejects with `LEASE_LOST`. */
  async releaseWorkflowTask(keys: ReleaseWorkflowTaskKeys, args: ReleaseWorkflowTaskArgs): Promise<void> {
    const k = [keys.execution, keys.inbox, keys.workflowTasks];
    const a = [args.lockToken, args.entryId, args.group, args.instanceId, args.executionId];
    await this.#run('release-workflow-task', k, a);
  }

  /** Runs complete-activity-task.lua. */
  async completeActivityTask(
    keys: CompleteActivityTaskKeys,
    args: CompleteActivityTaskArgs,
  ): Promise<ActivityCompletionResult> {
    const k = [keys.activityTasks, keys.execution, keys.inbox, keys.workflowTasks, keys.heartbeats];
    const a = [args.entryId, args.group, args.event, args.instanceId, args.executionId];
    const reply = await this.#run('complete-activity-task', k, a);
    return reply === 1 ? 'delivered' : reply === 0 ? 'duplicate' : 'dropped';
  }

  /** Runs extend-activity-task.lua. Rejects with `LEASE_LOST`. */
  async extendActivityTask(keys: ActivityTaskKeys, args: ExtendActivityTaskArgs): Promise<void> {
    const details: Arg[] = args.details === undefined ? ['0', ''] : ['1', args.details];
    await this.#run('extend-activity-task', [keys.activityTasks, keys.heartbeats], [
      args.entryId,
      args.group,
      args.consumer,
      args.deliveries,
      ...details,
    ]);
  }

  /** Runs release-activity-task.lua; returns the new entry id, or undefined if the entry was not held. */
  async releaseActivityTask(keys: ActivityTaskKeys, args: ReleaseActivityTaskArgs): Promise<string | undefined> {
    const k = [keys.activityTasks, keys.heartbeats];
    const reply = await this.#run('release-activity-task', k, [args.entryId, args.group, args.consumer, args.deliveries]);
    return reply === null ? undefined : (reply as string);
  }

  /** Runs fire-timers.lua; returns how many TimerFired events were delivered. */
  async fireTimers(timers: string, due: readonly DueTimer[]): Promise<number> {
    const k = [timers, ...due.flatMap((t) => [t.execution, t.inbox, t.workflowTasks])];
    const a = [due.length, ...due.flatMap((t) => [t.member, t.event, t.instanceId, t.executionId])];
    return (await this.#run('fire-timers', k, a)) as number;
  }

  /** Runs remove-consumer.lua; true when the consumer was deleted (it had nothing pending). */
  async removeConsumer(stream: string, group: string, consumer: string): Promise<boolean> {
    return (await this.#run('remove-consumer', [stream], [group, consumer])) === 1;
  }

  #run(name: ScriptName, keys: string[], args: Arg[], binary = false): Promise<unknown> {
    const entry = commands.get(name);
    if (entry === undefined) throw new Error(`redflow: unknown script ${name}`);
    const method = binary ? `${entry.command}Buffer` : entry.command;
    const command = (this.#client as unknown as Record<string, ScriptCommand>)[method];
    if (command === undefined) throw new Error(`redflow: script ${name} is not defined on this connection`);
    return command.call(this.#client, keys.length, ...keys, ...args);
  }
}
