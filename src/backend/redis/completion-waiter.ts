import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WorkflowInstanceState } from '../../core/instance.js';
import { BackendClosedError } from '../../errors/errors.js';
import type { DataLossWatch } from './data-loss-watch.js';
import type { RedisClient } from './scripts.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

interface Waiter {
  /** Re-reads the state and settles the wait if the execution ended. */
  check(): void;
  fail(err: Error): void;
}

/**
 * Waits for executions to end, woken by the `finished` pub/sub message their completion publishes.
 * One subscriber connection per backend, subscribed lazily to each partition's channel. Every waited
 * state is read again when the subscriber reconnects (messages sent meanwhile are gone) and when the
 * data-loss watch finds Redis's data lost, so a wait on a lost instance ends with `InstanceNotFoundError`
 * within about a second instead of running to its timeout.
 */
export class CompletionWaiter {
  readonly #base: RedisClient;
  readonly #logger: Logger;
  readonly #watch: DataLossWatch;
  #subscriber: RedisClient | undefined;
  readonly #channels = new Map<string, Promise<void>>();
  readonly #waiters = new Map<string, Set<Waiter>>();
  #closed = false;

  /** `watch` is started by the first wait; a data loss it finds makes every wait read its state again. */
  constructor(base: RedisClient, logger: Logger, watch: DataLossWatch) {
    this.#base = base;
    this.#logger = logger;
    this.#watch = watch;
    watch.onLoss(() => this.#checkAll());
  }

  /**
   * Resolves with the execution's state once `readState` reports it is no longer active, or with
   * 'active' after `timeoutMs`. Subscribes before the first read, so a completion in between is not missed.
   * `message` is what the completion publishes on `channel`.
   */
  async wait(
    channel: string,
    message: string,
    timeoutMs: number,
    readState: () => Promise<WorkflowInstanceState>,
  ): Promise<WorkflowInstanceState> {
    await this.#subscribe(channel);
    this.#watch.start();
    return new Promise<WorkflowInstanceState>((resolve, reject) => {
      let settled = false;
      let checking = false;
      let recheck = false;
      const waiters = this.#waiters.get(message) ?? new Set<Waiter>();
      this.#waiters.set(message, waiters);
      const finish = (): void => {
        settled = true;
        clearTimeout(timer);
        waiters.delete(waiter);
        if (waiters.size === 0 && this.#waiters.get(message) === waiters) this.#waiters.delete(message);
      };
      const waiter: Waiter = {
        check: () => {
          if (settled) return;
          // Serialize reads so an older read's 'active' cannot overtake a newer read's 'finished'.
          if (checking) {
            recheck = true;
            return;
          }
          checking = true;
          readState().then(
            (state) => {
              checking = false;
              if (settled) return;
              if (state !== 'active') {
                finish();
                resolve(state);
              } else if (recheck) {
                recheck = false;
                waiter.check();
              }
            },
            (err: unknown) => {
              checking = false;
              if (settled) return;
              finish();
              reject(err instanceof Error ? err : new Error(String(err)));
            },
          );
        },
        fail: (err) => {
          if (settled) return;
          finish();
          reject(err);
        },
      };
      const timer = setTimeout(
        () => {
          if (settled) return;
          finish();
          resolve('active');
        },
        // setTimeout fires at once for delays beyond 2^31 - 1 ms.
        Math.min(Math.max(0, timeoutMs), MAX_TIMER_MS),
      );
      waiters.add(waiter);
      waiter.check();
    });
  }

  /** Rejects every wait with `BackendClosedError` and disconnects the subscriber. */
  close(): void {
    this.#closed = true;
    for (const waiters of this.#waiters.values()) {
      for (const waiter of [...waiters]) waiter.fail(new BackendClosedError());
    }
    this.#waiters.clear();
    this.#subscriber?.disconnect();
  }

  async #subscribe(channel: string): Promise<void> {
    if (this.#closed) throw new BackendClosedError();
    let subscribed = this.#channels.get(channel);
    if (subscribed === undefined) {
      subscribed = this.#connection()
        .subscribe(channel)
        .then(() => undefined);
      this.#channels.set(channel, subscribed);
      subscribed.catch(() => this.#channels.delete(channel));
    }
    await subscribed;
  }

  #connection(): RedisClient {
    if (this.#subscriber !== undefined) return this.#subscriber;
    // ioredis's ready check (and the client-info commands before it) can be sent after a SUBSCRIBE issued while
    // the connection comes up, and then fail in subscriber mode, failing the subscription with them
    // (redis/ioredis#2037). A connection used only for SUBSCRIBE needs neither.
    const base = this.#base;
    const subscriber = base instanceof Redis ? base.duplicate({ enableReadyCheck: false, disableClientInfo: true }) : base.duplicate();
    let connectedBefore = false;
    subscriber.on('error', (err: unknown) => this.#logger.warn({ err }, 'redis subscriber connection error'));
    subscriber.on('message', (_channel: string, message: string) => this.#notify(message));
    // Messages published while the subscriber was reconnecting are gone: look at every waited state again.
    subscriber.on('ready', () => {
      if (connectedBefore) this.#checkAll();
      connectedBefore = true;
    });
    this.#subscriber = subscriber;
    return subscriber;
  }

  #notify(message: string): void {
    for (const waiter of [...(this.#waiters.get(message) ?? [])]) waiter.check();
  }

  #checkAll(): void {
    for (const waiters of this.#waiters.values()) {
      for (const waiter of [...waiters]) waiter.check();
    }
  }
}
