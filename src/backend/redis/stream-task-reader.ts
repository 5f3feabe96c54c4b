import type { Logger } from 'pino';
import { BackendClosedError } from '../../errors/errors.js';
import { BlockingPool } from './blocking-pool.js';
import { PartitionReads, type RoundResult } from './partition-reads.js';
import { ensureGroup, isMissingGroupError } from './consumer-groups.js';
import type { LeaseConsumers } from './lease-consumers.js';
import type { RedisClient, RedisScripts } from './scripts.js';
import { parseReadGroupReply, type StreamEntry } from './stream-replies.js';
import type { WakeSubscriber } from './wake-subscriber.js';

/** Options of `StreamTaskReader`. */
export interface StreamTaskReaderOptions {
  client: RedisClient;
  scripts: RedisScripts;
  group: string;
  /** The backend's consumers; a poll reads with the one named for its lease. */
  consumers: LeaseConsumers;
  blockTimeoutMs: number;
  logger: Logger;
  /** Name of this kind of task in logs and connection names. */
  kind: string;
  /** On a Cluster, where the announcements of new entries arrive (lua/lib/announce-task.lua). */
  wakeups: WakeSubscriber;
  /**
   * Entries that arrived after their poll had returned, delivered to the consumer of `lockTimeoutMs`; the
   * owner hands them back to the queue.
   */
  giveBack(entries: StreamEntry[], lockTimeoutMs: number): Promise<void>;
}

const MIN_RECLAIM_INTERVAL_MS = 250;
// On a Cluster, how often every stream is read even if nothing was announced on it: only a safety net, for
// an announcement lost without the subscriber noticing (it moving to another node).
const SWEEP_INTERVAL_MS = 30_000;
// On a Cluster, how often a poll reads the streams whose announcements do not arrive.
const UNANNOUNCED_READ_MS = 250;
// Pending entries one reclaim looks at per stream: ten per entry it may claim, as XAUTOCLAIM does, and at least 100.
const RECLAIM_SCAN_PER_ENTRY = 10;
const MIN_RECLAIM_SCAN = 100;

/**
 * Reads task entries from consumer-group streams: new entries, and entries whose
 * holder stopped renewing them for the holder's own lease with reclaim-tasks.lua (iterating each stream's
 * cursor, so healthy long-running entries at the head of a pending list never hide abandoned ones). A
 * reclaim runs every half of the poll's own lease, or sooner when a lease it saw running ends sooner.
 *
 * New entries: on one Redis with one blocking XREADGROUP over every stream. On a Cluster one command reads
 * one slot (partition) only, and a blocking read per partition would hold a connection each; there, the
 * scripts that add entries announce them on the stream's channel, and a poll reads without blocking the
 * streams announced since their last read came back short, waiting for an announcement in between (every
 * stream is read at its first poll, when the subscriber reconnects, and every 30 s).
 */
export class StreamTaskReader {
  readonly #options: StreamTaskReaderOptions;
  readonly #pool: BlockingPool;
  readonly #groups = new Set<string>();
  readonly #cursors = new Map<string, string>();
  #nextReclaimAt = 0;
  /** On a Cluster: streams that may hold entries no read has returned yet. */
  readonly #announced = new Set<string>();
  /** On a Cluster: when every stream is read next, announced or not (ms since the epoch). */
  #sweepAt = 0;
  /** Polls waiting for an announcement. */
  readonly #listeners = new Set<() => void>();
  /** On a Cluster: reads the announced partitions at once, and keeps a partition that does not answer from holding up the rest. */
  readonly #partitions: PartitionReads;

  constructor(options: StreamTaskReaderOptions) {
    this.#options = options;
    this.#pool = new BlockingPool(options.client, options.logger, `${options.kind}-reader`);
    this.#partitions = new PartitionReads(options.logger, options.kind);
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
    const consumer = this.#options.consumers.for(lockTimeoutMs);
    const cluster = this.#options.client.isCluster;
    const late = (entries: StreamEntry[]): Promise<void> => this.#options.giveBack(entries, lockTimeoutMs);
    try {
      // On a Cluster, only the partitions whose groups exist: one on a node that does not answer waits.
      const usable = cluster ? await this.#ensureClusterGroups(slots) : (await this.#ensureGroups(slots.flat()), slots);
      if (Date.now() >= this.#nextReclaimAt) {
        const reclaimed = await this.#reclaim(usable, consumer, max, lockTimeoutMs, late);
        if (reclaimed.length > 0) return reclaimed;
      }
      if (signal.aborted) return [];
      if (cluster) return await this.#readAnnounced(usable, consumer, max, signal, late);
      return await this.#readNew([slots.flat()], consumer, max, lockTimeoutMs, signal);
    } catch (err) {
      // A read that failed may have taken announcements with it: read every stream at the next poll.
      this.#sweepAt = 0;
      // A Redis that lost its data lost the groups too: recreate them (and restart the reclaim scans) next time.
      if (isMissingGroupError(err)) {
        this.#groups.clear();
        this.#cursors.clear();
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
    await Promise.all(streams.filter((stream) => !this.#groups.has(stream)).map((stream) => this.#ensureGroup(stream)));
  }

  async #ensureGroup(stream: string): Promise<void> {
    await ensureGroup(this.#options.client, stream, this.#options.group);
    this.#groups.add(stream);
  }

  /**
   * On a Cluster: creates the missing groups, each partition's at once and bounded like a read (`PartitionReads`),
   * and returns the partitions whose groups all exist.
   */
  async #ensureClusterGroups(slots: readonly string[][]): Promise<string[][]> {
    const missing = slots.filter((partitionStreams) => partitionStreams.some((stream) => !this.#groups.has(stream)) && this.#partitions.ready(partitionStreams));
    const round = await this.#partitions.round(
      missing.map((partitionStreams) => ({
        streams: partitionStreams,
        read: async () => {
          await this.#ensureGroups(partitionStreams);
          return [];
        },
      })),
      () => Promise.resolve(),
    );
    await throwIfAllMissed(round, missing.length);
    return slots.filter((partitionStreams) => partitionStreams.every((stream) => this.#groups.has(stream)));
  }

  /**
   * Claims entries whose holder's lease ran out, and schedules the next reclaim. On a Cluster each partition's
   * scan is a read of a round (`PartitionReads`): one whose node does not answer is scanned again later.
   */
  async #reclaim(
    slots: readonly string[][],
    consumer: string,
    max: number,
    lockTimeoutMs: number,
    late: (entries: StreamEntry[]) => Promise<void>,
  ): Promise<StreamEntry[]> {
    const { client, scripts, group } = this.#options;
    let soonestMs = lockTimeoutMs / 2;
    const reclaim = async (stream: string): Promise<StreamEntry[]> => {
      const reclaimed = await scripts.reclaimTasks(stream, {
        group,
        consumer,
        cursor: this.#cursors.get(stream) ?? '0-0',
        max,
        scan: Math.max(MIN_RECLAIM_SCAN, RECLAIM_SCAN_PER_ENTRY * max),
        // An entry held by a consumer whose name carries no lease (an older version's) is judged by this poll's lease.
        fallbackLeaseMs: Math.ceil(lockTimeoutMs),
      });
      this.#cursors.set(stream, reclaimed.cursor);
      soonestMs = Math.min(soonestMs, reclaimed.soonestLeaseEndMs ?? Infinity);
      return reclaimed.entries;
    };
    let scanned: StreamEntry[];
    if (client.isCluster) {
      const due = slots.filter((partitionStreams) => this.#partitions.ready(partitionStreams));
      const round = await this.#partitions.round(
        due.map((partitionStreams) => ({ streams: partitionStreams, read: async () => (await Promise.all(partitionStreams.map(reclaim))).flat() })),
        late,
      );
      await throwIfAllMissed(round, due.length, late);
      scanned = round.entries;
    } else {
      scanned = (await Promise.all(slots.flat().map(reclaim))).flat();
    }
    this.#nextReclaimAt = Date.now() + Math.max(MIN_RECLAIM_INTERVAL_MS, soonestMs);
    return scanned;
  }

  /**
   * Starts one blocking read per slot group and returns as soon as one yields entries, the signal is
   * aborted, or all time out. Reads still running then are left to finish on their own connections;
   * whatever they deliver later is handed back.
   */
  #readNew(slots: readonly string[][], consumer: string, max: number, lockTimeoutMs: number, signal: AbortSignal): Promise<StreamEntry[]> {
    const { group, blockTimeoutMs, logger } = this.#options;
    const giveBack = (entries: StreamEntry[]): Promise<void> => this.#options.giveBack(entries, lockTimeoutMs);
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
        // COUNT holds for each stream: asking each for its share keeps a read of many partitions' streams from
        // claiming many times `max`, all of which but `max` would be locked and handed back.
        const count = Math.ceil(max / streams.length);
        const args = ['GROUP', group, consumer, 'COUNT', count, 'BLOCK', blockTimeoutMs, 'STREAMS', ...streams, ...ids];
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

  /**
   * On a Cluster: reads, without blocking and one partition after another until `max` entries came, the
   * partitions with streams announced since their last read came back short (all of them when a sweep is due,
   * and those whose announcements do not arrive: not subscribed yet, or the subscriber is down); waits for an
   * announcement while none came, up to `blockTimeoutMs` (250 ms while some announcements do not arrive).
   * Each read is bounded like a round of `PartitionReads`: a partition whose node does not answer within
   * `SLOW_NODE_CUTOFF_MS` is left behind (and backs off) while the others are read; only when every read of a
   * poll failed does the poll fail.
   */
  async #readAnnounced(
    slots: readonly string[][],
    consumer: string,
    max: number,
    signal: AbortSignal,
    late: (entries: StreamEntry[]) => Promise<void>,
  ): Promise<StreamEntry[]> {
    const { blockTimeoutMs, wakeups } = this.#options;
    const streams = slots.flat();
    // Until a stream's subscription is confirmed, polls read it every round; then once more (see `ensure`).
    for (const stream of streams) if (!wakeups.announces(stream)) wakeups.ensure(stream, this.#onAnnouncement(stream));
    const deadline = Date.now() + blockTimeoutMs;
    for (;;) {
      if (Date.now() >= this.#sweepAt) {
        this.#sweepAt = Date.now() + SWEEP_INTERVAL_MS;
        for (const stream of streams) this.#announced.add(stream);
      }
      let deaf = false;
      for (const stream of streams) {
        if (wakeups.announces(stream)) continue;
        this.#announced.add(stream);
        deaf = true;
      }
      const due = (partitionStreams: readonly string[]): boolean =>
        partitionStreams.some((stream) => this.#announced.has(stream)) && this.#partitions.ready(partitionStreams);
      const collected: StreamEntry[] = [];
      let reads = 0;
      let failure: Error | undefined;
      let missed = 0;
      for (const partitionStreams of slots) {
        const wanted = max - collected.length;
        if (wanted <= 0 || signal.aborted) break;
        if (!due(partitionStreams)) continue;
        for (const stream of partitionStreams) this.#announced.delete(stream);
        // COUNT holds for each stream: each is asked for its share of what is still wanted.
        const count = Math.ceil(wanted / partitionStreams.length);
        const round = await this.#partitions.round([{ streams: partitionStreams, read: () => this.#readPartition(partitionStreams, consumer, count) }], late);
        reads += 1;
        if (round.missed.length > 0) {
          for (const stream of partitionStreams) this.#announced.add(stream);
          missed += 1;
          failure ??= round.error;
          if (round.error !== undefined && isMissingGroupError(round.error)) {
            if (collected.length > 0) await late(collected);
            throw round.error;
          }
        }
        collected.push(...round.entries);
      }
      // A poll all of whose reads failed says so (the store is likely down); late reads are only slow nodes.
      if (collected.length === 0 && failure !== undefined && missed === reads) throw failure;
      if (collected.length > 0 || signal.aborted || Date.now() >= deadline) return collected;
      // Announced while the reads ran: read again at once rather than wait for the next one.
      if (!deaf && slots.some(due)) continue;
      const wakeAt = Math.min(deadline, this.#partitions.nextRetryAt(slots), deaf ? Date.now() + UNANNOUNCED_READ_MS : Infinity);
      await this.#announcement(wakeAt, signal);
    }
  }

  /** Reads up to `count` new entries of each of one partition's streams; a stream that gave all it was asked stays announced. */
  async #readPartition(partitionStreams: readonly string[], consumer: string, count: number): Promise<StreamEntry[]> {
    const { client, group } = this.#options;
    const ids = partitionStreams.map(() => '>');
    const reply = await client.callBuffer('XREADGROUP', 'GROUP', group, consumer, 'COUNT', count, 'STREAMS', ...partitionStreams, ...ids);
    const entries = parseReadGroupReply(reply);
    for (const stream of partitionStreams) {
      if (entries.filter((entry) => entry.stream === stream).length >= count) this.#announced.add(stream);
    }
    return entries;
  }

  #onAnnouncement(stream: string): (message: string | undefined) => void {
    return (message) => {
      // Without a message, announcements may have been lost: read every stream at the next round.
      if (message === undefined) for (const known of this.#groups) this.#announced.add(known);
      else this.#announced.add(stream);
      for (const listener of [...this.#listeners]) listener();
    };
  }

  /** Resolves at the next announcement, at `deadlineMs` or when `signal` aborts, whichever comes first. */
  async #announcement(deadlineMs: number, signal: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#listeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadlineMs - Date.now()));
      signal.addEventListener('abort', done, { once: true });
      this.#listeners.add(done);
    });
  }
}

/**
 * Throws the round's error when every one of its `reads` reads failed or came late and one failed (the store is
 * likely down, or a group is missing: the poll's caller handles both), after handing back what answered.
 */
async function throwIfAllMissed(round: RoundResult, reads: number, late?: (entries: StreamEntry[]) => Promise<void>): Promise<void> {
  const { error } = round;
  if (error === undefined) return;
  if (round.missed.length < reads && !isMissingGroupError(error)) return;
  if (late !== undefined && round.entries.length > 0) await late(round.entries);
  throw error;
}
