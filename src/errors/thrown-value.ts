import { isAnyArrayBuffer, isBoxedPrimitive, isDate, isMap, isNativeError, isRegExp, isSet } from 'node:util/types';
import { DEFAULT_MAX_PAYLOAD_BYTES, encodePayload } from '../codec/codec.js';

// Everything here runs on values user code threw, which may be Proxies whose every trap throws, objects whose
// getters throw, cycles or huge graphs: every read is guarded and every walk is bounded, and nothing throws.

/** Longest message or stack a failure record keeps, in UTF-16 code units, notes included; a longer one is cut with a note. */
export const MAX_FAILURE_TEXT_LENGTH = 32 * 1024;

/** Largest encoded `details` a failure record keeps: the payload limit of workflow arguments (4 MiB). */
export const MAX_DETAILS_BYTES = DEFAULT_MAX_PAYLOAD_BYTES;

const MAX_DEPTH = 32;
const MAX_JSON_VALUES = 100_000;
const MAX_NOTES = 5;
const MAX_NOTE_LENGTH = 200;
const STANDARD_ERROR_FIELDS = new Set(['name', 'message', 'stack', 'cause']);
const LEFT_OUT = Symbol('left out');

/** A copy of a thrown value made of payload data only, and what had to be left out of it. */
export interface DetailsSnapshot {
  /** The copy: no getter, Proxy or other user code is reachable from it. Undefined when nothing was kept. */
  value: unknown;
  /** The first few things left out and why, one sentence each (`details.fn is a function`). */
  leftOut: string[];
  /** How many things were left out in all; 0 when the copy is complete. */
  leftOutCount: number;
}

/** The outcome of reading a property of a value that may throw on every access. */
export type Read = { ok: true; value: unknown } | { ok: false };

/** Reads `target[key]`, reporting a throwing getter or Proxy trap instead of throwing. */
export function read(target: unknown, key: PropertyKey): Read {
  try {
    return { ok: true, value: (target as Record<PropertyKey, unknown>)[key] };
  } catch {
    return { ok: false };
  }
}

/** `value instanceof type`, false when a Proxy trap throws on the way. */
export function isInstance(value: unknown, type: abstract new (...args: never[]) => unknown): boolean {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}

/** True for `Error`s, including those of another realm, and for objects whose prototype chain holds `Error`. */
export function isErrorValue(value: unknown): value is Error {
  return isNativeError(value) || isInstance(value, Error);
}

/**
 * A snapshot of `value` to keep as failure details: the value as a payload carries it (as `structuredClone`
 * copies it: class instances become plain objects), minus what a payload cannot hold (functions, symbols,
 * cycles, what the codec refuses), what cannot be read (throwing getters and Proxy traps) and what goes past
 * `MAX_DETAILS_BYTES`; those are listed in `leftOut`.
 */
export function snapshotDetails(value: unknown): DetailsSnapshot {
  const copier = new Copier();
  return copier.finish(copier.copy(value, 'details', 0));
}

/**
 * A snapshot of the fields an `Error` carries beyond its name, message, stack and cause (Node's `code`,
 * `errno`, `syscall`, a client's `status`...), and an `AggregateError`'s `errors`, as a plain object; undefined
 * when it has none. Rules and notes as for `snapshotDetails`.
 */
export function snapshotErrorFields(error: Error): DetailsSnapshot | undefined {
  const copier = new Copier();
  let keys: Set<string>;
  try {
    keys = new Set(Object.keys(error).filter((key) => !STANDARD_ERROR_FIELDS.has(key)));
  } catch {
    return copier.finish(copier.leave('the fields of the error could not be read'));
  }
  if (isInstance(error, AggregateError)) keys.add('errors');
  if (keys.size === 0) return undefined;
  return copier.finish(copier.fields(error, [...keys], 'details', 0));
}

/**
 * What a thrown non-`Error` says, for a failure message: a string as is, an object as its JSON (`JSON.stringify`,
 * with BigInts as `"5n"`), falling back to the JSON of `copy` (its snapshot) when that throws or gives nothing;
 * other primitives as `String` gives them, a function as `[function name]`.
 */
export function describeThrown(value: unknown, copy: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return String(value);
    case 'function': {
      const name = read(value, 'name');
      return name.ok && typeof name.value === 'string' && name.value.length > 0 ? `[function ${name.value}]` : '[function]';
    }
    case 'object':
      if (value === null) return 'null';
      return jsonOf(value) ?? jsonOf(copy) ?? '[an object that could not be described]';
    default:
      return String(value);
  }
}

/**
 * `text` followed by `note` (say a `leftOutNote`), made well-formed UTF-16 so that it always encodes, in at most
 * `maxLength` code units (default `MAX_FAILURE_TEXT_LENGTH`) notes included: a longer `text` is cut to make room
 * for a note saying how much was cut. A text that already fits comes back unchanged, so converting a failure
 * rebuilt from a record gives back its message and stack as they are.
 */
export function failureText(text: string, note = '', maxLength = MAX_FAILURE_TEXT_LENGTH): string {
  const room = maxLength - note.length;
  let kept = text;
  if (text.length > room) {
    // The count in the cut note is at most text.length, so the note is never longer than this one.
    const keptLength = Math.max(0, room - cutNote(text.length).length);
    kept = `${text.slice(0, keptLength)}${cutNote(text.length - keptLength)}`;
  }
  return `${kept}${note}`.toWellFormed();
}

function cutNote(cutLength: number): string {
  return `… (${cutLength} more characters)`;
}

/** ` (details incomplete: ...)`, to append to a failure message, or '' when nothing was left out. */
export function leftOutNote(snapshot: DetailsSnapshot): string {
  if (snapshot.leftOutCount === 0) return '';
  const shown = snapshot.leftOut.map((note) => failureText(note, '', MAX_NOTE_LENGTH));
  const more = snapshot.leftOutCount > shown.length ? `; and ${snapshot.leftOutCount - shown.length} more` : '';
  return ` (details incomplete: ${shown.join('; ')}${more})`;
}

function jsonOf(value: unknown): string | undefined {
  // A budget on the values visited bounds the walk: a small graph of shared references can expand to billions.
  let budget = MAX_JSON_VALUES;
  try {
    const json = JSON.stringify(value, (_key, item: unknown) => {
      if (--budget < 0) throw new RangeError('too large to describe');
      return typeof item === 'bigint' ? `${item}n` : item;
    });
    return typeof json === 'string' ? json : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Copies a value into fresh payload data, one guarded read at a time. Shared references are copied once per
 * reference (the copy is a tree), which the size budget keeps bounded.
 */
class Copier {
  private readonly notes: string[] = [];
  private noteCount = 0;
  private budgetBytes = MAX_DETAILS_BYTES;
  private readonly ancestors = new Set<object>();

  private get exhausted(): boolean {
    return this.budgetBytes < 0;
  }

  copy(value: unknown, path: string, depth: number): unknown {
    if (this.exhausted) return LEFT_OUT;
    this.budgetBytes -= typeof value === 'string' ? value.length + 8 : 8;
    if (this.exhausted) return this.leave(`${path} and what follows it go past the size limit of ${MAX_DETAILS_BYTES} bytes`);
    switch (typeof value) {
      case 'function':
        return this.leave(`${path} is a function`);
      case 'symbol':
        return this.leave(`${path} is a symbol`);
      case 'string':
      case 'bigint':
        return this.leaf(value, path);
      case 'object':
        break;
      default:
        return value;
    }
    if (value === null) return null;
    if (depth >= MAX_DEPTH) return this.leave(`${path} is nested deeper than ${MAX_DEPTH} levels`);
    if (this.ancestors.has(value)) return this.leave(`${path} refers back to an object that contains it (a cycle)`);
    this.ancestors.add(value);
    try {
      return this.copyObject(value, path, depth);
    } catch {
      return this.leave(`${path} could not be read`);
    } finally {
      this.ancestors.delete(value);
    }
  }

  /** Copies the listed own fields of `source` into a plain object. */
  fields(source: object, keys: string[], path: string, depth: number): Record<string, unknown> {
    const copy: Record<string, unknown> = {};
    for (const key of keys) {
      if (this.exhausted) break;
      const where = `${path}.${key}`;
      const item = read(source, key);
      const kept = item.ok ? this.copy(item.value, where, depth + 1) : this.leave(`${where} could not be read`);
      // defineProperty, because assigning a key named __proto__ would set the prototype instead.
      if (kept !== LEFT_OUT) Object.defineProperty(copy, key, { value: kept, enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }

  /** The snapshot of `copy`, which as a whole must encode within `MAX_DETAILS_BYTES`. */
  finish(copy: unknown): DetailsSnapshot {
    if (copy !== LEFT_OUT && copy !== undefined) {
      try {
        const size = encodePayload(copy, 'details').length;
        if (size <= MAX_DETAILS_BYTES) return this.snapshot(copy);
        this.leave(`details encode to ${size} bytes, more than ${MAX_DETAILS_BYTES}`);
      } catch (err) {
        this.leave(messageOf(err) ?? 'details cannot be encoded');
      }
    }
    return this.snapshot(undefined);
  }

  /** Records what was left out and why; returns the marker a copy uses for it. */
  leave(note: string): typeof LEFT_OUT {
    if (this.notes.length < MAX_NOTES) this.notes.push(note);
    this.noteCount += 1;
    return LEFT_OUT;
  }

  private snapshot(value: unknown): DetailsSnapshot {
    return { value, leftOut: this.notes, leftOutCount: this.noteCount };
  }

  private copyObject(value: object, path: string, depth: number): unknown {
    // Built-in data kinds (and nested Errors) are copied from their internal slots by structuredClone, which
    // follows the payload rules and runs no user code.
    if (isDate(value) || isRegExp(value) || isAnyArrayBuffer(value) || ArrayBuffer.isView(value) || isBoxedPrimitive(value) || isNativeError(value)) {
      return this.leaf(structuredClone(value), path);
    }
    if (Array.isArray(value)) return this.copyArray(value as unknown[], path, depth);
    if (isMap(value)) {
      const copy = new Map<unknown, unknown>();
      Map.prototype.forEach.call(value, (item: unknown, key: unknown) => {
        const keptKey = this.copy(key, `${path} key`, depth + 1);
        if (keptKey === LEFT_OUT) return;
        const keptItem = this.copy(item, `${path}.get(${typeof key === 'string' ? JSON.stringify(key) : typeof key})`, depth + 1);
        if (keptItem !== LEFT_OUT) copy.set(keptKey, keptItem);
      });
      return copy;
    }
    if (isSet(value)) {
      const copy = new Set<unknown>();
      Set.prototype.forEach.call(value, (item: unknown) => {
        const kept = this.copy(item, `${path} item`, depth + 1);
        if (kept !== LEFT_OUT) copy.add(kept);
      });
      return copy;
    }
    const copy = this.fields(value, Object.keys(value), path, depth);
    if (Object.getOwnPropertySymbols(value).length > 0) this.leave(`${path} has symbol keys`);
    return copy;
  }

  private copyArray(value: unknown[], path: string, depth: number): unknown[] {
    const length = value.length;
    const copy: unknown[] = [];
    for (let i = 0; i < length && !this.exhausted; i++) {
      const item = read(value, i);
      const kept = item.ok ? this.copy(item.value, `${path}[${i}]`, depth + 1) : this.leave(`${path}[${i}] could not be read`);
      copy.push(kept === LEFT_OUT ? undefined : kept);
    }
    return copy;
  }

  /** A value kept only if the codec takes it on its own (a string that is not well-formed UTF-16 may not be). */
  private leaf(value: unknown, path: string): unknown {
    try {
      encodePayload(value, path);
      return value;
    } catch (err) {
      return this.leave(messageOf(err) ?? `${path} cannot be encoded`);
    }
  }
}

function messageOf(err: unknown): string | undefined {
  const message = read(err, 'message');
  return message.ok && typeof message.value === 'string' ? message.value : undefined;
}
