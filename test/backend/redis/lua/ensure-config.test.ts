import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ScriptRunner } from '../../../../src/backend/redis/script-runner.js';
import { useScripts } from '../script-fixture.js';

describe('lua/ensure-config', () => {
  const { redis } = useScripts();
  const ensure = (key: string, partitions: number, epoch: string, layout: number): Promise<unknown> =>
    new ScriptRunner(redis()).run('ensure-config', [key], [partitions, epoch, layout]);

  it('writes a missing record whole and returns it', async () => {
    const key = `cfg-${randomUUID()}:config`;
    assert.deepEqual(await ensure(key, 4, 'e1', 2), ['4', 'e1', '2']);
    assert.deepEqual(await redis().hgetall(key), { partitions: '4', epoch: 'e1', layout: '2' });
  });

  it('returns a stored record as it is, changing none of its fields', async () => {
    const key = `cfg-${randomUUID()}:config`;
    await ensure(key, 4, 'e1', 2);
    assert.deepEqual(await ensure(key, 8, 'e2', 3), ['4', 'e1', '2']);
    assert.deepEqual(await redis().hgetall(key), { partitions: '4', epoch: 'e1', layout: '2' });
  });

  it('leaves a record without a layout without one, so the reader can refuse it', async () => {
    const key = `cfg-${randomUUID()}:config`;
    await redis().hset(key, { partitions: 1, epoch: 'old' });
    assert.deepEqual(await ensure(key, 1, 'new', 2), ['1', 'old', null]);
    assert.deepEqual(await redis().hgetall(key), { partitions: '1', epoch: 'old' });
  });
});
