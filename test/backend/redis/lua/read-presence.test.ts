import assert from 'node:assert/strict';
import { UNKNOWN_NAME_RETENTION_MS, encodeWorkerInfo } from '../../../../src/backend/worker-info.js';
import { workerInfo } from '../../../conformance/worker-presence.js';
import { serverNow, useScripts } from '../script-fixture.js';
import { presenceOn } from './presence-fixture.js';

describe('lua/read-presence', () => {
  const { redis } = useScripts();

  it('returns the live workers and, when asked, the recent names; prunes what expired', async () => {
    const { presence, workers, infos, unknownNames } = presenceOn(redis());
    const live = workerInfo({ startedAt: new Date(2_000) });
    const earlier = workerInfo({ startedAt: new Date(1_000) });
    await presence.announce(live, 60_000);
    await presence.announce(earlier, 60_000);
    const now = await serverNow(redis());
    const gone = workerInfo();
    await redis().zadd(workers, now - 1, gone.workerId);
    await redis().hset(infos, gone.workerId, encodeWorkerInfo(gone));
    await redis().zadd(workers, now + 60_000, 'no-info');
    await redis().zadd(unknownNames, now - UNKNOWN_NAME_RETENTION_MS - 1, JSON.stringify(['workflow', 'default', 'old']));
    await presence.recordUnknownName({ kind: 'workflow', queue: 'default', name: 'order' });

    const onlyWorkers = await presence.read(false);
    assert.deepEqual(onlyWorkers.workers, [earlier, live], 'sorted by start; the expired one and an id without info left out');
    assert.deepEqual(onlyWorkers.unknownNames, []);
    assert.equal(await redis().hexists(infos, gone.workerId), 0, 'pruned');
    assert.equal(await redis().zscore(workers, gone.workerId), null);

    const both = await presence.read(true);
    assert.deepEqual(both.workers, [earlier, live]);
    assert.deepEqual(both.unknownNames.map(({ kind, queue, name }) => [kind, queue, name]), [['workflow', 'default', 'order']]);
    assert.ok(both.unknownNames[0]?.lastSeenAt instanceof Date);
    assert.equal(await redis().zcard(unknownNames), 1, 'the stale name was pruned');
  });

  it('reads many workers at once (chunked HMGET)', async () => {
    const { presence } = presenceOn(redis());
    const many = Array.from({ length: 2_500 }, (_, i) => workerInfo({ startedAt: new Date(i) }));
    for (const info of many) await presence.announce(info, 60_000);
    const { workers } = await presence.read(false);
    assert.equal(workers.length, 2_500);
    assert.deepEqual(workers.map((w) => w.workerId), many.map((w) => w.workerId));
  });
});
