import type { Logger } from 'pino';
import { BackendClosedError } from '../../errors/errors.js';
import { deadLettersKey, outboxKey, outboxRetriesKey } from './keys.js';
import { backoffDelayMs } from '../../core/backoff.js';
import type { OutboxRetryPolicy } from './outbox-retry-policy.js';
import type { RelayScripts } from './relay-scripts.js';
import type { RedisClient } from './script-runner.js';
import type { StreamEntry } from './stream-replies.js';

/** Options of `OutboxBackoff`. */
export interface OutboxBackoffOptions {
  client: RedisClient;
  scripts: RelayScripts;
  prefix: string;
  partition: number;
  group: string;
  policy: OutboxRetryPolicy;
  logger: Logger;
}

/** Where a failing outbox entry stands: how many attempts failed, and when (ms since the epoch) the next is due. */
export interface RetryRecord {
  attempts: number;
  nextAttemptAt: number;
}

// Errors ioredis (and the backend) raise when the store cannot be reached or the call was given up.
const CONNECTION_ERRORS: ReadonlySet<string> = new Set([
  'MaxRetriesPerRequestError',
  'AbortError',
  'ClusterAllFailedError',
  'BackendUnavailableError',
]);
// Replies that say Redis itself is in trouble, not the message: the relay tries the target's partition again later.
const INFRASTRUCTURE_REPLIES = /^(LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOSCRIPT|OOM|MISCONF|NOGROUP|UNBLOCKED|MOVED|ASK) /;

/**
 * True when a delivery failed because the store is unreachable or not serving (connection lost, Redis
 * loading, read-only after a failover...) rather than because of the message: such a failure blocks the
 * target's partition for a moment (its lane of the relay's batch ends there) and counts against no message. Anything else (a script error such as WRONGTYPE on the
 * target's keys, a target that keeps moving) is the message's.
 */
export function isInfrastructureError(err: unknown, client: RedisClient): boolean {
  if (err instanceof BackendClosedError || client.status !== 'ready') return true;
  if (!(err instanceof Error)) return false;
  if (err.name === 'ReplyError') return INFRASTRUCTURE_REPLIES.test(err.message);
  return CONNECTION_ERRORS.has(err.name) || err.message.startsWith('Connection is closed');
}

function parseRecord(raw: string): RetryRecord | undefined {
  try {
    const value = JSON.parse(raw) as Partial<RetryRecord>;
    if (typeof value.attempts === 'number' && typeof value.nextAttemptAt === 'number') {
      return { attempts: value.attempts, nextAttemptAt: value.nextAttemptAt };
    }
  } catch {
    // An unreadable record counts as none: the entry starts its attempts again.
  }
  return undefined;
}

/**
 * The backoff of one partition's failing outbox entries. A failed delivery is recorded in the partition's
 * `outbox-retries` hash (so a relay that takes the partition over goes on counting) and the entry stays
 * pending in the outbox until its next attempt is due; the failure that reaches `policy.maxAttempts` parks
 * the entry as a dead letter (dead-letter-message.lua). Logs the first failure of an entry and its parking;
 * the attempts in between at debug level.
 */
export class OutboxBackoff {
  readonly #options: OutboxBackoffOptions;
  readonly #retries: string;
  #records = new Map<string, RetryRecord>();

  constructor(options: OutboxBackoffOptions) {
    this.#options = options;
    this.#retries = outboxRetriesKey(options.prefix, options.partition);
  }

  /** Reads every backoff record of the partition (few: only failing entries have one). */
  async load(): Promise<void> {
    const raw = await this.#options.client.hgetall(this.#retries);
    const records = new Map<string, RetryRecord>();
    for (const [id, value] of Object.entries(raw)) {
      const record = parseRecord(value);
      if (record !== undefined) records.set(id, record);
    }
    this.#records = records;
  }

  /** The backoff record of an entry, if its delivery failed before. */
  recordOf(entryId: string): RetryRecord | undefined {
    return this.#records.get(entryId);
  }

  /**
   * Records that delivering `entry` failed with `err`: backs it off (and returns when its next attempt is
   * due) or, on its last allowed attempt, parks it as a dead letter (and returns undefined).
   */
  async failed(entry: StreamEntry, err: unknown): Promise<number | undefined> {
    const { client, scripts, prefix, partition, group, policy, logger } = this.#options;
    const attempts = (this.#records.get(entry.id)?.attempts ?? 0) + 1;
    const target = entry.fields.get('i')?.toString();
    const log = { partition, entryId: entry.id, target, kind: entry.fields.get('k')?.toString(), attempts, err };
    if (attempts >= policy.maxAttempts) {
      const error = err instanceof Error ? { type: err.name, message: err.message } : { type: 'Error', message: String(err) };
      const keys = { outbox: outboxKey(prefix, partition), retries: this.#retries, deadLetters: deadLettersKey(prefix, partition) };
      const id = await scripts.deadLetterMessage(keys, { group, entryId: entry.id, errorType: error.type, errorMessage: error.message, attempts });
      this.#records.delete(entry.id);
      if (id !== undefined) logger.error(Object.assign({}, log, { deadLetterId: `${partition}-${id}` }), 'outbox message parked as a dead letter after its last delivery attempt failed');
      return undefined;
    }
    const delayMs = backoffDelayMs(policy, attempts);
    const record = { attempts, nextAttemptAt: Date.now() + delayMs };
    await client.hset(this.#retries, entry.id, JSON.stringify(record));
    this.#records.set(entry.id, record);
    if (attempts === 1) logger.warn(Object.assign({}, log, { retryInMs: delayMs }), 'outbox message delivery failed; backing off');
    else logger.debug(Object.assign({}, log, { retryInMs: delayMs }), 'outbox message delivery failed again; backing off');
    return record.nextAttemptAt;
  }

  /** Drops the records of entries that left the outbox (delivered). */
  async forget(entryIds: readonly string[]): Promise<void> {
    const known = entryIds.filter((id) => this.#records.delete(id));
    if (known.length > 0) await this.#options.client.hdel(this.#retries, ...known);
  }
}
