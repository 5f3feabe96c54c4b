import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { executionKey, inboxKey, outboxRetriesKey } from '../../../src/backend/redis/keys.js';
import { partitionOf } from '../../../src/backend/redis/partition.js';
import { RedisBackend } from '../../../src/backend/redis/redis-backend.js';
import { Client } from '../../../src/client/client.js';
import { DeadLetterNotFoundError, InvalidArgumentError } from '../../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../../src/workflow/index.js';
import { startEngine, waitUntil } from '../../helpers/engine.js';
import { capturingLogger } from '../../helpers/log-capture.js';
import { useRedisServer } from '../../helpers/redis-server.js';

const PARTITIONS = 2;
const RETRY = { firstRetryIntervalMs: 200, backoffCoefficient: 2, maxRetryIntervalMs: 1_000, maxAttempts: 4 };

/** An instance id in `partition`. */
function idIn(partition: number, label: string): string {
  for (;;) {
    const id = `${label}-${randomUUID()}`;
    if (partitionOf(id, PARTITIONS) === partition) return id;
  }
}

/** Returns the `count` pings it receives, in order. */
export async function receiver(ctx: WorkflowContext, count: number): Promise<number[]> {
  const pings = workflow.newSignalChannel<number>(ctx, 'ping');
  const got: number[] = [];
  for (let i = 0; i < count; i++) got.push(await pings.receive());
  return got;
}

/** Sends every signal in one task, in order (one outbox, in this order), and waits for all to be delivered. */
export async function sender(ctx: WorkflowContext, signals: Array<[string, number]>): Promise<void> {
  await Promise.all(signals.map(([id, n]) => workflow.signalWorkflow(ctx, id, 'ping', n)));
}

/** What the relay logs about a failing message. */
interface LogLine {
  time: number;
  msg: string;
  entryId?: string;
  attempts?: number;
  target?: string;
}

describe('RedisBackend outbox messages whose delivery fails', function () {
  this.timeout(60_000);
  const server = useRedisServer();
  let redis: Redis;
  before(() => {
    redis = new Redis(server().url);
  });
  after(() => redis.disconnect());

  it('back off, let other targets go on, park as dead letters, and are delivered once when retried', async () => {
    const prefix = `dead-letters-${randomUUID()}`;
    const { logger, lines } = capturingLogger('debug');
    const backend = new RedisBackend({ redis: server().url, prefix, partitions: PARTITIONS, blockTimeoutMs: 200, logger, outboxRetry: RETRY });
    const { client, stop } = await startEngine(backend, { workflows: [receiver, sender], options: { logger } });
    try {
      // The sender's outbox (partition 0) carries every message; targets in both partitions.
      const broken = await client.createWorkflowInstance({ instanceId: idIn(1, 'broken') }, receiver, 2);
      const okSame = await client.createWorkflowInstance({ instanceId: idIn(1, 'ok') }, receiver, 1);
      const okOther = await client.createWorkflowInstance({ instanceId: idIn(0, 'ok') }, receiver, 1);
      const brokenInbox = inboxKey(prefix, 1, broken.instanceId, broken.executionId);
      const brokenExecution = executionKey(prefix, 1, broken.instanceId, broken.executionId);
      // Once its first task ran, the waiting receiver has no inbox: a string there makes every delivery to it
      // fail (WRONGTYPE) before the script writes anything, as corrupted or foreign data would.
      assert.ok(await waitUntil(async () => Number(await redis.hget(brokenExecution, 'historyLength')) > 0 && (await redis.exists(brokenInbox)) === 0, 10_000));
      await redis.set(brokenInbox, 'not a stream');

      const senderInstance = await client.createWorkflowInstance({ instanceId: idIn(0, 'sender') }, sender, [
        [broken.instanceId, 1],
        [okSame.instanceId, 10],
        [broken.instanceId, 2],
        [okOther.instanceId, 20],
      ]);

      // Messages behind the failing one, to other targets, are delivered meanwhile.
      assert.deepEqual(await client.getWorkflowResult(okSame, 10_000), [10]);
      assert.deepEqual(await client.getWorkflowResult(okOther, 10_000), [20]);
      const retries = await redis.hgetall(outboxRetriesKey(prefix, 0));
      assert.equal(Object.keys(retries).length, 1, 'one message backs off; the second one to the same target waits behind it');

      // Both messages to the broken target end up parked, one after the other.
      assert.ok(await waitUntil(async () => (await client.getStats()).deadLetterMessages === 2, 20_000), 'both parked');
      const page = await client.listDeadLetterMessages();
      assert.equal(page.nextCursor, undefined);
      assert.equal(page.messages.length, 2);
      for (const message of page.messages) {
        assert.equal(message.kind, 'signal');
        assert.equal(message.partition, 0);
        assert.equal(message.target, broken.instanceId);
        assert.deepEqual(message.from, { instanceId: senderInstance.instanceId, executionId: senderInstance.executionId });
        assert.equal(message.error.type, 'ReplyError');
        assert.match(message.error.message, /WRONGTYPE/);
        assert.equal(message.attempts, RETRY.maxAttempts);
        assert.ok(message.deadLetteredAt instanceof Date && Math.abs(message.deadLetteredAt.getTime() - Date.now()) < 60_000);
      }
      const [first, second] = page.messages;
      assert.ok(first !== undefined && second !== undefined);
      const byPage = await client.listDeadLetterMessages({ count: 1 });
      assert.deepEqual(byPage.messages.map((m) => m.id), [first.id]);
      assert.ok(byPage.nextCursor !== undefined);
      const rest = await client.listDeadLetterMessages({ count: 1, cursor: byPage.nextCursor });
      assert.deepEqual(rest.messages.map((m) => m.id), [second.id]);
      assert.equal(rest.nextCursor, undefined);

      // Backoff, not a retry every few hundred ms: each attempt waited at least its delay after the one before.
      const failures = (lines as LogLine[]).filter((l) => l.target === broken.instanceId && /delivery failed|parked/.test(l.msg));
      const entries = [...new Set(failures.map((l) => l.entryId))];
      assert.equal(entries.length, 2);
      for (const entryId of entries) {
        const attempts = failures.filter((l) => l.entryId === entryId);
        assert.deepEqual(attempts.map((l) => l.attempts), [1, 2, 3, 4], 'one line per attempt, capped at maxAttempts');
        for (let n = 1; n < attempts.length; n++) {
          const delay = Math.min(RETRY.firstRetryIntervalMs * RETRY.backoffCoefficient ** (n - 1), RETRY.maxRetryIntervalMs);
          const gap = (attempts[n]?.time ?? 0) - (attempts[n - 1]?.time ?? 0);
          assert.ok(gap >= delay - 20, `attempt ${n + 1} came ${gap} ms after attempt ${n}, before its ${delay} ms backoff`);
        }
      }
      // The second message to the target was first tried only once the first was parked: the target's order held.
      const parkedFirst = failures.find((l) => l.entryId === entries[0] && l.attempts === 4);
      const triedSecond = failures.find((l) => l.entryId === entries[1] && l.attempts === 1);
      assert.ok(parkedFirst !== undefined && triedSecond !== undefined && triedSecond.time >= parkedFirst.time);
      assert.equal(lines.filter((l) => l.msg === 'outbox message delivery failed; backing off').length, 2, 'warned once per message');
      assert.equal(await client.getWorkflowInstanceState(broken), 'active');

      // Fixed, and put back by an operator: each delivered exactly once, in order.
      await redis.del(brokenInbox);
      await client.retryDeadLetterMessage(first.id);
      await client.retryDeadLetterMessage(second.id);
      await assert.rejects(client.retryDeadLetterMessage(first.id), DeadLetterNotFoundError);
      assert.deepEqual(await client.getWorkflowResult(broken, 10_000), [1, 2]);
      await client.getWorkflowResult(senderInstance, 10_000);
      const history = await client.getWorkflowInstanceHistory(broken);
      assert.equal(history.filter((e) => e.type === 'SignalReceived').length, 2);
      const sent = await client.getWorkflowInstanceHistory(senderInstance);
      assert.equal(sent.filter((e) => e.type === 'SignalDelivered').length, 4);
      assert.equal((await client.getStats()).deadLetterMessages, 0);
      assert.deepEqual((await client.listDeadLetterMessages()).messages, []);
      assert.equal(await redis.hlen(outboxRetriesKey(prefix, 0)), 0, 'no backoff record left');
    } finally {
      await stop();
      await backend.close();
    }
  });

  it('refuses unknown ids, bad cursors and bad backoff settings with typed errors', async () => {
    for (const outboxRetry of [{ maxAttempts: 0 }, { maxAttempts: 1.5 }, { firstRetryIntervalMs: -1 }, { backoffCoefficient: 0.5 }, { maxRetryIntervalMs: Number.NaN }]) {
      assert.throws(() => new RedisBackend({ redis: server().url, outboxRetry }), InvalidArgumentError, JSON.stringify(outboxRetry));
    }
    const backend = new RedisBackend({ redis: server().url, prefix: `dead-letters-${randomUUID()}`, partitions: PARTITIONS });
    const client = new Client(backend);
    try {
      for (const id of ['0-1-0', '5-1-0', 'nonsense', '1-x']) await assert.rejects(client.retryDeadLetterMessage(id), DeadLetterNotFoundError, id);
      await assert.rejects(client.retryDeadLetterMessage(''), InvalidArgumentError);
      await assert.rejects(client.listDeadLetterMessages({ cursor: 'nonsense' }), InvalidArgumentError);
      await assert.rejects(client.listDeadLetterMessages({ count: 0 }), InvalidArgumentError);
      assert.deepEqual(await client.listDeadLetterMessages(), { messages: [] });
    } finally {
      await backend.close();
    }
  });
});
