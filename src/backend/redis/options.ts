import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { InvalidArgumentError } from '../../errors/errors.js';
import { resolveOutboxRetry, type OutboxRetryOptions, type OutboxRetryPolicy } from './outbox-retry-policy.js';

/** Options of `RedisBackend`. */
export interface RedisBackendOptions {
  /**
   * A Redis URL, or a connection to use. A URL makes the backend open (and on `close()` quit) its own
   * connection; a passed `Redis` or `Cluster` stays open for its owner. Blocking reads and pub/sub always
   * use duplicates of it, which `close()` ends.
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
   * Most due timers moved into inboxes by one script call.
   * @default 100
   */
  timerBatchSize?: number;
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
   * Backoff of outbox messages whose delivery fails, and when they are parked as dead letters; see
   * `OutboxRetryOptions`. @default { firstRetryIntervalMs: 1000, backoffCoefficient: 2, maxRetryIntervalMs: 60000, maxAttempts: 10 }
   */
  outboxRetry?: OutboxRetryOptions;
}

/** `RedisBackendOptions` with defaults applied and values checked. */
export interface ResolvedRedisBackendOptions {
  redis: string | Redis | Cluster;
  prefix: string;
  partitions: number;
  blockTimeoutMs: number;
  timerBatchSize: number;
  /** 0 = keep ended executions until removed. */
  retentionMs: number;
  logger: Logger | undefined;
  outboxRetry: OutboxRetryPolicy;
}

// The limit keeps the partition tags within what a cluster can place on distinct slots.
const MAX_PARTITIONS = 16384;

function positiveInteger(value: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidArgumentError(`RedisBackend option ${name} must be an integer from 1 to ${max}, got ${value}`);
  }
  return value;
}

function retention(value: number | undefined): number {
  if (value === undefined || value === Infinity) return 0;
  return positiveInteger(value, 'retentionMs');
}

/** Applies defaults to `options` and throws `InvalidArgumentError` naming the first bad option. */
export function resolveOptions(options: RedisBackendOptions): ResolvedRedisBackendOptions {
  const prefix = options.prefix ?? 'redflow';
  if (typeof prefix !== 'string' || prefix.length === 0 || /[{}\s]/.test(prefix)) {
    throw new InvalidArgumentError(`RedisBackend option prefix must be a non-empty string without braces or spaces`);
  }
  return {
    redis: options.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix,
    partitions: positiveInteger(options.partitions ?? 1, 'partitions', MAX_PARTITIONS),
    blockTimeoutMs: positiveInteger(options.blockTimeoutMs ?? 1000, 'blockTimeoutMs'),
    timerBatchSize: positiveInteger(options.timerBatchSize ?? 100, 'timerBatchSize'),
    retentionMs: retention(options.retentionMs),
    logger: options.logger,
    outboxRetry: resolveOutboxRetry(options.outboxRetry),
  };
}
