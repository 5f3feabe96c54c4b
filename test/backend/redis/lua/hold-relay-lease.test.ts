import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { useScripts } from '../script-fixture.js';

describe('lua/hold-relay-lease', () => {
  const { redis, relayScripts } = useScripts();
  const hold = async (lease: string, owner: string, leaseMs: number): Promise<boolean> =>
    (await relayScripts().holdRelayLeases([lease], owner, leaseMs))[0] !== 'other';

  it('takes a free lease and renews it for its holder only', async () => {
    const lease = `test-${randomUUID()}:{0}:relay-lease`;
    assert.equal(await hold(lease, 'relay-a', 5_000), true);
    assert.equal(await redis().get(lease), 'relay-a');
    assert.equal(await hold(lease, 'relay-b', 5_000), false);
    await redis().pexpire(lease, 100);
    assert.equal(await hold(lease, 'relay-a', 5_000), true);
    assert.ok((await redis().pttl(lease)) > 4_000, 'renewed');
    assert.equal(await redis().get(lease), 'relay-a');
  });

  it('goes to another relay once the holder stopped renewing it', async () => {
    const lease = `test-${randomUUID()}:{0}:relay-lease`;
    assert.equal(await hold(lease, 'relay-a', 50), true);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(await hold(lease, 'relay-b', 5_000), true);
    assert.equal(await redis().get(lease), 'relay-b');
  });

  it('takes or renews several leases in one call, answering for each in order whether it was taken, renewed or held by another', async () => {
    const prefix = `test-${randomUUID()}`;
    const a = `${prefix}:{0}:relay-lease`;
    const b = `${prefix}:{1}:relay-lease`;
    const c = `${prefix}:{2}:relay-lease`;
    await redis().set(b, 'relay-b', 'PX', 5_000);
    await redis().set(c, 'relay-a', 'PX', 100);
    assert.deepEqual(await relayScripts().holdRelayLeases([a, b, c], 'relay-a', 5_000), ['taken', 'other', 'renewed']);
    assert.equal(await redis().get(a), 'relay-a');
    assert.equal(await redis().get(b), 'relay-b', "another relay's lease is left alone");
    assert.ok((await redis().pttl(c)) > 4_000, 'renewed');
  });
});
