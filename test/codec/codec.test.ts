import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import { assertEncodable, assertPayloadSize, decode, encode } from '../../src/codec/codec.js';
import { decodeEvent, decodeHistoryEvent, encodeEvent } from '../../src/codec/event-codec.js';
import { InvalidArgumentError, UndecodableDataError } from '../../src/errors/errors.js';
import { newEvent } from '../../src/history/events.js';

const roundTrip = <T>(value: T): T => decode<T>(encode(value));

/** The settings the codec wrote with before tagged values existed: what histories already in Redis hold. */
const earlierCodec = new Packr({ useRecords: false, moreTypes: true });

class Point {
  x = 1;
  y = 2;
  get length(): number {
    return Math.hypot(this.x, this.y);
  }
  toJSON(): string {
    return 'not what structuredClone copies';
  }
}

describe('codec', () => {
  describe('round trip of every payload kind (as structuredClone copies it)', () => {
    const table: Array<[string, () => unknown]> = [
      ['undefined', () => undefined],
      ['null', () => null],
      ['booleans', () => [true, false]],
      ['numbers', () => [0, 1, -1, 255, 65_536, 2 ** 32, -(2 ** 31) - 1, 1.5, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity]],
      ['NaN', () => NaN],
      ['BigInt of every size', () => [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 64n, -(2n ** 200n), 12345678901234567890123456789n]],
      ['strings exactly, surrogate pairs and U+FFFD included', () => ['', 'ascii', 'h\u00e9llo', '\u{1F955} pairs \uD83E\uDD55', '\uFFFD', 'x'.repeat(70_000)]],
      ['plain objects and arrays', () => ({ a: [1, [2, [3]]], b: { c: { d: 'e' } }, empty: {}, list: [] })],
      ['undefined fields and items', () => ({ a: undefined, list: [undefined, null] })],
      ['numeric and odd keys', () => ({ 1: 'one', '': 'empty', 'with space': 2, constructor: 'x' })],
      ['Date', () => [new Date(0), new Date(1_700_000_000_123), new Date(-1_234_567), new Date(8.64e15)]],
      ['RegExp with flags', () => [/a+b/giu, /^x$/msy, new RegExp('\\d', 'd')]],
      ['Map with string keys', () => new Map([['apples', 3], ['pears', 4]])],
      ['Map with any keys', () => new Map<unknown, unknown>([[{ sku: 'A-1' }, 2], [[1, 2], 'array'], [1, 'number'], [2n, 'bigint'], [null, 'null'], [undefined, 'undefined'], [true, 'bool']])],
      ['Set with any items', () => new Set<unknown>([1, 'a', { b: 2 }, [3], null, undefined])],
      ['Map and Set nested in each other', () => new Map([['set', new Set([new Map([[{ k: 1 }, new Set(['deep'])]])])]])],
      ['every typed array', () => [
        new Int8Array([-1, 1]), new Uint8Array([1, 255]), new Uint8ClampedArray([0, 255]), new Int16Array([-300]), new Uint16Array([65_535]),
        new Int32Array([-(2 ** 31)]), new Uint32Array([2 ** 32 - 1]), new Float32Array([1.5]), new Float64Array([Math.PI, -0]),
        new BigInt64Array([-(2n ** 63n)]), new BigUint64Array([2n ** 64n - 1n]),
      ]],
      ['a typed array over part of a buffer', () => new Uint16Array(new Uint16Array([1, 2, 3, 4]).buffer, 2, 2)],
      ['ArrayBuffer and DataView', () => [new Uint8Array([1, 2, 3]).buffer, new DataView(new Uint8Array([4, 5, 6]).buffer, 1, 2)]],
      ['Buffer', () => Buffer.from('bytes')],
      ['shared references (copied, not refused)', () => {
        const shared = { s: 1 };
        return [shared, shared, { again: shared }];
      }],
      ['boxed primitives', () => [new Number(3), new String('s'), new Boolean(false), Object(5n) as object]],
      ['a __proto__ key, kept as a key', () => JSON.parse('{"__proto__": {"polluted": true}, "b": 2}') as unknown],
      ['an object with 70000 keys', () => Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`k${i}`, i]))],
    ];
    for (const [kind, make] of table) {
      it(kind, () => assert.deepStrictEqual(roundTrip(make()), make()));
    }

    it('an object without prototype, as a plain object', () => {
      assert.deepStrictEqual(roundTrip(Object.assign(Object.create(null) as object, { a: 1 })), { a: 1 });
    });

    it('-0, alone and nested', () => {
      const [alone, nested] = roundTrip([-0, { list: [-0, 0] }]) as [number, { list: number[] }];
      assert.ok(Object.is(alone, -0));
      assert.ok(Object.is(nested.list[0], -0) && Object.is(nested.list[1], 0));
    });

    it('an invalid Date', () => {
      const date = roundTrip(new Date(NaN));
      assert.ok(date instanceof Date && Number.isNaN(date.getTime()));
    });

    it('a Map stays a Map and keeps its insertion order', () => {
      const map = roundTrip(new Map<unknown, number>([['b', 1], [{ a: 1 }, 2], ['a', 3]]));
      assert.ok(map instanceof Map);
      assert.deepEqual([...map.values()], [1, 2, 3]);
    });

    it('Errors with name, message, stack, cause and their own fields', () => {
      const error = Object.assign(new RangeError('out of range', { cause: { code: 'ECONNRESET' } }), { code: 'E_RANGE', status: 503 });
      const copy = roundTrip(error);
      assert.ok(copy instanceof RangeError);
      assert.deepEqual([copy.name, copy.message, copy.stack, copy.cause], ['RangeError', 'out of range', error.stack, { code: 'ECONNRESET' }]);
      assert.deepEqual({ ...copy }, { code: 'E_RANGE', status: 503 });
      assert.deepEqual(Object.keys(copy), ['code', 'status'], 'name, message, stack and cause stay non-enumerable');
    });

    it('an Error subclass arrives as an Error with its name', () => {
      class QuotaError extends Error {
        limit = 5;
        constructor() {
          super('quota exceeded');
          this.name = 'QuotaError';
        }
      }
      const copy = roundTrip(new QuotaError()) as Error & { limit: number };
      assert.equal(Object.getPrototypeOf(copy), Error.prototype);
      assert.deepEqual([copy.name, copy.message, copy.limit], ['QuotaError', 'quota exceeded', 5]);
    });

    it('an Error without cause or stack, and an AggregateError with its errors', () => {
      const bare = new Error('bare');
      delete bare.stack;
      const copy = roundTrip(bare);
      assert.equal('stack' in copy, false);
      assert.equal('cause' in copy, false);
      const aggregate = roundTrip<AggregateError>(new AggregateError([new TypeError('one'), 'two'], 'both'));
      assert.ok(aggregate instanceof AggregateError);
      assert.equal(aggregate.message, 'both');
      assert.ok(aggregate.errors[0] instanceof TypeError);
      assert.equal(aggregate.errors[1], 'two');
    });

    it('a class instance arrives as a plain object of its own fields (not what toJSON returns)', () => {
      const copy = roundTrip({ point: new Point() });
      assert.equal(Object.getPrototypeOf(copy.point), Object.prototype);
      assert.deepStrictEqual(copy, { point: { x: 1, y: 2 } });
    });

    it('a typed array of a subclass arrives as the built-in kind', () => {
      class Bytes extends Uint8Array {}
      const copy = roundTrip(new Bytes([1, 2]));
      assert.equal(copy.constructor, Uint8Array);
      assert.deepEqual([...copy], [1, 2]);
    });

    it('a decoded Buffer does not share memory with the stored blob', () => {
      const blob = encode({ bytes: Buffer.from('abc') });
      const copy = decode<{ bytes: Buffer }>(blob);
      copy.bytes.fill(0);
      assert.deepEqual(decode<{ bytes: Buffer }>(blob).bytes, Buffer.from('abc'));
    });

    it('leaves the value it encodes untouched', () => {
      const value = { map: new Map([[{ k: 1 }, -0]]), list: [new Set([1])] };
      encode(value);
      assert.ok(value.map instanceof Map && value.list[0] instanceof Set);
      assert.ok(Object.is(value.map.get([...value.map.keys()][0] as { k: number }), -0));
    });
  });

  describe('data written before', () => {
    it('encodes plain data to exactly the bytes the earlier codec wrote', () => {
      const plain = { t: 'ActivityScheduled', ts: 1_700_000_000_000, s: 3, a: { name: 'charge', inputs: [{ id: 'o-1', n: 2.5, at: new Date(5), big: 7n, set: new Set([1]) }] } };
      assert.deepEqual(encode(plain), earlierCodec.pack(plain));
    });

    it('decodes what the earlier codec wrote as it did then', () => {
      const written = earlierCodec.pack({ list: [1, 'a', null], date: new Date(7), map: new Map([['apples', 3]]), error: new TypeError('x') });
      const read = decode<{ list: unknown[]; date: Date; map: unknown; error: Error }>(written);
      assert.deepEqual(read.list, [1, 'a', null]);
      assert.deepEqual(read.date, new Date(7));
      // The earlier codec wrote a Map as a msgpack map, which has always been read as an object.
      assert.deepEqual(read.map, { apples: 3 });
      assert.ok(read.error instanceof TypeError);
    });
  });

  describe('refusals, naming the path', () => {
    const cyclic = (): unknown => {
      const order: { items: unknown[] } = { items: [] };
      order.items.push({ order });
      return [order];
    };
    const deep = (): unknown => {
      let value: unknown = 'leaf';
      for (let i = 0; i < 70; i++) value = [value];
      return value;
    };
    const table: Array<[string, () => unknown, RegExp]> = [
      ['a function', () => [{ items: [1, 2, () => 3] }], /^args: \[0\]\.items\[2\] is a function, which cannot be stored$/],
      ['a function at the root', () => () => 1, /^args is a function/],
      ['a symbol', () => [{ tag: Symbol('x') }], /^args: \[0\]\.tag is a symbol/],
      ['a cycle', cyclic, /^args: \[0\]\.items\[0\]\.order refers back to an object that contains it \(a cycle\)/],
      ['a lone high surrogate', () => ['receipt \uD83E'], /^args: \[0\] is a string that is not well-formed UTF-16 \(lone surrogate U\+D83E at index 8\)/],
      ['a lone low surrogate', () => [{ note: 'x\uDC00y' }], /^args: \[0\]\.note is a string .*U\+DC00 at index 1/],
      ['a reversed pair', () => ['\uDD55\uD83E'], /U\+DD55 at index 0/],
      ['a key', () => [{ ['k\uD800']: 1 }], /^args: \[0\]\["k\\ud800"\] is a key that is not well-formed UTF-16/],
      ['a Map key', () => [new Map([['ok', 1], ['k\uD800', 2]])], /^args: \[0\]\.keys\(\)\[1\] is a string/],
      ['a Map value', () => [new Map([['receipt', 'x\uD800']])], /^args: \[0\]\.get\("receipt"\) is a string/],
      ['a value under an object key', () => [new Map([[{ sku: 1 }, () => 1]])], /^args: \[0\]\.values\(\)\[0\] is a function/],
      ['a Set item', () => [new Set(['ok', ['x\uDFFF']])], /^args: \[0\]\.values\(\)\[1\]\[0\] is a string/],
      ['an error message', () => [new Error('m\uD800')], /^args: \[0\]\.message is a string/],
      ['an error cause', () => [new Error('m', { cause: { f: () => 1 } })], /^args: \[0\]\.cause\.f is a function/],
      ['an error field', () => [Object.assign(new Error('m'), { code: Symbol('c') })], /^args: \[0\]\.code is a symbol/],
      ['a pattern', () => [new RegExp('\uD800')], /^args: \[0\]\.source is a pattern/],
      ['a boxed string', () => [new String('\uD800')], /^args: \[0\]\.valueOf\(\) is a string/],
      ['a Promise', () => [Promise.resolve(1)], /^args: \[0\] is a Promise/],
      ['a WeakMap', () => [new WeakMap()], /^args: \[0\] is a WeakMap/],
      ['a Symbol object', () => [{ s: Object(Symbol('s')) as object }], /^args: \[0\]\.s is a Symbol object/],
      ['a SharedArrayBuffer', () => [new SharedArrayBuffer(4)], /^args: \[0\] is a SharedArrayBuffer/],
      ['nesting past the limit', deep, /is nested deeper than 64 levels/],
    ];
    for (const [kind, make, message] of table) {
      it(kind, () => {
        assert.throws(() => assertEncodable(make(), 'args'), (err: unknown) => err instanceof InvalidArgumentError && message.test(err.message));
        // A record may wrap payloads in a few more levels (see test/codec/payload-depth.test.ts).
        if (kind !== 'nesting past the limit') assert.throws(() => encode(make(), 'args'), InvalidArgumentError);
      });
    }

    it('refuses a payload over the size limit, and measures what would be written', () => {
      assert.doesNotThrow(() => assertPayloadSize(['x'.repeat(100)], 'args', 200));
      assert.throws(() => assertPayloadSize(['x'.repeat(300)], 'args', 200), /args encode to \d+ bytes, more than the limit of 200 bytes/);
      assert.throws(() => assertPayloadSize(['\uD800'], 'args', 200), /not well-formed/);
    });
  });

  describe('decoding what cannot be read', () => {
    it('throws UndecodableDataError with the decoder error as cause', () => {
      const blobs = [
        earlierCodec.pack({ stock: new Map([[{ sku: 'A-1' }, 2]]) }),
        encode({ a: 'b' }).subarray(0, 3),
        Buffer.from([0xd4, 0x46, 0x00, 0x91, 0x63]),
        Buffer.from([0xc7, 0x01, 0x7e, 0x00]),
      ];
      for (const blob of blobs) {
        assert.throws(() => decode(blob, 'the blob'), (err: unknown) => {
          assert.ok(err instanceof UndecodableDataError);
          assert.match(err.message, /^the blob cannot be decoded \(.+\): it was written by a version of redflow this one cannot read, or it is damaged$/);
          assert.ok(err.cause instanceof Error);
          return true;
        });
      }
    });

    it('names the event and its instance', () => {
      const owner = { instanceId: 'order-42', executionId: 'e-1' };
      const blob = earlierCodec.pack({ t: 'ActivityCompleted', ts: 1, s: 2, a: { result: new Map([[{ sku: 'A-1' }, 2]]) } });
      assert.throws(() => decodeHistoryEvent(blob, 7, owner), /history event 7 of workflow instance order-42 \(execution e-1\) cannot be decoded \(Invalid property type/);
      assert.throws(() => decodeEvent(blob, owner), /an inbox event of workflow instance order-42 \(execution e-1\) cannot be decoded/);
      assert.throws(() => decodeEvent(encode({ not: 'an event' })), (err: unknown) => err instanceof UndecodableDataError && /the blob is not an event/.test(err.message));
    });
  });

  describe('events', () => {
    it('round-trip with their payloads', () => {
      const event = newEvent('ActivityCompleted', { result: new Map([[{ sku: 'A-1' }, -0]]) }, 4, new Date(1_700_000_000_000));
      assert.deepStrictEqual(decodeHistoryEvent(encodeEvent(event), 9), { ...event, sequenceId: 9 });
    });

    it('refuse attributes a payload cannot hold, naming the event', () => {
      const event = newEvent('SignalReceived', { name: 'go', arg: { f: () => 1 } });
      assert.throws(() => encodeEvent(event), /SignalReceived event: \.a\.arg\.f is a function/);
    });
  });
});
