import assert from 'node:assert/strict';
import type { WorkflowTaskCompletion } from '../../src/backend/backend.js';
import { encodeActivityTask } from '../../src/backend/redis/activity-task-record.js';
import { assertEncodable, assertPayloadSize, assertStorable, decode, encode, encodePayload } from '../../src/codec/codec.js';
import { decodeEvent, encodeEvent } from '../../src/codec/event-codec.js';
import { MAX_PAYLOAD_DEPTH, MAX_RECORD_DEPTH } from '../../src/codec/wire.js';
import { InvalidArgumentError } from '../../src/errors/errors.js';
import type { FailureInfo } from '../../src/errors/failure-info.js';
import { everyTrapThrows } from '../helpers/hostile-values.js';
import { newEvent, type NewEvent, type NewEventOf } from '../../src/history/events.js';
import { nested } from '../helpers/payloads.js';


/** Checks the refusal of a value nested one level past the limit: its path counts from the value's own root. */
function tooDeep(what: string, inList = false): (err: unknown) => boolean {
  const path = inList ? `[0]${'.n'.repeat(MAX_PAYLOAD_DEPTH)}` : '.n'.repeat(MAX_PAYLOAD_DEPTH + 1);
  return (err) => {
    assert.ok(err instanceof InvalidArgumentError);
    assert.equal(err.message, `${what}: ${path} is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`);
    return true;
  };
}

/** The deepest failure record the engine stores: a chain of 8 causes, the last with `details`. */
function deepestFailure(details: unknown): FailureInfo {
  let info: FailureInfo = { message: 'innermost', type: 'Error', permanent: false, details };
  for (let i = 0; i < 8; i++) info = { message: `cause ${i}`, type: 'WorkflowError', permanent: false, cause: info };
  return info;
}

const instance = { instanceId: 'order-1', executionId: 'e-1' };

/** Every event kind that carries a payload, each holding `value` (an argument list holds it as `[value]`). */
function eventsCarrying(value: unknown): NewEvent[] {
  const args = [value];
  return [
    newEvent('WorkflowExecutionStarted', { name: 'wf', queue: 'q', inputs: args }),
    newEvent('WorkflowExecutionFinished', { result: value }),
    newEvent('WorkflowExecutionFinished', { error: deepestFailure(value) }),
    newEvent('WorkflowExecutionContinuedAsNew', { result: value, continuedExecutionId: 'e-2' }),
    newEvent('ActivityScheduled', { name: 'act', queue: 'q', inputs: args, attempt: 1 }, 1),
    newEvent('ActivityCompleted', { result: value }, 1),
    newEvent('ActivityFailed', { error: deepestFailure(value) }, 1),
    newEvent('SignalReceived', { name: 'go', arg: value }),
    newEvent('SideEffectResult', { result: value }),
    newEvent('SideEffectResult', { error: deepestFailure(value) }),
    newEvent('SubWorkflowCompleted', { result: value }, 2),
    newEvent('SubWorkflowFailed', { error: deepestFailure(value) }, 2),
    newEvent('SignalSent', { instanceId: 'other', name: 'go', arg: value }, 3),
    newEvent('SignalFailed', { error: deepestFailure(value) }, 3),
  ];
}

/** A workflow task completion holding `value` in every place a completion carries a payload. */
function completionCarrying(value: unknown): WorkflowTaskCompletion {
  const args = [value];
  const started = newEvent('WorkflowExecutionStarted', { name: 'wf', queue: 'q', inputs: args }) as NewEventOf<'WorkflowExecutionStarted'>;
  const signal = newEvent('SignalReceived', { name: 'go', arg: value }) as NewEventOf<'SignalReceived'>;
  return {
    events: eventsCarrying(value).map((event, i) => ({ ...event, sequenceId: i + 1 })),
    activities: [{ scheduleEventId: 1, name: 'act', queue: 'q', inputs: args, attempt: 1 }],
    timers: [],
    canceledTimers: [],
    subWorkflows: [{ scheduleEventId: 2, instance: { instanceId: 'child', executionId: 'c-1' }, started }],
    signals: [{ scheduleEventId: 3, instanceId: 'other', signal }],
    notifyParent: { parent: { instanceId: 'parent', executionId: 'p-1' }, event: newEvent('SubWorkflowFailed', { error: deepestFailure(value) }, 4) as NewEventOf<'SubWorkflowFailed'> },
    continuation: { instance: { instanceId: 'order-1', executionId: 'e-2' }, started, carried: [signal] },
    state: 'active',
  };
}

describe('codec: payload depth, counted from the payload root whatever record holds it', () => {
  const atLimit = nested(MAX_PAYLOAD_DEPTH);

  it('accepts a payload at exactly the limit, and refuses one level more naming the path from its root', () => {
    assert.doesNotThrow(() => assertEncodable(atLimit, 'result of workflow wf'));
    assert.deepStrictEqual(decode(encodePayload(atLimit, 'result')), atLimit);
    assert.throws(() => assertEncodable(nested(MAX_PAYLOAD_DEPTH + 1), 'result of workflow wf'), tooDeep('result of workflow wf'));
    assert.throws(() => encodePayload(nested(MAX_PAYLOAD_DEPTH + 1), 'result'), tooDeep('result'));
    // An argument list is the payload: its items are one level down.
    assert.doesNotThrow(() => assertPayloadSize([nested(MAX_PAYLOAD_DEPTH - 1)], 'arguments of workflow wf', 1_000_000));
    assert.throws(() => assertPayloadSize([nested(MAX_PAYLOAD_DEPTH)], 'arguments of workflow wf', 1_000_000), tooDeep('arguments of workflow wf', true));
  });

  it('stores a payload at the limit inside every event that carries one', () => {
    for (const event of eventsCarrying(atLimit)) {
      assert.deepStrictEqual(decodeEvent(encodeEvent(event)), event, event.type);
    }
  });

  it('stores a payload at the limit in activity task records of both backends', () => {
    const task = { instance, workflowQueue: 'q', queue: 'q', scheduleEventId: 1, name: 'act', attempt: 1, inputs: [nested(MAX_PAYLOAD_DEPTH - 1)] };
    assert.doesNotThrow(() => encodeActivityTask(task));
    // The memory backend keeps the task as one blob.
    assert.deepStrictEqual(decode(encode(task)), task);
  });

  it('checks and stores a whole workflow task completion whose every payload is at the limit', () => {
    const completion = completionCarrying(atLimit);
    assert.doesNotThrow(() => assertStorable(completion, 'workflow task completion'));
    assert.deepStrictEqual(decode(encode(completion)), completion);
  });

  it('still bounds a record: nesting past MAX_RECORD_DEPTH is refused', () => {
    assert.doesNotThrow(() => encode(nested(MAX_RECORD_DEPTH)));
    assert.throws(() => encode(nested(MAX_RECORD_DEPTH + 1), 'record'), (err: unknown) => err instanceof InvalidArgumentError && /nested deeper than/.test(err.message));
    assert.throws(() => assertStorable(nested(MAX_RECORD_DEPTH + 1), 'record'), InvalidArgumentError);
  });
});

function throwsText(): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- throwing what is not an Error is what this test is about
  throw 'plain text';
}

describe('codec: values that cannot be read', () => {
  const throwingGetter = (): object =>
    Object.defineProperty({}, 'g', {
      enumerable: true,
      get() {
        throw new Error('getter!');
      },
    });
  const throwingTraps = (): object =>
    new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('ownKeys!');
        },
        get() {
          throw new Error('get!');
        },
        getPrototypeOf() {
          throw new Error('getPrototypeOf!');
        },
      },
    );
  const table: Array<[string, () => unknown, RegExp]> = [
    ['a getter that throws', () => [throwingGetter()], /^args: \[0\]\.g cannot be read \(reading it threw Error: getter!\), so it cannot be stored$/],
    ['a getter deep inside', () => [{ order: new Map([['lines', [throwingGetter()]]]) }], /^args: \[0\]\.order\.get\("lines"\)\[0\]\.g cannot be read \(reading it threw Error: getter!\)/],
    ['a Proxy whose traps throw', () => [{ p: throwingTraps() }], /^args: \[0\]\.p cannot be read \(reading it threw Error: \w+!\)/],
    ['a Proxy at the root', throwingTraps, /^args cannot be read \(reading it threw Error: \w+!\)/],
    ['a revoked Proxy', () => [{ r: (() => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; })() }], /^args: \[0\]\.r cannot be read \(reading it threw TypeError: /],
    ['a getter throwing a non-Error', () => [Object.defineProperty({}, 'x', { enumerable: true, get: throwsText })], /^args: \[0\]\.x cannot be read \(reading it threw "plain text"\)/],
    ['a Proxy whose traps throw such Proxies', () => [{ h: everyTrapThrows() }], /^args: \[0\]\.h cannot be read \(reading it threw a Proxy\)/],
  ];
  for (const [kind, make, message] of table) {
    it(`refuses ${kind} with InvalidArgumentError naming the path`, () => {
      for (const check of [() => assertEncodable(make(), 'args'), () => encode(make(), 'args'), () => assertPayloadSize(make(), 'args', 1_000_000)]) {
        assert.throws(check, (err: unknown) => err instanceof InvalidArgumentError && message.test(err.message));
      }
    });
  }
});
