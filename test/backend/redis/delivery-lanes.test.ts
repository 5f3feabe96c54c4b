import assert from 'node:assert/strict';
import { DeliveryLanes, type LaneResult } from '../../../src/backend/redis/delivery-lanes.js';

describe('DeliveryLanes (which target partitions an outbox relay may deliver to)', () => {
  it('returns the lanes that ended within the round, and keeps a late lane\'s partition closed until it ended and a pass began', async () => {
    const lanes = new DeliveryLanes();
    let endLane: () => void = () => undefined;
    const late: LaneResult[] = [];
    const round = await lanes.round(
      new Map([
        [3, ['a1']],
        [4, ['b1', 'b2']],
      ]),
      (p, entries) => (p === 3 ? new Promise<LaneResult>((resolve) => (endLane = () => resolve({ done: entries }))) : Promise.resolve({ done: entries })),
      async (result) => void late.push(await result),
    );
    assert.deepEqual(round, { done: ['b1', 'b2'], failures: [], lanes: 2 });
    assert.equal(lanes.admits(3), false, 'its lane still runs');
    assert.equal(lanes.admits(4), true, 'other partitions go on');
    assert.equal(lanes.clear, false);
    endLane();
    await lanes.settled();
    assert.deepEqual(late, [{ done: ['a1'] }], 'the late lane\'s result went to `late`');
    // Messages to 3 were left pending while its lane ran: newer ones wait until a pass delivers those in order.
    assert.equal(lanes.admits(3), false);
    assert.equal(lanes.beginPass(), Infinity);
    assert.equal(lanes.clear, true);
    assert.equal(lanes.admits(3), true);
  });

  it('reports the failure of each lane that ended early', async () => {
    const lanes = new DeliveryLanes();
    const failure = new Error('CLUSTERDOWN');
    const round = await lanes.round(new Map([[1, ['x']], [2, ['y']]]), (p, entries) => Promise.resolve(p === 1 ? { done: [], error: failure } : { done: entries }), () => Promise.resolve());
    assert.deepEqual(round, { done: ['y'], failures: [{ partition: 1, error: failure }], lanes: 2 });
  });

  it('keeps a blocked partition closed through passes until its time, and says when that is', () => {
    const lanes = new DeliveryLanes();
    lanes.block(5, 1_000);
    lanes.block(6, 2_000);
    assert.equal(lanes.beginPass(500), 1_000);
    assert.equal(lanes.admits(5), false);
    assert.equal(lanes.beginPass(1_000), 2_000);
    assert.equal(lanes.admits(5), true);
    assert.equal(lanes.admits(6), false);
    // A later block never shortens an earlier one.
    lanes.block(6, 0);
    assert.equal(lanes.beginPass(1_500), 2_000);
  });
});
