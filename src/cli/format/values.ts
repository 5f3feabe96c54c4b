/**
 * How `--json` writes a value: JSON where dates are ISO strings, bigints decimal strings, Maps arrays of
 * `[key, value]` pairs, Sets arrays, `undefined` (in arrays) `null`, and a Buffer or typed array
 * `{ "base64": ... }`. Never throws: an object inside itself is written as `"[circular]"` there.
 */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(plain(value, []), undefined, indent) ?? 'null';
}

/** `value` as what JSON can hold (dates stay: `JSON.stringify` writes them as ISO strings); `inside` holds its ancestors. */
function plain(value: unknown, inside: object[]): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  if (inside.includes(value)) return '[circular]';
  if (ArrayBuffer.isView(value)) return { base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  inside.push(value);
  try {
    if (value instanceof Map) return [...value.entries()].map(([k, v]) => [plain(k, inside), plain(v, inside)]);
    if (value instanceof Set) return [...value.values()].map((v) => plain(v, inside));
    if (Array.isArray(value)) return value.map((v) => plain(v, inside));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v, inside)]));
  } finally {
    inside.pop();
  }
}

/** A value on one line for a table cell: its JSON, cut to `maxChars` with an ellipsis. */
export function compact(value: unknown, maxChars = 60): string {
  const text = value === undefined ? '' : toJson(value);
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/** A date for a table: ISO 8601 in UTC, to the second (`2026-11-30T07:13:28Z`); `-` when absent. */
export function formatDate(date: Date | undefined): string {
  if (date === undefined) return '-';
  return Number.isNaN(date.getTime()) ? 'invalid date' : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
