import type { Logger } from 'pino';
import { FailureLog } from '../../core/failure-log.js';
import { settledWithin } from '../../core/settled-within.js';
import { isMissingGroupError } from './consumer-groups.js';
import type { StreamEntry } from './stream-replies.js';

/** One partition's part of a round: the streams it reads (one partition's, so one slot) and the read. */
export interface PartitionRead {
  readonly streams: readonly string[];
  read(this: void): Promise<StreamEntry[]>;
}

/** What a round brought: the entries of the reads that answered, and the partitions that did not. */
export interface RoundResult {
  entries: StreamEntry[];
  /** The streams of each partition whose read failed or had not answered by the round's end. */
  missed: Array<readonly string[]>;
}

// How long a round waits for its slowest reads once it has run this long: a node that is slow or cannot be
// reached (paused, dying before its failover) holds up the other partitions' tasks for no longer.
const LAGGARD_MS = 250;
// How long a partition whose read failed or came late is left out of the rounds.
const BACKOFF_MS = 1_000;

/**
 * Reads several partitions at once on a Redis Cluster, where each partition is a slot that may be served by
 * another node, so that one slow or unreachable node does not hold up the others: a round returns once every
 * read answered, or `LAGGARD_MS` after it began with what answered by then. A read still running then finishes
 * on its own; what it claims after the round ended is handed back to its queue. A
 * partition whose read failed or came late is left out of rounds for `BACKOFF_MS` (`ready`).
 */
export class PartitionReads {
  readonly #logger: Logger;
  readonly #failures: FailureLog;
  /** When each partition (keyed by its first stream) may be read again, while it is backing off. */
  readonly #retryAt = new Map<string, number>();

  /** `kind` names the reads in the log. */
  constructor(logger: Logger, kind: string) {
    this.#logger = logger;
    // Not `forLoop`: a node that does not answer leaves the connection up, so the guard reports nothing of it.
    this.#failures = new FailureLog(logger, {
      failed: `reading ${kind} tasks of some partitions failed; the other partitions go on, and these are read again within a second`,
      recovered: `reading ${kind} tasks of every partition works again`,
    });
  }

  /** Whether the partition of `streams` may be read now (it is not backing off after a failed or late read). */
  ready(streams: readonly string[], now = Date.now()): boolean {
    const key = streams[0];
    if (key === undefined) return false;
    const retryAt = this.#retryAt.get(key);
    if (retryAt === undefined) return true;
    if (retryAt > now) return false;
    this.#retryAt.delete(key);
    return true;
  }

  /** When the soonest partition backing off may be read again (ms since the epoch); Infinity when none is. */
  nextRetryAt(): number {
    return Math.min(Infinity, ...this.#retryAt.values());
  }

  /**
   * Runs `reads` at once and returns what answered within the round; `late` takes what a read claims after
   * the round ended (to hand it back to its queue). Throws when every read failed (the first
   * error), and at once when one found its stream's consumer group missing (the caller creates the groups again).
   */
  async round(reads: readonly PartitionRead[], late: (entries: StreamEntry[]) => Promise<void>): Promise<RoundResult> {
    const entries: StreamEntry[] = [];
    const missed: Array<readonly string[]> = [];
    const running = reads.map((partition) => partition.read());
    const outcomes = await settledWithin(running, LAGGARD_MS);
    let firstError: unknown;
    outcomes.forEach((outcome, i) => {
      if (outcome?.status === 'fulfilled') {
        entries.push(...outcome.value);
        return;
      }
      if (outcome === undefined) {
        running[i]?.then((got) => (got.length > 0 ? late(got) : undefined), () => undefined).catch((err: unknown) => this.#logger.warn({ err }, 'could not hand back late task entries'));
      } else if (firstError === undefined || isMissingGroupError(outcome.reason)) {
        // A missing group is for the caller to mend, whatever the other reads say.
        firstError = outcome.reason;
      }
      // Failed, or still running: the partition backs off, and the caller reads it again after.
      const { streams } = reads[i] as PartitionRead;
      missed.push(streams);
      this.#backOff(streams);
    });
    if (firstError !== undefined && (missed.length === reads.length || isMissingGroupError(firstError))) {
      throw firstError instanceof Error ? firstError : new Error('redflow: a partition read failed', { cause: firstError });
    }
    if (missed.length > 0) this.#failures.failed(firstError ?? new Error(`no answer within ${LAGGARD_MS} ms from the node serving ${missed.map((s) => s[0]).join(', ')}`));
    else this.#failures.succeeded();
    return { entries, missed };
  }

  #backOff(streams: readonly string[]): void {
    const key = streams[0];
    if (key !== undefined) this.#retryAt.set(key, Date.now() + BACKOFF_MS);
  }
}
