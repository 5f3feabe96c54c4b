import type { Cluster, Redis } from 'ioredis';
import { Packr } from 'msgpackr';
import type { Backend } from '../../src/backend/backend.js';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import type { Execution, MemoryStore } from '../../src/backend/memory/memory-store.js';
import { historyKey, inboxKey } from '../../src/backend/redis/keys.js';
import { partitionOf } from '../../src/backend/redis/partition.js';
import { executionKey, type WorkflowInstance } from '../../src/core/instance.js';
import { rawClientOf, redisOptionsOf } from './redis-backends.js';

// Writes bytes straight into a backend's store, past every check, as an earlier version of redflow (or a damaged
// store) left them: on Redis with a client of its own, on MemoryBackend into the arrays it keeps its blobs in.

/** The codec settings redflow wrote events with before Map and friends had a form of their own. */
const earlierCodec = new Packr({ useRecords: false, moreTypes: true });

/**
 * An event as an earlier version wrote it when its attributes held a Map with object keys: a msgpack map whose
 * key is a map, which nothing can read back as an object (msgpackr: "Invalid property type for record").
 */
export function earlierMapEvent(type: string, attributes: Record<string, unknown>): Buffer {
  return earlierCodec.pack({ t: type, ts: Date.now(), a: attributes });
}

/** The private store of a MemoryBackend, which holds its executions' blobs. */
function memoryStore(backend: MemoryBackend): MemoryStore {
  return (backend as unknown as { store: MemoryStore }).store;
}

function memoryExecution(backend: MemoryBackend, instance: WorkflowInstance): Execution {
  const execution = memoryStore(backend).executions.get(executionKey(instance));
  if (execution === undefined) throw new Error(`no execution ${executionKey(instance)}`);
  return execution;
}

async function withRedis<T>(backend: Backend, instance: WorkflowInstance, run: (redis: Redis | Cluster, keys: { inbox: string; history: string }) => Promise<T>): Promise<T> {
  const options = redisOptionsOf(backend);
  const p = partitionOf(instance.instanceId, options.partitions ?? 1);
  const prefix = options.prefix ?? 'redflow';
  const redis = rawClientOf(backend);
  try {
    return await run(redis, {
      inbox: inboxKey(prefix, p, instance.instanceId, instance.executionId),
      history: historyKey(prefix, p, instance.instanceId, instance.executionId),
    });
  } finally {
    redis.disconnect();
  }
}

/** Appends `blob` to the inbox of `instance`, after the events already there. */
export async function appendRawInboxEvent(backend: Backend, instance: WorkflowInstance, blob: Buffer, type = 'SignalReceived'): Promise<void> {
  if (backend instanceof MemoryBackend) {
    memoryStore(backend).appendToInbox(memoryExecution(backend, instance), blob);
    return;
  }
  await withRedis(backend, instance, (redis, keys) => redis.rpush(keys.inbox, Buffer.concat([Buffer.from(`${type}\n`), blob])));
}

/** Removes the inbox event at `position` (0: the oldest) of `instance`, as an operator repairing a store would. */
export async function removeInboxEvent(backend: Backend, instance: WorkflowInstance, position: number): Promise<void> {
  if (backend instanceof MemoryBackend) {
    memoryExecution(backend, instance).inbox.splice(position, 1);
    return;
  }
  await withRedis(backend, instance, async (redis, keys) => {
    // LSET then LREM: a list has no removal by index, and the placeholder cannot equal a stored entry.
    const placeholder = `removed-${position}`;
    await redis.lset(keys.inbox, position, placeholder).catch((err: Error) => {
      throw new Error(`no inbox entry ${position} of ${instance.instanceId}: ${err.message}`);
    });
    await redis.lrem(keys.inbox, 1, placeholder);
  });
}

/** Replaces the last event of the history of `instance` (its outcome, once it ended) with `blob`. */
export async function replaceLastHistoryEvent(backend: Backend, instance: WorkflowInstance, blob: Buffer): Promise<void> {
  if (backend instanceof MemoryBackend) {
    const history = memoryExecution(backend, instance).history;
    history[history.length - 1] = blob;
    return;
  }
  await withRedis(backend, instance, (redis, keys) => redis.lset(keys.history, -1, blob));
}
