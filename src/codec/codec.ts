import { Packr } from 'msgpackr';
import { InvalidArgumentError } from '../errors/errors.js';

// Records (msgpackr's shared structures) would tie every reader to state held by one writer; plain maps keep
// each blob self-describing, which stored history needs.
const packr = new Packr({ useRecords: false, moreTypes: true });

const MAX_DEPTH = 64;

/** Largest encoded payload (workflow arguments) a client accepts by default: 4 MiB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** Encodes a value with msgpack. Call `assertEncodable` first on user data. */
export function encode(value: unknown): Buffer {
  return packr.pack(value);
}

/** Decodes a msgpack blob written by `encode`. */
export function decode<T = unknown>(bytes: Uint8Array): T {
  return packr.unpack(bytes) as T;
}

/**
 * Throws `InvalidArgumentError` if `value` holds something msgpack cannot carry faithfully
 * (functions, symbols, cycles), naming where it was found. Runs before anything is written.
 */
export function assertEncodable(value: unknown, what: string): void {
  visit(value, what, new Set(), 0);
}

/** Throws `InvalidArgumentError` unless `value` is encodable and encodes to at most `maxBytes`. */
export function assertPayloadSize(value: unknown, what: string, maxBytes: number): void {
  assertEncodable(value, what);
  const size = encode(value).length;
  if (size > maxBytes) {
    throw new InvalidArgumentError(`${what} encode to ${size} bytes, more than the limit of ${maxBytes} bytes (maxPayloadBytes)`);
  }
}

function visit(value: unknown, path: string, seen: Set<object>, depth: number): void {
  switch (typeof value) {
    case 'function':
      throw new InvalidArgumentError(`${path} is a function, which cannot be encoded`);
    case 'symbol':
      throw new InvalidArgumentError(`${path} is a symbol, which cannot be encoded`);
    case 'object':
      break;
    default:
      return;
  }
  if (value === null || value instanceof Date || ArrayBuffer.isView(value)) return;
  if (depth > MAX_DEPTH) throw new InvalidArgumentError(`${path} is nested deeper than ${MAX_DEPTH} levels`);
  if (seen.has(value)) throw new InvalidArgumentError(`${path} contains a cycle, which cannot be encoded`);
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => visit(item, `${path}[${i}]`, seen, depth + 1));
  } else if (value instanceof Map) {
    for (const [k, v] of value) {
      visit(k, `${path} key`, seen, depth + 1);
      visit(v, `${path}.get(${String(k)})`, seen, depth + 1);
    }
  } else if (value instanceof Set) {
    for (const item of value) visit(item, `${path} item`, seen, depth + 1);
  } else {
    for (const key of Object.keys(value)) {
      visit((value as Record<string, unknown>)[key], `${path}.${key}`, seen, depth + 1);
    }
    if (Object.getOwnPropertySymbols(value).length > 0) {
      throw new InvalidArgumentError(`${path} has symbol keys, which cannot be encoded`);
    }
  }
  seen.delete(value);
}
