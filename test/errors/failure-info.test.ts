import assert from 'node:assert/strict';
import { decode, encode } from '../../src/codec/codec.js';
import { CanceledError, InstanceNotFoundError, WorkflowError, isCanceled, isPermanent, permanentError } from '../../src/errors/errors.js';
import { fromFailureInfo, toFailureInfo, type FailureInfo } from '../../src/errors/failure-info.js';
import { MAX_DETAILS_BYTES, MAX_FAILURE_TEXT_LENGTH } from '../../src/errors/thrown-value.js';
import { everyTrapThrows } from '../helpers/hostile-values.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Converts `value`, checking what must hold for anything thrown: no throw, well-formed text, an encodable record. */
function convert(value: unknown): FailureInfo {
  let info: FailureInfo | undefined;
  assert.doesNotThrow(() => {
    info = toFailureInfo(value);
  });
  assert.ok(info !== undefined);
  for (let level: FailureInfo | undefined = info; level !== undefined; level = level.cause) {
    assert.equal(typeof level.message, 'string');
    assert.equal(typeof level.type, 'string');
    assert.doesNotMatch(level.message, LONE_SURROGATE);
    assert.ok(level.message.length <= MAX_FAILURE_TEXT_LENGTH, 'the message, notes included, stays within the limit');
    assert.ok((level.stack ?? '').length <= MAX_FAILURE_TEXT_LENGTH, 'so does the stack');
  }
  assert.doesNotThrow(() => decode(encode(info)), 'the record encodes and decodes');
  return info;
}

/** `again` without the stacks `recorded` lacks: a record without a stack is rebuilt into an error with one of its own. */
function withStacksOf(recorded: FailureInfo | undefined, again: FailureInfo): FailureInfo {
  const { stack, cause, ...rest } = again;
  const kept: FailureInfo = { ...rest };
  if (recorded?.stack !== undefined && stack !== undefined) kept.stack = stack;
  if (cause !== undefined) kept.cause = withStacksOf(recorded?.cause, cause);
  return kept;
}

describe('failure records of thrown values (API.md "Thrown values")', () => {
  describe('a thrown non-Error', () => {
    it('keeps a plain object as details and its JSON as the message', () => {
      const info = convert({ code: 'E_QUOTA', limit: 5 });
      assert.deepEqual(info, { message: '{"code":"E_QUOTA","limit":5}', type: 'Error', permanent: false, details: { code: 'E_QUOTA', limit: 5 } });
    });

    it('keeps a string as is, and other primitives as String gives them', () => {
      assert.deepEqual(convert('quota exceeded'), { message: 'quota exceeded', type: 'Error', permanent: false, details: 'quota exceeded' });
      assert.deepEqual(convert(42), { message: '42', type: 'Error', permanent: false, details: 42 });
      assert.deepEqual(convert(true), { message: 'true', type: 'Error', permanent: false, details: true });
      assert.deepEqual(convert(null), { message: 'null', type: 'Error', permanent: false, details: null });
      assert.deepEqual(convert(NaN), { message: 'NaN', type: 'Error', permanent: false, details: NaN });
      assert.deepEqual(convert(10n), { message: '10n', type: 'Error', permanent: false, details: 10n });
    });

    it('describes undefined without details', () => {
      assert.deepEqual(convert(undefined), { message: 'undefined', type: 'Error', permanent: false });
    });

    it('describes a symbol or a function, and says they cannot be kept', () => {
      assert.deepEqual(convert(Symbol('quota')), {
        message: 'Symbol(quota) (details incomplete: details is a symbol)',
        type: 'Error',
        permanent: false,
      });
      assert.deepEqual(convert(function checkQuota() {}), {
        message: '[function checkQuota] (details incomplete: details is a function)',
        type: 'Error',
        permanent: false,
      });
    });

    it('copies an object with no prototype into a plain object', () => {
      const info = convert(Object.assign(Object.create(null) as object, { code: 'E_NULL' }));
      assert.equal(info.message, '{"code":"E_NULL"}');
      assert.deepEqual(info.details, { code: 'E_NULL' });
      assert.equal(Object.getPrototypeOf(info.details), Object.prototype);
    });

    it('turns class instances into plain objects and keeps Dates, Maps, Sets, typed arrays and nested Errors', () => {
      class Quota {
        limit = 5;
        used = new Set([1, 2]);
      }
      const info = convert({ quota: new Quota(), at: new Date(0), byUser: new Map([['ada', 3]]), bytes: new Uint8Array([1, 2]), inner: new TypeError('t') });
      const details = info.details as Record<string, unknown>;
      assert.deepEqual(details.quota, { limit: 5, used: new Set([1, 2]) });
      assert.deepEqual(details.at, new Date(0));
      assert.deepEqual(details.byUser, new Map([['ada', 3]]));
      assert.deepEqual(details.bytes, new Uint8Array([1, 2]));
      assert.ok(details.inner instanceof Error);
      assert.equal(details.inner.message, 't');
    });

    it('leaves out functions and symbols inside, says so, and keeps the rest', () => {
      const info = convert({ code: 'E_FN', retry: () => 1, [Symbol('s')]: 1, nested: { tag: Symbol('t'), ok: true } });
      assert.deepEqual(info.details, { code: 'E_FN', nested: { ok: true } });
      assert.equal(
        info.message,
        '{"code":"E_FN","nested":{"ok":true}} (details incomplete: details.retry is a function; details.nested.tag is a symbol; details has symbol keys)',
      );
    });

    it('survives a Proxy whose every trap throws', () => {
      const info = convert(everyTrapThrows());
      assert.deepEqual(info, {
        message: '[an object that could not be described] (details incomplete: details could not be read)',
        type: 'Error',
        permanent: false,
      });
    });

    it('survives a revoked Proxy and a Proxy nested in an object', () => {
      const revocable = Proxy.revocable({}, {});
      revocable.revoke();
      assert.equal(convert(revocable.proxy).details, undefined);
      const info = convert({ code: 'E_NESTED', inner: everyTrapThrows() });
      assert.deepEqual(info.details, { code: 'E_NESTED' });
      assert.match(info.message, /^\{"code":"E_NESTED"\} \(details incomplete: details\.inner could not be read\)$/);
    });

    it('leaves out a getter that throws and falls back from a throwing toJSON to the copy', () => {
      const getter = convert({
        ok: 1,
        get broken(): never {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- throwing what is not an Error is what this test is about
          throw everyTrapThrows();
        },
      });
      assert.deepEqual(getter.details, { ok: 1 });
      assert.equal(getter.message, '{"ok":1} (details incomplete: details.broken could not be read)');

      class Reading {
        value = 7;
        toJSON(): never {
          throw new Error('no JSON today');
        }
      }
      const json = convert(new Reading());
      assert.deepEqual(json.details, { value: 7 });
      assert.equal(json.message, '{"value":7}');
    });

    it('uses toJSON for the message when it works', () => {
      const info = convert({ amount: 5, toJSON: () => ({ amount: '5.00 EUR' }) });
      assert.match(info.message, /^\{"amount":"5\.00 EUR"\} \(details incomplete: details\.toJSON is a function\)$/);
      assert.deepEqual(info.details, { amount: 5 });
    });

    it('cuts a cycle and keeps the rest', () => {
      const order: Record<string, unknown> = { id: 'o-1', lines: [1, 2] };
      order.self = order;
      const info = convert(order);
      assert.deepEqual(info.details, { id: 'o-1', lines: [1, 2] });
      assert.equal(info.message, '{"id":"o-1","lines":[1,2]} (details incomplete: details.self refers back to an object that contains it (a cycle))');
    });

    it('writes BigInts in the JSON of the message as "5n"', () => {
      const info = convert({ limit: 5n });
      assert.equal(info.message, '{"limit":"5n"}');
      assert.deepEqual(info.details, { limit: 5n });
    });

    it('bounds a huge string: the message is cut with a note, the details are left out past the size limit', () => {
      const huge = 'x'.repeat(MAX_DETAILS_BYTES + 10);
      const info = convert(huge);
      assert.equal(info.details, undefined);
      assert.equal(info.message.length, MAX_FAILURE_TEXT_LENGTH, 'the notes take the place of cut characters');
      const match = /^(x+)… \((\d+) more characters\) \(details incomplete: details .*size limit of \d+ bytes\)$/.exec(info.message);
      assert.ok(match !== null, info.message.slice(-200));
      assert.equal(Number(match[2]), huge.length - (match[1] as string).length, 'the note counts the characters cut');
    });

    it('bounds a small graph of shared references that would expand to billions of nodes', () => {
      let graph: Record<string, unknown> = { leaf: 1 };
      for (let i = 0; i < 60; i++) graph = { a: graph, b: graph };
      const info = convert(graph);
      assert.match(info.message, /details incomplete/);
    });

    it('makes a string that is not well-formed UTF-16 well-formed in the message', () => {
      const info = convert('receipt \uD83E');
      assert.equal(info.message.slice(0, 9), 'receipt \uFFFD');
      // The codec refuses such a string (API.md "Payloads"), so the details leave it out and the message says why.
      assert.equal(info.details, undefined);
      assert.match(info.message, /details incomplete: .*not well-formed UTF-16 \(lone surrogate U\+D83E at index 8\)/);
    });

  });

  describe('a thrown Error', () => {
    it('keeps the mark of permanentError', () => {
      assert.equal(convert(permanentError(new Error('final'))).permanent, true);
      assert.equal(convert(new Error('again')).permanent, false);
    });

    it('keeps message, name as type and stack, without details when it has no other fields', () => {
      const error = new TypeError('bad input');
      const info = convert(error);
      assert.equal(info.message, 'bad input');
      assert.equal(info.type, 'TypeError');
      assert.equal(info.stack, error.stack);
      assert.equal('details' in info, false);
    });

    it('keeps a cause that is not an Error as a failure with its JSON and details', () => {
      const info = convert(new Error('x', { cause: { code: 'ECONNRESET' } }));
      assert.deepEqual(info.cause, { message: '{"code":"ECONNRESET"}', type: 'Error', permanent: false, details: { code: 'ECONNRESET' } });
      assert.deepEqual(convert(new Error('x', { cause: 'socket closed' })).cause?.details, 'socket closed');
      assert.equal(convert(new Error('x', { cause: everyTrapThrows() })).cause?.message.startsWith('[an object that could not be described]'), true);
    });

    it('keeps its extra own fields in details (name, message, stack and cause excepted)', () => {
      class QuotaError extends Error {
        override name = 'QuotaError';
        code = 'E_QUOTA';
        limit = 5;
        check = (): boolean => false;
      }
      const info = convert(new QuotaError('over quota'));
      assert.equal(info.type, 'QuotaError');
      assert.deepEqual(info.details, { code: 'E_QUOTA', limit: 5 });
      assert.equal(info.message, 'over quota (details incomplete: details.check is a function)');
      const system = convert(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' }));
      assert.deepEqual(system.details, { code: 'ECONNRESET', errno: -104, syscall: 'read' });
    });

    it("keeps an AggregateError's errors in details", () => {
      const info = convert(new AggregateError([new Error('first'), { code: 'E_SECOND' }], 'both failed'));
      assert.equal(info.type, 'AggregateError');
      const errors = (info.details as { errors: unknown[] }).errors;
      assert.equal(errors.length, 2);
      assert.ok(errors[0] instanceof Error);
      assert.equal(errors[0].message, 'first');
      assert.deepEqual(errors[1], { code: 'E_SECOND' });
    });

    it('survives message, name, stack and cause getters that throw', () => {
      const error = new Error('hidden');
      // The stack accessor is replaced first: redefining it formats the stack, which reads name and message.
      for (const key of ['stack', 'message', 'name', 'cause']) {
        Object.defineProperty(error, key, {
          get(): never {
            // eslint-disable-next-line @typescript-eslint/only-throw-error -- throwing what is not an Error is what this test is about
            throw everyTrapThrows();
          },
        });
      }
      assert.deepEqual(convert(error), { message: '(the message of this error could not be read)', type: 'Error', permanent: false });
    });

    it('describes a message that is not a string, and ignores a name or stack that is not one', () => {
      const error = new Error('x');
      Object.defineProperty(error, 'message', { value: { code: 'E_MSG' } });
      Object.defineProperty(error, 'name', { value: 42 });
      Object.defineProperty(error, 'stack', { value: ['not', 'a', 'string'] });
      assert.deepEqual(convert(error), { message: '{"code":"E_MSG"}', type: 'Error', permanent: false });
    });

    it('stops a cause chain that loops', () => {
      const error = new Error('loop');
      Object.defineProperty(error, 'cause', { value: error });
      let depth = 0;
      for (let level: FailureInfo | undefined = convert(error); level !== undefined; level = level.cause) depth++;
      assert.equal(depth, 9);
    });

    it("keeps a WorkflowError's type, details and causes, so a rethrown failure arrives unchanged", () => {
      const recorded: FailureInfo = {
        message: '{"code":"E_QUOTA"}',
        type: 'Error',
        permanent: true,
        details: { code: 'E_QUOTA' },
        cause: { message: 'inner', type: 'RangeError', permanent: false, details: new Map([['k', 1]]) },
      };
      const error = fromFailureInfo(recorded);
      assert.deepEqual(error.details, { code: 'E_QUOTA' });
      assert.ok(error.cause instanceof WorkflowError);
      assert.deepEqual(error.cause.details, new Map([['k', 1]]));
      const again = convert(error);
      delete again.stack;
      delete again.cause?.stack;
      assert.deepEqual(again, recorded);
    });

    it('gives back the same message and stack when a failure rebuilt from a cut record is converted again', () => {
      const long = Object.assign(new Error('m'.repeat(3 * MAX_FAILURE_TEXT_LENGTH)), { retry: () => 'a function' });
      long.stack = `s${'\n    at frame'.repeat(MAX_FAILURE_TEXT_LENGTH)}`;
      const huge = { code: 'E_QUOTA', blob: 'y'.repeat(MAX_DETAILS_BYTES + 10) };
      for (const thrown of [long, huge, new Error('outer', { cause: long })]) {
        const recorded = convert(thrown);
        assert.match(recorded.message + (recorded.cause?.message ?? ''), /more characters\)/);
        assert.deepEqual(withStacksOf(recorded, convert(fromFailureInfo(recorded))), recorded, 'a rethrown failure arrives unchanged');
      }
      const message = convert(long).message;
      assert.match(message, /^m+… \(\d+ more characters\) \(details incomplete: details\.retry is a function\)$/);
      assert.equal(Number(/\((\d+) more/.exec(message)?.[1]), 3 * MAX_FAILURE_TEXT_LENGTH - (/^m+/.exec(message)?.[0].length ?? 0));
    });

    it("keeps no details for redflow's own errors: their type and message say it all", () => {
      assert.equal('details' in convert(new InstanceNotFoundError('order-42')), false);
      assert.equal('details' in convert(new CanceledError()), false);
    });
  });

  it('isCanceled and isPermanent never throw', () => {
    assert.equal(isCanceled(everyTrapThrows()), false);
    assert.equal(isPermanent(everyTrapThrows()), false);
    assert.equal(isCanceled(new WorkflowError('c', { type: 'CanceledError' })), true);
  });
});
