import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import { activityTaskHandle, decodeActivityTask, encodeActivityTask, type ActivityTaskRecord } from '../../../src/backend/redis/activity-task-record.js';
import { UndecodableDataError } from '../../../src/errors/errors.js';

const earlierCodec = new Packr({ useRecords: false, moreTypes: true });
const record: ActivityTaskRecord = {
  instance: { instanceId: 'order-42', executionId: 'e-1' },
  workflowQueue: 'default',
  queue: 'payments',
  scheduleEventId: 5,
  name: 'charge',
  attempt: 1,
  inputs: [new Map([[{ sku: 'A-1' }, 2]]), -0],
};
const wire = { i: 'order-42', e: 'e-1', wq: 'default', q: 'payments', s: 5, n: 'charge', a: 1 };
const handle = activityTaskHandle('1-0', 1);

describe('activity-task record', () => {
  it('round-trips a task with its inputs', () => {
    assert.deepStrictEqual(decodeActivityTask(handle, encodeActivityTask(record), 2), { id: handle, ...record, redeliveries: 2 });
  });

  it('round-trips the time it was queued and its trace context, and leaves out a malformed trace context', () => {
    const traced: ActivityTaskRecord = Object.assign({}, record, {
      scheduledAt: new Date(1_700_000_000_123),
      traceContext: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    assert.deepStrictEqual(decodeActivityTask(handle, encodeActivityTask(traced), 0), Object.assign({ id: handle, redeliveries: 0 }, traced));
    const malformed = earlierCodec.pack(Object.assign({}, wire, { in: earlierCodec.pack([]), tc: { traceparent: 7 } }));
    assert.equal(decodeActivityTask(handle, malformed, 0).traceContext, undefined);
  });

  it('reads records written before the inputs were encoded apart', () => {
    const earlier = earlierCodec.pack({ ...wire, in: ['plain', 2] });
    assert.deepStrictEqual(decodeActivityTask(handle, earlier, 0), { id: handle, ...record, redeliveries: 0, inputs: ['plain', 2] });
  });

  it('names the instance and the activity when only the inputs cannot be decoded', () => {
    const blob = earlierCodec.pack({ ...wire, in: earlierCodec.pack([new Map([[{ sku: 'A-1' }, 2]])]) });
    assert.throws(() => decodeActivityTask(handle, blob, 0), (err: unknown) => {
      assert.ok(err instanceof UndecodableDataError);
      assert.match(err.message, /^the arguments of activity charge \(event 5\) of workflow instance order-42 \(execution e-1\) cannot be decoded \(Invalid property type/);
      return true;
    });
  });

  it('throws UndecodableDataError for a blob that is not an activity task', () => {
    assert.throws(() => decodeActivityTask(handle, earlierCodec.pack({ i: 'order-42' }), 0), (err: unknown) => err instanceof UndecodableDataError && /not an activity task/.test(err.message));
    assert.throws(() => decodeActivityTask(handle, Buffer.from([0xc1, 0xc1]), 0), UndecodableDataError);
  });
});
