import { Cluster, Redis } from 'ioredis';
import { withTimeout } from '../../core/with-timeout.js';

/** `INFO cluster` says so on a node started with `cluster-enabled yes`. */
const CLUSTER_ENABLED = /^cluster_enabled:1\s*$/m;

/** Whether an `INFO cluster` reply comes from a Redis Cluster node. */
export function isClusterInfo(info: string): boolean {
  return CLUSTER_ENABLED.test(info);
}

/**
 * Whether the Redis at `url` is a node of a Redis Cluster: a client of that one node gets `MOVED` for every key
 * of a slot another node serves, so the store needs an ioredis `Cluster` (see `clusterFromUrl`). Connects once,
 * reads `INFO cluster` and disconnects.
 * @param timeoutMs longest wait for the connection and the reply.
 * @returns false also when the server cannot be reached, does not answer within `timeoutMs` or refuses `INFO`:
 *   the caller's own connection then reports what is wrong.
 */
export async function isRedisClusterNode(url: string, timeoutMs: number): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // A refused connection is an answer here (false), not an error to log.
  probe.on('error', () => undefined);
  try {
    const asked = probe.connect().then(async () => isClusterInfo(await probe.info('cluster')));
    return (await withTimeout(asked.catch(() => false), timeoutMs))?.value ?? false;
  } finally {
    probe.disconnect();
  }
}

/**
 * An ioredis `Cluster` that finds the cluster's nodes from the one `url` names (`redis://` or `rediss://`,
 * with its user and password, which every node is then asked for), made as `RedisBackend` needs it: without
 * `enableAutoPipelining` or `keyPrefix`. The caller ends it (`quit()` or `disconnect()`) after closing the backend.
 * @throws TypeError when `url` is not a URL.
 */
export function clusterFromUrl(url: string): Cluster {
  const parsed = new URL(url);
  const tls = parsed.protocol === 'rediss:' ? {} : undefined;
  const redisOptions = Object.assign(
    {},
    parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) },
    parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) },
    tls === undefined ? {} : { tls },
  );
  // `URL` keeps an IPv6 host in brackets; ioredis wants the bare address.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Cluster([{ host, port: parsed.port === '' ? 6379 : Number(parsed.port) }], { redisOptions });
}
