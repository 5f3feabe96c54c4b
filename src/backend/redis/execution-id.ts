import { assertInstanceId } from '../../core/validation.js';
import { InvalidArgumentError } from '../../errors/errors.js';

/** Throws `InvalidArgumentError` unless `value` is an execution id the Redis keys can hold. */
export function assertExecutionId(value: unknown): asserts value is string {
  assertInstanceId(value, 'executionId');
  // Execution keys join instance and execution id with ':'; a ':' in the execution id could make two
  // different pairs share a key.
  if (value.includes(':')) throw new InvalidArgumentError('executionId must not contain ":"');
}
