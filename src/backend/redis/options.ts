import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { InvalidArgumentError } from '../../errors/errors.js';
import { resolveOutboxRetry, type OutboxRetryOptions, type OutboxRetryPolicy } from './outbox-retry-policy.js';

/** Options of `RedisBackend`. */
export interface RedisBackendOptions {
  /**
   * A Redis URL, or a connection to use. A URL makes the backend open (and on `close()` quit) its own
   * connection; a passed `Redis` or `Cluster` stays open for its owner. Blocking reads and pub/sub always
   * use duplicates of it, which `close()` ends. A `Cluster` created with `enableAutoPipelining` is refused
   * with `InvalidArgumentError` (ioredis would send script calls to the wrong nodes), and so is a client with a
   * `keyPrefix` (ioredis would prefix only some of the keys; use `prefix`); on a Cluster the
   * backend needs Redis 7 or later (sharded pub/sub).
   * @default process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
   */
  redis?: string | Redis | Cluster;
  /**
   * Start of every key. Backends sharing a prefix share workflows; it must not contain `{` or `}`
   * (the partition is the key's hash tag).
   * @default 'redflow'
   */
  prefix?: string;
  /**
   * Number of partitions (Redis Cluster hash tags) instances are spread over. Fixed for a prefix the
   * first time a backend uses it; a backend configured differently is refused.
   * @default 1
   */
  partitions?: number;
  /**
   * Longest time (ms) one blocking read of a task stream waits. Bounds how late a poll notices that its
   * signal was aborted on a Redis Cluster, and how long a late read keeps its connection after an abort.
   * @default 1000
   */
  blockTimeoutMs?: number;
  /**
   * Longest time (ms) a command waits for a connection to Redis before it fails with
   * `BackendUnavailableError`: the first call on a backend whose Redis does not answer rejects after this
   * long, and while the connection has been down this long already, calls reject at once. Also the TCP
   * connect timeout of the connections the backend opens. With a passed-in client, only the wait is
   * bounded: how that client connects and reconnects stays its owner's choice.
   * @default 5000
   */
  connectTimeoutMs?: number;
  /**
   * Longest time (ms) a command waits for its reply once sent, before it fails with
   * `BackendUnavailableError` (a server that hangs, is paused, or a connection lost mid-call). A command
   * that timed out may still run when the server answers again. Blocking reads of task streams and outboxes
   * wait up to `blockTimeoutMs` longer.
   * @default 5000
   */
  commandTimeoutMs?: number;
  /**
   * Most due timers moved into inboxes by one script call.
   * @default 100
   */
  timerBatchSize?: number;
  /**
   * Lease (ms) of a backend's ownership of partitions. Backends that poll tasks share the partitions
   * evenly and run the timer loop and outbox relay of those they own only; each renews its leases every
   * third of this, and the partitions of a backend that stopped renewing (killed, hung, cut off) are taken
   * over by the others within about this long. A single backend owns every partition.
   * @default 4000
   */
  partitionLeaseMs?: number;
  /**
   * Whether the first call may set a prefix up that Redis has no config record for (`<prefix>:config`, which
   * stores its partition count). With false every call on such a prefix fails with `InvalidArgumentError`,
   * and nothing is written: for tools that only look at a store (the command line), so that a mistyped
   * prefix creates nothing. @default true
   */
  createPrefix?: boolean;
  /**
   * How long (ms) the keys of a continue-as-new chain are kept after its latest execution finished: Redis
   * then expires every execution of the chain together (PEXPIRE set when it finishes; an execution that
   * continues as new keeps its keys while its chain runs), and listing, stats and removal skip what is
   * gone. Applies to chains that finish while this option is set. @default Infinity (keep until removed)
   */
  retentionMs?: number;
  /** Logger for connection trouble and dropped tasks, used as given. @default createLogger(): level `REDFLOW_LOG_LEVEL`, else `info` */
  logger?: Logger;
  /**
   * Makes every script the backend runs (every write of workflow state) wait until `replicas` replicas of
   * the Redis node that ran it acknowledged it, for at most `timeoutMs`: the backend sends `WAIT replicas
   * timeoutMs` right after the script, on the same connection (in one pipeline, so on a Redis Cluster it goes
   * to the node that ran the script). A call succeeds only once its write is on that many replicas, so a
   * failover to one of them (`CLUSTER FAILOVER`, or a master that dies) loses nothing the backend reported
   * done. When fewer replicas acknowledge within `timeoutMs`, the call fails with `BackendUnavailableError`:
   * its write is applied on the master but may be lost by a failover, and the caller treats it as of unknown
   * outcome (workers run the task again after its lease, a client may retry). So with fewer live replicas
   * than `replicas`, every write waits `timeoutMs` and fails.
   *
   * The cost: each write waits for one replication round trip, and a `WAIT` blocks the connection it is sent
   * on, so the commands queued behind it on that connection wait too. `timeoutMs` must be below
   * `commandTimeoutMs`. Without this option (the default) replication is asynchronous: a failover loses the
   * writes the replica had not yet received (see README.md, "Running on Redis Cluster").
   * @default undefined (do not wait for replicas)
   */
  replicaAcks?: ReplicaAcks;
  /**
   * Backoff of outbox messages whose delivery fails, and when they are parked as dead letters; see
   * `OutboxRetryOptions`. @default { firstRetryIntervalMs: 1000, backoffCoefficient: 2, maxRetryIntervalMs: 60000, maxAttempts: 10 }
   */
  outboxRetry?: OutboxRetryOptions;
}

/** Option `replicaAcks` of `RedisBackendOptions`: how many replicas must hold each write, within how long. */
export interface ReplicaAcks {
  /** Replicas that must acknowledge each write (an integer ≥ 1). */
  replicas: number;
  /** Longest wait (ms) for their acknowledgements (an integer ≥ 1, below `commandTimeoutMs`). */
  timeoutMs: number;
}

/** `RedisBackendOptions` with defaults applied and values checked. */
export interface ResolvedRedisBackendOptions {
  redis: string | Redis | Cluster;
  prefix: string;
  partitions: number;
  blockTimeoutMs: number;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  timerBatchSize: number;
  partitionLeaseMs: number;
  createPrefix: boolean;
  /** 0 = keep ended executions until removed. */
  retentionMs: number;
  logger: Logger | undefined;
  outboxRetry: OutboxRetryPolicy;
  /** Undefined: writes do not wait for replicas. */
  replicaAcks: ReplicaAcks | undefined;
}

/** Default of `partitionLeaseMs`: a dead owner's partitions move within about this long. */
export const DEFAULT_PARTITION_LEASE_MS = 4_000;

// The limit keeps the partition tags within what a cluster can place on distinct slots.
const MAX_PARTITIONS = 16384;

function positiveInteger(value: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidArgumentError(`RedisBackend option ${name} must be an integer from 1 to ${max}, got ${value}`);
  }
  return value;
}

function replicaAcks(value: ReplicaAcks | undefined, commandTimeoutMs: number): ReplicaAcks | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError('RedisBackend option replicaAcks must be an object { replicas, timeoutMs }');
  }
  const replicas = positiveInteger(value.replicas, 'replicaAcks.replicas');
  const timeoutMs = positiveInteger(value.timeoutMs, 'replicaAcks.timeoutMs', commandTimeoutMs - 1);
  return { replicas, timeoutMs };
}

function createPrefix(value: boolean | undefined): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new InvalidArgumentError('RedisBackend option createPrefix must be a boolean');
  return value ?? true;
}

function retention(value: number | undefined): number {
  if (value === undefined || value === Infinity) return 0;
  return positiveInteger(value, 'retentionMs');
}

function keyPrefixOf(client: Redis | Cluster): string | undefined {
  const options = client.options as { keyPrefix?: string; redisOptions?: { keyPrefix?: string } };
  const keyPrefix = options.keyPrefix ?? options.redisOptions?.keyPrefix;
  return keyPrefix === undefined || keyPrefix === '' ? undefined : keyPrefix;
}

function redisOption(value: string | Redis | Cluster | undefined): string | Redis | Cluster {
  // ioredis routes an auto-pipelined script call by its first argument, the key count, not by its first key
  // (redis/ioredis#2109): every script would go to a node that may not own its keys, and fail.
  if (typeof value === 'object' && value.isCluster && (value as Cluster).options.enableAutoPipelining === true) {
    throw new InvalidArgumentError('RedisBackend option redis: a Cluster with enableAutoPipelining cannot run scripts on the right nodes; create it without that option');
  }
  // ioredis prefixes the keys it knows of, not the key names scripts build or read back (task streams, channels,
  // outbox targets): the store would be half prefixed. The backend's own `prefix` option does this instead.
  if (typeof value === 'object' && keyPrefixOf(value) !== undefined) {
    throw new InvalidArgumentError('RedisBackend option redis: a client with keyPrefix is not supported; create it without keyPrefix and use the prefix option');
  }
  return value ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** Applies defaults to `options` and throws `InvalidArgumentError` naming the first bad option. */
export function resolveOptions(options: RedisBackendOptions): ResolvedRedisBackendOptions {
  const prefix = options.prefix ?? 'redflow';
  if (typeof prefix !== 'string' || prefix.length === 0 || /[{}\s]/.test(prefix)) {
    throw new InvalidArgumentError(`RedisBackend option prefix must be a non-empty string without braces or spaces`);
  }
  const commandTimeoutMs = positiveInteger(options.commandTimeoutMs ?? 5000, 'commandTimeoutMs');
  return {
    redis: redisOption(options.redis),
    prefix,
    partitions: positiveInteger(options.partitions ?? 1, 'partitions', MAX_PARTITIONS),
    blockTimeoutMs: positiveInteger(options.blockTimeoutMs ?? 1000, 'blockTimeoutMs'),
    connectTimeoutMs: positiveInteger(options.connectTimeoutMs ?? 5000, 'connectTimeoutMs'),
    commandTimeoutMs,
    timerBatchSize: positiveInteger(options.timerBatchSize ?? 100, 'timerBatchSize'),
    partitionLeaseMs: positiveInteger(options.partitionLeaseMs ?? DEFAULT_PARTITION_LEASE_MS, 'partitionLeaseMs'),
    createPrefix: createPrefix(options.createPrefix),
    retentionMs: retention(options.retentionMs),
    logger: options.logger,
    outboxRetry: resolveOutboxRetry(options.outboxRetry),
    replicaAcks: replicaAcks(options.replicaAcks, commandTimeoutMs),
  };
}
