import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { partitionMembersKey, partitionOwnersKey } from '../../../../src/backend/redis/keys.js';
import { ScriptRunner } from '../../../../src/backend/redis/script-runner.js';
import { useScripts } from '../script-fixture.js';

describe('lua/hold-partitions and lua/release-partitions', () => {
  const { redis } = useScripts();
  const keysOf = (prefix: string): string[] => [partitionMembersKey(prefix), partitionOwnersKey(prefix)];
  const hold = async (prefix: string, name: string, partitions: number): Promise<number[]> =>
    ((await new ScriptRunner(redis()).run('hold-partitions', keysOf(prefix), [name, 4000, partitions])) as number[]).map(Number).sort((a, b) => a - b);
  const release = async (prefix: string, name: string): Promise<number> =>
    Number(await new ScriptRunner(redis()).run('release-partitions', keysOf(prefix), [name]));

  it('shares the partitions among the members, each taking at most its fair share', async () => {
    const prefix = `p-${randomUUID()}`;
    assert.deepEqual(await hold(prefix, 'a', 4), [0, 1, 2, 3], 'a lone member holds everything');
    assert.deepEqual(await hold(prefix, 'b', 4), [], 'a newcomer finds nothing free yet');
    assert.deepEqual(await hold(prefix, 'a', 4), [0, 1], 'the holder gives up what is beyond its share');
    assert.deepEqual(await hold(prefix, 'b', 4), [2, 3]);
  });

  it('gives up only the partitions of the member named exactly, not of one whose name ends like it', async () => {
    const prefix = `p-${randomUUID()}`;
    await hold(prefix, 'worker x', 2);
    await hold(prefix, 'x', 2);
    await hold(prefix, 'worker x', 2);
    assert.deepEqual(await hold(prefix, 'x', 2), [1]);
    assert.equal(await release(prefix, 'x'), 1);
    const owners = await redis().hgetall(partitionOwnersKey(prefix));
    assert.deepEqual(Object.keys(owners), ['0']);
    assert.match(owners['0'] ?? '', / worker x$/);
    assert.deepEqual(await redis().zrange(partitionMembersKey(prefix), 0, -1), ['worker x']);
  });
});
