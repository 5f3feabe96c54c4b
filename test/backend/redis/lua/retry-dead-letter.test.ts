import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { deadLettersKey, outboxKey } from '../../../../src/backend/redis/keys.js';
import { useScripts } from '../script-fixture.js';

describe('lua/retry-dead-letter', () => {
  const { redis, relayScripts } = useScripts();

  it('appends the message fields, without the dead-letter ones, to the outbox and removes the dead letter', async () => {
    const prefix = `test-${randomUUID()}`;
    const deadLetters = deadLettersKey(prefix, 0);
    const outbox = outboxKey(prefix, 0);
    await redis().xadd(outbox, '*', 'k', 'event', 'i', 'earlier');
    const id = (await redis().xadd(deadLetters, '*', 'k', 'signal', 'i', 'target', 'b', Buffer.from([0, 255]), 'dl:id', '1-0', 'dl:type', 'E', 'dl:message', 'm', 'dl:attempts', '3', 'dl:at', '5')) as string;

    const outboxId = await relayScripts().retryDeadLetter(deadLetters, outbox, id);
    const entries = await redis().xrangeBuffer(outbox, '-', '+');
    assert.equal(entries.length, 2);
    const [lastId, fields] = entries[1] ?? ['', []];
    assert.equal(String(lastId), outboxId, 'a new entry at the end of the outbox');
    assert.deepEqual(
      fields.map((f) => f.toString('latin1')),
      ['k', 'signal', 'i', 'target', 'b', Buffer.from([0, 255]).toString('latin1')],
    );
    assert.equal(await redis().xlen(deadLetters), 0);
  });

  it('writes nothing for an unknown id', async () => {
    const prefix = `test-${randomUUID()}`;
    assert.equal(await relayScripts().retryDeadLetter(deadLettersKey(prefix, 0), outboxKey(prefix, 0), '1-0'), undefined);
    assert.equal(await redis().exists(outboxKey(prefix, 0)), 0);
  });
});
