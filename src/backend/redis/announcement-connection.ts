import { Redis } from 'ioredis';
import type { RedisClient } from './scripts.js';

// How often a Cluster's announcement connection reads the slot map. When a slot moves (resharding), its node
// ends the sharded subscriptions of the slot's channels; ioredis subscribes them again on the new node once
// its map shows the move, and nothing else would make it look. (Not ioredis's `slotsRefreshInterval`: a refresh
// under way when the client disconnects arms its timer again, for ever, and the process never exits.)
const CLUSTER_SLOTS_REFRESH_MS = 2_000;

/** Called with each announcement: the channel it came on and its message. */
export type AnnouncementListener = (channel: string, message: string) => void;

/**
 * A connection that receives the announcements scripts publish (lua/lib/announce.lua): SUBSCRIBE and
 * `message` on one Redis; on a Redis Cluster, where scripts publish with SPUBLISH, SSUBSCRIBE and `smessage`
 * through ioredis's sharded subscribers (one subscriber connection per master, made when a channel of its
 * slots is first subscribed).
 *
 * `connection` emits the usual `ready`, `close` and `error`. On a Cluster, `onNodesChanged` listeners are
 * called whenever messages may have been missed without the connection closing: a node joined or left the
 * map, or the sharded subscribers were made again after the slot map changed (a failover, a resharding).
 */
export class AnnouncementConnection {
  /** The subscriber connection: a duplicate of the backend's connection, used for nothing else. */
  readonly connection: RedisClient;
  readonly #sharded: boolean;
  readonly #slotsRefresh: NodeJS.Timeout | undefined;

  constructor(base: RedisClient, listener: AnnouncementListener) {
    if (base instanceof Redis) {
      // A connection used only for SUBSCRIBE needs no ready check nor client info, and either can fail once
      // the connection is in subscriber mode (redis/ioredis#2037).
      this.connection = base.duplicate({ enableReadyCheck: false, disableClientInfo: true });
      this.connection.on('message', listener);
      this.#sharded = false;
    } else {
      const cluster = base.duplicate(undefined, { shardedSubscribers: true });
      cluster.on('smessage', listener);
      this.#slotsRefresh = setInterval(() => {
        if (cluster.status === 'ready') cluster.refreshSlotsCache();
      }, CLUSTER_SLOTS_REFRESH_MS);
      this.#slotsRefresh.unref();
      this.connection = cluster;
      this.#sharded = true;
    }
  }

  /** Subscribes to `channel`; resolves once Redis confirmed it, rejects when Redis refused it. */
  subscribe(channel: string): Promise<unknown> {
    return this.#sharded ? this.connection.ssubscribe(channel) : this.connection.subscribe(channel);
  }

  /** Ends the subscription to `channel`. */
  unsubscribe(channel: string): Promise<unknown> {
    return this.#sharded ? this.connection.sunsubscribe(channel) : this.connection.unsubscribe(channel);
  }

  /**
   * Calls `listener` whenever a Cluster's subscriptions may have missed messages while the connection stayed
   * up (see the class); never on one Redis, whose `close` and `ready` say it all.
   */
  onNodesChanged(listener: () => void): void {
    if (!this.#sharded) return;
    for (const event of ['+node', '-node', 'subscribersReady'] as const) this.connection.on(event, listener);
  }

  /** Closes the connection (and a Cluster's subscriber connections) at once. */
  disconnect(): void {
    clearInterval(this.#slotsRefresh);
    this.connection.disconnect();
  }
}
