import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { useScripts } from '../script-fixture.js';

describe('lua/release-relay-lease', () => {
  const { redis, relayScripts } = useScripts();

  it('releases the lease its caller holds', async () => {
    const lease = `test-${randomUUID()}:{0}:relay-lease`;
    await redis().set(lease, 'relay-a', 'PX', 5_000);
    assert.equal(await relayScripts().releaseRelayLease(lease, 'relay-a'), true);
    assert.equal(await redis().exists(lease), 0);
  });

  it('leaves a lease another relay holds alone', async () => {
    const lease = `test-${randomUUID()}:{0}:relay-lease`;
    await redis().set(lease, 'relay-b', 'PX', 5_000);
    assert.equal(await relayScripts().releaseRelayLease(lease, 'relay-a'), false);
    assert.equal(await redis().get(lease), 'relay-b');
    assert.equal(await relayScripts().releaseRelayLease(`${lease}-none`, 'relay-a'), false);
  });
});
