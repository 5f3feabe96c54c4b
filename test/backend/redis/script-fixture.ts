import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  activeKey,
  activityQueuesKey,
  chainsKey,
  activityTaskStreamKey,
  executionKey,
  executionTimersKey,
  expiringKey,
  finishedChannel,
  finishedKey,
  heartbeatsKey,
  heldKey,
  historyKey,
  inboxKey,
  instanceKey,
  instancesKey,
  outboxKey,
  relayedKey,
  timersKey,
  workflowQueuesKey,
  workflowTaskStreamKey,
} from '../../../src/backend/redis/keys.js';
import { HeldTaskScripts } from '../../../src/backend/redis/held-task-scripts.js';
import { ActivityDeadlineScripts } from '../../../src/backend/redis/activity-deadline-scripts.js';
import { InstanceScripts } from '../../../src/backend/redis/instance-scripts.js';
import { RelayScripts, type DeliverMessageKeys } from '../../../src/backend/redis/relay-scripts.js';
import { RedisScripts } from '../../../src/backend/redis/scripts.js';
import { useRedisServer } from '../../helpers/redis-server.js';

/** Consumer group the script tests use. */
export const GROUP = 'redflow';

/** Every key of one execution (and its partition) under a prefix no other test uses. */
export interface ExecutionKeys {
  prefix: string;
  instanceId: string;
  executionId: string;
  instance: string;
  execution: string;
  inbox: string;
  history: string;
  executionTimers: string;
  workflowTasks: string;
  timers: string;
  instances: string;
  active: string;
  finished: string;
  expiring: string;
  chains: string;
  held: string;
  workflowQueues: string;
  activityQueues: string;
  activityTasks: string;
  heartbeats: string;
  channel: string;
}

/** Keys of execution `executionId` of `instanceId` on `queue`, in partition 0 of a fresh prefix (or `prefix`). */
export function executionKeys(
  options: { prefix?: string; instanceId?: string; executionId?: string; queue?: string } = {},
): ExecutionKeys {
  const prefix = options.prefix ?? `test-${randomUUID()}`;
  const instanceId = options.instanceId ?? 'order-1';
  const executionId = options.executionId ?? 'exec-1';
  const queue = options.queue ?? 'default';
  return {
    prefix,
    instanceId,
    executionId,
    instance: instanceKey(prefix, 0, instanceId),
    execution: executionKey(prefix, 0, instanceId, executionId),
    inbox: inboxKey(prefix, 0, instanceId, executionId),
    history: historyKey(prefix, 0, instanceId, executionId),
    executionTimers: executionTimersKey(prefix, 0, instanceId, executionId),
    workflowTasks: workflowTaskStreamKey(prefix, 0, queue),
    timers: timersKey(prefix, 0),
    instances: instancesKey(prefix, 0),
    active: activeKey(prefix, 0),
    finished: finishedKey(prefix, 0),
    expiring: expiringKey(prefix, 0),
    chains: chainsKey(prefix, 0),
    held: heldKey(prefix, 0),
    workflowQueues: workflowQueuesKey(prefix, 0),
    activityQueues: activityQueuesKey(prefix, 0),
    activityTasks: activityTaskStreamKey(prefix, 0, queue),
    heartbeats: heartbeatsKey(prefix, 0),
    channel: finishedChannel(prefix, 0),
  };
}

/**
 * KEYS of deliver-message.lua for a message to `target`, in partition 0 of its prefix. `sender` is the sending
 * execution when the answer is local; without it, the sender keys are the target's instance hash (the script
 * takes any key of the partition there when the answer is not local).
 */
export function deliverMessageKeys(target: ExecutionKeys, sender?: ExecutionKeys): DeliverMessageKeys {
  return {
    relayed: relayedKey(target.prefix, 0),
    instance: target.instance,
    execution: target.execution,
    inbox: target.inbox,
    workflowTasks: target.workflowTasks,
    instances: target.instances,
    active: target.active,
    workflowQueues: target.workflowQueues,
    outbox: outboxKey(target.prefix, 0),
    senderExecution: sender?.execution ?? target.instance,
    senderInbox: sender?.inbox ?? target.instance,
    senderWorkflowTasks: sender?.workflowTasks ?? target.instance,
  };
}

/** A private Redis with the scripts defined on one connection, for the enclosing suite. */
export function useScripts(): {
  redis: () => Redis;
  scripts: () => RedisScripts;
  instanceScripts: () => InstanceScripts;
  relayScripts: () => RelayScripts;
  heldTaskScripts: () => HeldTaskScripts;
  deadlineScripts: () => ActivityDeadlineScripts;
  url: () => string;
} {
  const server = useRedisServer();
  let redis: Redis | undefined;
  let scripts: RedisScripts | undefined;
  let instanceScripts: InstanceScripts | undefined;
  let relayScripts: RelayScripts | undefined;
  let heldTaskScripts: HeldTaskScripts | undefined;
  let deadlineScripts: ActivityDeadlineScripts | undefined;
  before(() => {
    redis = new Redis(server().url);
    scripts = new RedisScripts(redis);
    instanceScripts = new InstanceScripts(redis);
    relayScripts = new RelayScripts(redis);
    heldTaskScripts = new HeldTaskScripts(redis);
    deadlineScripts = new ActivityDeadlineScripts(redis);
  });
  after(async () => {
    await redis?.quit();
  });
  return {
    redis: () => redis as Redis,
    scripts: () => scripts as RedisScripts,
    instanceScripts: () => instanceScripts as InstanceScripts,
    relayScripts: () => relayScripts as RelayScripts,
    heldTaskScripts: () => heldTaskScripts as HeldTaskScripts,
    deadlineScripts: () => deadlineScripts as ActivityDeadlineScripts,
    url: () => server().url,
  };
}

/** Execution hash fields a test may override when seeding. */
export interface ExecutionSeed {
  state?: string;
  queued?: number;
  lockToken?: number;
  lockedUntil?: number;
  lockEntry?: string;
  historyLength?: number;
  /** Inbox events: a blob (stored with type `Test`) or a blob and its type. */
  inbox?: Array<string | { event: string; type: string }>;
  history?: string[];
}

/** Writes an execution hash (idle, unlocked, active by default) plus inbox and history contents. */
export async function seedExecution(redis: Redis, k: ExecutionKeys, seed: ExecutionSeed = {}): Promise<void> {
  const history = seed.history ?? [];
  await redis.hset(k.instance, { executionId: k.executionId, state: seed.state ?? 'active', queue: 'default' });
  await redis.hset(k.execution, {
    state: seed.state ?? 'active',
    name: 'wf',
    queue: 'default',
    createdAt: 1000,
    lockToken: seed.lockToken ?? 0,
    lockedUntil: seed.lockedUntil ?? 0,
    lockEntry: seed.lockEntry ?? '',
    queued: seed.queued ?? 0,
    historyLength: seed.historyLength ?? history.length,
  });
  if (history.length > 0) await redis.rpush(k.history, ...history);
  for (const item of seed.inbox ?? []) {
    const { event, type } = typeof item === 'string' ? { event: item, type: 'Test' } : item;
    await pushInbox(redis, k.inbox, event, type);
  }
  if ((seed.state ?? 'active') === 'active') await redis.sadd(k.active, `${k.instanceId}\n${k.executionId}`);
}

/** Appends an event to an inbox list as lua/lib/inbox.lua stores it: `<type>\n<event>`. */
export async function pushInbox(redis: Redis, inbox: string, event: string | Buffer, type = 'Test'): Promise<void> {
  await redis.rpush(inbox, Buffer.concat([Buffer.from(`${type}\n`), Buffer.from(event)]));
}

/** The events of an inbox list, oldest first: `e` the event, `t` its type. */
export async function inboxEvents(redis: Redis, inbox: string): Promise<Array<{ e: string; t: string }>> {
  return (await redis.lrange(inbox, 0, -1)).map((entry) => {
    const at = entry.indexOf('\n');
    return { e: entry.slice(at + 1), t: entry.slice(0, at) };
  });
}

/** Creates the consumer group (and stream) if needed. */
export async function createGroup(redis: Redis, stream: string): Promise<void> {
  await redis.xgroup('CREATE', stream, GROUP, '0', 'MKSTREAM').catch((err: Error) => {
    if (!err.message.startsWith('BUSYGROUP')) throw err;
  });
}

/** Adds an entry and delivers it to `consumer` through the group, as XREADGROUP does for a worker. */
export async function addAndDeliver(
  redis: Redis,
  stream: string,
  fields: Record<string, string>,
  consumer = 'worker-a',
): Promise<string> {
  await createGroup(redis, stream);
  const id = (await redis.xadd(stream, '*', ...Object.entries(fields).flat())) as string;
  const read = await deliver(redis, stream, consumer);
  if (!read.includes(id)) throw new Error(`entry ${id} was not delivered`);
  return id;
}

/** Delivers every new entry of `stream` to `consumer`; returns their ids. */
export async function deliver(redis: Redis, stream: string, consumer = 'worker-a'): Promise<string[]> {
  await createGroup(redis, stream);
  const reply = (await redis.xreadgroup('GROUP', GROUP, consumer, 'STREAMS', stream, '>')) as
    | Array<[string, Array<[string, string[]]>]>
    | null;
  return (reply?.[0]?.[1] ?? []).map(([id]) => id);
}

/** Entries of a stream as `{ id, fields }` with string values. */
export async function entries(redis: Redis, stream: string): Promise<Array<{ id: string; fields: Record<string, string> }>> {
  const raw = await redis.xrange(stream, '-', '+');
  return raw.map(([id, flat]) => {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
    return { id, fields };
  });
}

/** Pending entries of the group: id, consumer, idle ms, deliveries. */
export async function pending(redis: Redis, stream: string): Promise<Array<{ id: string; consumer: string; idleMs: number }>> {
  const raw = (await redis.xpending(stream, GROUP, '-', '+', 100)) as Array<[string, string, number, number]>;
  return raw.map(([id, consumer, idleMs]) => ({ id, consumer, idleMs }));
}

/** DUMP of every key under `prefix`: equal snapshots mean nothing was written in between. */
export async function snapshot(redis: Redis, prefix: string): Promise<Record<string, string>> {
  const keys = (await redis.keys(`${prefix}*`)).sort();
  const dump: Record<string, string> = {};
  for (const key of keys) dump[key] = ((await redis.dumpBuffer(key)) ?? Buffer.alloc(0)).toString('hex');
  return dump;
}

/** Redis server time in ms. */
export async function serverNow(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/**
 * What is published on `channel` while `action` runs, in order. A marker published by the caller after
 * `action` arrives after everything the action published (one connection's messages keep their order).
 */
export async function announcements(redis: Redis, channel: string, action: () => Promise<unknown>): Promise<string[]> {
  const subscriber = redis.duplicate();
  const seen: string[] = [];
  try {
    await subscriber.subscribe(channel);
    const marker = `marker-${Math.random()}`;
    const done = new Promise<void>((resolve) => {
      subscriber.on('message', (from: string, message: string) => {
        if (from !== channel) return;
        if (message === marker) resolve();
        else seen.push(message);
      });
    });
    await action();
    await redis.publish(channel, marker);
    await done;
    return seen;
  } finally {
    subscriber.disconnect();
  }
}
