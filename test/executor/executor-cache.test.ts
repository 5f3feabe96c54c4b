import assert from 'node:assert/strict';
import { ExecutorCache } from '../../src/executor/executor-cache.js';

describe('ExecutorCache', () => {
  it('returns what was stored and evicts the least recently used entry when full (K-01)', () => {
    const cache = new ExecutorCache<object>(2);
    const [a, b, c] = [{}, {}, {}];
    cache.set('a', a);
    cache.set('b', b);
    assert.equal(cache.get('a'), a); // a is now the most recent
    cache.set('c', c);
    assert.equal(cache.peek('b'), undefined, 'b was the least recently used');
    assert.equal(cache.peek('a'), a);
    assert.equal(cache.peek('c'), c);
    assert.equal(cache.size, 2);
  });

  it('drops an entry on delete (K-03)', () => {
    const cache = new ExecutorCache<number>(4);
    cache.set('x', 1);
    cache.delete('x');
    assert.equal(cache.size, 0);
    assert.equal(cache.get('x'), undefined);
  });

  it('keeps nothing with size 0', () => {
    const cache = new ExecutorCache<number>(0);
    cache.set('x', 1);
    assert.equal(cache.get('x'), undefined);
    assert.equal(cache.size, 0);
  });
});
