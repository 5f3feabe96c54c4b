import assert from 'node:assert/strict';
import { outboxFields, parseOutboxEntry, type EventMessage } from '../../../src/backend/redis/outbox-message.js';
import { InvalidArgumentError } from '../../../src/errors/errors.js';

const asEntry = (fields: Array<[string, string | Buffer]>): Map<string, Buffer> =>
  new Map(fields.map(([name, value]) => [name, Buffer.from(value)]));

describe('outbox messages', () => {
  const cancellation: EventMessage = {
    kind: 'event',
    instanceId: 'kid',
    executionId: 'kid-1',
    event: Buffer.from('canceled'),
    eventType: 'WorkflowExecutionCanceled',
    beforeStart: {
      sender: { instanceId: 'parent', executionId: 'p-1', queue: 'default' },
      finished: Buffer.from('finished'),
      parentFailed: Buffer.from('parent-failed'),
      retentionMs: 60_000,
    },
  };

  it("round-trips a parent's cancellation request with what ends a child that has not started", () => {
    assert.deepEqual(parseOutboxEntry(asEntry(outboxFields(cancellation))), cancellation);
    const { beforeStart: _, ...plain } = cancellation;
    assert.deepEqual(parseOutboxEntry(asEntry(outboxFields(plain))), plain);
  });

  it('refuses a cancellation request whose retention is not a count of ms', () => {
    const fields = outboxFields(cancellation).map(([name, value]): [string, string | Buffer] => [name, name === 'r' ? '-1' : value]);
    assert.throws(() => parseOutboxEntry(asEntry(fields)), InvalidArgumentError);
  });
});
