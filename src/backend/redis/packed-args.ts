import type { ScriptArg } from './script-runner.js';

/**
 * A script's arguments as one msgpack array, for a script that unpacks it with `cmsgpack.unpack(ARGV[1])`:
 * every item a msgpack string of its bytes (Buffers as they are, strings as UTF-8, numbers as their decimal
 * strings), so the script finds exactly what it would have found in ARGV. Strings rather than msgpack's binary
 * type because Redis's cmsgpack cannot read the latter. One argument costs the driver far less to send than
 * dozens of small ones, each of which it frames, measures and writes on its own.
 */
export function packScriptArgs(args: readonly ScriptArg[]): Buffer {
  const items = args.map((arg) => (typeof arg === 'number' ? String(arg) : arg));
  let size = headerSize(items.length, ARRAY);
  const lengths = items.map((item) => {
    const length = typeof item === 'string' ? Buffer.byteLength(item) : item.length;
    size += headerSize(length, STRING) + length;
    return length;
  });
  const out = Buffer.allocUnsafe(size);
  let at = writeHeader(out, 0, items.length, ARRAY);
  items.forEach((item, i) => {
    const length = lengths[i] as number;
    at = writeHeader(out, at, length, STRING);
    at += typeof item === 'string' ? out.write(item, at) : item.copy(out, at);
  });
  return out;
}

interface HeaderKind {
  /** First byte of the fix form, and the largest length it holds. */
  fix: number;
  fixMax: number;
  /** First bytes of the 8-bit (0 if none), 16-bit and 32-bit length forms. */
  bits8: number;
  bits16: number;
  bits32: number;
}

const ARRAY: HeaderKind = { fix: 0x90, fixMax: 15, bits8: 0, bits16: 0xdc, bits32: 0xdd };
const STRING: HeaderKind = { fix: 0xa0, fixMax: 31, bits8: 0xd9, bits16: 0xda, bits32: 0xdb };

function headerSize(length: number, kind: HeaderKind): number {
  if (length <= kind.fixMax) return 1;
  if (kind.bits8 !== 0 && length <= 0xff) return 2;
  return length <= 0xffff ? 3 : 5;
}

function writeHeader(out: Buffer, at: number, length: number, kind: HeaderKind): number {
  if (length <= kind.fixMax) return out.writeUInt8(kind.fix | length, at);
  if (kind.bits8 !== 0 && length <= 0xff) return out.writeUInt8(length, out.writeUInt8(kind.bits8, at));
  if (length <= 0xffff) return out.writeUInt16BE(length, out.writeUInt8(kind.bits16, at));
  return out.writeUInt32BE(length, out.writeUInt8(kind.bits32, at));
}
