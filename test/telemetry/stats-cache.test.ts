import assert from 'node:assert/strict';
import type { BackendStats } from '../../src/backend/management-types.js';
import type { OperatorCalls } from '../../src/backend/operator-calls.js';
import { StatsCache } from '../../src/telemetry/stats-cache.js';

function statsSource(): { source: OperatorCalls; reads: () => number; fail: (failing: boolean) => void } {
  let reads = 0;
  let failing = false;
  const stats = { activeWorkflowInstances: 1, heldWorkflowInstances: 0, pendingWorkflowTasks: {}, pendingActivityTasks: {} } as unknown as BackendStats;
  const source = {
    getStats: async () => {
      reads++;
      if (failing) throw new Error('store unreachable');
      return stats;
    },
  } as unknown as OperatorCalls;
  return { source, reads: () => reads, fail: (f) => (failing = f) };
}

describe('telemetry: StatsCache', () => {
  it('reads the store once for concurrent collections and reuses the stats within the interval', async () => {
    const cache = new StatsCache(60_000);
    const { source, reads } = statsSource();
    cache.attach(source);
    const all = await Promise.all([cache.read(), cache.read(), cache.read()]);
    assert.equal(reads(), 1);
    assert.equal(all[2]?.activeWorkflowInstances, 1);
    await cache.read();
    assert.equal(reads(), 1, 'a later collection within the interval reuses the stats');
  });

  it('reads again once the interval has passed', async () => {
    const cache = new StatsCache(5);
    const { source, reads } = statsSource();
    cache.attach(source);
    await cache.read();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await cache.read();
    assert.equal(reads(), 2);
  });

  it('reports nothing when no store is attached, or when the read fails, without throwing', async () => {
    const cache = new StatsCache(1);
    assert.equal(await cache.read(), undefined);
    const { source, fail } = statsSource();
    const detach = cache.attach(source);
    fail(true);
    assert.equal(await cache.read(), undefined);
    fail(false);
    assert.equal((await cache.read())?.activeWorkflowInstances, 1);
    detach();
    assert.equal(await cache.read(), undefined);
  });
});
