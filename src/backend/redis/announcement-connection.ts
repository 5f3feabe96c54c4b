import type { Cluster, Redis } from 'ioredis';
import { BackendClosedError } from '../../errors/errors.js';
import type { RedisClient } from './scripts.js';

// How often a Cluster's announcement connection compares its slot map with the backend's client's. When a slot
// moves (resharding, failover), its old master ends the sharded subscriptions of the slot's channels without a
// word ioredis passes on; the backend's client learns of the move from its commands' MOVED replies, and this
// connection then reads the slot map, so ioredis subscribes the channels again on the new master. Comparing
// costs no command; reading the map opens a connection, so it is only read when the two differ.
const SLOT_CHECK_MS = 2_000;

/** Called with each announcement: the channel it came on and its message. */
export type AnnouncementListener = (channel: string, message: string) => void;

/**
 * The backend's one connection for the announcements scripts publish (lua/lib/announce.lua), shared by its
 * wake-up subscriber and its completion waits: SUBSCRIBE and `message` on one Redis; on a Redis Cluster, where
 * scripts publish with SPUBLISH, SSUBSCRIBE and `smessage` through ioredis's sharded subscribers (one
 * subscriber connection per master, made when a channel of its slots is first subscribed). The connection is
 * made at the first use of `connection` (or a subscription); the backend disconnects it when it closes.
 *
 * `connection` emits the usual `ready`, `close` and `error`. On a Cluster, `onNodesChanged` listeners are
 * called whenever messages may have been missed without the connection closing: a node joined or left, or a
 * slot changed masters (then also once ioredis has subscribed again on the new masters).
 */
export class AnnouncementConnection {
  /** True on a Cluster: subscriptions are sharded ones. */
  readonly sharded: boolean;
  readonly #base: RedisClient;
  readonly #messageListeners: AnnouncementListener[] = [];
  readonly #changeListeners: Array<() => void> = [];
  #connection: RedisClient | undefined;
  #closed = false;
  #slotCheck: NodeJS.Timeout | undefined;
  // Set when the masters changed: the next `subscribersReady` (ioredis subscribed again) is worth a look too.
  #resubscribing = false;

  /** `base`: the backend's connection, which the subscriber connection duplicates (and on a Cluster follows). */
  constructor(base: RedisClient) {
    this.#base = base;
    this.sharded = base.isCluster;
  }

  /** The subscriber connection, a duplicate of the backend's used for nothing else; made at the first call. Throws `BackendClosedError` after `disconnect()`. */
  get connection(): RedisClient {
    if (this.#closed) throw new BackendClosedError();
    this.#connection ??= this.#connect();
    return this.#connection;
  }

  /** True while the subscriber connection is made and ready. */
  get ready(): boolean {
    return this.#connection?.status === 'ready';
  }

  /** Calls `listener` with every announcement on any subscribed channel. */
  onMessage(listener: AnnouncementListener): void {
    this.#messageListeners.push(listener);
  }

  /** Subscribes to `channel`; resolves once Redis confirmed it, rejects when Redis refused it. */
  subscribe(channel: string): Promise<unknown> {
    return this.sharded ? this.connection.ssubscribe(channel) : this.connection.subscribe(channel);
  }

  /** Ends the subscription to `channel`. */
  unsubscribe(channel: string): Promise<unknown> {
    return this.sharded ? this.connection.sunsubscribe(channel) : this.connection.unsubscribe(channel);
  }

  /**
   * Calls `listener` whenever a Cluster's subscriptions may have missed messages while the connection stayed
   * up (see the class); never on one Redis, whose `close` and `ready` say it all.
   */
  onNodesChanged(listener: () => void): void {
    this.#changeListeners.push(listener);
  }

  /** Closes the connection (and a Cluster's subscriber connections) at once, for good. */
  disconnect(): void {
    this.#closed = true;
    clearInterval(this.#slotCheck);
    this.#connection?.disconnect();
  }

  #connect(): RedisClient {
    const deliver = (channel: string, message: string): void => {
      for (const listener of this.#messageListeners) listener(channel, message);
    };
    if (!this.sharded) {
      // A connection used only for SUBSCRIBE needs no ready check nor client info, and either can fail once
      // the connection is in subscriber mode (redis/ioredis#2037).
      const connection = (this.#base as Redis).duplicate({ enableReadyCheck: false, disableClientInfo: true });
      connection.on('message', deliver);
      return connection;
    }
    const base = this.#base as Cluster;
    const cluster = base.duplicate(undefined, {
      shardedSubscribers: true,
      // Not ioredis's periodic refresh, whatever the backend's client uses: a refresh under way when the client
      // disconnects arms its timer again, for ever, and the process never exits. See SLOT_CHECK_MS instead.
      slotsRefreshInterval: 0,
    });
    cluster.on('smessage', deliver);
    this.#watchCluster(base, cluster);
    return cluster;
  }

  #watchCluster(base: Cluster, cluster: Cluster): void {
    const changed = (): void => {
      // ioredis announces every node it finds while it first connects (and again while it reconnects): nothing
      // was subscribed before the first `ready`, and a reconnection's `ready` makes its listeners look anyway.
      if (cluster.status !== 'ready') return;
      this.#resubscribing = true;
      for (const listener of this.#changeListeners) listener();
    };
    cluster.on('+node', changed);
    cluster.on('-node', changed);
    // ioredis also makes its subscribers again when only the order of a slot's replicas differs between two
    // reads of the map (nodes list them differently): only a reset after a real change is worth a look.
    cluster.on('subscribersReady', () => {
      if (!this.#resubscribing) return;
      this.#resubscribing = false;
      for (const listener of this.#changeListeners) listener();
    });
    this.#slotCheck = setInterval(() => {
      if (cluster.status !== 'ready' || !mastersDiffer(base.slots, cluster.slots)) return;
      changed();
      // Either map may be the stale one: a connection that has sent nothing to a moved slot has not heard of it.
      base.refreshSlotsCache();
      cluster.refreshSlotsCache();
    }, SLOT_CHECK_MS);
    this.#slotCheck.unref();
  }
}

/** True when a slot known to both maps has a different master in each (a slot map is slot → node keys, master first). */
function mastersDiffer(a: readonly (readonly string[])[], b: readonly (readonly string[])[]): boolean {
  const slots = Math.min(a.length, b.length);
  for (let slot = 0; slot < slots; slot++) {
    const left = a[slot]?.[0];
    const right = b[slot]?.[0];
    if (left !== undefined && right !== undefined && left !== right) return true;
  }
  return false;
}
