import type { Logger } from 'pino';
import { BackendClosedError } from '../../errors/errors.js';
import { BlockingPool } from './blocking-pool.js';
import type { RedisClient } from './scripts.js';
import { parseAutoClaimReply, parseReadGroupReply, type StreamEntry } from './stream-replies.js';

/** Options of `StreamTaskReader`. */
export interface StreamTaskReaderOptions {
  client: RedisClient;
  group: string;
  consumer: string;
  blockTimeoutMs: number;
  logger: Logger;
  /** Name of this kind of task in logs and connection names. */
  kind: string;
  /** Entries that arrived after their poll had returned; the owner hands them back to the queue. */
  giveBack(entries: StreamEntry[]): Promise<void>;
}

const MIN_RECLAIM_INTERVAL_MS = 250;

function isNoGroupError(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOGROUP');
}

/**
 * Reads task entries from consumer-group streams: new entries with a blocking XREADGROUP, and, every
 * half lease, entries whose holder stopped renewing them with XAUTOCLAIM (iterating each stream's
 * cursor, so healthy long-running entries at the head of a pending list never hide abandoned ones).
 */
export class StreamTaskReader {
  readonly #options: StreamTaskReaderOptions;
  readonly #pool: BlockingPool;
  readonly #groups = new Set<string>();
  readonly #cursors = new Map<string, string>();
  #lastReclaim = 0;

  constructor(options: StreamTaskReaderOptions) {
    this.#options = options;
    this.#pool = new BlockingPool(options.client, options.logger, `${options.kind}-reader`);
  }

  /** Streams this reader created its group on (and may have a consumer in). */
  get streams(): ReadonlySet<string> {
    return this.#groups;
  }

  /**
   * Claims entries: reclaimed ones when the reclaim interval has passed and some were found, else new
   * ones, waiting up to `blockTimeoutMs`. `slots` lists the streams in groups that may be read by one
   * command (on a Cluster, one group per partition). May return more than `max` entries when several
   * streams answer; the caller hands back the surplus.
   */
  async poll(slots: readonly string[][], max: number, lockTimeoutMs: number, signal: AbortSignal): Promise<StreamEntry[]> {
    const streams = slots.flat();
    try {
      await this.#ensureGroups(streams);
      if (Date.now() - this.#lastReclaim >= Math.max(MIN_RECLAIM_INTERVAL_MS, lockTimeoutMs / 2)) {
        this.#lastReclaim = Date.now();
        const reclaimed = await this.#reclaim(streams, max, lockTimeoutMs);
        if (reclaimed.length > 0) return reclaimed;
      }
      if (signal.aborted) return [];
      return await this.#readNew(this.#options.client.isCluster ? slots : [streams], max, signal);
    } catch (err) {
      // A Redis that lost its data (restart without persistence) lost the groups too: recreate them next time.
      if (isNoGroupError(err)) {
        this.#groups.clear();
        return [];
      }
      throw err;
    }
  }

  /** Ends blocked reads by disconnecting their connections. */
  close(): void {
    this.#pool.close();
  }

  async #ensureGroups(streams: readonly string[]): Promise<void> {
    const missing = streams.filter((stream) => !this.#groups.has(stream));
    await Promise.all(
      missing.map(async (stream) => {
        try {
          await this.#options.client.xgroup('CREATE', stream, this.#options.group, '0', 'MKSTREAM');
        } catch (err) {
          if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
        }
        this.#groups.add(stream);
      }),
    );
  }

  async #reclaim(streams: readonly string[], max: number, minIdleMs: number): Promise<StreamEntry[]> {
    const { client, group, consumer } = this.#options;
    const results = await Promise.all(
      streams.map(async (stream) => {
        const cursor = this.#cursors.get(stream) ?? '0-0';
        const idle = Math.floor(minIdleMs);
        const reply = await client.callBuffer('XAUTOCLAIM', stream, group, consumer, idle, cursor, 'COUNT', max);
        const parsed = parseAutoClaimReply(stream, reply);
        this.#cursors.set(stream, parsed.cursor);
        return Promise.all(parsed.entries.map((entry) => this.#withDeliveries(entry)));
      }),
    );
    return results.flat();
  }

  /** The entry with the delivery count XAUTOCLAIM gave it (which XAUTOCLAIM itself does not report). */
  async #withDeliveries(entry: StreamEntry): Promise<StreamEntry> {
    const { client, group, consumer } = this.#options;
    const reply = (await client.xpending(entry.stream, group, entry.id, entry.id, 1, consumer)) as unknown[][];
    const deliveries = Number(reply[0]?.[3] ?? 0);
    return { ...entry, deliveries };
  }

  /**
   * Starts one blocking read per slot group and returns as soon as one yields entries, the signal is
   * aborted, or all time out. Reads still running then are left to finish on their own connections;
   * whatever they deliver later is handed back.
   */
  #readNew(slots: readonly string[][], max: number, signal: AbortSignal): Promise<StreamEntry[]> {
    const { group, consumer, blockTimeoutMs, logger } = this.#options;
    const giveBack = (entries: StreamEntry[]): Promise<void> => this.#options.giveBack(entries);
    return new Promise((resolve, reject) => {
      const collected: StreamEntry[] = [];
      let pending = slots.length;
      let settled = false;
      const settle = (err?: Error): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (err === undefined) resolve(collected);
        else reject(err);
      };
      const onAbort = (): void => settle();
      signal.addEventListener('abort', onAbort, { once: true });

      for (const streams of slots) {
        const ids = streams.map(() => '>');
        const args = ['GROUP', group, consumer, 'COUNT', max, 'BLOCK', blockTimeoutMs, 'STREAMS', ...streams, ...ids];
        void this.#pool
          .use((connection) => connection.callBuffer('XREADGROUP', ...args))
          .then(
            (reply) => {
              const entries = parseReadGroupReply(reply);
              if (settled) {
                if (entries.length > 0) {
                  giveBack(entries).catch((err: unknown) => logger.warn({ err }, 'could not hand back late task entries'));
                }
                return;
              }
              collected.push(...entries);
              if (entries.length > 0) settle();
            },
            (err: unknown) => {
              if (settled) {
                if (!(err instanceof BackendClosedError)) logger.warn({ err }, 'late blocking read failed');
                return;
              }
              settle(err instanceof Error ? err : new Error(String(err)));
            },
          )
          .catch((err: unknown) => logger.warn({ err }, 'blocking read handler failed'))
          .finally(() => {
            pending -= 1;
            if (pending === 0) settle();
          });
      }
      if (slots.length === 0) settle();
    });
  }
}
