import assert from 'node:assert/strict';
import { encodeWorkerInfo } from '../../../../src/backend/worker-info.js';
import { workerInfo } from '../../../conformance/worker-presence.js';
import { serverNow, useScripts } from '../script-fixture.js';
import { presenceOn } from './presence-fixture.js';

describe('lua/announce-worker', () => {
  const { redis } = useScripts();

  it('stores the info until its expiry on the Redis clock, replacing the previous one', async () => {
    const { presence, workers, infos } = presenceOn(redis());
    const info = workerInfo();
    const before = await serverNow(redis());
    await presence.announce(info, 30_000);
    const expiry = Number(await redis().zscore(workers, info.workerId));
    assert.ok(expiry >= before + 30_000 && expiry <= (await serverNow(redis())) + 30_000);
    assert.equal(await redis().hget(infos, info.workerId), encodeWorkerInfo(info));
    const renewed = { ...info, lastSeenAt: new Date(1_800_000_000_000) };
    await presence.announce(renewed, 60_000);
    assert.ok(Number(await redis().zscore(workers, info.workerId)) >= expiry + 29_000, 'pushed back');
    assert.equal(await redis().hget(infos, info.workerId), encodeWorkerInfo(renewed));
    assert.equal(await redis().zcard(workers), 1);
  });

  it('drops the announcements that expired, info included', async () => {
    const { presence, workers, infos } = presenceOn(redis());
    const gone = workerInfo();
    await redis().zadd(workers, (await serverNow(redis())) - 1, gone.workerId);
    await redis().hset(infos, gone.workerId, encodeWorkerInfo(gone));
    const live = workerInfo();
    await presence.announce(live, 30_000);
    assert.deepEqual(await redis().zrange(workers, 0, -1), [live.workerId]);
    assert.deepEqual(await redis().hkeys(infos), [live.workerId]);
  });
});
