import assert from 'node:assert/strict';
import { backoffDelayMs, resolveBackoffPolicy } from '../../src/core/backoff.js';
import { resolveOutboxRetry } from '../../src/backend/redis/outbox-retry-policy.js';
import { InvalidArgumentError } from '../../src/errors/errors.js';
import { resolveHeldTaskRetry } from '../../src/worker/held-task-retry.js';
import { DefaultRetryOptions, resolveRetryOptions } from '../../src/workflow/retry-options.js';

const DEFAULTS = { firstRetryIntervalMs: 100, backoffCoefficient: 3, maxRetryIntervalMs: 1000, maxAttempts: 5 };

describe('backoff policy', () => {
  it('waits min(first * coefficient^(n-1), max) after the n-th failure', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelayMs(DEFAULTS, n)), [100, 300, 900, 1000, 1000]);
    assert.equal(backoffDelayMs({ ...DEFAULTS, firstRetryIntervalMs: 0 }, 3), 0);
  });

  it('takes the defaults for omitted or undefined fields and keeps extra fields', () => {
    assert.deepEqual(resolveBackoffPolicy({ maxAttempts: 2, backoffCoefficient: undefined }, DEFAULTS, 'x'), { ...DEFAULTS, maxAttempts: 2 });
    assert.deepEqual(resolveBackoffPolicy(undefined, DEFAULTS, 'x'), DEFAULTS);
    assert.deepEqual(resolveBackoffPolicy({ retryTimeoutMs: 5 }, { ...DEFAULTS, retryTimeoutMs: undefined as number | undefined }, 'x'), {
      ...DEFAULTS,
      retryTimeoutMs: 5,
    });
  });

  it('rejects each unusable field with InvalidArgumentError naming it, the same in every place that retries', () => {
    const bad: Array<[unknown, string]> = [
      [null, 'x must be an object'],
      [{ maxAttempts: 0 }, 'x.maxAttempts'],
      [{ maxAttempts: 1.5 }, 'x.maxAttempts'],
      [{ maxAttempts: 2 ** 60 }, 'x.maxAttempts'],
      [{ firstRetryIntervalMs: -1 }, 'x.firstRetryIntervalMs'],
      [{ maxRetryIntervalMs: Number.NaN }, 'x.maxRetryIntervalMs'],
      [{ backoffCoefficient: 0.5 }, 'x.backoffCoefficient'],
      [{ backoffCoefficient: Infinity }, 'x.backoffCoefficient'],
      [{ backoffCoefficient: '2' }, 'x.backoffCoefficient'],
    ];
    const resolvers: Array<[string, (options: never) => unknown]> = [
      ['x', (options) => resolveBackoffPolicy(options, DEFAULTS, 'x')],
      ['heldTaskRetry', (options) => resolveHeldTaskRetry(options)],
      ['RedisBackend option outboxRetry', (options) => resolveOutboxRetry(options)],
      ['retry', (options) => resolveRetryOptions(options, DefaultRetryOptions)],
    ];
    for (const [prefix, resolve] of resolvers) {
      for (const [options, field] of bad) {
        const expected = prefix + field.slice(1);
        assert.throws(
          () => resolve(options as never),
          (err: unknown) => err instanceof InvalidArgumentError && err.message.startsWith(expected),
          `${prefix} ${JSON.stringify(options)}`,
        );
      }
    }
  });

  it('checks retry.retryTimeoutMs as a duration', () => {
    assert.throws(() => resolveRetryOptions({ retryTimeoutMs: -1 }, DefaultRetryOptions), /retry\.retryTimeoutMs/);
    assert.equal(resolveRetryOptions({ retryTimeoutMs: 10 }, DefaultRetryOptions).retryTimeoutMs, 10);
  });
});
