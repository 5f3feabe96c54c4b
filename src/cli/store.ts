import { createLogger } from '../core/logger.js';
import { withTimeout } from '../core/with-timeout.js';
import { Client } from '../client/client.js';
import { clusterFromUrl, isRedisClusterNode } from '../backend/redis/cluster-url.js';
import { RedisBackend } from '../backend/redis/redis-backend.js';
import { redisUrlDatabase, redisUrlProblem } from '../backend/redis/redis-url.js';
import type { WorkflowInstance } from '../core/instance.js';
import { UsageError } from './usage-error.js';

/** The store `redflow` reads when neither `--redis` nor `REDIS_URL` names one. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Where the command finds the store: the options `--redis`, `--prefix` and `--partitions`. */
export interface StoreOptions {
  /** The `--redis` option; when absent, `REDIS_URL`, else `DEFAULT_REDIS_URL`. */
  redis?: string | undefined;
  prefix?: string | undefined;
  partitions?: number | undefined;
  /**
   * Whether the store may set the prefix up when Redis has no record of it (`RedisBackendOptions.createPrefix`).
   * Commands that look at a store leave it false, so a mistyped prefix creates nothing; the UI, which may start
   * before any worker, passes true. @default false
   */
  createPrefix?: boolean | undefined;
}

/** The Redis URL a command uses, and where it came from (`--redis`, `REDIS_URL` or the default), for messages. */
export interface StoreUrl {
  url: string;
  source: '--redis' | 'REDIS_URL' | 'the default';
}

/** The Redis URL of `redis` (the `--redis` option), else `REDIS_URL`, else `DEFAULT_REDIS_URL`, with its source. */
export function storeUrl(redis: string | undefined): StoreUrl {
  if (redis !== undefined) return { url: redis, source: '--redis' };
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv !== undefined) return { url: fromEnv, source: 'REDIS_URL' };
  return { url: DEFAULT_REDIS_URL, source: 'the default' };
}

/** A client on the store, and how to let it go. */
export interface Store {
  client: Client;
  /**
   * Reaches the store and checks it: `InvalidArgumentError` when the URL's database does not exist or the
   * prefix is set up with another partition count, `BackendUnavailableError` when Redis cannot be reached.
   */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** Longest wait (ms) for the store's server to say whether it is a Redis Cluster node. */
const CLUSTER_PROBE_TIMEOUT_MS = 5000;
/** Longest wait (ms) for the nodes of a Redis Cluster to answer QUIT when the command is done. */
const CLUSTER_QUIT_TIMEOUT_MS = 1000;

/**
 * Opens a client on the Redis store the options name. When the URL names a node of a Redis Cluster, the
 * client reaches the whole cluster through it (an ioredis `Cluster`). The backend logs nothing unless
 * `REDFLOW_LOG_LEVEL` asks for it (then on standard error, away from the report).
 * @throws UsageError naming the URL and where it came from (`--redis` or `REDIS_URL`) when it is not a
 *   `redis:` or `rediss:` URL, or its database part is not a database number (or not 0 on a Cluster, which
 *   has only database 0).
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const { url, source } = storeUrl(options.redis);
  const named = `${source} ${JSON.stringify(url)}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${named} is not a URL (expected redis://host:port)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new UsageError(`${named} is not a redis:// or rediss:// URL`);
  }
  const problem = redisUrlProblem(url);
  if (problem !== undefined) throw new UsageError(`${named}: ${problem}`);
  const logger = createLogger({ name: 'redflow-cli', defaultLevel: 'silent', destination: process.stderr });
  const { prefix, partitions } = options;
  const createPrefix = options.createPrefix ?? false;
  if (!(await isRedisClusterNode(url, CLUSTER_PROBE_TIMEOUT_MS))) {
    const backend = new RedisBackend({ redis: url, prefix, partitions, logger, createPrefix });
    return { client: new Client(backend), check: () => backend.connect(), close: () => backend.close() };
  }
  if ((redisUrlDatabase(url) ?? 0) !== 0) throw new UsageError(`${named} names a database, but a Redis Cluster has only database 0`);
  const cluster = clusterFromUrl(url);
  const backend = new RedisBackend({ redis: cluster, prefix, partitions, logger, createPrefix });
  const close = async (): Promise<void> => {
    await backend.close();
    // QUIT waits for every node's answer, and a node that does not answer would hold the command for good.
    await withTimeout(cluster.quit().catch(() => undefined), CLUSTER_QUIT_TIMEOUT_MS);
    cluster.disconnect();
  };
  return { client: new Client(backend), check: () => backend.connect(), close };
}

/** How the report names the active instances of a store. */
export function describeStore(options: StoreOptions): string {
  return `the active instances in ${storeUrl(options.redis).url} (prefix ${options.prefix ?? 'redflow'})`;
}

/** Page size of the listing: the most `listWorkflowInstances` gives at once. */
const PAGE_SIZE = 1000;

/** Every active execution in the store, newest first, page by page. */
export async function* activeInstances(client: Client): AsyncGenerator<WorkflowInstance> {
  let cursor: string | undefined;
  do {
    const page = await client.listWorkflowInstances(Object.assign({ count: PAGE_SIZE, state: 'active' as const }, cursor === undefined ? {} : { cursor }));
    for (const entry of page.instances) yield entry.instance;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}
