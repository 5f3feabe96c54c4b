import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { useScripts } from '../script-fixture.js';

describe('lua/ack-relayed-entries', () => {
  const { redis, relayScripts } = useScripts();

  it('acknowledges and deletes the given entries, and leaves the others pending', async () => {
    const outbox = `test-${randomUUID()}:{0}:outbox`;
    await redis().xgroup('CREATE', outbox, 'relays', '0', 'MKSTREAM');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await redis().xadd(outbox, '*', 'n', String(i))) ?? '');
    await redis().xreadgroup('GROUP', 'relays', 'relay-a', 'STREAMS', outbox, '>');
    assert.equal(await relayScripts().ackRelayedEntries(outbox, 'relays', [ids[0] ?? '', ids[2] ?? '']), 2);
    const left = (await redis().xrange(outbox, '-', '+')).map(([id]) => id);
    assert.deepEqual(left, [ids[1]]);
    const pending = (await redis().xpending(outbox, 'relays', '-', '+', 10)) as Array<[string, ...unknown[]]>;
    assert.deepEqual(pending.map(([id]) => id), [ids[1]]);
  });

  it('does nothing for no ids or ids already gone', async () => {
    const outbox = `test-${randomUUID()}:{0}:outbox`;
    await redis().xgroup('CREATE', outbox, 'relays', '0', 'MKSTREAM');
    assert.equal(await relayScripts().ackRelayedEntries(outbox, 'relays', []), 0);
    assert.equal(await relayScripts().ackRelayedEntries(outbox, 'relays', ['1-1']), 0);
    assert.equal(await redis().xlen(outbox), 0);
  });
});
