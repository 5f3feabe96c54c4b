import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { withTimeout } from '../../core/with-timeout.js';
import { BackendClosedError, InvalidArgumentError } from '../../errors/errors.js';
import { isClusterInfo } from './cluster-url.js';
import { ConnectionGuard, ownedConnectionOptions } from './connection-guard.js';
import { ensureConfig, readExistingConfig } from './config-record.js';
import type { ReplicaAcks } from './options.js';
import type { RedisContext } from './redis-context.js';
import { redactedRedisUrl, redisUrlDatabase } from './redis-url.js';
import type { RedisClient } from './scripts.js';

const CLOSE_TIMEOUT_MS = 1000;

/** Options of `RedisConnection`. */
export interface RedisConnectionOptions {
  /** A URL to connect to (the connection is then the backend's own, quit on close), or a client to use (left open). */
  redis: string | RedisClient;
  /** Prefix of every key. */
  prefix: string;
  /** Partition count; must be the one stored for `prefix`, if any. */
  partitions: number;
  /** Longest wait (ms) for a connection before a command is sent (also ioredis's `connectTimeout` of an owned connection). */
  connectTimeoutMs: number;
  /** Longest wait (ms) for a command's reply. */
  commandTimeoutMs: number;
  /** Longest blocking read (ms): duplicated connections wait this much longer for replies. */
  blockTimeoutMs: number;
  /** Hears when the connection is lost and restored. */
  logger: Logger;
  /** When set, every script waits for this many replicas to acknowledge it. */
  replicaAcks?: ReplicaAcks | undefined;
  /** Whether the first call may write the prefix's config record when there is none (`RedisBackendOptions.createPrefix`). */
  createPrefix: boolean;
}

/**
 * A backend's Redis connection and its life: checked on first use against the settings stored for the
 * prefix, usable until `close`, which happens once. Every command sent on it (and on its duplicates) is
 * bounded by a `ConnectionGuard`, which turns failures to reach Redis into `BackendUnavailableError`.
 */
export class RedisConnection {
  /** What the parts of the backend share: this connection (guarded), the key prefix and the partition count. */
  readonly context: RedisContext;
  /** Longest wait (ms) for a connection. */
  readonly connectTimeoutMs: number;
  readonly #raw: RedisClient;
  readonly #guard: ConnectionGuard;
  readonly #ownsClient: boolean;
  readonly #logger: Logger;
  /** The database an owned connection's URL names (`redis://host/2`); undefined for database 0 or a passed client. */
  readonly #database: { db: number; url: string } | undefined;
  /** How messages name the `redis` option: its URL (password hidden), or the client passed. */
  readonly #described: string;
  readonly #createPrefix: boolean;
  #ready: Promise<void> | undefined;
  #closed = false;

  constructor(options: RedisConnectionOptions) {
    const { redis, prefix, partitions, connectTimeoutMs, commandTimeoutMs, blockTimeoutMs, logger, replicaAcks } = options;
    this.#createPrefix = options.createPrefix;
    this.#ownsClient = typeof redis === 'string';
    this.#logger = logger;
    this.connectTimeoutMs = connectTimeoutMs;
    this.#database = typeof redis === 'string' ? urlDatabase(redis) : undefined;
    this.#described = typeof redis === 'string' ? JSON.stringify(redactedRedisUrl(redis)) : `(an ioredis ${redis.isCluster ? 'Cluster' : 'Redis'})`;
    this.#raw = typeof redis === 'string' ? ownedConnection(redis, connectTimeoutMs) : redis;
    this.#guard = new ConnectionGuard(Object.assign({ connectTimeoutMs, commandTimeoutMs, blockTimeoutMs, logger }, replicaAcks === undefined ? {} : { replicaAcks }));
    this.context = { client: this.#guard.guard(this.#raw, this.#ownsClient), prefix, partitions };
  }

  /** True once `close` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Resolves once the connection may be used; every operation awaits it first. The first call stores the
   * partition count for the prefix, or checks it against the stored one. Throws `BackendClosedError` once
   * closed (also when closed while it waited), `InvalidArgumentError` when the prefix is set up with
   * another partition count, the URL's database does not exist on the server or a single-node client reaches a
   * Redis Cluster node (so does every later call),
   * and `BackendUnavailableError` when Redis cannot be
   * reached; a connection failure rejects only the calls waiting on it, the next one tries again.
   */
  async open(): Promise<void> {
    if (this.#closed) throw new BackendClosedError();
    this.#ready ??= this.#checkConfig().catch((err: unknown) => {
      // A refused configuration stays refused; a connection failure is worth another try.
      if (!(err instanceof InvalidArgumentError)) this.#ready = undefined;
      throw err;
    });
    await this.#ready;
    if (this.#closed) throw new BackendClosedError();
  }

  /**
   * `open`, checking the store again when an earlier call had done so already: Redis answers now, and the
   * prefix's partition count is stored (again, if Redis lost it) or matches. Same errors as `open`.
   */
  async connect(): Promise<void> {
    const checkedBefore = this.#ready !== undefined;
    await this.open();
    if (checkedBefore) await this.#checkConfig();
  }

  /**
   * Closes once (later calls do nothing): from now on `open` throws `BackendClosedError`. Runs `stop`, the
   * shutdown of the backend's parts, waiting for it at most `CLOSE_TIMEOUT_MS`, then quits an owned
   * connection, disconnecting it when it is not ready or quitting fails or takes longer than that.
   */
  async close(stop: () => Promise<unknown>): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#guard.close();
    // Each step that needs Redis is bounded: when it is down, close() must still end promptly.
    // What could not be given back (relay leases, consumers) expires on its own: close() itself never fails.
    const stopped = stop().catch((err: unknown) => {
      this.#logger.warn({ err }, 'closing without releasing what this backend holds in Redis; it expires on its own');
    });
    await withTimeout(stopped, CLOSE_TIMEOUT_MS);
    if (this.#ownsClient) {
      const client = this.#raw;
      const quit =
        client.status === 'ready' &&
        (await withTimeout(client.quit().then(() => true, () => false), CLOSE_TIMEOUT_MS))?.value === true;
      if (!quit) client.disconnect();
    }
  }

  async #checkConfig(): Promise<void> {
    await this.#checkNotClusterNode();
    await this.#checkDatabase();
    await (this.#createPrefix ? ensureConfig(this.context) : readExistingConfig(this.context));
  }

  /**
   * Refuses a single-node client of a Redis Cluster node: it would get `MOVED` for every partition another node
   * serves, and a workflow there would never run.
   */
  async #checkNotClusterNode(): Promise<void> {
    if (this.#raw.isCluster) return;
    let info: string;
    try {
      info = await this.context.client.info('cluster');
    } catch (err) {
      // A server that refuses INFO (an ACL, a proxy) cannot be told apart; its keys' errors will say more.
      if (err instanceof Error && err.name === 'ReplyError') return;
      throw err;
    }
    if (isClusterInfo(info)) {
      throw new InvalidArgumentError(`RedisBackend option redis ${this.#described}: the server is a Redis Cluster node; pass an ioredis Cluster (README, "Running on Redis Cluster")`);
    }
  }

  /**
   * Selects the URL's database again, this time hearing the answer: ioredis selects it on connecting but only
   * emits an `error` when the server refuses (`/99` of 16 databases) and goes on in database 0, the wrong store.
   */
  async #checkDatabase(): Promise<void> {
    if (this.#database === undefined) return;
    const { db, url } = this.#database;
    try {
      await this.context.client.select(db);
    } catch (err) {
      if (!(err instanceof Error) || err.name !== 'ReplyError') throw err;
      throw new InvalidArgumentError(`RedisBackend option redis ${JSON.stringify(url)} names database ${db}, which the server refuses: ${err.message}`);
    }
  }
}

/** The database `url` names, if not 0; `InvalidArgumentError` when its database part is not a number. */
function urlDatabase(url: string): { db: number; url: string } | undefined {
  try {
    const db = redisUrlDatabase(url);
    return db === undefined || db === 0 ? undefined : { db, url: redactedRedisUrl(url) };
  } catch (err) {
    throw new InvalidArgumentError(`RedisBackend option redis ${JSON.stringify(redactedRedisUrl(url))}: ${(err as Error).message}`);
  }
}

/** A connection of the backend's own to `url`; `InvalidArgumentError` when ioredis cannot read the URL. */
function ownedConnection(url: string, connectTimeoutMs: number): Redis {
  try {
    return new Redis(url, ownedConnectionOptions(connectTimeoutMs));
  } catch (err) {
    throw new InvalidArgumentError(`RedisBackend option redis must be a Redis URL, got "${url}": ${err instanceof Error ? err.message : String(err)}`);
  }
}
