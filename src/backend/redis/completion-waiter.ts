import type { Logger } from 'pino';
import { BackendClosedError, BackendUnavailableError } from '../../errors/errors.js';
import type { AnnouncementConnection } from './announcement-connection.js';
import type { DataLossWatch } from './data-loss-watch.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

// How long after a Redis Cluster's nodes or slots changed the waits read their states again, besides once more
// when ioredis has made its sharded subscriptions again (AnnouncementConnection.onNodesChanged).
const CLUSTER_RESUBSCRIBE_MS = 500;

// On a Redis Cluster, how often every wait reads its state again whatever the subscription heard.
const CLUSTER_RECHECK_MS = 5_000;

// Tries of a SUBSCRIBE before the wait fails, and the pause between them.
const SUBSCRIBE_ATTEMPTS = 5;
const SUBSCRIBE_RETRY_MS = 100;

interface Waiter {
  /** Reads again and settles the wait if the execution ended. */
  check(): void;
  fail(err: Error): void;
}

/**
 * Waits for executions to end, woken by the `finished` pub/sub message their completion publishes, on the
 * backend's announcement connection, subscribed lazily to each partition's channel. Every waited
 * state is read again when the subscriber reconnects (messages sent meanwhile are gone) and when the
 * data-loss watch finds Redis's data lost, so a wait on a lost instance ends with `InstanceNotFoundError`
 * within about a second instead of running to its timeout.
 *
 * On a Redis Cluster completions are sharded messages (AnnouncementConnection): each lives on the node that
 * owns its partition's slot, and a failover or a resharding ends the subscriptions there until ioredis makes
 * them again; what was published meanwhile is lost. So there every wait also reads its state again just after
 * the cluster's nodes or slots changed and every `CLUSTER_RECHECK_MS`: a missed completion is noticed that much
 * later, at the cost of one read per waited execution per period.
 */
export class CompletionWaiter {
  readonly #announcements: AnnouncementConnection;
  readonly #logger: Logger;
  readonly #outageMs: number;
  readonly #watch: DataLossWatch;
  #attached = false;
  #recheck: NodeJS.Timeout | undefined;
  readonly #channels = new Map<string, Promise<void>>();
  readonly #waiters = new Map<string, Set<Waiter>>();
  #closed = false;

  /**
   * `announcements`: the backend's announcement connection, which this shares with its wake-up subscriber.
   * `watch` is started by the first wait; a data loss it finds makes every wait read its state again.
   * `outageMs`: how long the subscriber may be disconnected before the waits check the store is still there.
   */
  constructor(announcements: AnnouncementConnection, logger: Logger, watch: DataLossWatch, outageMs = Infinity) {
    this.#announcements = announcements;
    this.#logger = logger;
    this.#watch = watch;
    this.#outageMs = outageMs > MAX_TIMER_MS ? Infinity : outageMs;
    watch.onLoss(() => this.#checkAll());
  }

  /**
   * Resolves with what `read` returns once it returns something (the execution has ended; undefined means
   * still active), or with undefined after `timeoutMs`. `read` runs once at first and once per wake-up;
   * a read that throws rejects the wait. The first read always answers, even past `timeoutMs` (0 included):
   * an execution that has ended is never reported as still running. Subscribes before the first read, so
   * a completion in between is not missed. `message` is what the completion publishes on `channel`.
   */
  async wait<T>(channel: string, message: string, timeoutMs: number, read: () => Promise<T | undefined>): Promise<T | undefined> {
    await this.#subscribe(channel);
    this.#watch.start();
    return new Promise<T | undefined>((resolve, reject) => {
      let settled = false;
      let checking = false;
      let recheck = false;
      let firstRead = true;
      let expired = false;
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
          // Serialize reads so an older read's 'still active' cannot overtake a newer read's outcome.
          if (checking) {
            recheck = true;
            return;
          }
          checking = true;
          read().then(
            (ended) => {
              checking = false;
              firstRead = false;
              if (settled) return;
              if (ended !== undefined || expired) {
                finish();
                resolve(ended);
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
          if (firstRead) {
            expired = true;
            return;
          }
          finish();
          resolve(undefined);
        },
        // setTimeout fires at once for delays beyond 2^31 - 1 ms.
        Math.min(Math.max(0, timeoutMs), MAX_TIMER_MS),
      );
      waiters.add(waiter);
      waiter.check();
    });
  }

  /** Rejects every wait with `BackendClosedError`; the backend disconnects the announcement connection itself. */
  close(): void {
    this.#closed = true;
    for (const waiters of this.#waiters.values()) {
      for (const waiter of [...waiters]) waiter.fail(new BackendClosedError());
    }
    this.#waiters.clear();
    clearInterval(this.#recheck);
  }

  async #subscribe(channel: string): Promise<void> {
    if (this.#closed) throw new BackendClosedError();
    let subscribed = this.#channels.get(channel);
    if (subscribed === undefined) {
      subscribed = this.#subscribeOnce(channel);
      this.#channels.set(channel, subscribed);
      subscribed.catch(() => this.#channels.delete(channel));
    }
    await subscribed;
  }

  async #subscribeOnce(channel: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#attach().subscribe(channel);
        return;
      } catch (err) {
        // A subscription sent while ioredis runs the ready check of a new subscriber connection fails with it
        // (redis/ioredis#2037); on a Cluster, one sent while the sharded subscribers are being made again
        // fails too ("No sharded subscriber for slot", "Connection is closed"). Both are made again.
        // An unreachable store already took its bounded time: that is the answer.
        if (this.#closed || err instanceof BackendUnavailableError) throw err;
        if (attempt >= SUBSCRIBE_ATTEMPTS) throw new BackendUnavailableError(`could not subscribe to ${channel}`, { cause: err });
        await new Promise((resolve) => setTimeout(resolve, SUBSCRIBE_RETRY_MS));
      }
    }
  }

  #attach(): AnnouncementConnection {
    const announcements = this.#announcements;
    if (this.#attached) return announcements;
    this.#attached = true;
    const subscriber = announcements.connection;
    // The wake-up subscriber may have made the connection already: its next `ready` is then a reconnection.
    let connectedBefore = announcements.ready;
    announcements.onMessage((channel, message) => {
      if (this.#channels.has(channel)) this.#notify(message);
    });
    // The connection guard reports outages once; each failed attempt is only worth a debug line.
    subscriber.on('error', (err: unknown) => this.#logger.debug({ err }, 'redis subscriber connection error'));
    // Messages published while the subscriber was reconnecting are gone: look at every waited state again.
    subscriber.on('ready', () => {
      if (connectedBefore) this.#checkAll();
      connectedBefore = true;
    });
    // While it is down no message can come. A wait survives a short drop (a restart); once the subscriber has
    // been down for `outageMs`, a read tells each wait whether the store is there at all, and rejects it with
    // BackendUnavailableError when not: a wait must not outlast an outage silently.
    let outage: NodeJS.Timeout | undefined;
    subscriber.on('close', () => {
      if (this.#outageMs === Infinity) return;
      outage ??= setTimeout(() => {
        outage = undefined;
        this.#checkAll();
      }, this.#outageMs);
    });
    subscriber.on('ready', () => {
      clearTimeout(outage);
      outage = undefined;
    });
    subscriber.on('end', () => clearTimeout(outage));
    // On a Cluster a node's failure or a slot's move ends the sharded subscriptions it held, and ioredis makes
    // them again on the new node; what was published in between is gone: look at every waited state again
    // just after. The periodic look is the safety net for a move that went unnoticed.
    announcements.onNodesChanged(() => void setTimeout(() => this.#checkAll(), CLUSTER_RESUBSCRIBE_MS).unref());
    if (announcements.sharded) {
      this.#recheck = setInterval(() => this.#checkAll(), CLUSTER_RECHECK_MS);
      this.#recheck.unref();
    }
    return announcements;
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
