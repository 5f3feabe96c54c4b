import { isProxy } from 'node:util/types';
import { describeLoneSurrogate } from '../core/well-formed.js';
import { InvalidArgumentError } from '../errors/errors.js';
import { NEGATIVE_ZERO, Tag, Tagged } from './tagged.js';

/**
 * Deepest nesting of objects, arrays, maps, sets and errors a payload may have, counted from the payload's own
 * root: an object inside 64 enclosing ones is accepted, one inside 65 is refused.
 */
export const MAX_PAYLOAD_DEPTH = 64;

/**
 * Levels a stored record (an event, an activity task, a workflow task completion, a message to another
 * instance) may add around the payloads it carries. The deepest the engine nests one today is about 13 levels:
 * the `details` of the last cause of a failure (9 levels) in the event a completion sends to a parent (4).
 * Payloads are checked against `MAX_PAYLOAD_DEPTH` from their own root, records against
 * `MAX_RECORD_DEPTH`, so a payload that was accepted is storable inside any record.
 */
const MAX_WRAPPER_DEPTH = 32;

/** Deepest nesting a stored record may have: a payload at its limit inside the deepest wrapper. */
export const MAX_RECORD_DEPTH = MAX_PAYLOAD_DEPTH + MAX_WRAPPER_DEPTH;

// msgpackr writes a plain object with a 16-bit key count; a bigger one goes as a list of entries.
const MAX_MAP_KEYS = 0xffff;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const ERROR_FIELDS: ReadonlySet<string> = new Set(['name', 'message', 'stack', 'cause']);

// structuredClone refuses these too; a Promise is usually a missing `await`.
const REFUSED: ReadonlyArray<[{ [Symbol.hasInstance](value: unknown): boolean }, string]> = [
  [Promise, 'a Promise (pass the value it resolves to)'],
  [WeakMap, 'a WeakMap'],
  [WeakSet, 'a WeakSet'],
  [WeakRef, 'a WeakRef'],
  [Symbol, 'a Symbol object'],
  [SharedArrayBuffer, 'a SharedArrayBuffer (copy it into an ArrayBuffer)'],
];

type TypedArrayConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayBufferView;

// The typed arrays msgpackr writes natively (by the name of their constructor).
const TYPED_ARRAYS = new Map<string, TypedArrayConstructor>([
  ['Int8Array', Int8Array],
  ['Uint8Array', Uint8Array],
  ['Uint8ClampedArray', Uint8ClampedArray],
  ['Int16Array', Int16Array],
  ['Uint16Array', Uint16Array],
  ['Int32Array', Int32Array],
  ['Uint32Array', Uint32Array],
  ['Float32Array', Float32Array],
  ['Float64Array', Float64Array],
  ['BigInt64Array', BigInt64Array],
  ['BigUint64Array', BigUint64Array],
]);

/** Why a value cannot be stored; the walk adds the path to it while it unwinds, so a good value costs none. */
class Refusal extends Error {
  readonly problem: string;
  /** Path segments, innermost first. */
  readonly segments: string[] = [];
  constructor(problem: string) {
    super(problem);
    this.problem = problem;
  }
}

// The objects enclosing the value being visited (for cycles), from `base` on: one array for every walk, since a
// getter run by a walk may start another one. `maxDepth`: the limit of the walk under way.
const ancestors: object[] = [];
let base = 0;
let maxDepth = MAX_PAYLOAD_DEPTH;

/**
 * The form of `value` msgpackr writes faithfully: `value` itself when it needs nothing (plain data, the usual
 * case, costs one walk and no copy), otherwise a copy in which only the objects that needed it are replaced
 * (`Map`s, errors, -0... become `Tagged`). Throws `InvalidArgumentError` naming `what` and the path
 * (`arguments of workflow ship: [0].items[2] is a function, which cannot be stored`) for a function, a symbol,
 * a cycle, a string or key that is not well-formed UTF-16, nesting deeper than `depthLimit` levels below
 * `value` (default `MAX_PAYLOAD_DEPTH`), objects `structuredClone` refuses (Promise, WeakMap, WeakSet, WeakRef,
 * Symbol objects), SharedArrayBuffers, and what cannot be read (a getter or a Proxy trap throws: the path names
 * the field, the message says what was thrown).
 */
export function toWire(value: unknown, what: string, depthLimit = MAX_PAYLOAD_DEPTH): unknown {
  const outer = base;
  const outerLimit = maxDepth;
  base = ancestors.length;
  maxDepth = depthLimit;
  try {
    return visit(value, 0);
  } catch (err) {
    throw new InvalidArgumentError(describe(what, asRefusal(err)));
  } finally {
    ancestors.length = base;
    base = outer;
    maxDepth = outerLimit;
  }
}

function describe(what: string, refusal: Refusal): string {
  const path = refusal.segments.reverse().join('');
  return path === '' ? `${what} ${refusal.problem}` : `${what}: ${path} ${refusal.problem}`;
}

/**
 * `err` as a refusal with `segment` added to its path; rethrow the result. What else was thrown came from
 * reading the part at `segment` (a getter, a Proxy trap, a built-in method given a Proxy): it cannot be read.
 */
function within(err: unknown, segment: string): Refusal {
  const refusal = asRefusal(err);
  refusal.segments.push(segment);
  return refusal;
}

/** `thrown` if it is a refusal, else the refusal of a value whose reading threw `thrown`. */
function asRefusal(thrown: unknown): Refusal {
  // Only this module makes refusals, never as a Proxy; `instanceof` would run the traps of a thrown Proxy.
  if (!isProxy(thrown) && thrown instanceof Refusal) return thrown;
  return new Refusal(`cannot be read (reading it threw ${describeThrown(thrown)}), so it cannot be stored`);
}

/** What was thrown, in a few words; reading it may throw again (a Proxy), which must not escape. */
function describeThrown(thrown: unknown): string {
  if (isProxy(thrown)) return 'a Proxy';
  try {
    if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`.toWellFormed();
    return typeof thrown === 'string' ? JSON.stringify(thrown.toWellFormed()) : typeof thrown;
  } catch {
    return 'a value that cannot be described';
  }
}

function notWellFormed(text: string, kind: string): Refusal {
  return new Refusal(`is ${kind} that is not well-formed UTF-16${describeLoneSurrogate(text)}, which cannot be stored exactly`);
}

function visit(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw notWellFormed(value, 'a string');
      return value;
    case 'number':
      return value === 0 && 1 / value < 0 ? NEGATIVE_ZERO : value;
    case 'object':
      return value === null ? null : visitObject(value, depth);
    case 'function':
      throw new Refusal('is a function, which cannot be stored');
    case 'symbol':
      throw new Refusal('is a symbol, which cannot be stored');
    default:
      // boolean, bigint (msgpackr keeps any size), undefined
      return value;
  }
}

function visitObject(value: object, depth: number): unknown {
  if (depth > maxDepth) throw new Refusal(`is nested deeper than ${maxDepth} levels`);
  if (ancestors.indexOf(value, base) !== -1) throw new Refusal('refers back to an object that contains it (a cycle), which cannot be stored');
  ancestors.push(value);
  let wired: unknown;
  // The order of msgpackr's own checks: what it writes as a map, as an array, then by class.
  if ((value as { constructor?: unknown }).constructor === Object) wired = visitFields(value, depth, false);
  else if (Array.isArray(value)) wired = visitArray(value, depth);
  else wired = visitInstance(value, depth);
  ancestors.pop();
  return wired;
}

/**
 * The own enumerable string-keyed fields of `source`, as msgpackr writes them (for..in and hasOwnProperty): the
 * object itself when nothing changed, else a plain copy. `exclude` leaves fields out (and forces a copy).
 */
function visitFields(source: object, depth: number, forceCopy: boolean, exclude?: ReadonlySet<string>): object {
  const fields = source as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined = forceCopy ? {} : undefined;
  let size = 0;
  let asEntries = false;
  // What enumerating throws (a Proxy trap) is about the object, which its container names; what reading or
  // visiting a field throws is about that field.
  for (const key in fields) {
    if (!Object.hasOwn(fields, key) || exclude?.has(key) === true) continue;
    if (key === '__proto__' || ++size > MAX_MAP_KEYS) {
      asEntries = true;
      break;
    }
    try {
      if (!key.isWellFormed()) throw notWellFormed(key, 'a key');
      const item = fields[key];
      const wired = visit(item, depth + 1);
      if (copy === undefined && !Object.is(wired, item)) copy = copyBefore(fields, key);
      if (copy !== undefined) copy[key] = wired;
    } catch (err) {
      throw within(err, keySegment(key));
    }
  }
  return asEntries ? visitEntries(fields, depth, exclude) : (copy ?? source);
}

/** A plain copy of the own fields of `source` that come before `stop`, which are unchanged. */
function copyBefore(source: Record<string, unknown>, stop: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key in source) {
    if (key === stop) break;
    if (Object.hasOwn(source, key)) copy[key] = source[key];
  }
  return copy;
}

function visitEntries(source: Record<string, unknown>, depth: number, exclude?: ReadonlySet<string>): Tagged {
  const items: unknown[] = [Tag.objectEntries];
  for (const key in source) {
    if (!Object.hasOwn(source, key) || exclude?.has(key) === true) continue;
    try {
      if (!key.isWellFormed()) throw notWellFormed(key, 'a key');
      items.push(key, visit(source[key], depth + 1));
    } catch (err) {
      throw within(err, keySegment(key));
    }
  }
  return new Tagged(items);
}

function keySegment(key: string): string {
  // JSON escapes a lone surrogate, so the path stays printable and well-formed.
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function visitArray(source: unknown[], depth: number): unknown[] {
  let copy: unknown[] | undefined;
  // Read outside the loop's guard: a Proxy whose `length` cannot be read is about the array, not its item 0.
  const length = source.length;
  let i = 0;
  try {
    for (; i < length; i++) {
      const item = source[i];
      const wired = visit(item, depth + 1);
      if (copy === undefined && !Object.is(wired, item)) {
        // A plain array, whatever class `source` has; the items before this one are unchanged.
        copy = [];
        for (let j = 0; j < i; j++) copy.push(source[j]);
      }
      if (copy !== undefined) copy.push(wired);
    }
  } catch (err) {
    throw within(err, `[${i}]`);
  }
  return copy ?? source;
}

/** Objects that are not plain objects or arrays: built-in kinds, then class instances (as plain objects). */
function visitInstance(value: object, depth: number): unknown {
  if (value instanceof Map) return visitMap(value, depth);
  if (value instanceof Set) return visitSet(value, depth);
  if (value instanceof Error) return visitError(value, depth);
  if (value instanceof Date || value instanceof ArrayBuffer) return value;
  if (value instanceof RegExp) {
    if (!value.source.isWellFormed()) throw within(notWellFormed(value.source, 'a pattern'), '.source');
    return value;
  }
  if (ArrayBuffer.isView(value)) return visitView(value);
  if (value instanceof Number || value instanceof Boolean || value instanceof BigInt) return new Tagged([Tag.boxed, value.valueOf()]);
  if (value instanceof String) return new Tagged([Tag.boxed, visitPart(value.valueOf(), depth, '.valueOf()')]);
  for (const [type, description] of REFUSED) {
    if (value instanceof type) throw new Refusal(`is ${description}, which cannot be stored`);
  }
  // msgpackr would write what toJSON returns; a class instance arrives as its own fields, as structuredClone has it.
  return visitFields(value, depth, Boolean((value as { toJSON?: unknown }).toJSON));
}

/** `visit` of a part of `value` reached through `segment`. */
function visitPart(part: unknown, depth: number, segment: string): unknown {
  try {
    return visit(part, depth + 1);
  } catch (err) {
    throw within(err, segment);
  }
}

function visitMap(map: Map<unknown, unknown>, depth: number): Tagged {
  const items: unknown[] = [Tag.map];
  let index = 0;
  map.forEach((item, key) => {
    let inKey = true;
    try {
      items.push(visit(key, depth + 1));
      inKey = false;
      items.push(visit(item, depth + 1));
    } catch (err) {
      throw within(err, inKey ? `.keys()[${index}]` : entrySegment(key, index));
    }
    index++;
  });
  return new Tagged(items);
}

function entrySegment(key: unknown, index: number): string {
  switch (typeof key) {
    case 'string':
      return `.get(${JSON.stringify(key)})`;
    case 'number':
    case 'boolean':
    case 'undefined':
      return `.get(${String(key)})`;
    case 'bigint':
      return `.get(${key}n)`;
    default:
      return key === null ? '.get(null)' : `.values()[${index}]`;
  }
}

function visitSet(set: Set<unknown>, depth: number): Set<unknown> {
  const items: unknown[] = [];
  let changed = false;
  set.forEach((item) => {
    let wired: unknown;
    try {
      wired = visit(item, depth + 1);
    } catch (err) {
      throw within(err, `.values()[${items.length}]`);
    }
    changed ||= !Object.is(wired, item);
    items.push(wired);
  });
  return changed ? new Set(items) : set;
}

function visitError(error: Error, depth: number): Tagged {
  const fields = visitFields(error, depth, true, ERROR_FIELDS);
  // An AggregateError's `errors` is not enumerable, yet it is what the error is about.
  if (error instanceof AggregateError && !(fields instanceof Tagged) && !Object.hasOwn(fields, 'errors')) {
    (fields as Record<string, unknown>).errors = visitPart(error.errors, depth, '.errors');
  }
  const items = [
    Tag.error,
    visitPart(error.name, depth, '.name'),
    visitPart(error.message, depth, '.message'),
    visitPart(error.stack, depth, '.stack'),
    fields,
  ];
  if (Object.hasOwn(error, 'cause')) items.push(visitPart(error.cause, depth, '.cause'));
  return new Tagged(items);
}

function visitView(view: ArrayBufferView): unknown {
  if (view instanceof DataView || view.constructor === Buffer) return view;
  // The built-in kind, whatever class the array was made with.
  const kind = (view as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag];
  const native = TYPED_ARRAYS.get(kind);
  if (native === undefined) throw new Refusal(`is a ${kind}, which this version of redflow cannot store`);
  if (view.constructor === native) return view;
  return new native(view.buffer, view.byteOffset, (view as Uint8Array).length);
}
