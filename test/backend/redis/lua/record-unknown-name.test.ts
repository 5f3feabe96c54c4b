import assert from 'node:assert/strict';
import { UNKNOWN_NAME_RETENTION_MS } from '../../../../src/backend/worker-info.js';
import { serverNow, useScripts } from '../script-fixture.js';
import { presenceOn } from './presence-fixture.js';

describe('lua/record-unknown-name', () => {
  const { redis } = useScripts();

  it('records a name as seen now on the Redis clock, once however often, and drops names not seen within the retention', async () => {
    const { presence, unknownNames } = presenceOn(redis());
    const stale = JSON.stringify(['workflow', 'default', 'old']);
    await redis().zadd(unknownNames, (await serverNow(redis())) - UNKNOWN_NAME_RETENTION_MS - 1, stale);
    const before = await serverNow(redis());
    await presence.recordUnknownName({ kind: 'activity', queue: 'q1', name: 'charge' });
    await presence.recordUnknownName({ kind: 'activity', queue: 'q1', name: 'charge' });
    const member = JSON.stringify(['activity', 'q1', 'charge']);
    assert.deepEqual(await redis().zrange(unknownNames, 0, -1), [member]);
    const seen = Number(await redis().zscore(unknownNames, member));
    assert.ok(seen >= before && seen <= (await serverNow(redis())));
  });
});
