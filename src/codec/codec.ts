import { Packr } from 'msgpackr';
import { InvalidArgumentError, UndecodableDataError } from '../errors/errors.js';
import { MAX_PAYLOAD_DEPTH, MAX_RECORD_DEPTH, toWire } from './wire.js';

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
 * For stored records, which wrap payloads: it allows `MAX_RECORD_DEPTH` levels, so that every payload
 * `assertEncodable` accepted encodes inside any record (`encodePayload` holds a payload to its own limit).
 */
export function encode(value: unknown, what = 'value'): Buffer {
  return packr.pack(toWire(value, what, MAX_RECORD_DEPTH));
}

/** `encode` of a payload on its own: refuses what `assertEncodable` refuses, with the path from its root. */
export function encodePayload(value: unknown, what: string): Buffer {
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
 * nesting deeper than `MAX_PAYLOAD_DEPTH` (64) levels below `value` itself, Promises, WeakMaps, WeakSets,
 * WeakRefs, Symbol objects, SharedArrayBuffers, and what cannot be read (a getter or Proxy trap throws). Runs
 * before anything is written; what it accepts is storable in every record the engine wraps it in (see `encode`).
 */
export function assertEncodable(value: unknown, what: string): void {
  toWire(value, what, MAX_PAYLOAD_DEPTH);
}

/**
 * Throws what `encode` would throw for `record`, a stored record or a group of them, without encoding it:
 * checks a whole write before the first change of a store that changes as it encodes.
 */
export function assertStorable(record: unknown, what: string): void {
  toWire(record, what, MAX_RECORD_DEPTH);
}

/** Throws `InvalidArgumentError` unless `value` is encodable and encodes to at most `maxBytes`. */
export function assertPayloadSize(value: unknown, what: string, maxBytes: number): void {
  const size = encodePayload(value, what).length;
  if (size > maxBytes) {
    throw new InvalidArgumentError(`${what} encode to ${size} bytes, more than the limit of ${maxBytes} bytes (maxPayloadBytes)`);
  }
}
