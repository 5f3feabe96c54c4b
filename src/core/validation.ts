import { InvalidArgumentError } from '../errors/errors.js';
import { describeLoneSurrogate } from './well-formed.js';

const MAX_ID_LENGTH = 512;
const MAX_QUEUE_LENGTH = 128;
const QUEUE_PATTERN = /^[A-Za-z0-9_.:-]+$/;

// Control characters would make ids ambiguous in logs and in the delimited strings the backends store.
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Throws `InvalidArgumentError` unless `value` is a usable instance id: a non-empty string of at most 512
 * characters of well-formed UTF-16 without control characters.
 */
export function assertInstanceId(value: unknown, what = 'instanceId'): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(`${what} must be a non-empty string`);
  }
  if (value.length > MAX_ID_LENGTH) {
    throw new InvalidArgumentError(`${what} is longer than ${MAX_ID_LENGTH} characters`);
  }
  if (hasControlCharacter(value)) {
    throw new InvalidArgumentError(`${what} must not contain control characters`);
  }
  assertWellFormed(value, what);
}

/**
 * Throws `InvalidArgumentError` unless `value` is a usable execution id: an instance id without ':'. Execution
 * ids are made by redflow; a ':' would let two different instance and execution id pairs share one Redis key
 * (`<instanceId>:<executionId>`).
 */
export function assertExecutionId(value: unknown, what = 'executionId'): asserts value is string {
  assertInstanceId(value, what);
  if (value.includes(':')) throw new InvalidArgumentError(`${what} must not contain ":"`);
}

/**
 * Throws `InvalidArgumentError` unless `value` is a usable name of a workflow, activity, signal or timer: a
 * non-empty string of well-formed UTF-16, so it is stored exactly.
 */
export function assertName(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(`${what} must be a non-empty string`);
  }
  assertWellFormed(value, what);
}

function assertWellFormed(value: string, what: string): void {
  if (!value.isWellFormed()) {
    // JSON escapes the lone surrogate, so the message itself stays well-formed.
    throw new InvalidArgumentError(
      `${what} ${JSON.stringify(value)} is not well-formed UTF-16${describeLoneSurrogate(value)}: it could not be stored exactly`,
    );
  }
}

/** Throws `InvalidArgumentError` unless `value` is a usable queue name. */
export function assertQueueName(value: unknown, what = 'queue'): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(`${what} must be a non-empty string`);
  }
  if (value.length > MAX_QUEUE_LENGTH || !QUEUE_PATTERN.test(value)) {
    throw new InvalidArgumentError(
      `${what} ${JSON.stringify(value)} is invalid: use 1-${MAX_QUEUE_LENGTH} characters of A-Z a-z 0-9 _ . : -`,
    );
  }
}

/** Throws `InvalidArgumentError` unless `value` is a non-negative finite number of milliseconds. */
export function assertDurationMs(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${what} must be a non-negative number of milliseconds`);
  }
}
