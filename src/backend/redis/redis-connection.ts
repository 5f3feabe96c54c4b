import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BackendClosedError, InvalidArgumentError } from '../../errors/errors.js';
import { ensureConfig } from './config-record.js';
import type { RedisContext } from './redis-context.js';
import type { RedisClient } from './scripts.js';

const CLOSE_TIMEOUT_MS = 1000;

/** `promise`'s value, or undefined once `ms` passed first. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Options of `RedisConnection`. */
export interface RedisConnectionOptions {
  /** A URL to connect to (the connection is then the backend's own, quit on close), or a client to use (left open). */
  redis: string | RedisClient;
  /** Prefix of every key. */
  prefix: string;
  /** Partition count; must be the one stored for `prefix`, if any. */
  partitions: number;
  /** Where errors of an owned connection are reported. */
  logger: Logger;
}

/**
 * A backend's Redis connection and its life: checked on first use against the settings stored for the
 * prefix, usable until `close`, which happens once.
 */
export class RedisConnection {
  /** What the parts of the backend share: this connection, the key prefix and the partition count. */
  readonly context: RedisContext;
  readonly #ownsClient: boolean;
  #ready: Promise<void> | undefined;
  #closed = false;

  constructor(options: RedisConnectionOptions) {
    const { redis, prefix, partitions, logger } = options;
    let client: RedisClient;
    if (typeof redis === 'string') {
      client = new Redis(redis);
      client.on('error', (err: unknown) => logger.warn({ err }, 'redis connection error'));
      this.#ownsClient = true;
    } else {
      client = redis;
      this.#ownsClient = false;
    }
    this.context = { client, prefix, partitions };
  }

  /** True once `close` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Resolves once the connection may be used; every operation awaits it first. The first call stores the
   * partition count for the prefix, or checks it against the stored one. Throws `BackendClosedError` once
   * closed (also when closed while it waited), and `InvalidArgumentError` when the prefix is set up with
   * another partition count (so does every later call); a connection failure rejects only the calls
   * waiting on it, the next one tries again.
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
   * Closes once (later calls do nothing): from now on `open` throws `BackendClosedError`. Runs `stop`, the
   * shutdown of the backend's parts, waiting for it at most `CLOSE_TIMEOUT_MS`, then quits an owned
   * connection, disconnecting it when it is not ready or quitting fails or takes longer than that.
   */
  async close(stop: () => Promise<unknown>): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Each step that needs Redis is bounded: when it is down, close() must still end promptly.
    await withTimeout(stop(), CLOSE_TIMEOUT_MS);
    if (this.#ownsClient) {
      const { client } = this.context;
      const quit =
        client.status === 'ready' &&
        (await withTimeout(client.quit().then(() => true, () => false), CLOSE_TIMEOUT_MS));
      if (quit !== true) client.disconnect();
    }
  }

  async #checkConfig(): Promise<void> {
    await ensureConfig(this.context);
  }
}
