import { resolveBackoffPolicy, type BackoffPolicy } from '../../core/backoff.js';

/**
 * How the outbox relay retries a message whose delivery fails (for any reason but malformed data, which is
 * dropped at once): the n-th failure waits `min(firstRetryIntervalMs * backoffCoefficient^(n-1),
 * maxRetryIntervalMs)` before the next attempt, and the `maxAttempts`-th failure parks the message as a
 * dead letter (listed by `listDeadLetterMessages`, put back by `retryDeadLetterMessage`). With the
 * defaults a message is parked after about four minutes of failing.
 */
export interface OutboxRetryOptions {
  /** Wait (ms) after the first failed attempt. @default 1000 */
  firstRetryIntervalMs?: number;
  /** Factor each further wait grows by. @default 2 */
  backoffCoefficient?: number;
  /** Longest wait (ms) between two attempts. @default 60000 */
  maxRetryIntervalMs?: number;
  /** Attempts before the message is parked as a dead letter (1 = park on the first failure). @default 10 */
  maxAttempts?: number;
}

/** `OutboxRetryOptions` with defaults applied. */
export type OutboxRetryPolicy = BackoffPolicy;

/** The defaults of `OutboxRetryOptions`. */
export const DEFAULT_OUTBOX_RETRY: OutboxRetryPolicy = {
  firstRetryIntervalMs: 1_000,
  backoffCoefficient: 2,
  maxRetryIntervalMs: 60_000,
  maxAttempts: 10,
};

/** Applies the defaults to `options`; `InvalidArgumentError` names the first bad field. */
export function resolveOutboxRetry(options: OutboxRetryOptions | undefined): OutboxRetryPolicy {
  return resolveBackoffPolicy(options, { ...DEFAULT_OUTBOX_RETRY }, 'RedisBackend option outboxRetry');
}
