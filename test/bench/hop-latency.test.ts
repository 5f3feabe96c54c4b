import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('bench: hop latency between partitions (smoke)', function () {
  this.timeout(60_000);

  it('measures the start and result hops of parent and child pairs in different partitions', async () => {
    // Without REDIS_URL the script starts a Redis of its own.
    const env = Object.assign({}, process.env);
    delete env.REDIS_URL;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/hop-latency.ts', '--partitions', '4', '--pairs', '6'], { env });
    const figures = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
    assert.equal(figures.partitions, 4);
    assert.equal(figures.pairs, 3, 'the first half of the pairs warm up');
    for (const name of ['startHopP50Ms', 'startHopP90Ms', 'resultHopP50Ms', 'resultHopP90Ms']) {
      const value = figures[name];
      assert.ok(typeof value === 'number' && value >= 0 && value < 5_000, `${name}: ${String(value)}`);
    }
    assert.ok((figures.startHopP90Ms ?? 0) >= (figures.startHopP50Ms ?? 0));
  });
});
