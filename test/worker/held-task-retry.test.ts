import assert from 'node:assert/strict';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { nextHold } from '../../src/backend/hold-backoff.js';
import { InvalidArgumentError, NonDeterminismError, UnknownWorkflowError } from '../../src/errors/errors.js';
import { DefaultHeldTaskRetry } from '../../src/worker/held-task-retry.js';
import { holdPolicyOf, holdReasonOf } from '../../src/worker/task-hold.js';
import { Worker } from '../../src/worker/worker.js';
import { resolveWorkerOptions } from '../../src/worker/worker-options.js';

describe('worker option heldTaskRetry', () => {
  it('defaults to 1 s, doubling, capped at 60 s, parked after 10 attempts, and merges what is given', () => {
    assert.deepEqual(resolveWorkerOptions({}).heldTaskRetry, { firstRetryIntervalMs: 1000, backoffCoefficient: 2, maxRetryIntervalMs: 60_000, maxAttempts: 10 });
    assert.deepEqual(resolveWorkerOptions({ heldTaskRetry: { maxAttempts: 3, firstRetryIntervalMs: undefined } }).heldTaskRetry, {
      ...DefaultHeldTaskRetry,
      maxAttempts: 3,
    });
  });

  it('refuses values it cannot use with InvalidArgumentError naming the field', () => {
    const bad: Array<[unknown, RegExp]> = [
      ['often', /heldTaskRetry must be an object/],
      [{ firstRetryIntervalMs: -1 }, /heldTaskRetry\.firstRetryIntervalMs/],
      [{ maxRetryIntervalMs: Infinity }, /heldTaskRetry\.maxRetryIntervalMs/],
      [{ backoffCoefficient: 0.5 }, /heldTaskRetry\.backoffCoefficient/],
      [{ backoffCoefficient: Number.NaN }, /heldTaskRetry\.backoffCoefficient/],
      [{ maxAttempts: 0 }, /heldTaskRetry\.maxAttempts/],
      [{ maxAttempts: 2.5 }, /heldTaskRetry\.maxAttempts/],
    ];
    for (const [heldTaskRetry, message] of bad) {
      assert.throws(
        () => new Worker(new MemoryBackend(), { heldTaskRetry: heldTaskRetry as never }),
        (err: unknown) => err instanceof InvalidArgumentError && message.test(err.message),
        JSON.stringify(heldTaskRetry),
      );
    }
  });

  it('waits min(first * coefficient^(n-1), max) after the n-th hold and parks at maxAttempts', () => {
    const policy = { firstRetryIntervalMs: 100, backoffCoefficient: 3, maxRetryIntervalMs: 1000, maxAttempts: 5 };
    const since = new Date(0);
    const waits = [0, 1, 2, 3].map((previous) => (nextHold(policy, previous, since, 10_000).retryAt?.getTime() ?? 0) - 10_000);
    assert.deepEqual(waits, [100, 300, 900, 1000]);
    assert.deepEqual(nextHold(policy, 4, since, 10_000), { attempts: 5, since });
  });
});

describe('worker option onNonDeterminism', () => {
  it("defaults to 'hold', takes 'fail', and refuses anything else with InvalidArgumentError", () => {
    assert.equal(resolveWorkerOptions({}).onNonDeterminism, 'hold');
    assert.equal(resolveWorkerOptions({ onNonDeterminism: 'fail' }).onNonDeterminism, 'fail');
    for (const bad of ['Fail', 'retry', 1, null]) {
      assert.throws(
        () => new Worker(new MemoryBackend(), { onNonDeterminism: bad as never }),
        (err: unknown) => err instanceof InvalidArgumentError && /onNonDeterminism must be 'hold' or 'fail'/.test(err.message),
        String(bad),
      );
    }
  });

  it("never parks a hold for a reason that waits for a deploy, and keeps the worker's policy for the others", () => {
    const retry = { ...DefaultHeldTaskRetry };
    assert.equal(holdPolicyOf('nondeterminism', retry).maxAttempts, Number.MAX_SAFE_INTEGER);
    assert.equal(holdPolicyOf('unknown-workflow', retry).maxAttempts, Number.MAX_SAFE_INTEGER);
    assert.equal(holdPolicyOf('unknown-workflow', retry).maxRetryIntervalMs, retry.maxRetryIntervalMs);
    assert.equal(holdPolicyOf('unsettled', retry), retry);
    assert.equal(holdReasonOf(new NonDeterminismError('x')), 'nondeterminism');
    assert.equal(holdReasonOf(new UnknownWorkflowError('wf', 'q')), 'unknown-workflow');
  });
});
