/**
 * A decoded payload as JSON for display: what JSON has no form for is a one-key object naming its kind —
 * `{ $undefined: true }`, `{ $bigint: '12' }`, `{ $number: 'NaN' | 'Infinity' | '-Infinity' }`, `{ $date: ISO }`
 * (`'Invalid Date'` for an invalid one), `{ $regexp: '/a/g' }`, `{ $map: [[key, value], ...] }`, `{ $set: [...] }`,
 * `{ $error: { name, message, stack?, cause? } }`, `{ $bytes: { type, length, hex } }` (typed arrays, `DataView`
 * and `ArrayBuffer`; `hex` holds at most the first 64 bytes), `{ $symbol: description }`, `{ $function: name }`,
 * `{ $cycle: true }` where a value contains itself. A plain object whose own key starts with `$` reads the same
 * as these markers: the result is for people, not for decoding.
 */
export type JsonSafe = null | boolean | number | string | JsonSafe[] | { [key: string]: JsonSafe };

const BYTES_SHOWN = 64;

/** `value` as `JsonSafe` (see there); never throws, also for values payloads cannot hold. */
export function toJsonSafe(value: unknown): JsonSafe {
  return convert(value, new Set());
}

function convert(value: unknown, seen: Set<object>): JsonSafe {
  switch (typeof value) {
    case 'undefined':
      return { $undefined: true };
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : { $number: String(value) };
    case 'bigint':
      return { $bigint: value.toString() };
    case 'symbol':
      return { $symbol: value.description ?? '' };
    case 'function':
      return { $function: value.name };
    default:
      break;
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) return { $cycle: true };
  seen.add(object);
  try {
    return convertObject(object, seen);
  } finally {
    seen.delete(object);
  }
}

function convertObject(value: object, seen: Set<object>): JsonSafe {
  if (Array.isArray(value)) return value.map((item: unknown) => convert(item, seen));
  if (value instanceof Date) return { $date: Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString() };
  if (value instanceof RegExp) return { $regexp: value.toString() };
  if (value instanceof Map) return { $map: [...value].map(([key, item]) => [convert(key, seen), convert(item, seen)]) };
  if (value instanceof Set) return { $set: [...value].map((item) => convert(item, seen)) };
  if (value instanceof Error) return { $error: errorFields(value, seen) };
  if (ArrayBuffer.isView(value)) return bytes(value.constructor.name, new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  if (value instanceof ArrayBuffer) return bytes('ArrayBuffer', new Uint8Array(value));
  const result: { [key: string]: JsonSafe } = {};
  for (const [key, item] of Object.entries(value)) result[key] = convert(item, seen);
  return result;
}

function errorFields(error: Error, seen: Set<object>): { [key: string]: JsonSafe } {
  const fields: { [key: string]: JsonSafe } = { name: String(error.name), message: String(error.message) };
  if (typeof error.stack === 'string') fields.stack = error.stack;
  if (error.cause !== undefined) fields.cause = convert(error.cause, seen);
  return fields;
}

function bytes(type: string, view: Uint8Array): JsonSafe {
  const hex = Buffer.from(view.subarray(0, BYTES_SHOWN)).toString('hex');
  return { $bytes: { type, length: view.byteLength, hex } };
}
