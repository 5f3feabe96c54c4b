import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { encodedBeforeStart } from '../../../src/backend/redis/cancellation-args.js';
import { encodeEvent } from '../../../src/codec/event-codec.js';
import { deadLettersKey, inboxKey, outboxKey, relayLeaseKey } from '../../../src/backend/redis/keys.js';
import { MessageDelivery } from '../../../src/backend/redis/message-delivery.js';
import { outboxFields } from '../../../src/backend/redis/outbox-message.js';
import { partitionOf } from '../../../src/backend/redis/partition.js';
import type { RedisBackend } from '../../../src/backend/redis/redis-backend.js';
import { RelayScripts } from '../../../src/backend/redis/relay-scripts.js';
import { parseReadGroupReply } from '../../../src/backend/redis/stream-replies.js';
import type { WorkflowInstance } from '../../../src/core/instance.js';
import { newEvent } from '../../../src/history/events.js';
import { started } from '../../conformance/harness.js';
import { testLogger } from '../../helpers/engine.js';
import { redisBackendOn } from '../../helpers/redis-backends.js';
import { useRedisServer } from '../../helpers/redis-server.js';

const PARTITIONS = 2;

/** An instance whose id lands in `partition`. */
function instanceIn(partition: number): WorkflowInstance {
  for (;;) {
    const instanceId = `relay-${randomUUID()}`;
    if (partitionOf(instanceId, PARTITIONS) === partition) return { instanceId, executionId: randomUUID() };
  }
}

describe('outbox relay', function () {
  this.timeout(30_000);
  const server = useRedisServer();
  let redis: Redis;
  let prefix: string;
  const opened: RedisBackend[] = [];
  const polls: AbortController[] = [];

  function backend(options: { blockTimeoutMs?: number } = {}): RedisBackend {
    const b = redisBackendOn(server(), Object.assign({ prefix, partitions: PARTITIONS }, options));
    opened.push(b);
    return b;
  }

  /** Keeps `b` polling a queue nobody uses: its relays run, it claims no task. */
  function keepPolling(b: RedisBackend): AbortController {
    const stop = new AbortController();
    polls.push(stop);
    void (async () => {
      try {
        while (!stop.signal.aborted) {
          await b.pollActivityTasks({ queues: ['nobody'], max: 1, lockTimeoutMs: 5_000, signal: stop.signal });
        }
      } catch {
        // Closed under the loop: the relays stopped with it.
      }
    })();
    return stop;
  }

  async function until(condition: () => Promise<boolean>, what: string, waitMs = 15_000): Promise<void> {
    const deadline = Date.now() + waitMs;
    while (!(await condition())) {
      assert.ok(Date.now() < deadline, `timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Types and signal args of an execution's inbox. */
  async function inbox(inst: WorkflowInstance): Promise<Array<[string, unknown]>> {
    const p = partitionOf(inst.instanceId, PARTITIONS);
    const raw = await redis.lrange(inboxKey(prefix, p, inst.instanceId, inst.executionId), 0, -1);
    return raw.map((entry) => [entry.slice(0, entry.indexOf('\n')), undefined]);
  }

  function signalMessage(target: WorkflowInstance, sender: WorkflowInstance, n: number): Array<string | Buffer> {
    const fields = outboxFields({
      kind: 'signal',
      instanceId: target.instanceId,
      signal: encodeEvent(newEvent('SignalReceived', { name: 'n', arg: n })),
      sender: { ...sender, queue: 'default' },
      delivered: encodeEvent(newEvent('SignalDelivered', {}, 100 + n)),
      failed: encodeEvent(newEvent('SignalFailed', { error: { message: 'x', type: 'InstanceNotFoundError', permanent: false } }, 100 + n)),
    });
    return fields.flat();
  }

  beforeEach(() => {
    prefix = `test-${randomUUID()}`;
    redis = new Redis(server().url);
  });
  afterEach(async () => {
    for (const stop of polls.splice(0)) stop.abort();
    await Promise.all(opened.splice(0).map((b) => b.close()));
    redis.disconnect();
  });

  it('delivers a message once when its relay died after delivering it and before acknowledging it', async () => {
    const client = backend();
    const target = instanceIn(1);
    const sender = instanceIn(0);
    await client.createWorkflowInstance(target, started());
    await client.createWorkflowInstance(sender, started());
    const outbox = outboxKey(prefix, 0);
    await redis.xadd(outbox, '*', ...signalMessage(target, sender, 1));

    // The relay that dies: holds the lease, reads the entry, delivers it, never acknowledges it.
    await redis.set(relayLeaseKey(prefix, 0), 'dead-relay', 'PX', 500);
    await redis.xgroup('CREATE', outbox, 'redflow', '0', 'MKSTREAM');
    const [entry] = parseReadGroupReply(await redis.callBuffer('XREADGROUP', 'GROUP', 'redflow', 'dead-relay', 'COUNT', 10, 'STREAMS', outbox, '>'));
    assert.ok(entry !== undefined);
    const delivery = new MessageDelivery({ client: redis, prefix, partitions: PARTITIONS }, new RelayScripts(redis), testLogger);
    assert.equal(await delivery.deliver(0, entry.id, entry.fields), 'delivered');

    // A live relay takes the partition over once the lease runs out and redelivers the pending entry.
    keepPolling(backend());
    await until(async () => (await redis.xlen(outbox)) === 0, 'the outbox is drained');
    await until(async () => (await inbox(sender)).some(([type]) => type === 'SignalDelivered'), 'the answer reached the sender');
    assert.deepEqual((await inbox(target)).map(([type]) => type), ['WorkflowExecutionStarted', 'SignalReceived']);
    assert.deepEqual((await inbox(sender)).map(([type]) => type), ['WorkflowExecutionStarted', 'SignalDelivered']);
    assert.deepEqual(await redis.xpending(outbox, 'redflow', '-', '+', 10), []);
    assert.equal(await redis.xlen(outboxKey(prefix, 1)), 0, 'the answer went through the target partition outbox, and out');
  });

  it('delivers every message once and in order while relays come and go', async () => {
    const client = backend();
    const target = instanceIn(1);
    const sender = instanceIn(0);
    await client.createWorkflowInstance(target, started());
    await client.createWorkflowInstance(sender, started());
    const outbox = outboxKey(prefix, 0);
    for (let n = 0; n < 50; n++) await redis.xadd(outbox, '*', ...signalMessage(target, sender, n));

    const first = backend();
    keepPolling(first);
    keepPolling(backend());
    await until(async () => (await redis.xlen(outbox)) < 50, 'some messages are delivered');
    await first.close();
    for (let n = 50; n < 100; n++) await redis.xadd(outbox, '*', ...signalMessage(target, sender, n));
    // What a completion writing them would announce (lua/lib/wake-owner.lua).
    await redis.publish(outbox, '');
    await until(async () => (await redis.xlen(outbox)) === 0, 'the outbox is drained');

    const p = partitionOf(target.instanceId, PARTITIONS);
    const raw = await redis.lrangeBuffer(inboxKey(prefix, p, target.instanceId, target.executionId), 0, -1);
    const { decodeEvent } = await import('../../../src/codec/event-codec.js');
    const args = raw.slice(1).map((entry) => {
      const event = decodeEvent(entry.subarray(entry.indexOf(0x0a) + 1));
      return event.type === 'SignalReceived' ? event.attributes.arg : undefined;
    });
    assert.deepEqual(args, Array.from({ length: 100 }, (_, n) => n), 'each signal once, in the order written');
    await until(async () => (await inbox(sender)).length === 101, 'every answer reached the sender');
  });

  it('ends a child cancelled while its start was still in the outbox, before any worker saw it, and tells the parent', async () => {
    const client = backend();
    const parent = instanceIn(0);
    const child = instanceIn(1);
    await client.createWorkflowInstance(parent, started());
    const sender = { ...parent, queue: 'default' };
    const childStarted = newEvent('WorkflowExecutionStarted', { name: 'kid', queue: 'nobody', inputs: [], parent: { ...parent, scheduleEventId: 3 } });
    const ending = encodedBeforeStart({ ...child, scheduleEventId: 3 });
    const outbox = outboxKey(prefix, 0);
    const start = outboxFields({
      kind: 'start',
      ...child,
      name: 'kid',
      queue: 'nobody',
      createdAt: Date.now(),
      started: encodeEvent(childStarted),
      sender,
      clash: encodeEvent(newEvent('SubWorkflowFailed', { error: { message: 'x', type: 'InstanceAlreadyExistsError', permanent: false } }, 3)),
    });
    const cancellation = outboxFields({
      kind: 'event',
      ...child,
      event: ending.canceled,
      eventType: 'WorkflowExecutionCanceled',
      beforeStart: { sender, finished: ending.finished, parentFailed: ending.parentFailed, retentionMs: 0 },
    });
    await redis.xadd(outbox, '*', ...start.flat());
    await redis.xadd(outbox, '*', ...cancellation.flat());

    keepPolling(backend());
    await until(async () => (await inbox(parent)).some(([type]) => type === 'SubWorkflowFailed'), 'the parent heard of the child');
    assert.equal(await client.getWorkflowInstanceState(child), 'finished');
    const history = await client.getWorkflowInstanceHistory(child);
    assert.deepEqual(history.map((e) => e.type), ['WorkflowExecutionStarted', 'WorkflowExecutionCanceled', 'WorkflowExecutionFinished']);
    const outcome = await client.getWorkflowInstanceOutcome(child);
    assert.ok(outcome?.type === 'WorkflowExecutionFinished');
    assert.equal(outcome.attributes.error?.type, 'CanceledError');
  });

  it('sends a message out as soon as it is announced, not at the relay\'s next lease renewal', async () => {
    // blockTimeoutMs 10 s makes the relay's lease 30 s, renewed (and the outbox read) every 10 s when idle.
    const relaying = backend({ blockTimeoutMs: 10_000 });
    const target = instanceIn(1);
    const sender = instanceIn(0);
    await relaying.createWorkflowInstance(target, started());
    await relaying.createWorkflowInstance(sender, started());
    keepPolling(relaying);
    await until(async () => (await redis.get(relayLeaseKey(prefix, 0))) !== null, 'the relay holds its lease');
    await new Promise((resolve) => setTimeout(resolve, 300));

    // retry-dead-letter.lua writes to the outbox and announces it, as a completion does.
    const deadLetters = deadLettersKey(prefix, 0);
    const id = (await redis.xadd(deadLetters, '*', ...signalMessage(target, sender, 7))) as string;
    await new RelayScripts(redis).retryDeadLetter(deadLetters, outboxKey(prefix, 0), id);
    await until(async () => (await inbox(target)).some(([type]) => type === 'SignalReceived'), 'the signal arrived', 5_000);
  });

  it('never delivers while another relay holds the lease, however often messages are announced', async () => {
    const target = instanceIn(1);
    const sender = instanceIn(0);
    const relaying = backend();
    await relaying.createWorkflowInstance(target, started());
    await relaying.createWorkflowInstance(sender, started());
    await redis.set(relayLeaseKey(prefix, 0), 'other-relay', 'PX', 60_000);
    keepPolling(relaying);
    const outbox = outboxKey(prefix, 0);
    await redis.xadd(outbox, '*', ...signalMessage(target, sender, 1));
    for (let i = 0; i < 10; i++) {
      await redis.publish(outbox, '');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual((await inbox(target)).map(([type]) => type), ['WorkflowExecutionStarted'], 'nothing delivered');

    await redis.del(relayLeaseKey(prefix, 0));
    await until(async () => (await inbox(target)).some(([type]) => type === 'SignalReceived'), 'delivered once the lease is free');
  });

  it('lets the lease of an idle outbox run out instead of renewing it, and takes it again for the next message', async () => {
    const target = instanceIn(1);
    const sender = instanceIn(0);
    const relaying = backend();
    await relaying.createWorkflowInstance(target, started());
    await relaying.createWorkflowInstance(sender, started());
    keepPolling(relaying);
    const lease = relayLeaseKey(prefix, 0);
    await until(async () => (await redis.get(lease)) !== null, 'the relay took its lease');
    // The lease lasts 5 s and is renewed every third of it while the relay delivers: idle, it runs out.
    await until(async () => (await redis.exists(lease)) === 0, 'the idle lease ran out', 12_000);

    const outbox = outboxKey(prefix, 0);
    await redis.xadd(outbox, '*', ...signalMessage(target, sender, 3));
    await redis.publish(outbox, '');
    await until(async () => (await inbox(target)).some(([type]) => type === 'SignalReceived'), 'the next message went out', 5_000);
    assert.ok((await redis.get(lease)) !== null, 'taken again for it');
  });
});
