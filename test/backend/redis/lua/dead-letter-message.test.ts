import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { deadLettersKey, outboxKey, outboxRetriesKey } from '../../../../src/backend/redis/keys.js';
import { GROUP, useScripts } from '../script-fixture.js';

describe('lua/dead-letter-message', () => {
  const { redis, relayScripts } = useScripts();

  function keysOf(prefix: string): { outbox: string; retries: string; deadLetters: string } {
    return { outbox: outboxKey(prefix, 0), retries: outboxRetriesKey(prefix, 0), deadLetters: deadLettersKey(prefix, 0) };
  }

  it('moves a pending outbox entry, its fields and its error to the dead letters, and drops its backoff record', async () => {
    const keys = keysOf(`test-${randomUUID()}`);
    await redis().xgroup('CREATE', keys.outbox, GROUP, '0', 'MKSTREAM');
    const parked = await redis().xadd(keys.outbox, '*', 'k', 'signal', 'i', 'target', 'b', Buffer.from([0, 255, 1]));
    const next = await redis().xadd(keys.outbox, '*', 'k', 'signal', 'i', 'other');
    await redis().xreadgroup('GROUP', GROUP, 'relay', 'COUNT', 10, 'STREAMS', keys.outbox, '>');
    await redis().hset(keys.retries, parked as string, '{"attempts":3,"nextAttemptAt":0}');

    const id = await relayScripts().deadLetterMessage(keys, { group: GROUP, entryId: parked as string, errorType: 'ReplyError', errorMessage: 'WRONGTYPE x', attempts: 4 });
    assert.ok(id !== undefined);

    const [entry] = await redis().xrangeBuffer(keys.deadLetters, '-', '+');
    const fields = new Map<string, Buffer>();
    const raw = entry?.[1] ?? [];
    for (let i = 0; i + 1 < raw.length; i += 2) fields.set(String(raw[i]), raw[i + 1] as Buffer);
    assert.equal(fields.get('k')?.toString(), 'signal');
    assert.equal(fields.get('i')?.toString(), 'target');
    assert.deepEqual(fields.get('b'), Buffer.from([0, 255, 1]), 'binary fields kept');
    assert.equal(fields.get('dl:id')?.toString(), parked);
    assert.equal(fields.get('dl:type')?.toString(), 'ReplyError');
    assert.equal(fields.get('dl:message')?.toString(), 'WRONGTYPE x');
    assert.equal(fields.get('dl:attempts')?.toString(), '4');
    assert.ok(Math.abs(Number(fields.get('dl:at')?.toString()) - Date.now()) < 60_000);

    assert.deepEqual((await redis().xrange(keys.outbox, '-', '+')).map(([entryId]) => entryId), [next], 'the entry left the outbox');
    const pending = (await redis().xpending(keys.outbox, GROUP, '-', '+', 10)) as Array<[string]>;
    assert.deepEqual(pending.map(([entryId]) => entryId), [next], 'and the pending list');
    assert.equal(await redis().hexists(keys.retries, parked as string), 0);
  });

  it('writes nothing for an entry no longer in the outbox', async () => {
    const keys = keysOf(`test-${randomUUID()}`);
    await redis().xgroup('CREATE', keys.outbox, GROUP, '0', 'MKSTREAM');
    const id = await relayScripts().deadLetterMessage(keys, { group: GROUP, entryId: '1-1', errorType: 'Error', errorMessage: 'x', attempts: 1 });
    assert.equal(id, undefined);
    assert.equal(await redis().exists(keys.deadLetters), 0);
  });
});
