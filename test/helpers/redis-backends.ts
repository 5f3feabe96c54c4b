import { randomUUID } from 'node:crypto';
import type { Backend } from '../../src/backend/backend.js';
import { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import type { RedisBackendOptions } from '../../src/backend/redis/options.js';
import { testLogger } from './engine.js';
import type { RedisServer } from './redis-server.js';

const optionsOf = new WeakMap<Backend, RedisBackendOptions>();

/** A RedisBackend on `server` under a prefix of its own, so tests sharing a server never see each other. */
export function redisBackendOn(server: RedisServer, options: RedisBackendOptions = {}): RedisBackend {
  const resolved = { redis: server.url, prefix: `test-${randomUUID()}`, blockTimeoutMs: 200, logger: testLogger, ...options };
  const backend = new RedisBackend(resolved);
  optionsOf.set(backend, resolved);
  return backend;
}

/** Another RedisBackend on the same server and prefix as `backend`: what a second worker process would hold. */
export function redisPeerOf(backend: Backend): RedisBackend {
  return new RedisBackend(redisOptionsOf(backend));
}

/** The options `backend` was made with by `redisBackendOn` (its server URL, prefix and partitions). */
export function redisOptionsOf(backend: Backend): RedisBackendOptions {
  const options = optionsOf.get(backend);
  if (options === undefined) throw new Error('not a backend made by redisBackendOn');
  return options;
}
