import assert from 'node:assert/strict';
import { DeliveryLanes } from '../../../src/backend/redis/delivery-lanes.js';

describe('DeliveryLanes (which target partitions an outbox relay may deliver to)', () => {
  it('keeps a partition whose lane outlived its round closed until the lane ended and a pass began', async () => {
    const lanes = new DeliveryLanes();
    let endLane: () => void = () => undefined;
    lanes.runLate(3, new Promise<void>((resolve) => (endLane = resolve)));
    assert.equal(lanes.admits(3), false);
    assert.equal(lanes.admits(4), true, 'other partitions go on');
    assert.equal(lanes.idle, false);
    endLane();
    await lanes.settled();
    assert.equal(lanes.idle, true);
    // Messages to 3 were left pending while its lane ran: newer ones wait until a pass delivers those in order.
    assert.equal(lanes.admits(3), false);
    assert.equal(lanes.beginPass(), Infinity);
    assert.equal(lanes.admits(3), true);
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
