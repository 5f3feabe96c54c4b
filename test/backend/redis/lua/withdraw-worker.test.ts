import assert from 'node:assert/strict';
import { workerInfo } from '../../../conformance/worker-presence.js';
import { useScripts } from '../script-fixture.js';
import { presenceOn } from './presence-fixture.js';

describe('lua/withdraw-worker', () => {
  const { redis } = useScripts();

  it('removes one worker at once, and nothing else; an unknown id changes nothing', async () => {
    const { presence, workers, infos } = presenceOn(redis());
    const leaving = workerInfo();
    const staying = workerInfo();
    await presence.announce(leaving, 60_000);
    await presence.announce(staying, 60_000);
    await presence.withdraw(leaving.workerId);
    assert.deepEqual(await redis().zrange(workers, 0, -1), [staying.workerId]);
    assert.deepEqual(await redis().hkeys(infos), [staying.workerId]);
    await presence.withdraw(leaving.workerId);
    await presence.withdraw('never-announced');
    assert.deepEqual(await redis().zrange(workers, 0, -1), [staying.workerId]);
  });
});
