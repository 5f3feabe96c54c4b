import { assertEncodable } from '../codec/codec.js';
import { WorkflowError } from '../errors/errors.js';
import { toFailureInfo, type FailureInfo } from '../errors/failure-info.js';

/** Runs a side effect's function once and captures its result or error for the history. */
export function runSideEffect(fn: () => unknown): { result?: unknown; error?: FailureInfo } {
  try {
    const result = fn();
    if (typeof (result as { then?: unknown } | null)?.then === 'function') {
      throw new WorkflowError('sideEffect functions must be synchronous; run asynchronous work in an activity', {
        type: 'InvalidArgumentError',
        permanent: true,
      });
    }
    assertEncodable(result, 'result of sideEffect');
    return { result };
  } catch (err) {
    return { error: toFailureInfo(err) };
  }
}
