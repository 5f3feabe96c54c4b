import { Packr } from 'msgpackr';
import { InvalidArgumentError, UndecodableDataError } from '../errors/errors.js';
import { toWire } from './wire.js';

// Records (msgpackr's shared structures) would tie every reader to state held by one writer; plain maps keep
// each blob self-describing, which stored history needs. copyBuffers: a decoded Buffer must not share memory
// with the blob it came from (the memory backend keeps its blobs).
const packr = new Packr({ useRecords: false, moreTypes: true, copyBuffers: true });

/** Largest encoded payload (workflow arguments) a client accepts by default: 4 MiB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/**
 * Encodes a value with msgpack so that `decode` gives back what `structuredClone` would copy: primitives
 * (undefined, -0, BigInt of any size, strings exactly), plain objects and arrays, Date (also invalid), RegExp,
 * Map and Set with any keys and items, typed arrays, DataView, ArrayBuffer, Errors (name, message, stack, cause
 * and their other own enumerable fields); class instances become plain objects of their own enumerable fields.
 * Throws `InvalidArgumentError` naming `what` and the path for what cannot be stored (see `assertEncodable`).
 */
export function encode(value: unknown, what = 'value'): Buffer {
  return packr.pack(toWire(value, what));
}

/**
 * Decodes a blob written by `encode` (or by an earlier version). Throws `UndecodableDataError` naming `what`
 * when the bytes cannot be read: written by a version this one cannot read, or damaged.
 */
export function decode<T = unknown>(bytes: Uint8Array, what = 'stored data'): T {
  try {
    return packr.unpack(bytes) as T;
  } catch (err) {
    throw undecodable(what, err);
  }
}

/** The `UndecodableDataError` for `what`, whose decoding failed with `cause`. */
export function undecodable(what: string, cause: unknown): UndecodableDataError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new UndecodableDataError(
    `${what} cannot be decoded (${reason}): it was written by a version of redflow this one cannot read, or it is damaged`,
    { cause },
  );
}

/**
 * Throws `InvalidArgumentError` if `value` cannot be stored faithfully, naming `what` and the path
 * (`arguments of workflow ship: [0].items[2] is a function, which cannot be stored`): functions, symbols,
 * cycles, strings (also keys, Map keys, Set items and error messages) that are not well-formed UTF-16,
 * nesting deeper than 64 levels, Promises, WeakMaps, WeakSets, WeakRefs, Symbol objects and SharedArrayBuffers.
 * Runs before anything is written.
 */
export function assertEncodable(value: unknown, what: string): void {
  toWire(value, what);
}

/** Throws `InvalidArgumentError` unless `value` is encodable and encodes to at most `maxBytes`. */
export function assertPayloadSize(value: unknown, what: string, maxBytes: number): void {
  const size = encode(value, what).length;
  if (size > maxBytes) {
    throw new InvalidArgumentError(`${what} encode to ${size} bytes, more than the limit of ${maxBytes} bytes (maxPayloadBytes)`);
  }
}
