import type { Logger } from 'pino';
import { FailureLog } from '../../core/failure-log.js';
import { settledWithin } from '../../core/settled-within.js';
import { isMissingGroupError } from './consumer-groups.js';
import { SLOW_NODE_CUTOFF_MS } from './slow-node.js';
import type { StreamEntry } from './stream-replies.js';

/** One partition's read: the streams it reads (one partition's, so one slot) and the read itself. */
export interface PartitionRead {
  readonly streams: readonly string[];
  read(this: void): Promise<StreamEntry[]>;
}

/** What a round brought: the entries of the reads that answered, the partitions that did not, and the first error. */
export interface RoundResult {
  entries: StreamEntry[];
  /** The streams of each partition whose read failed or had not answered by the round's end. */
  missed: Array<readonly string[]>;
  /** The first failure of a read (a missing consumer group first), if any failed. */
  error: Error | undefined;
}

// How long a partition whose read failed or came late is first left out; each further miss in a row doubles it,
// up to the longest, so reads do not pile up on a node that does not answer (each waits `commandTimeoutMs`).
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 8_000;

interface Backoff {
  retryAt: number;
  delayMs: number;
}

/**
 * Reads partitions on a Redis Cluster, where each partition is a slot that may be served by another node, so
 * that one slow or unreachable node does not hold up the others: a round of reads returns once every read
 * answered, or `SLOW_NODE_CUTOFF_MS` after it began with what answered by then. A read still running then
 * finishes on its own; what it claims after its round ended goes to the round's `late` (which hands it back to
 * its queue). A partition whose read failed or came late is left out (`ready`) for a second, doubling with each
 * further miss in a row up to 8 s, or until its late read answers after all.
 */
export class PartitionReads {
  readonly #logger: Logger;
  readonly #failures: FailureLog;
  /** The partitions backing off, keyed by their first stream. */
  readonly #backoffs = new Map<string, Backoff>();

  /** `kind` names the reads in the log. */
  constructor(logger: Logger, kind: string) {
    this.#logger = logger;
    // Not `forLoop`: a node that does not answer leaves the connection up, so the guard reports nothing of it.
    this.#failures = new FailureLog(logger, {
      failed: `reading ${kind} tasks of some partitions failed; the other partitions go on, and these are read again later`,
      recovered: `reading ${kind} tasks of every partition works again`,
    });
  }

  /** Whether the partition of `streams` may be read now (it is not backing off after a failed or late read). */
  ready(streams: readonly string[], nowMs = Date.now()): boolean {
    const backoff = this.#backoffs.get(streams[0] ?? '');
    return backoff === undefined || backoff.retryAt <= nowMs;
  }

  /** When the soonest of `slots` (partitions' streams) backing off may be read again (ms since the epoch); Infinity when none is. */
  nextRetryAt(slots: readonly (readonly string[])[], nowMs = Date.now()): number {
    let soonest = Infinity;
    for (const streams of slots) {
      const retryAt = this.#backoffs.get(streams[0] ?? '')?.retryAt;
      if (retryAt !== undefined && retryAt > nowMs) soonest = Math.min(soonest, retryAt);
    }
    return soonest;
  }

  /**
   * Runs `reads` at once and returns what answered within the round; `late` takes what a read claims after the
   * round ended. Never throws: a failed read is reported in `missed` and `error`.
   */
  async round(reads: readonly PartitionRead[], late: (entries: StreamEntry[]) => Promise<void>): Promise<RoundResult> {
    const result: RoundResult = { entries: [], missed: [], error: undefined };
    if (reads.length === 0) return result;
    const running = reads.map((partition) => partition.read());
    const outcomes = await settledWithin(running, SLOW_NODE_CUTOFF_MS);
    outcomes.forEach((outcome, i) => {
      const { streams } = reads[i] as PartitionRead;
      if (outcome?.status === 'fulfilled') {
        result.entries.push(...outcome.value);
        this.#backoffs.delete(streams[0] ?? '');
        return;
      }
      if (outcome === undefined) {
        // A read that answers after all was only slow (or this process was busy): its partition need not wait.
        const answered = (got: StreamEntry[]): Promise<void> | undefined => {
          this.#backoffs.delete(streams[0] ?? '');
          return got.length > 0 ? late(got) : undefined;
        };
        running[i]?.then(answered, () => undefined).catch((err: unknown) => this.#logger.warn({ err }, 'could not hand back late task entries'));
      } else if (result.error === undefined || isMissingGroupError(outcome.reason)) {
        // A missing group is for the caller to mend, whatever the other reads say.
        result.error = outcome.reason instanceof Error ? outcome.reason : new Error('redflow: a partition read failed', { cause: outcome.reason });
      }
      result.missed.push(streams);
      this.#backOff(streams);
    });
    if (result.missed.length > 0) {
      const names = result.missed.map((streams) => streams[0]).join(', ');
      this.#failures.failed(result.error ?? new Error(`no answer within ${SLOW_NODE_CUTOFF_MS} ms from the node serving ${names}`));
    } else if (this.#backoffs.size === 0) {
      this.#failures.succeeded();
    }
    return result;
  }

  #backOff(streams: readonly string[]): void {
    const key = streams[0] ?? '';
    const delayMs = Math.min(MAX_BACKOFF_MS, (this.#backoffs.get(key)?.delayMs ?? FIRST_BACKOFF_MS / 2) * 2);
    this.#backoffs.set(key, { retryAt: Date.now() + delayMs, delayMs });
  }
}
