import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { useScripts } from '../script-fixture.js';

describe('lua/hold-relay-lease', () => {
  const { redis, relayScripts } = useScripts();

  it('takes a free lease and renews it for its holder only', async () => {
    const lease = `test-${randomUUID()}:{0}:relay-lease`;
    assert.equal(await relayScripts().holdRelayLease(lease, 'relay-a', 5_000), true);
    assert.equal(await redis().get(lease), 'relay-a');
    assert.equal(await relayScripts().holdRelayLease(lease, 'relay-b', 5_000), false);
    await redis().pexpire(lease, 100);
    assert.equal(await relayScripts().holdRelayLease(lease, 'relay-a', 5_000), true);
    assert.ok((await redis().pttl(lease)) > 4_000, 'renewed');
    assert.equal(await redis().get(lease), 'relay-a');
  });

  it('goes to another relay once the holder stopped renewing it', async () => {
    const lease = `test-${randomUUID()}:{0}:relay-lease`;
    assert.equal(await relayScripts().holdRelayLease(lease, 'relay-a', 50), true);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(await relayScripts().holdRelayLease(lease, 'relay-b', 5_000), true);
    assert.equal(await redis().get(lease), 'relay-b');
  });
});
