import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { FailureLog } from '../../core/failure-log.js';
import { BackendUnavailableError } from '../../errors/errors.js';
import type { ReplicaAcks } from './options.js';
import { runWithReplicaAcks } from './replica-acks.js';
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
  /** When set, every script on the main connection waits for this many replicas (see `runWithReplicaAcks`). */
  replicaAcks?: ReplicaAcks;
}

// How long after the latest refusal, or the latest call a Cluster node left unanswered, a success counts as
// recovery: calls to the other partitions succeed in between, and must not log a recovery each time.
const RECOVERY_QUIET_MS = 5_000;

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

/** A call sent on a connection and not answered yet. */
interface Pending {
  /** `performance.now()` by which the reply must have come. */
  readonly deadline: number;
  /** Fails the call (once; later replies are ignored). */
  readonly fail: (err: Error) => void;
}

/** What the guard follows of one connection. */
interface Watched {
  readonly client: RedisClient;
  /** Longest wait (ms) for a reply on this connection. */
  readonly timeoutMs: number;
  /** Whether this connection speaks for the store in the log. */
  readonly main: boolean;
  /** `Date.now()` since which it has not been ready; undefined while it is. */
  notReadySince: number | undefined;
  /** The driver's latest error since it was last ready (owned connections only): the cause of what fails meanwhile. */
  lastError: Error | undefined;
  /** What wakes the calls waiting for it to become ready. */
  readonly waiters: Set<() => void>;
  /** Whether its socket is corked until the end of this tick (see `coalesceWrites`). */
  corked: boolean;
  /**
   * Calls in flight, oldest first. All share `timeoutMs`, so this is also deadline order, and one timer for
   * the oldest deadline bounds them all: a timer per call costs more than the call itself at high rates.
   */
  readonly inFlight: Set<Pending>;
  /** Fires at the oldest call's deadline; undefined when nothing is in flight. */
  sweep: NodeJS.Timeout | undefined;
}

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
  /** Redis answering that it cannot serve commands now (LOADING, BUSY, TRYAGAIN, ...): the connection is fine. */
  readonly #refusals: FailureLog;
  /** On a Cluster whose client stays ready: a node that does not answer, while the others do. */
  readonly #nodes: FailureLog;
  #closing = false;
  #unwatch: () => void = () => undefined;

  constructor(options: ConnectionGuardOptions) {
    this.#options = options;
    this.#log = new FailureLog(options.logger, {
      failed: 'redis connection lost; until it is restored, calls fail with BackendUnavailableError within connectTimeoutMs or commandTimeoutMs',
      recovered: 'redis connection restored',
    });
    this.#refusals = new FailureLog(options.logger, {
      failed:
        'redis answers that it cannot serve commands now (loading, busy, read-only, a slot moving or a shard down); until it can, those calls fail with BackendUnavailableError',
      recovered: 'redis serves commands again',
      quietMs: RECOVERY_QUIET_MS,
    });
    this.#nodes = new FailureLog(options.logger, {
      failed:
        'a Redis Cluster node did not answer within commandTimeoutMs; calls to the partitions it serves fail with BackendUnavailableError until it answers, the other partitions go on',
      recovered: 'every Redis Cluster node answers again',
      quietMs: RECOVERY_QUIET_MS,
    });
  }

  /**
   * The guarded form of the backend's connection. `owned`: the backend created it, so its `error` events
   * (one per failed attempt) are heard here and nowhere else; a passed-in client keeps its owner's handling.
   */
  guard(client: RedisClient, owned: boolean): RedisClient {
    const watched = this.#watched(client, this.#options.commandTimeoutMs, true);
    const unwatch = this.#watch(watched, owned);
    // An owned connection keeps its listeners while it closes (an error event without one goes to stderr).
    if (!owned) this.#unwatch = unwatch;
    return this.#wrap(watched);
  }

  /** Stops reporting (the backend is closing its connections on purpose) and leaves a passed-in client's events alone. */
  close(): void {
    this.#closing = true;
    this.#unwatch();
  }

  #watched(client: RedisClient, timeoutMs: number, main: boolean): Watched {
    return {
      client,
      timeoutMs,
      main,
      notReadySince: client.status === 'ready' ? undefined : Date.now(),
      lastError: undefined,
      waiters: new Set(),
      corked: false,
      inFlight: new Set(),
      sweep: undefined,
    };
  }

  /** Follows the connection's state; returns what stops following it. */
  #watch(watched: Watched, owned: boolean): () => void {
    const { client, main } = watched;
    const wakeWaiters = (): void => {
      const waiters = [...watched.waiters];
      watched.waiters.clear();
      for (const wake of waiters) wake();
    };
    const listeners: Record<string, (...args: unknown[]) => void> = {
      ready: () => {
        watched.notReadySince = undefined;
        watched.lastError = undefined;
        if (main) this.#log.succeeded();
        wakeWaiters();
      },
      close: () => {
        watched.notReadySince ??= Date.now();
        // Their replies are gone with the socket (and they are not sent again): fail them now, not at their timeout.
        for (const pending of watched.inFlight) {
          pending.fail(new BackendUnavailableError('the connection to Redis was lost during the call', { cause: watched.lastError }));
        }
        if (main) this.#down(new Error('the Redis connection closed'));
      },
      end: wakeWaiters,
    };
    if (owned) {
      listeners.error = (err) => {
        watched.lastError = err instanceof Error ? err : new Error(String(err));
        if (main) this.#down(err);
      };
    }
    for (const [event, listener] of Object.entries(listeners)) client.on(event, listener);
    return () => {
      for (const [event, listener] of Object.entries(listeners)) client.off(event, listener);
    };
  }

  #down(err: unknown): void {
    if (!this.#closing) this.#log.failed(err);
  }

  /** The store answered: it is reachable, and serves commands. */
  #served(): void {
    this.#log.succeeded();
    this.#refusals.succeeded();
    this.#nodes.succeeded();
  }

  #wrap(watched: Watched): RedisClient {
    const client = watched.client;
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
        const { replicaAcks } = this.#options;
        if (typeof property === 'string' && property.startsWith('redflow:') && watched.main && replicaAcks !== undefined) {
          // Scripts are every write of workflow state: each is followed by its WAIT for replicas.
          wrapped = (...args) => this.#send(watched, (...sent) => runWithReplicaAcks(target, property, sent, replicaAcks), args);
        } else if (typeof property === 'string' && isCommand(property)) {
          wrapped = (...args) => this.#send(watched, method, args);
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
    // `isCluster`, not `instanceof`: a client made by another copy of ioredis is no instance of this one's classes.
    const copy = client.isCluster
      ? ((client.duplicate as Method).apply(client, args) as RedisClient)
      : (client as Redis).duplicate(Object.assign(ownedConnectionOptions(connectTimeoutMs), overrides));
    const watched = this.#watched(copy, commandTimeoutMs + blockTimeoutMs, false);
    this.#watch(watched, true);
    return this.#wrap(watched);
  }

  #send(watched: Watched, method: Method, args: unknown[]): Promise<unknown> {
    if (watched.client.status === 'ready') return this.#call(watched, method, args);
    return this.#connected(watched).then(
      () => this.#call(watched, method, args),
      (err: unknown) => {
        throw this.#failed(watched, err);
      },
    );
  }

  /** Sends the command on a ready connection and settles with its reply, or fails at its deadline. */
  #call(watched: Watched, method: Method, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        deadline: performance.now() + watched.timeoutMs,
        fail: (err) => {
          // The driver's own rejection reason, translated: what the unguarded call would have rejected with.
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          if (watched.inFlight.delete(pending)) reject(this.#failed(watched, err));
        },
      };
      watched.inFlight.add(pending);
      watched.sweep ??= this.#armSweep(watched, watched.timeoutMs);
      let reply: Promise<unknown>;
      coalesceWrites(watched);
      try {
        reply = method.apply(watched.client, args) as Promise<unknown>;
      } catch (err) {
        pending.fail(err as Error);
        return;
      }
      reply.then((value) => {
        if (!watched.inFlight.delete(pending)) return;
        if (watched.main) this.#served();
        resolve(value);
      }, pending.fail);
    });
  }

  /**
   * Fails the calls past their deadline when the oldest one is due, and waits for the next one. The timer
   * only bounds waits on a socket: it never keeps a process alive that has nothing else to do (a call on a
   * connection that was dropped would otherwise hold an exiting process for `commandTimeoutMs`).
   */
  #armSweep(watched: Watched, delayMs: number): NodeJS.Timeout {
    const sweep = setTimeout(() => {
      watched.sweep = undefined;
      const now = performance.now();
      for (const pending of watched.inFlight) {
        if (pending.deadline > now) {
          watched.sweep = this.#armSweep(watched, pending.deadline - now);
          return;
        }
        pending.fail(new BackendUnavailableError(`Redis did not answer within ${watched.timeoutMs} ms (commandTimeoutMs)`));
      }
    }, delayMs);
    sweep.unref();
    return sweep;
  }

  /**
   * `err` as the caller gets it (see `toBackendError`), noted in the log: the main connection speaks for the
   * store, and an answer, even an error, means the store is there. A duplicate still reconnecting after the
   * main connection came back must not log the outage again.
   */
  #failed(watched: Watched, err: unknown): unknown {
    const mapped = toBackendError(err);
    if (watched.main) {
      const refused = mapped instanceof BackendUnavailableError && mapped.cause instanceof Error && mapped.cause.name === 'ReplyError';
      if (!(mapped instanceof BackendUnavailableError)) this.#served();
      else if (refused) this.#refusals.failed(mapped);
      // A Cluster client that stays ready still reaches the other nodes: one of them is slow or gone, not the store.
      else if (watched.client.isCluster && watched.client.status === 'ready') this.#nodes.failed(mapped);
      else this.#down(mapped);
    }
    return mapped;
  }

  /** Resolves once the connection is ready; rejects when it has not been for `connectTimeoutMs`, or was ended. */
  async #connected(watched: Watched): Promise<void> {
    const { client } = watched;
    const { connectTimeoutMs } = this.#options;
    watched.notReadySince ??= Date.now();
    const deadline = watched.notReadySince + connectTimeoutMs;
    // A client created with lazyConnect waits for its first command to connect.
    if (client.status === 'wait') client.connect().catch(() => undefined);
    while (client.status !== 'ready') {
      if (client.status === 'end') throw new BackendUnavailableError('the Redis connection was closed');
      const waitMs = deadline - Date.now();
      if (waitMs <= 0) {
        throw new BackendUnavailableError(`no connection to Redis within ${connectTimeoutMs} ms (connectTimeoutMs)`, { cause: watched.lastError });
      }
      await this.#nextChange(watched, waitMs);
    }
  }

  /** Resolves when the connection becomes ready or ends, or after `ms`. */
  #nextChange(watched: Watched, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        watched.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      watched.waiters.add(wake);
    });
  }
}

/**
 * Corks the connection's socket until the end of the current tick, so the commands sent in one tick leave in
 * one write: a socket write costs more than building a command, and calls whose replies arrived together
 * (one read from the socket) send their next commands together.
 */
function coalesceWrites(watched: Watched): void {
  if (watched.corked) return;
  const stream = (watched.client as { stream?: { cork(): void; uncork(): void } }).stream;
  if (stream === undefined) return;
  watched.corked = true;
  stream.cork();
  process.nextTick(() => {
    watched.corked = false;
    stream.uncork();
  });
}
