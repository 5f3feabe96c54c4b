import { InvalidArgumentError } from '../errors/errors.js';

/** Throws `InvalidArgumentError` unless `value` is a positive integer number of milliseconds. */
export function assertStatsIntervalMs(value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`statsIntervalMs must be a positive integer (milliseconds), got ${String(value)}`);
  }
}
