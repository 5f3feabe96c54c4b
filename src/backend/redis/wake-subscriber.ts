import type { Logger } from 'pino';
import type { AnnouncementConnection } from './announcement-connection.js';

/**
 * What a `WakeSubscriber` hands a channel's handler: a message published on the channel, or `undefined` when
 * messages may have been missed (the subscriber connection dropped or came back), so the handler should look
 * at the store itself.
 */
export type WakeHandler = (message: string | undefined) => void;

// After Redis refused a subscription (an ACL user without the channels), how long further ones are refused
// here without asking: the loops try again at every look, every 250 ms each.
const REFUSAL_MS = 10_000;

/**
 * The pub/sub side of the wake-ups scripts publish (lua/lib/wake-owner.lua for a partition's owner,
 * lua/lib/announce-task.lua for task pollers on a Cluster): one subscriber connection per backend, made at
 * the first subscription, with one handler per channel.
 *
 * Pub/sub delivers at most once, and nothing while the connection is down, so a handler is also called
 * with `undefined` when its subscription is confirmed, whenever the connection closes or is ready again, and, on a Cluster, whenever the cluster's
 * nodes or slots change (AnnouncementConnection.onNodesChanged); `live` says whether messages are arriving
 * now. Loops that rely on it keep a slow look at the store of their own for what a drop lost.
 */
export class WakeSubscriber {
  readonly #announcements: AnnouncementConnection;
  readonly #logger: Logger;
  readonly #handlers = new Map<string, WakeHandler>();
  /** Channels whose subscription Redis confirmed (renewed by ioredis with the connection). */
  readonly #confirmed = new Set<string>();
  readonly #pending = new Set<string>();
  #attached = false;
  #ready = false;
  #closed = false;
  #refusedUntil = 0;

  /** `announcements`: the backend's announcement connection, which this shares with its completion waits. */
  constructor(announcements: AnnouncementConnection, logger: Logger) {
    this.#announcements = announcements;
    this.#logger = logger;
  }

  /** True while the subscriber connection is up: messages published now reach the handlers. */
  get live(): boolean {
    return this.#ready && !this.#closed;
  }

  /** True while announcements on `channel` arrive: its subscription is confirmed and the connection is up. */
  announces(channel: string): boolean {
    return this.live && this.#confirmed.has(channel);
  }

  /**
   * Makes sure `handler` is subscribed to `channel`, in the background; a loop calls it at every look. Once
   * Redis confirms the subscription the handler is called without a message, so that it looks at the store
   * at once: what was written before the subscription was announced to nobody. Until then (`announces` is
   * false) the caller looks on its own. A refused subscription (an ACL user without the channel) is tried
   * again at a later call; after a refusal, none is asked of Redis for 10 s, until the connection is made again.
   */
  ensure(channel: string, handler: WakeHandler): void {
    if (this.#closed || this.#confirmed.has(channel) || this.#pending.has(channel) || Date.now() < this.#refusedUntil) return;
    this.#pending.add(channel);
    this.#handlers.set(channel, handler);
    this.#attach()
      .subscribe(channel)
      .then(
        () => {
          this.#pending.delete(channel);
          if (this.#handlers.get(channel) !== handler) return;
          this.#confirmed.add(channel);
          handler(undefined);
        },
        (err: unknown) => {
          this.#pending.delete(channel);
          if (this.#handlers.get(channel) === handler) this.#handlers.delete(channel);
          this.#refusedUntil = Date.now() + REFUSAL_MS;
          this.#logger.debug({ err, channel }, 'could not subscribe to wake-ups');
        },
      );
  }

  /**
   * Ends `channel`'s subscription: its handler is not called again from now on. Does not wait for Redis
   * (a loop stopping while Redis is unreachable must not wait for it); the connection stops receiving the
   * channel's messages once Redis has the request.
   */
  unsubscribe(channel: string, handler: WakeHandler): void {
    // Another subscriber of the channel replaced this one: it keeps the subscription.
    if (this.#handlers.get(channel) !== handler) return;
    this.#handlers.delete(channel);
    this.#confirmed.delete(channel);
    if (!this.#attached || this.#closed) return;
    this.#announcements.unsubscribe(channel).catch((err: unknown) => this.#logger.debug({ err, channel }, 'could not unsubscribe from wake-ups'));
  }

  /** No handler is called after this; the backend disconnects the announcement connection itself. */
  close(): void {
    this.#closed = true;
    this.#handlers.clear();
  }

  #attach(): AnnouncementConnection {
    const announcements = this.#announcements;
    if (this.#attached) return announcements;
    this.#attached = true;
    const connection = announcements.connection;
    // Its completion waits may have made the connection already: then no `ready` is coming.
    this.#ready = announcements.ready;
    announcements.onMessage((channel, message) => {
      if (!this.#closed) this.#handlers.get(channel)?.(message);
    });
    // The connection guard reports outages once; each failed attempt is only worth a debug line.
    connection.on('error', (err: unknown) => this.#logger.debug({ err }, 'redis wake-up subscriber connection error'));
    // The first `ready` follows no drop: each subscription's confirmation makes its handler look already.
    let connectedBefore = this.#ready;
    connection.on('ready', () => {
      this.#ready = true;
      // A new connection may be allowed what the last one was refused.
      this.#refusedUntil = 0;
      if (connectedBefore) this.#missed();
      connectedBefore = true;
    });
    connection.on('close', () => {
      if (!this.#ready) return;
      this.#ready = false;
      this.#missed();
    });
    announcements.onNodesChanged(() => this.#missed());
    return announcements;
  }

  #missed(): void {
    if (this.#closed) return;
    for (const handler of [...this.#handlers.values()]) handler(undefined);
  }
}
