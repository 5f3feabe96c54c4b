import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { FailureLog } from '../../core/failure-log.js';
import { BackendUnavailableError } from '../../errors/errors.js';
import type { RedisClient } from './script-runner.js';

/** Options of `ConnectionGuard`. */
export interface ConnectionGuardOptions {
  /** Longest wait (ms) for a connection before a command is sent. */
  connectTimeoutMs: number;
  /** Longest wait (ms) for the reply to a command. */
  commandTimeoutMs: number;
  /** Added to `commandTimeoutMs` on duplicated connections, which serve blocking reads of up to this long. */
  blockTimeoutMs: number;
  /** Hears when the connection is lost and when it is restored. */
  logger: Logger;
}

// Longest pause between reconnection attempts of the connections this backend creates.
const MAX_RECONNECT_DELAY_MS = 1000;

// Replies that say the server cannot serve commands now, rather than that the command was wrong.
const UNAVAILABLE_REPLIES = new Set(['LOADING', 'BUSY', 'MASTERDOWN', 'CLUSTERDOWN', 'TRYAGAIN', 'READONLY']);

// Methods that are not commands to bound, although Redis has commands of these names.
const NOT_GUARDED = new Set(['quit', 'monitor']);

/**
 * ioredis options of every connection the backend creates (from a URL, and its duplicates): a command is
 * never queued while there is no connection, nor sent again after a reconnection, since its caller was
 * already told it failed; the guard waits for the connection instead, within `connectTimeoutMs`.
 */
export function ownedConnectionOptions(connectTimeoutMs: number): RedisOptions {
  return {
    connectTimeout: connectTimeoutMs,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt: number) => Math.min(attempt * 50, MAX_RECONNECT_DELAY_MS),
  };
}

/**
 * `err` as the backend reports it: failures to reach the store (a broken or refused connection, a server
 * that is loading, busy or read-only) become `BackendUnavailableError` with the driver's error as `cause`;
 * the store's answers (script errors, NOGROUP, WRONGTYPE, ...) and programming errors stay as they are.
 */
function toBackendError(err: unknown): unknown {
  if (err instanceof BackendUnavailableError || !(err instanceof Error)) return err;
  if (err.name === 'ReplyError') {
    const code = err.message.split(' ', 1)[0] ?? '';
    if (!UNAVAILABLE_REPLIES.has(code)) return err;
    return new BackendUnavailableError(`Redis cannot serve commands now: ${err.message}`, { cause: err });
  }
  if (err instanceof TypeError || err instanceof RangeError) return err;
  return new BackendUnavailableError(`Redis connection failed: ${err.message}`, { cause: err });
}

type Method = (...args: unknown[]) => unknown;

/**
 * Bounds and translates every command the backend sends, in one place: each command waits at most
 * `connectTimeoutMs` for a connection (at once when the connection has been down that long already) and
 * `commandTimeoutMs` for its reply (less when the connection closes meanwhile), and fails with
 * `BackendUnavailableError` otherwise. It wraps the
 * backend's connection in a proxy whose command methods do so; `duplicate()` on it returns a guarded
 * duplicate whose replies may take `blockTimeoutMs` longer (blocking reads). The guard also reports the
 * main connection's state (it speaks for the store): one line when it is lost and one when it is restored,
 * however many attempts fail in between; the duplicates' failures are only debug lines of their owners.
 */
export class ConnectionGuard {
  readonly #options: ConnectionGuardOptions;
  readonly #log: FailureLog;
  readonly #notReadySince = new WeakMap<RedisClient, number>();
  readonly #waiters = new WeakMap<RedisClient, Set<() => void>>();
  /** Per connection, what fails each call sent on it and not answered yet. */
  readonly #inFlight = new WeakMap<RedisClient, Set<(err: Error) => void>>();
  #closing = false;
  #unwatch: () => void = () => undefined;

  constructor(options: ConnectionGuardOptions) {
    this.#options = options;
    this.#log = new FailureLog(options.logger, {
      failed: 'redis connection lost; calls fail with BackendUnavailableError until it is restored',
      recovered: 'redis connection restored',
    });
  }

  /**
   * The guarded form of the backend's connection. `owned`: the backend created it, so its `error` events
   * (one per failed attempt) are heard here and nowhere else; a passed-in client keeps its owner's handling.
   */
  guard(client: RedisClient, owned: boolean): RedisClient {
    const unwatch = this.#watch(client, owned, true);
    // An owned connection keeps its listeners while it closes (an error event without one goes to stderr).
    if (!owned) this.#unwatch = unwatch;
    return this.#wrap(client, this.#options.commandTimeoutMs, true);
  }

  /** Stops reporting (the backend is closing its connections on purpose) and leaves a passed-in client's events alone. */
  close(): void {
    this.#closing = true;
    this.#unwatch();
  }

  /** Follows `client`'s state; returns what stops following it. */
  #watch(client: RedisClient, owned: boolean, main: boolean): () => void {
    if (client.status !== 'ready') this.#notReadySince.set(client, Date.now());
    const wakeWaiters = (): void => {
      const waiters = this.#waiters.get(client);
      this.#waiters.delete(client);
      for (const wake of waiters ?? []) wake();
    };
    const listeners: Record<string, (...args: unknown[]) => void> = {
      ready: () => {
        this.#notReadySince.delete(client);
        if (main) this.#log.succeeded();
        wakeWaiters();
      },
      close: () => {
        if (!this.#notReadySince.has(client)) this.#notReadySince.set(client, Date.now());
        // Their replies are gone with the socket (and they are not sent again): fail them now, not at their timeout.
        for (const fail of this.#inFlight.get(client) ?? []) fail(new BackendUnavailableError('the connection to Redis was lost during the call'));
        if (main) this.#down(new Error('the Redis connection closed'));
      },
      end: wakeWaiters,
    };
    if (owned) listeners.error = (err) => (main ? this.#down(err) : undefined);
    for (const [event, listener] of Object.entries(listeners)) client.on(event, listener);
    return () => {
      for (const [event, listener] of Object.entries(listeners)) client.off(event, listener);
    };
  }

  #down(err: unknown): void {
    if (!this.#closing) this.#log.failed(err);
  }

  #wrap(client: RedisClient, commandTimeoutMs: number, main: boolean): RedisClient {
    const commands = new Set(client.getBuiltinCommands().filter((name) => !NOT_GUARDED.has(name)));
    commands.add('call');
    const isCommand = (name: string): boolean => {
      const base = name.endsWith('Buffer') ? name.slice(0, -'Buffer'.length) : name;
      return commands.has(base) || base.startsWith('redflow:');
    };
    const cache = new Map<string | symbol, { method: Method; wrapped: Method }>();
    return new Proxy(client, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const method = value as Method;
        const cached = cache.get(property);
        if (cached?.method === method) return cached.wrapped;
        let wrapped: Method;
        if (typeof property === 'string' && isCommand(property)) {
          wrapped = (...args) => this.#send(target, method, args, commandTimeoutMs, main);
        } else if (property === 'duplicate') {
          wrapped = (...args) => this.#duplicate(target, args);
        } else {
          wrapped = method.bind(target);
        }
        cache.set(property, { method, wrapped });
        return wrapped;
      },
    });
  }

  #duplicate(client: RedisClient, args: unknown[]): RedisClient {
    const { connectTimeoutMs, commandTimeoutMs, blockTimeoutMs } = this.#options;
    const overrides = (args[0] ?? {}) as RedisOptions;
    const copy =
      client instanceof Redis
        ? client.duplicate({ ...ownedConnectionOptions(connectTimeoutMs), ...overrides })
        : (client.duplicate as Method).apply(client, args) as RedisClient;
    this.#watch(copy, true, false);
    return this.#wrap(copy, commandTimeoutMs + blockTimeoutMs, false);
  }

  async #send(client: RedisClient, method: Method, args: unknown[], timeoutMs: number, main: boolean): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    let fail: ((err: Error) => void) | undefined;
    const inFlight = this.#inFlight.get(client) ?? new Set();
    this.#inFlight.set(client, inFlight);
    try {
      if (client.status !== 'ready') await this.#connected(client);
      const failed = new Promise<never>((_, reject) => {
        fail = reject;
        timer = setTimeout(
          () => reject(new BackendUnavailableError(`Redis did not answer within ${timeoutMs} ms (commandTimeoutMs)`)),
          timeoutMs,
        );
      });
      if (fail !== undefined) inFlight.add(fail);
      const reply = await Promise.race([method.apply(client, args), failed]);
      if (main) this.#log.succeeded();
      return reply;
    } catch (err) {
      const mapped = toBackendError(err);
      // The main connection speaks for the store: a duplicate still reconnecting after it came back must not
      // log the outage again. An answer, even an error, means the store is there.
      if (main) {
        if (mapped instanceof BackendUnavailableError) this.#down(mapped);
        else this.#log.succeeded();
      }
      throw mapped;
    } finally {
      clearTimeout(timer);
      if (fail !== undefined) inFlight.delete(fail);
    }
  }

  /** Resolves once `client` is ready; rejects when it has not been for `connectTimeoutMs`, or was ended. */
  async #connected(client: RedisClient): Promise<void> {
    const { connectTimeoutMs } = this.#options;
    const since = this.#notReadySince.get(client) ?? Date.now();
    this.#notReadySince.set(client, since);
    const deadline = since + connectTimeoutMs;
    // A client created with lazyConnect waits for its first command to connect.
    if (client.status === 'wait') client.connect().catch(() => undefined);
    while (client.status !== 'ready') {
      if (client.status === 'end') throw new BackendUnavailableError('the Redis connection was closed');
      const waitMs = deadline - Date.now();
      if (waitMs <= 0) {
        throw new BackendUnavailableError(`no connection to Redis within ${connectTimeoutMs} ms (connectTimeoutMs)`);
      }
      await this.#nextChange(client, waitMs);
    }
  }

  /** Resolves when `client` becomes ready or ends, or after `ms`. */
  #nextChange(client: RedisClient, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(client) ?? new Set<() => void>();
      this.#waiters.set(client, waiters);
      const wake = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
    });
  }
}
