import assert from 'node:assert/strict';
import { RecentMap } from '../../src/core/recent-map.js';

describe('RecentMap', () => {
  it('keeps the last `capacity` entries set, and forgets older generations whole', () => {
    const map = new RecentMap<number, string>(3);
    for (let i = 0; i < 7; i++) map.set(i, `v${i}`);
    // Generations [3, 4, 5] and [6]: 0-2 went when 6 started a new one.
    for (let i = 4; i < 7; i++) assert.equal(map.get(i), `v${i}`);
    for (let i = 0; i < 3; i++) assert.equal(map.get(i), undefined);
    assert.ok(map.size <= 6);
  });

  it('keeps an entry that is read, as a read makes it recent', () => {
    const map = new RecentMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3); // [a, b] become the previous generation
    assert.equal(map.get('a'), 1); // moved to the current one: [c, a]
    map.set('d', 4); // [c, a] become the previous generation, b is gone
    assert.equal(map.get('b'), undefined);
    assert.equal(map.get('a'), 1);
    assert.equal(map.get('d'), 4);
  });

  it('overwrites a key of the current generation without starting a new one', () => {
    const map = new RecentMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('b', 3);
    assert.equal(map.size, 2);
    assert.equal(map.get('a'), 1);
    assert.equal(map.get('b'), 3);
  });

  it('holds at most twice its capacity however many entries pass through it', () => {
    const map = new RecentMap<number, number>(1_000);
    let largest = 0;
    for (let i = 0; i < 100_000; i++) {
      map.set(i, i);
      largest = Math.max(largest, map.size);
    }
    assert.ok(largest <= 2_000, `size reached ${largest}`);
    assert.equal(map.get(99_999), 99_999);
    assert.equal(map.get(97_000), undefined);
  });

  it('refuses a capacity that is not a positive integer', () => {
    assert.throws(() => new RecentMap(0), RangeError);
    assert.throws(() => new RecentMap(1.5), RangeError);
  });
});
