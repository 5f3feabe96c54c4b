import { randomUUID } from 'node:crypto';
import { Redis, type Cluster } from 'ioredis';
import type { Backend } from '../../src/backend/backend.js';
import { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import type { RedisBackendOptions } from '../../src/backend/redis/options.js';
import { testLogger } from './engine.js';
import type { RedisCluster } from './redis-cluster.js';
import type { RedisServer } from './redis-server.js';

const optionsOf = new WeakMap<Backend, RedisBackendOptions>();
const clusterOf = new WeakMap<Backend, { cluster: RedisCluster; options: RedisBackendOptions }>();

/** A RedisBackend on `server` under a prefix of its own, so tests sharing a server never see each other. */
export function redisBackendOn(server: RedisServer, options: RedisBackendOptions = {}): RedisBackend {
  const resolved = { redis: server.url, prefix: `test-${randomUUID()}`, blockTimeoutMs: 200, logger: testLogger, ...options };
  const backend = new RedisBackend(resolved);
  optionsOf.set(backend, resolved);
  return backend;
}

/** Another RedisBackend on the same server and prefix as `backend`: what a second worker process would hold. */
export function redisPeerOf(backend: Backend): RedisBackend {
  if (clusterOf.has(backend)) return redisClusterPeerOf(backend);
  return new RedisBackend(redisOptionsOf(backend));
}

/** The options `backend` was made with by `redisBackendOn` or `redisBackendOnCluster` (its prefix and partitions, and server URL if any). */
export function redisOptionsOf(backend: Backend): RedisBackendOptions {
  const options = optionsOf.get(backend);
  if (options === undefined) throw new Error('not a backend made by redisBackendOn or redisBackendOnCluster');
  return options;
}

/** A new client (the caller ends it) of the store of `backend`, made by `redisBackendOn` or `redisBackendOnCluster`. */
export function rawClientOf(backend: Backend): Redis | Cluster {
  const made = clusterOf.get(backend);
  if (made !== undefined) return made.cluster.connect();
  const { redis } = redisOptionsOf(backend);
  if (typeof redis !== 'string') throw new Error('rawClientOf: the backend must be made from a URL or on a test cluster');
  return new Redis(redis);
}

/**
 * A RedisBackend on `cluster` under a prefix of its own, through an ioredis `Cluster` client of its own that
 * its `close()` also ends (a passed-in client is otherwise left open for its owner).
 */
export function redisBackendOnCluster(cluster: RedisCluster, options: RedisBackendOptions = {}): RedisBackend {
  const resolved = { prefix: `test-${randomUUID()}`, blockTimeoutMs: 200, logger: testLogger, ...options };
  const backend = withOwnCluster(cluster, resolved);
  clusterOf.set(backend, { cluster, options: resolved });
  optionsOf.set(backend, resolved);
  return backend;
}

/** Another RedisBackend on the same cluster and prefix as `backend` (made by `redisBackendOnCluster`), with a client of its own. */
export function redisClusterPeerOf(backend: Backend): RedisBackend {
  const made = clusterOf.get(backend);
  if (made === undefined) throw new Error('not a backend made by redisBackendOnCluster');
  const peer = withOwnCluster(made.cluster, made.options);
  clusterOf.set(peer, made);
  optionsOf.set(peer, made.options);
  return peer;
}


function withOwnCluster(cluster: RedisCluster, options: RedisBackendOptions): RedisBackend {
  const client = cluster.connect();
  const backend = new RedisBackend({ ...options, redis: client });
  const close = backend.close.bind(backend);
  backend.close = async () => {
    await close();
    client.disconnect();
  };
  return backend;
}
