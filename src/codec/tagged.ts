import { addExtension } from 'msgpackr';

// msgpack has no Map with arbitrary keys, no -0 and no Error with its stack; msgpackr reads every msgpack map
// back as a plain object (which stored plain data relies on). Values msgpack cannot say by itself travel as one
// msgpack extension of redflow's own: a kind number followed by the kind's parts, [kind, ...parts].

/** The msgpack extension type of redflow's tagged values (msgpackr's own types are letters and 0). */
const TAGGED_EXTENSION_TYPE = 0x46;

/** What a tagged value is; the number is its first item on the wire and never changes meaning. */
export const Tag = {
  /** [0, key1, value1, key2, value2, ...]: a `Map`, entries in insertion order. */
  map: 0,
  /** [1]: the number -0, which msgpackr writes as the integer 0. */
  negativeZero: 1,
  /** [2, name, message, stack, fields, cause?]: an `Error`; `fields` are its other own enumerable properties. */
  error: 2,
  /** [3, key1, value1, ...]: a plain object msgpackr cannot write as a map (a `__proto__` key, 65536+ keys). */
  objectEntries: 3,
  /** [4, primitive]: a `Number`, `String`, `Boolean` or `BigInt` object. */
  boxed: 4,
} as const;

/** A value on its way to msgpack as a redflow extension: `items` is `[kind, ...parts]`, parts already encodable. */
export class Tagged {
  readonly items: unknown[];
  constructor(items: unknown[]) {
    this.items = items;
  }
}

/** The one -0 on the wire: every -0 is the same tagged value. */
export const NEGATIVE_ZERO = new Tagged([Tag.negativeZero]);

const ERROR_TYPES = new Map<string, ErrorConstructor>([
  ['Error', Error],
  ['EvalError', EvalError],
  ['RangeError', RangeError],
  ['ReferenceError', ReferenceError],
  ['SyntaxError', SyntaxError],
  ['TypeError', TypeError],
  ['URIError', URIError],
]);

// msgpackr keeps extensions in one table per process. Only instances of `Tagged`, which nothing outside this
// codec makes, are written with this type, so other users of msgpackr in the process are not affected.
addExtension({
  Class: Tagged,
  type: TAGGED_EXTENSION_TYPE,
  write: (tagged: Tagged) => tagged.items,
  read: (items: unknown) => untag(items),
});

/** The value a tagged value's decoded items stand for; throws for items this version does not know. */
function untag(items: unknown): unknown {
  if (!Array.isArray(items)) throw new TypeError('a redflow tagged value is not a list');
  switch (items[0]) {
    case Tag.map: {
      const map = new Map<unknown, unknown>();
      for (let i = 1; i < items.length; i += 2) map.set(items[i], items[i + 1]);
      return map;
    }
    case Tag.negativeZero:
      return -0;
    case Tag.error:
      return errorOf(items);
    case Tag.objectEntries: {
      const object: Record<string, unknown> = {};
      for (let i = 1; i < items.length; i += 2) defineField(object, String(items[i]), items[i + 1], true);
      return object;
    }
    case Tag.boxed:
      return Object(items[1]) as object;
    default:
      throw new TypeError(`unknown redflow tagged value kind ${String(items[0])}`);
  }
}

function errorOf(items: unknown[]): Error {
  const [, name, message, stack, fields] = items;
  const type = typeof name === 'string' ? ERROR_TYPES.get(name) : undefined;
  const error = name === 'AggregateError' ? new AggregateError([]) : new (type ?? Error)();
  if (error.name !== name) defineField(error, 'name', name, false);
  if (message !== undefined) defineField(error, 'message', message, false);
  // The decoder's own stack would point here; the error keeps the stack it was thrown with, or none.
  if (stack === undefined) delete error.stack;
  else defineField(error, 'stack', stack, false);
  if (items.length > 5) defineField(error, 'cause', items[5], false);
  if (typeof fields === 'object' && fields !== null) {
    for (const key of Object.keys(fields)) defineField(error, key, (fields as Record<string, unknown>)[key], true);
  }
  return error;
}

// defineProperty, because assigning a key named __proto__ would set the prototype instead.
function defineField(target: object, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(target, key, { value, enumerable, writable: true, configurable: true });
}
